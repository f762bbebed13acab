import { randn } from '../tensor/creation.js';
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { grad } from './engine.js';
import { enableGrad, noGrad } from './mode.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw on a mismatch with the details (default true); false returns false instead. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

const asList = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);

/**
 * Compares the Jacobian that autograd computes for `fn` at `inputs` with float64 central differences
 * (PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3). Inputs that require grad must be float64.
 * Returns true when every entry agrees; otherwise throws naming the output, input and entry.
 */
export function gradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const diff = inputs.filter((t) => t.requiresGrad);
  if (diff.length === 0) throw new Error('gradcheck: no input requires grad; create the inputs with requiresGrad: true');
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new Error(`gradcheck: input ${i} is ${t.dtype}; use float64 (finite differences in float32 are too coarse for these tolerances)`);
    }
  });
  const outs = asList(fn(...inputs));
  const fail = (msg: string): boolean => {
    if (options.raiseException ?? true) throw new Error(`gradcheck: ${msg}`);
    return false;
  };

  // Numerical Jacobian: column by column, perturbing one input entry at a time.
  const numeric: Float64Array[][] = outs.map((o) => diff.map((x) => new Float64Array(o.numel() * x.numel())));
  noGrad(() => {
    diff.forEach((x, xi) => {
      const d = x._data;
      const n = x.numel();
      for (let k = 0; k < n; k++) {
        const orig = d[k];
        d[k] = orig + eps;
        const plus = asList(fn(...inputs)).map((t) => Float64Array.from(t._data));
        d[k] = orig - eps;
        const minus = asList(fn(...inputs)).map((t) => Float64Array.from(t._data));
        d[k] = orig;
        outs.forEach((o, oi) => {
          const m = o.numel();
          for (let j = 0; j < m; j++) numeric[oi][xi][j * n + k] = (plus[oi][j] - minus[oi][j]) / (2 * eps);
        });
      }
    });
  });

  // Analytical Jacobian: row by row, one backward pass per output entry.
  for (let oi = 0; oi < outs.length; oi++) {
    const o = outs[oi];
    if (!o.requiresGrad) {
      if (numeric[oi].every((J) => J.every((v) => Math.abs(v) <= atol))) continue;
      return fail(`output ${oi} does not require grad, but its numerical Jacobian is not zero`);
    }
    const m = o.numel();
    for (let j = 0; j < m; j++) {
      const seed = o.detach().mul(0);
      seed._data[j] = 1;
      const gs = grad([o], diff, { gradOutputs: [seed], retainGraph: true, allowUnused: true });
      for (let xi = 0; xi < diff.length; xi++) {
        const n = diff[xi].numel();
        const a = gs[xi]._data;
        for (let k = 0; k < n; k++) {
          const num = numeric[oi][xi][j * n + k];
          const an = a[k];
          if (!(Math.abs(an - num) <= atol + rtol * Math.abs(num))) {
            return fail(
              `Jacobian mismatch for output ${oi} ${fmtShape(o.shape)} with respect to input ${inputs.indexOf(diff[xi])} ` +
                `${fmtShape(diff[xi].shape)} at output entry ${j}, input entry ${k}: numerical ${num}, analytical ${an}`,
            );
          }
        }
      }
    }
  }
  return true;
}

/**
 * Checks gradients of gradients: runs gradcheck on x ↦ vᵀ·∂fn/∂x (computed with createGraph) with respect to
 * the inputs and a random float64 vector v per output.
 */
export function gradgradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const outs = asList(fn(...inputs));
  const vs = outs.map((o) => randn(o.shape, { dtype: 'float64', requiresGrad: true }));
  // The first derivative needs the graph even while gradcheck evaluates it numerically under noGrad.
  const first = (...args: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const xs = args.slice(0, inputs.length);
      const v = args.slice(inputs.length);
      const ys = asList(fn(...xs));
      const dxs = xs.filter((t) => t.requiresGrad);
      return grad(ys, dxs, { gradOutputs: v, createGraph: true, allowUnused: true });
    });
  return gradcheck(first, [...inputs, ...vs], options);
}
