/**
 * Learning-rate schedules α(t), with PyTorch 1.13's semantics: the constructor sets the lr for the first
 * training step, and each `step()` call (after `optimizer.step()`) moves to the next one. So after k calls the
 * lr is the schedule's value at k. The recursive ("chainable") forms are PyTorch's, so schedulers compose and
 * respect a manual change of `group.lr`; the doc comments give the closed forms they agree with.
 */
import { type ParamGroup, Optimizer } from './optimizer.js';

export type AnyOptimizer = Optimizer<any, any>;

/** What `LRScheduler.stateDict()` returns (JSON-serialisable). The hyper-parameters come from the constructor. */
export interface SchedulerStateDict {
  /** Number of step() calls since construction. */
  lastEpoch: number;
  /** Each group's lr at the start of the schedule. */
  baseLrs: number[];
  /** Each group's lr after the last step. */
  lastLr: number[];
}

/** Throws `<name>: <key> = <value>; expected <what>` unless ok. */
export function checkArg(name: string, key: string, value: unknown, ok: boolean, expected: string): void {
  if (!ok) {
    const shown = typeof value === 'number' || typeof value === 'function' ? String(value) : (JSON.stringify(value) ?? String(value));
    throw new Error(`${name}: ${key} = ${shown}; expected ${expected}`);
  }
}

export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Checks that `optimizer` is a Backprop optimizer. */
export function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new Error(`${name}: optimizer is ${optimizer === null ? 'null' : typeof optimizer}; expected an Optimizer (SGD, Adam, …)`);
  }
}

/**
 * Base of the epoch-indexed schedulers. A subclass implements `computeLr(epoch)` and calls `initialStep()` at
 * the end of its constructor (the base constructor cannot: the subclass's fields are not set yet).
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Each group's lr at the start of the schedule (its `initialLr`). */
  baseLrs: number[];
  /** Number of step() calls since construction (−1 until the constructor's own step). */
  lastEpoch = -1;
  /** The scheduler's name, for messages. */
  readonly name: string;
  private lastLr: number[] = [];

  protected constructor(name: string, optimizer: AnyOptimizer) {
    checkOptimizer(name, optimizer);
    this.name = name;
    this.optimizer = optimizer;
    // As PyTorch: the first scheduler on an optimizer records each group's starting lr as `initialLr`.
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** Sets every group's lr to the schedule's value at `lastEpoch` 0. */
  protected initialStep(): void {
    this.step();
  }

  /** Each group's lr at `epoch` (= lastEpoch + 1); may read the groups' current lr (recursive forms). */
  protected abstract computeLr(epoch: number): number[];

  /** Moves the schedule one step: call it after `optimizer.step()`, once per epoch (or per batch for OneCycleLR). */
  step(): void {
    const groups = this.groups();
    if (groups.length !== this.baseLrs.length) {
      throw new Error(
        `${this.name}.step: the optimizer has ${groups.length} parameter groups but the scheduler was created with ` +
          `${this.baseLrs.length}; create the scheduler after adding every group`,
      );
    }
    const epoch = this.lastEpoch + 1;
    const lrs = this.computeLr(epoch);
    this.lastEpoch = epoch;
    groups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The lr of each group after the last step (what the next optimizer step uses). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress (see SchedulerStateDict). */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores what stateDict() saved; the optimizer's lrs come from its own loadStateDict. */
  loadStateDict(sd: SchedulerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Number.isInteger(sd.lastEpoch) || !Array.isArray(sd.baseLrs) || !Array.isArray(sd.lastLr)) {
      throw new Error(`${op}: got ${JSON.stringify(sd)}; expected { lastEpoch, baseLrs, lastLr } as stateDict() returns`);
    }
    const n = this.groups().length;
    if (sd.baseLrs.length !== n || sd.lastLr.length !== n) {
      throw new Error(`${op}: the state dict has lrs for ${sd.baseLrs.length} parameter groups but the optimizer has ${n}`);
    }
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
  }

  protected groups(): ParamGroup[] {
    return this.optimizer.paramGroups as ParamGroup[];
  }

  /** Each group's current lr. */
  protected currentLrs(): number[] {
    return this.groups().map((g) => g.lr);
  }
}

