/**
 * Feature scaling with per-column statistics, as scikit-learn's StandardScaler and MinMaxScaler. Fit them on the
 * training rows only and reuse the same statistics for validation and test rows. `transform` is made of
 * differentiable ops, so gradients with respect to raw inputs pass through it.
 */
import { cast } from '../ops/index.js';
import { tensor } from '../tensor/creation.js';
import { type DType, isFloat } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Checks that x is a 2-D tensor [N, F] and returns its float version. */
function asMatrix(op: string, x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: x must be a Tensor of shape [N, F]`);
  if (x.ndim !== 2) throw new Error(`${op}: x must be 2-D [samples, features], got shape ${fmtShape(x.shape)}`);
  return isFloat(x.dtype) ? x : cast(x, 'float32');
}

/** Per-column mean, population variance, min and max, in float64. */
function columnStats(op: string, x: Tensor): { mean: number[]; variance: number[]; min: number[]; max: number[] } {
  const [n, f] = x.shape;
  if (n === 0) throw new Error(`${op}: cannot fit on 0 rows (x has shape ${fmtShape(x.shape)})`);
  const d = x.data();
  const mean = new Array<number>(f).fill(0);
  const min = new Array<number>(f).fill(Infinity);
  const max = new Array<number>(f).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const v = d[i * f + j];
      if (!Number.isFinite(v)) throw new Error(`${op}: x[${i}, ${j}] is ${v}; scalers need finite values`);
      mean[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < f; j++) mean[j] /= n;
  // Two passes: Σ(x − mean)² is accurate where Σx² − n·mean² would cancel.
  const variance = new Array<number>(f).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) variance[j] += (d[i * f + j] - mean[j]) ** 2;
  for (let j = 0; j < f; j++) variance[j] /= n;
  return { mean, variance, min, max };
}

function rowVector(values: readonly number[], dtype: DType): Tensor {
  return tensor(values as number[], { dtype });
}

/** Shared fit/transform plumbing: a scaler is an affine map per column, y = (x − shift) / scale. */
abstract class ColumnScaler {
  protected abstract readonly name: string;
  protected nFeatures: number | null = null;

  /** Computes the statistics from x [N, F]; returns this. */
  abstract fit(x: Tensor): this;
  /** The per-column shift and scale of y = (x − shift) / scale. */
  protected abstract affine(): { shift: number[]; scale: number[] };

  /** Number of columns seen by fit (null before fit), scikit-learn's n_features_in_. */
  get nFeaturesIn(): number | null {
    return this.nFeatures;
  }

  /** Whether fit() (or fromJSON) has set the statistics. */
  get fitted(): boolean {
    return this.nFeatures !== null;
  }

  protected checkFitted(op: string, x: Tensor): Tensor {
    const xf = asMatrix(`${this.name}.${op}`, x);
    if (this.nFeatures === null) throw new Error(`${this.name}.${op}: the scaler is not fitted yet; call fit(xTrain) first`);
    if (xf.shape[1] !== this.nFeatures) {
      throw new Error(
        `${this.name}.${op}: x has shape ${fmtShape(x.shape)} with ${xf.shape[1]} columns, but the scaler was fitted on ${this.nFeatures} columns`,
      );
    }
    return xf;
  }

  /** Scales x [N, F] with the fitted statistics. */
  transform(x: Tensor): Tensor {
    const xf = this.checkFitted('transform', x);
    const { shift, scale } = this.affine();
    return xf.sub(rowVector(shift, xf.dtype)).div(rowVector(scale, xf.dtype));
  }

  /** fit(x) then transform(x). */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Maps scaled values back to the original units: x = y · scale + shift. */
  inverseTransform(x: Tensor): Tensor {
    const xf = this.checkFitted('inverseTransform', x);
    const { shift, scale } = this.affine();
    return xf.mul(rowVector(scale, xf.dtype)).add(rowVector(shift, xf.dtype));
  }
}

/** The saved form of a StandardScaler. */
export interface StandardScalerJSON {
  type: 'StandardScaler';
  withMean: boolean;
  withStd: boolean;
  mean: number[];
  var: number[];
  scale: number[];
  nSamples: number;
}

/**
 * Standardises each column: z = (x − mean) / std, with the population std (divide by N, as scikit-learn).
 * A constant column gets scale 1, so it maps to 0 rather than NaN.
 */
export class StandardScaler extends ColumnScaler {
  protected readonly name = 'StandardScaler';
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Per-column mean (null before fit). */
  mean: number[] | null = null;
  /** Per-column population variance (null before fit). */
  var: number[] | null = null;
  /** Per-column divisor: the std, or 1 for constant columns (null before fit). */
  scale: number[] | null = null;
  /** Rows seen by fit. */
  nSamples = 0;

  constructor(options: { withMean?: boolean; withStd?: boolean } = {}) {
    super();
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  fit(x: Tensor): this {
    const xf = asMatrix('StandardScaler.fit', x);
    const s = columnStats('StandardScaler.fit', xf);
    this.mean = s.mean;
    this.var = s.variance;
    // Constant means max == min exactly; a tiny rounding variance must not blow the column up.
    this.scale = s.variance.map((v, j) => (s.max[j] === s.min[j] ? 1 : Math.sqrt(v)));
    this.nSamples = xf.shape[0];
    this.nFeatures = xf.shape[1];
    return this;
  }

  protected affine(): { shift: number[]; scale: number[] } {
    const f = this.nFeatures!;
    return {
      shift: this.withMean ? this.mean! : new Array<number>(f).fill(0),
      scale: this.withStd ? this.scale! : new Array<number>(f).fill(1),
    };
  }

  /** The fitted statistics as plain JSON, to save beside a model. */
  toJSON(): StandardScalerJSON {
    if (!this.fitted) throw new Error('StandardScaler.toJSON: the scaler is not fitted yet; call fit(xTrain) first');
    return {
      type: 'StandardScaler', withMean: this.withMean, withStd: this.withStd,
      mean: [...this.mean!], var: [...this.var!], scale: [...this.scale!], nSamples: this.nSamples,
    };
  }

  /** Rebuilds a fitted scaler from toJSON()'s output. */
  static fromJSON(json: StandardScalerJSON): StandardScaler {
    const ok = json?.type === 'StandardScaler' && Array.isArray(json.mean) && Array.isArray(json.scale);
    if (!ok || json.mean.length !== json.scale.length) {
      throw new Error('StandardScaler.fromJSON: expected { type: "StandardScaler", mean: number[], scale: number[], … } with equal lengths');
    }
    const s = new StandardScaler({ withMean: json.withMean ?? true, withStd: json.withStd ?? true });
    s.mean = [...json.mean];
    s.scale = [...json.scale];
    s.var = Array.isArray(json.var) ? [...json.var] : json.scale.map((v) => v * v);
    s.nSamples = json.nSamples ?? 0;
    s.nFeatures = json.mean.length;
    return s;
  }
}

/** The saved form of a MinMaxScaler. */
export interface MinMaxScalerJSON {
  type: 'MinMaxScaler';
  featureRange: [number, number];
  dataMin: number[];
  dataMax: number[];
}

/**
 * Maps each column's [min, max] seen in fit to `featureRange` (default [0, 1]):
 * y = lo + (x − min) · (hi − lo) / (max − min). A constant column uses a range of 1, so it maps to lo.
 */
export class MinMaxScaler extends ColumnScaler {
  protected readonly name = 'MinMaxScaler';
  readonly featureRange: [number, number];
  /** Per-column minimum seen by fit (null before fit). */
  dataMin: number[] | null = null;
  /** Per-column maximum seen by fit (null before fit). */
  dataMax: number[] | null = null;

  constructor(featureRange: [number, number] = [0, 1]) {
    super();
    const [lo, hi] = featureRange ?? [];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new Error(`MinMaxScaler: featureRange must be [lo, hi] with finite lo < hi, got ${JSON.stringify(featureRange)}`);
    }
    this.featureRange = [lo, hi];
  }

  fit(x: Tensor): this {
    const xf = asMatrix('MinMaxScaler.fit', x);
    const s = columnStats('MinMaxScaler.fit', xf);
    this.dataMin = s.min;
    this.dataMax = s.max;
    this.nFeatures = xf.shape[1];
    return this;
  }

  // y = (x − shift) / scale with scale = (max − min) / (hi − lo) and shift = min − lo · scale.
  protected affine(): { shift: number[]; scale: number[] } {
    const [lo, hi] = this.featureRange;
    const scale = this.dataMin!.map((mn, j) => (this.dataMax![j] === mn ? 1 : this.dataMax![j] - mn) / (hi - lo));
    return { shift: this.dataMin!.map((mn, j) => mn - lo * scale[j]), scale };
  }

  /** The fitted range as plain JSON, to save beside a model. */
  toJSON(): MinMaxScalerJSON {
    if (!this.fitted) throw new Error('MinMaxScaler.toJSON: the scaler is not fitted yet; call fit(xTrain) first');
    return { type: 'MinMaxScaler', featureRange: [...this.featureRange], dataMin: [...this.dataMin!], dataMax: [...this.dataMax!] };
  }

  /** Rebuilds a fitted scaler from toJSON()'s output. */
  static fromJSON(json: MinMaxScalerJSON): MinMaxScaler {
    const ok = json?.type === 'MinMaxScaler' && Array.isArray(json.dataMin) && Array.isArray(json.dataMax);
    if (!ok || json.dataMin.length !== json.dataMax.length) {
      throw new Error(
        'MinMaxScaler.fromJSON: expected { type: "MinMaxScaler", featureRange, dataMin: number[], dataMax: number[] } with equal lengths',
      );
    }
    const s = new MinMaxScaler(json.featureRange);
    s.dataMin = [...json.dataMin];
    s.dataMax = [...json.dataMax];
    s.nFeatures = json.dataMin.length;
    return s;
  }
}
