import { Tensor } from '../tensor/tensor.js';
import { type AnyOptimizer, checkArg, checkOptimizer, isFiniteNumber } from './lr_scheduler.js';
import type { ParamGroup } from './optimizer.js';

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should fall (a loss); 'max': it should rise (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← lr·factor on a plateau (default 0.1); must be < 1. */
  factor?: number;
  /** Number of steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4), relative or absolute per thresholdMode. */
  threshold?: number;
  /** 'rel' (default): better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting bad steps again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is skipped (default 1e-8). */
  eps?: number;
}

/**
 * What `ReduceLROnPlateau.stateDict()` returns (JSON-serialisable). `best` is null before the first metric;
 * a non-finite best is written as the string 'Infinity' / '-Infinity'.
 */
export interface PlateauStateDict {
  lastEpoch: number;
  best: number | string | null;
  numBadEpochs: number;
  cooldownCounter: number;
  lastLr: number[];
}

/**
 * Reduces the lr when a metric has stopped improving (PyTorch 1.13 semantics). Each `step(metric)`:
 *
 *     if metric is better than best (by threshold): best ← metric, bad ← 0   else bad ← bad + 1
 *     in cooldown (counter > 0):  counter ← counter − 1, bad ← 0
 *     if bad > patience:  lr ← max(lr·factor, minLr) for each group (skipped if the change is ≤ eps),
 *                         counter ← cooldown, bad ← 0
 *
 * "better" in mode min / rel is metric < best·(1 − threshold); min / abs: metric < best − threshold;
 * max / rel: metric > best·(1 + threshold); max / abs: metric > best + threshold.
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** Number of step() calls. */
  lastEpoch = 0;
  /** Best metric so far (±Infinity before the first). */
  best: number;
  /** Steps since the last improvement (reset by a reduction and during cooldown). */
  numBadEpochs = 0;
  /** Steps of cooldown left. */
  cooldownCounter = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    checkOptimizer(name, optimizer);
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    checkArg(name, 'mode', mode, mode === 'min' || mode === 'max', "'min' or 'max'");
    checkArg(name, 'factor', factor, isFiniteNumber(factor) && factor >= 0 && factor < 1, 'a number in [0, 1)');
    checkArg(name, 'patience', patience, Number.isInteger(patience) && patience >= 0, 'an integer >= 0');
    checkArg(name, 'threshold', threshold, isFiniteNumber(threshold) && threshold >= 0, 'a finite number >= 0');
    checkArg(name, 'thresholdMode', thresholdMode, thresholdMode === 'rel' || thresholdMode === 'abs', "'rel' or 'abs'");
    checkArg(name, 'cooldown', cooldown, Number.isInteger(cooldown) && cooldown >= 0, 'an integer >= 0');
    checkArg(name, 'eps', eps, isFiniteNumber(eps) && eps >= 0, 'a finite number >= 0');
    const n = optimizer.paramGroups.length;
    const minLrs = typeof minLr === 'number' ? Array<number>(n).fill(minLr) : minLr;
    checkArg(name, 'minLr', minLr, Array.isArray(minLrs) && minLrs.length === n && minLrs.every((m) => isFiniteNumber(m) && m >= 0), `a number >= 0 or an array of ${n} (one per parameter group)`);
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.minLrs = [...minLrs];
    this.best = this.worst();
    this.lastLr = this.groups().map((g) => g.lr);
  }

  /** Records the monitored value (a number or a one-element tensor) after an epoch, reducing the lr on a plateau. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number') throw new Error(`ReduceLROnPlateau.step: metric is ${typeof metric}; expected a number or a one-element Tensor`);
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.groups().map((g) => g.lr);
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** True while the lr was reduced less than `cooldown` steps ago. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** The scheduler's progress (see PlateauStateDict); hyper-parameters come from the constructor. */
  stateDict(): PlateauStateDict {
    const best = this.best === this.worst() ? null : Number.isFinite(this.best) ? this.best : String(this.best);
    return { lastEpoch: this.lastEpoch, best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastLr: [...this.lastLr] };
  }

  /** Restores what stateDict() saved. */
  loadStateDict(sd: PlateauStateDict): void {
    const op = 'ReduceLROnPlateau.loadStateDict';
    const ints = sd !== null && typeof sd === 'object' && [sd.lastEpoch, sd.numBadEpochs, sd.cooldownCounter].every((v) => Number.isInteger(v) && v >= 0);
    if (!ints || !Array.isArray(sd.lastLr) || !(sd.best === null || typeof sd.best === 'number' || typeof sd.best === 'string')) {
      throw new Error(`${op}: got ${JSON.stringify(sd)}; expected { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr } as stateDict() returns`);
    }
    if (sd.lastLr.length !== this.groups().length) {
      throw new Error(`${op}: the state dict has lrs for ${sd.lastLr.length} parameter groups but the optimizer has ${this.groups().length}`);
    }
    this.lastEpoch = sd.lastEpoch;
    this.best = sd.best === null ? this.worst() : Number(sd.best);
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter;
    this.lastLr = [...sd.lastLr];
  }

  private isBetter(a: number): boolean {
    const { best, threshold: t } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (1 + t) : a > best + t;
  }

  private reduceLr(): void {
    this.groups().forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i] ?? 0);
      if (old - next > this.eps) g.lr = next;
    });
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private groups(): ParamGroup[] {
    return this.optimizer.paramGroups as ParamGroup[];
  }
}