/** lr = base·γ^⌊k/stepSize⌋: multiplies the lr by γ every `stepSize` steps. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, stepSize: number, gamma = 0.1) {
    super('StepLR', optimizer);
    checkArg('StepLR', 'stepSize', stepSize, isPositiveInt(stepSize), 'a positive integer');
    checkArg('StepLR', 'gamma', gamma, isFiniteNumber(gamma) && gamma >= 0, 'a finite number >= 0');
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override computeLr(k: number): number[] {
    const lrs = this.currentLrs();
    return k === 0 || k % this.stepSize !== 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/** lr = base·γ^(number of milestones ≤ k): multiplies the lr by γ at each milestone (a repeated one counts twice). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, milestones: readonly number[], gamma = 0.1) {
    super('MultiStepLR', optimizer);
    checkArg(
      'MultiStepLR', 'milestones', milestones,
      Array.isArray(milestones) && milestones.every((m) => Number.isInteger(m) && m >= 0),
      'an array of non-negative integers (step indices)',
    );
    checkArg('MultiStepLR', 'gamma', gamma, isFiniteNumber(gamma) && gamma >= 0, 'a finite number >= 0');
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override computeLr(k: number): number[] {
    const hits = this.milestones.filter((m) => m === k).length;
    const lrs = this.currentLrs();
    return hits === 0 ? lrs : lrs.map((lr) => lr * this.gamma ** hits);
  }
}

/** lr = base·γ^k: multiplies the lr by γ at every step. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, gamma: number) {
    super('ExponentialLR', optimizer);
    checkArg('ExponentialLR', 'gamma', gamma, isFiniteNumber(gamma) && gamma >= 0, 'a finite number >= 0');
    this.gamma = gamma;
    this.initialStep();
  }

  protected override computeLr(k: number): number[] {
    const lrs = this.currentLrs();
    return k === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing ("SGDR", Loshchilov & Hutter, 2017, without restarts):
 * lr = ηmin + (base − ηmin)·(1 + cos(πk/tMax))/2, falling from base to ηmin over tMax steps and rising again
 * after (cos is periodic). Computed recursively as PyTorch does, so that it composes with other schedulers.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, tMax: number, etaMin = 0) {
    super('CosineAnnealingLR', optimizer);
    checkArg('CosineAnnealingLR', 'tMax', tMax, isFiniteNumber(tMax) && tMax > 0, 'a number of steps > 0');
    checkArg('CosineAnnealingLR', 'etaMin', etaMin, isFiniteNumber(etaMin) && etaMin >= 0, 'a finite number >= 0');
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override computeLr(k: number): number[] {
    const { tMax: T, etaMin } = this;
    const lrs = this.currentLrs();
    if (k === 0) return lrs;
    // At k − 1 = T (mod 2T) the ratio below is 0/0: step up from the minimum instead.
    if ((k - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * k) / T)) / (1 + Math.cos((Math.PI * (k - 1)) / T));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

/** A function of the step index k giving the factor applied to the base lr. */
export type LrLambda = (k: number) => number;

/** lr = base·f(k), with one f for all groups or one per group (e.g. linear warm-up: k => Math.min(1, (k + 1) / 100)). */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    super('LambdaLR', optimizer);
    const n = optimizer.paramGroups.length;
    const fns = typeof lrLambda === 'function' ? Array<LrLambda>(n).fill(lrLambda) : lrLambda;
    if (!Array.isArray(fns) || fns.length !== n || !fns.every((f) => typeof f === 'function')) {
      throw new Error(`LambdaLR: lrLambda must be a function or an array of ${n} functions (one per parameter group), got ${Array.isArray(fns) ? `an array of ${fns.length}` : typeof lrLambda}`);
    }
    this.lrLambdas = [...fns];
    this.initialStep();
  }

  protected override computeLr(k: number): number[] {
    return this.baseLrs.map((base, i) => {
      const f = this.lrLambdas[i](k);
      if (!isFiniteNumber(f)) throw new Error(`LambdaLR.step: lrLambda(${k}) returned ${f} for parameter group ${i}; expected a finite number`);
      return base * f;
    });
  }
}
