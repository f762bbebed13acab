import { Tensor } from '../tensor/tensor.js';
import type { TypedArray } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { isGradEnabled, setGradEnabled } from './mode.js';
import type { GradFn } from './node.js';

export interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** true: add into `.grad` of leaves (backward()); false: only return the gradients of `inputs` (grad()). */
  accumulate: boolean;
  inputs?: readonly Tensor[];
}

/**
 * Records `out` as computed by `op` from `inputs` when recording is on and some input requires grad.
 * `backward(g)` returns one gradient per input (null for those that need none). Returns `out`.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (g: Tensor) => readonly (Tensor | null | undefined)[],
): Tensor {
  if (!isGradEnabled()) return out;
  let needs = false;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i]._requiresGrad) {
      needs = true;
      break;
    }
  }
  if (!needs) return out;
  out._requiresGrad = true;
  out.gradFn = { op, inputs, backward } satisfies GradFn;
  return out;
}

/** Post-order of the graph above `roots` (inputs before the tensors computed from them), without recursion. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Two parallel stacks (tensor, index of its next input) rather than a stack of pairs: no array per node.
  const stack: Tensor[] = [];
  const next: number[] = [];
  for (const r of roots) {
    if (!r._requiresGrad || visited.has(r)) continue;
    visited.add(r);
    stack.push(r);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const fn = stack[top].gradFn;
      const i = next[top];
      if (fn !== null && i < fn.inputs.length) {
        next[top] = i + 1;
        const inp = fn.inputs[i];
        if (inp._requiresGrad && !visited.has(inp)) {
          visited.add(inp);
          stack.push(inp);
          next.push(0);
        }
      } else {
        order.push(stack[top]);
        stack.pop();
        next.pop();
      }
    }
  }
  return order;
}

/** Adds a gradient into a map entry, out of place (the tensors may be shared with the user's). */
function accumulate(map: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = map.get(t);
  map.set(t, prev === undefined ? g : prev.add(g));
}

/**
 * The reverse pass shared by `Tensor.backward` and `grad`: walks the graph from `roots` in reverse topological
 * order, calling each op's backward with its output's summed gradient. `grads[i]` seeds root i (null = ones).
 */
