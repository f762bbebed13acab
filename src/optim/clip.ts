/** Gradient clipping, applied between `backward()` and `step()`. In PyTorch these live in torch.nn.utils. */
import { Tensor } from '../tensor/tensor.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite, instead of scaling the gradients by NaN (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  if (params instanceof Tensor) params = [params];
  if (params === null || typeof params !== 'object' || typeof params[Symbol.iterator] !== 'function') {
    throw new Error(`${op}: params must be a Tensor or an iterable of tensors, got ${params === null ? 'null' : typeof params}`);
  }
  const grads: Tensor[] = [];
  let i = 0;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new Error(`${op}: parameter ${i} is not a Tensor`);
    if (p.grad !== null) grads.push(p.grad);
    i++;
  }
  return grads;
}

/**
 * Scales the gradients of `params` in place so that their total norm — the `normType`-norm of all gradient
 * elements taken together, as if concatenated into one vector — is at most `maxNorm`, and returns the total
 * norm before clipping (0 when no parameter has a gradient). As in PyTorch 1.13:
 *
 *     total = (Σ_all |g|ᵖ)^(1/p)          (p = Infinity: max |g|)
 *     g ← g · min(1, maxNorm / (total + 1e-6))
 *
 * Parameters whose grad is null are skipped.
 */
export function clipGradNorm_(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  const op = 'clipGradNorm_';
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new Error(`${op}: maxNorm = ${maxNorm}; expected a number >= 0`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new Error(`${op}: normType = ${normType}; expected a number > 0 or Infinity`);
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) {
      const d = g.data();
      for (let i = 0; i < d.length; i++) {
        const a = Math.abs(d[i]);
        if (a > total || Number.isNaN(a)) total = a;
      }
    }
  } else {
    let acc = 0;
    for (const g of grads) {
      const d = g.data();
      if (normType === 2) for (let i = 0; i < d.length; i++) acc += d[i] * d[i];
      else if (normType === 1) for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]);
      else for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]) ** normType;
    }
    total = normType === 1 ? acc : normType === 2 ? Math.sqrt(acc) : acc ** (1 / normType);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(
      `${op}: the total ${normType}-norm of the gradients of ${grads.length} parameters is ${total}; ` +
        'the gradients hold NaN or Infinity (set errorIfNonfinite: false to scale them anyway)',
    );
  }
  const coef = Math.min(1, maxNorm / (total + 1e-6));
  if (coef !== 1) {
    for (const g of grads) {
      const d = g.data();
      for (let i = 0; i < d.length; i++) d[i] *= coef;
    }
  }
  return total;
}

/** Clamps every gradient element of `params` into [−clipValue, clipValue], in place. Null grads are skipped. */
export function clipGradValue_(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const op = 'clipGradValue_';
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) {
    throw new Error(`${op}: clipValue = ${clipValue}; expected a number >= 0`);
  }
  for (const g of gradsOf(op, params)) {
    const d = g.data();
    for (let i = 0; i < d.length; i++) {
      if (d[i] > clipValue) d[i] = clipValue;
      else if (d[i] < -clipValue) d[i] = -clipValue;
    }
  }
}
