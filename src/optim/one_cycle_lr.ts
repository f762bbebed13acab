import { type AnyOptimizer, LRScheduler, checkArg, isFiniteNumber, isPositiveInt } from './lr_scheduler.js';

export interface OneCycleLROptions {
  /** Peak lr, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Length of the cycle in steps; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' interpolation within a phase. */
  annealStrategy?: 'cos' | 'linear';
  /** Move momentum inversely to the lr (default true): SGD/RMSprop's `momentum`, or Adam's betas[0]. */
  cycleMomentum?: boolean;
  /** Momentum at the peak lr (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and end (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** initial lr = maxLr/divFactor (default 25). */
  divFactor?: number;
  /** final lr = initial lr/finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial lr, then annihilation) instead of two (default false). */
  threePhase?: boolean;
}

/** Group keys that hold each phase's end points (stored on the groups, as PyTorch does). */
type LrKey = 'initialLr' | 'maxLr' | 'minLr';
type MomentumKey = 'maxMomentum' | 'baseMomentum';
interface Phase { endStep: number; startLr: LrKey; endLr: LrKey; startMomentum: MomentumKey; endMomentum: MomentumKey }

const annealCos = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
const annealLinear = (start: number, end: number, pct: number): number => (end - start) * pct + start;

/**
 * The 1cycle policy ("Super-Convergence", Smith & Topin, 2017), stepped once per batch. With T = totalSteps,
 * initial = maxLr/divFactor and min = initial/finalDivFactor, the lr goes initial → maxLr over steps
 * [0, pctStart·T − 1], then maxLr → min until T − 1 (momentum max → base, then base → max). With threePhase:
 * initial → max until pctStart·T − 1, max → initial until 2·pctStart·T − 2, initial → min until T − 1 (momentum
 * constant at max in the last phase). Within a phase, pct = (k − start)/(end − start) and the value is
 * `end + (start − end)/2·(cos(π·pct) + 1)` (cos) or `start + (end − start)·pct` (linear). The optimizer's own
 * lr is ignored. Like PyTorch, it allows totalSteps calls to step() after construction and throws on the next.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const name = 'OneCycleLR';
    if (options === null || typeof options !== 'object') throw new Error(`${name}: options is ${options}; expected { maxLr, totalSteps } or { maxLr, epochs, stepsPerEpoch }`);
    const {
      maxLr, totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true,
      baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false,
    } = options;
    if (totalSteps !== undefined) {
      checkArg(name, 'totalSteps', totalSteps, isPositiveInt(totalSteps), 'a positive integer');
      this.totalSteps = totalSteps;
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      checkArg(name, 'epochs', epochs, isPositiveInt(epochs), 'a positive integer');
      checkArg(name, 'stepsPerEpoch', stepsPerEpoch, isPositiveInt(stepsPerEpoch), 'a positive integer');
      this.totalSteps = epochs * stepsPerEpoch;
    } else {
      throw new Error(`${name}: give either totalSteps or both epochs and stepsPerEpoch`);
    }
    checkArg(name, 'pctStart', pctStart, isFiniteNumber(pctStart) && pctStart >= 0 && pctStart <= 1, 'a number in [0, 1]');
    checkArg(name, 'annealStrategy', annealStrategy, annealStrategy === 'cos' || annealStrategy === 'linear', "'cos' or 'linear'");
    checkArg(name, 'divFactor', divFactor, isFiniteNumber(divFactor) && divFactor > 0, 'a finite number > 0');
    checkArg(name, 'finalDivFactor', finalDivFactor, isFiniteNumber(finalDivFactor) && finalDivFactor > 0, 'a finite number > 0');
    const T = this.totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pctStart * T - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * T - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: T - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pctStart * T - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: T - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.anneal = annealStrategy === 'cos' ? annealCos : annealLinear;

    const groups = this.groups();
    const maxLrs = perGroup(name, 'maxLr', maxLr, groups.length);
    groups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = (g.initialLr as number) / finalDivFactor;
    });
    this.baseLrs = groups.map((g) => g.initialLr as number);

    this.cycleMomentum = cycleMomentum;
    const defaults = optimizer.defaults as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    if (cycleMomentum) {
      if (!('momentum' in defaults) && !this.useBeta1) {
        throw new Error(`${name}: cycleMomentum is true but ${optimizer.name} has no momentum or betas; pass cycleMomentum: false`);
      }
      const maxM = perGroup(name, 'maxMomentum', maxMomentum, groups.length);
      const baseM = perGroup(name, 'baseMomentum', baseMomentum, groups.length);
      groups.forEach((g, i) => {
        this.setMomentum(g, maxM[i]);
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
    }
    this.initialStep();
  }

  protected override computeLr(k: number): number[] {
    if (k > this.totalSteps) {
      throw new Error(
        `OneCycleLR.step: call ${k} goes beyond totalSteps = ${this.totalSteps} (the cycle allows ${this.totalSteps} ` +
          'calls to step() after construction); create the scheduler with more totalSteps, or epochs × stepsPerEpoch',
      );
    }
    return this.groups().map((g) => {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (k <= ph.endStep || i === this.phases.length - 1) {
          const pct = (k - start) / (ph.endStep - start);
          if (this.cycleMomentum) {
            this.setMomentum(g, this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct));
          }
          return this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
        }
        start = ph.endStep;
      }
      throw new Error('OneCycleLR: unreachable');
    });
  }

  private setMomentum(g: Record<string, unknown>, m: number): void {
    if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
    else g.momentum = m;
  }
}

/** A number for every group, from one number or an array with one per group. */
function perGroup(name: string, key: string, v: number | readonly number[], n: number): number[] {
  const list = typeof v === 'number' ? Array<number>(n).fill(v) : v;
  checkArg(name, key, v, Array.isArray(list) && list.length === n && list.every(isFiniteNumber), `a finite number or an array of ${n} (one per parameter group)`);
  return [...list];
}
