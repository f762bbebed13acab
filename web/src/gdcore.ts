/**
 * Gradient descent on the course's functions (no DOM). The starting point is a tensor that requires grad, the
 * library's optim.SGD moves it (with momentum when asked) and an lr scheduler changes the step size, exactly as
 * for a network's weights: optim works on any tensor, not only on model parameters.
 */
import { type Tensor, noGrad, optim, select, tensor } from '../../src/index.js';
import type { GdFunction, Schedule } from './state.js';

export interface GdFunctionInfo {
  /** The formula, for the page. */
  label: string;
  dim: 1 | 2;
  /** Plotted range: [xmin, xmax] for 1-D, [xmin, xmax, ymin, ymax] for 2-D. */
  range: number[];
  /** Points outside this test leave the function's domain (the path stops there). */
  inDomain: (p: readonly number[]) => boolean;
}

/** 1 + log x vanishes at x = 1/e: the course's functions are defined (and plotted) for x > 1/e only. */
const POLE = Math.exp(-1);

export const GD_INFO: Record<GdFunction, GdFunctionInfo> = {
  j1: { label: 'J(x) = x² / (1 + log x)', dim: 1, range: [0.4, 3], inDomain: ([x]) => x > POLE + 1e-3 && x < 50 },
  j2: { label: 'J(x) = x² · sin(πx) / (1 + log x)', dim: 1, range: [0.4, 6.4], inDomain: ([x]) => x > POLE + 1e-3 && x < 50 },
  bowl: { label: 'J(x, y) = x² + y²', dim: 2, range: [-3, 3, -3, 3], inDomain: (p) => p.every((v) => Math.abs(v) < 1e3) },
  ravine: { label: 'J(x, y) = x²/20 + 2y²', dim: 2, range: [-3, 3, -3, 3], inDomain: (p) => p.every((v) => Math.abs(v) < 1e3) },
};

/**
 * J written with the library's ops, so autograd gives ∇J. For 1-D functions x has shape [n] (one value per point);
 * for 2-D ones x has shape [n, 2]. Returns J per point, shape [n].
 */
export function objective(fn: GdFunction, x: Tensor): Tensor {
  switch (fn) {
    case 'j1':
      return x.square().div(x.log().add(1));
    case 'j2':
      return x.square().mul(x.mul(Math.PI).sin()).div(x.log().add(1));
    case 'bowl':
      return select(x, 1, 0).square().add(select(x, 1, 1).square());
    case 'ravine':
      return select(x, 1, 0).square().div(20).add(select(x, 1, 1).square().mul(2));
  }
}

/** J at many points (for the plot): points as [n] (1-D) or [n, 2] (2-D) row-major numbers. */
export function evaluate(fn: GdFunction, points: Float64Array): Float64Array {
  const dim = GD_INFO[fn].dim;
  const x = tensor(points, { dtype: 'float64', shape: dim === 1 ? [points.length] : [points.length / 2, 2] });
  return noGrad(() => objective(fn, x).data() as Float64Array);
}

export interface GdOptions {
  lr: number;
  momentum: number;
  schedule: Schedule;
  steps: number;
}

export interface GdPath {
  /** Positions visited, start first: steps + 1 of them unless the path left the domain. */
  points: number[][];
  /** J at each position. */
  values: number[];
  /** The learning rate used by each step. */
  lrs: number[];
  /** Why the path stopped early, if it did. */
  stopped: string | null;
}

function scheduler(opt: optim.SGD, o: GdOptions): optim.LRScheduler | null {
  switch (o.schedule) {
    case 'constant': return null;
    // Halve the step size four times over the run.
    case 'step': return new optim.StepLR(opt, Math.max(1, Math.round(o.steps / 5)), 0.5);
    case 'exp': return new optim.ExponentialLR(opt, 0.97);
    case 'cosine': return new optim.CosineAnnealingLR(opt, o.steps);
  }
}

/** Runs `steps` steps of (momentum) gradient descent on J from one start. */
export function descend(fn: GdFunction, start: readonly number[], o: GdOptions): GdPath {
  const info = GD_INFO[fn];
  // One point: shape [1] for 1-D functions, [1, 2] for 2-D ones; float64 so long paths are not rounding noise.
  const x = tensor([...start], { dtype: 'float64', shape: info.dim === 1 ? [1] : [1, 2], requiresGrad: true });
  const opt = new optim.SGD([x], { lr: o.lr, momentum: o.momentum });
  const sched = scheduler(opt, o);
  const path: GdPath = { points: [], values: [], lrs: [], stopped: null };
  for (let k = 0; ; k++) {
    const p = Array.from(x.data());
    if (!info.inDomain(p) || !p.every(Number.isFinite)) {
      path.stopped = `left the domain at step ${k}`;
      break;
    }
    opt.zeroGrad();
    const j = objective(fn, x).sum();
    path.points.push(p);
    path.values.push(j.item());
    if (k === o.steps) break;
    j.backward();
    path.lrs.push(opt.paramGroups[0].lr);
    opt.step();
    sched?.step();
  }
  return path;
}