export function runBackward(roots: readonly Tensor[], grads: readonly (Tensor | null)[], opts: RunOptions): Map<Tensor, Tensor> {
  const order = topoOrder(roots);
  const inputs = opts.inputs === undefined ? null : new Set(opts.inputs);
  // In grad() mode, only the part of the graph that leads to an input is walked.
  let needed: Set<Tensor> | null = null;
  if (!opts.accumulate) {
    needed = new Set();
    for (const t of order) {
      if ((inputs !== null && inputs.has(t)) || (t.gradFn?.inputs.some((i) => needed!.has(i)) ?? false)) needed.add(t);
    }
  }
  const pending = new Map<Tensor, Tensor>();
  const captured = new Map<Tensor, Tensor>();
  // Arrays already visible outside this pass (the seeds, .grad of an earlier leaf): a leaf's .grad must not
  // share memory with them, or an in-place change of one gradient (clipGradNorm_) would change another. Views
  // (detach, reshape) share the typed array object itself and no op makes a second array over the same memory,
  // so the array is the key: reading `.buffer` would move a small array's data off the heap.
  const handedOut = new Set<TypedArray>();
  const prevMode = setGradEnabled(opts.createGraph);
  try {
    for (let i = 0; i < roots.length; i++) {
      const r = roots[i];
      if (!r._requiresGrad) continue;
      const g = grads[i] ?? onesLike(r);
      handedOut.add(g._data);
      accumulate(pending, r, opts.createGraph ? g : g.detach());
    }
    for (let idx = order.length - 1; idx >= 0; idx--) {
      const t = order[idx];
      const g = pending.get(t);
      if (g === undefined) continue;
      pending.delete(t);
      if (inputs !== null && inputs.has(t)) captured.set(t, g);
      if (opts.accumulate && (t.gradFn === null || t._retainGrad)) {
        const own = opts.createGraph ? g : handedOut.has(g._data) ? copyOf(g) : g.detach();
        handedOut.add(own._data);
        t.grad = t.grad ? t.grad.add(own) : own;
      }
      const fn = t.gradFn;
      if (fn === null || (needed && !needed.has(t))) continue;
      if (fn.backward === null) {
        throw new Error(
          `backward: trying to go through the graph of '${fn.op}' a second time, but its saved values were freed; ` +
            'pass retainGraph: true to the first backward() or grad() call',
        );
      }
      const inGrads = fn.backward(g);
      if (!opts.retainGraph) fn.backward = null;
      const fnInputs = fn.inputs;
      for (let i = 0; i < fnInputs.length; i++) {
        const inp = fnInputs[i];
        const gi = inGrads[i];
        if (!inp._requiresGrad || gi === null || gi === undefined) continue;
        if (gi.shape !== inp.shape && !shapesEqual(gi.shape, inp.shape)) {
          throw new Error(
            `${fn.op}.backward: gradient for input ${i} has shape ${fmtShape(gi.shape)}, ` +
              `expected the input's shape ${fmtShape(inp.shape)}`,
          );
        }
        accumulate(pending, inp, gi.dtype === inp.dtype ? gi : gi.to(inp.dtype));
      }
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return captured;
}

function onesLike(t: Tensor): Tensor {
  return new Tensor(t._data.slice().fill(1), t.shape);
}

function copyOf(t: Tensor): Tensor {
  return new Tensor(t._data.slice(), t.shape);
}

export interface GradOptions {
  /** Gradients of the outputs (the vector of the vector–Jacobian product); default ones for scalar outputs. */
  gradOutputs?: readonly (Tensor | null)[];
  /** Record the computation so the returned gradients can be differentiated again (default false). */
  createGraph?: boolean;
  /** Keep the graph for another backward pass (default: same as createGraph). */
  retainGraph?: boolean;
  /** Return zeros for inputs the outputs do not depend on, instead of throwing (default false). */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned rather than added to `.grad`.
 * With `createGraph: true` the results are themselves differentiable (gradient penalties, Hessian-vector products).
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const gOuts = options.gradOutputs ?? outs.map(() => null);
  if (gOuts.length !== outs.length) {
    throw new Error(`grad: got ${gOuts.length} gradOutputs for ${outs.length} outputs; expected one per output`);
  }
  outs.forEach((o, i) => {
    if (!o._requiresGrad) {
      throw new Error(`grad: output ${i} (shape ${fmtShape(o.shape)}) does not require grad; nothing connects it to the inputs`);
    }
    const g = gOuts[i];
    if (g === null && o.numel() !== 1) {
      throw new Error(`grad: output ${i} has shape ${fmtShape(o.shape)}; a non-scalar output needs its gradOutputs entry`);
    }
    if (g && !shapesEqual(g.shape, o.shape)) {
      throw new Error(`grad: gradOutputs[${i}] has shape ${fmtShape(g.shape)} but output ${i} has shape ${fmtShape(o.shape)}`);
    }
  });
  ins.forEach((t, i) => {
    if (!t._requiresGrad) {
      throw new Error(`grad: input ${i} (shape ${fmtShape(t.shape)}) does not require grad; create it with requiresGrad: true`);
    }
  });
  const createGraph = options.createGraph ?? false;
  const captured = runBackward(outs, gOuts, {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    accumulate: false,
    inputs: ins,
  });
  return ins.map((t, i) => {
    const g = captured.get(t);
    if (g) return g;
    if (!options.allowUnused) {
      throw new Error(`grad: input ${i} (shape ${fmtShape(t.shape)}) was not used to compute the outputs; pass allowUnused: true to get zeros`);
    }
    return new Tensor(t._data.slice().fill(0), t.shape);
  });
}
