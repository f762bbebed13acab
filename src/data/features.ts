/** Feature engineering: one-hot labels, polynomial features, and hand-made feature maps φ(x). */
import { cat, indexSelect } from '../ops/index.js';
import { ones, tensor } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * One-hot encodes integer class labels: labels of shape [N] (any shape S) → float32 [N, C] (S + [C]) with a 1 at
 * each label. C is `numClasses`, or max(label) + 1 when omitted.
 */
export function oneHot(labels: Tensor, numClasses?: number): Tensor {
  if (!(labels instanceof Tensor)) throw new Error('oneHot: labels must be an int32 Tensor of class indices');
  const d = labels.data();
  if (!isFloat(labels.dtype) && labels.dtype !== 'int32') throw new Error(`oneHot: labels must be int32 class indices, got dtype ${labels.dtype}`);
  let maxLabel = -1;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isInteger(d[i]) || d[i] < 0) {
      throw new Error(`oneHot: label ${d[i]} at position ${i} is not a class index (expected integers ≥ 0)`);
    }
    if (d[i] > maxLabel) maxLabel = d[i];
  }
  const c = numClasses ?? maxLabel + 1;
  if (!Number.isInteger(c) || c < 1) throw new Error(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  if (maxLabel >= c) {
    const at = d.indexOf(maxLabel);
    throw new Error(`oneHot: label ${maxLabel} at position ${at} is out of range for numClasses ${c} (expected 0..${c - 1})`);
  }
  const out = new Float32Array(d.length * c);
  for (let i = 0; i < d.length; i++) out[i * c + d[i]] = 1;
  return tensor(out, { shape: [...labels.shape, c] });
}

/** Checks x is 2-D [N, F] and float (ints are cast to float32). */
function asFeatureMatrix(op: string, x: Tensor): Tensor {
  if (!(x instanceof Tensor) || x.ndim !== 2) {
    throw new Error(`${op}: x must be a 2-D tensor [samples, features], got ${x instanceof Tensor ? `shape ${fmtShape(x.shape)}` : typeof x}`);
  }
  return isFloat(x.dtype) ? x : x.to('float32');
}

/** Default input names x0, x1, …, as scikit-learn. */
const defaultNames = (f: number): string[] => Array.from({ length: f }, (_, j) => `x${j}`);

export interface PolynomialFeaturesOptions {
  /** Highest total degree of a product (default 2). */
  degree?: number;
  /** Add the constant column 1 first (default false). */
  includeBias?: boolean;
  /** Only products of distinct features: x0·x1 but not x0² (default false). */
  interactionOnly?: boolean;
}

/**
 * All products of input features up to `degree` (scikit-learn's PolynomialFeatures), in its column order:
 * by degree, then lexicographically, e.g. for [a, b] at degree 2: a, b, a², a·b, b² (with 1 first when includeBias).
 * The output is built from indexSelect and mul, so it is differentiable in x.
 */
export class PolynomialFeatures {
  readonly degree: number;
  readonly includeBias: boolean;
  readonly interactionOnly: boolean;
  /** Input width seen by the last fit or transform (null before). */
  nInputFeatures: number | null = null;

  constructor(options: PolynomialFeaturesOptions = {}) {
    const { degree = 2, includeBias = false, interactionOnly = false } = options;
    if (!Number.isInteger(degree) || degree < 0) throw new Error(`PolynomialFeatures: degree must be a non-negative integer, got ${degree}`);
    this.degree = degree;
    this.includeBias = includeBias;
    this.interactionOnly = interactionOnly;
  }

  /** The input-column multiset of each output column, in output order. */
  combinations(nFeatures: number): number[][] {
    const out: number[][] = [];
    const extend = (prefix: number[], start: number, left: number): void => {
      if (left === 0) {
        out.push(prefix);
        return;
      }
      for (let j = start; j < nFeatures; j++) extend([...prefix, j], this.interactionOnly ? j + 1 : j, left - 1);
    };
    for (let d = this.includeBias ? 0 : 1; d <= this.degree; d++) extend([], 0, d);
    return out;
  }

  /** Records the number of input features (needed by featureNames without arguments); returns this. */
  fit(x: Tensor): this {
    this.nInputFeatures = asFeatureMatrix('PolynomialFeatures.fit', x).shape[1];
    return this;
  }

  /** x [N, F] → [N, number of combinations]. */
  transform(x: Tensor): Tensor {
    const xf = asFeatureMatrix('PolynomialFeatures.transform', x);
    const [n, f] = xf.shape;
    if (this.nInputFeatures !== null && this.nInputFeatures !== f) {
      throw new Error(
        `PolynomialFeatures.transform: x has ${f} columns, but the transformer was fitted (or first used) with ${this.nInputFeatures}`,
      );
    }
    this.nInputFeatures = f;
    const combos = this.combinations(f);
    if (combos.length === 0) throw new Error('PolynomialFeatures.transform: degree 0 without includeBias gives no columns');
    // Column f of the extended input is all ones; shorter products pad with it, so one product over
    // `degree` gathered copies gives every output column at once.
    const xe = cat([xf, ones([n, 1], { dtype: xf.dtype })], 1);
    let out: Tensor | null = null;
    for (let k = 0; k < Math.max(1, this.degree); k++) {
      const idx = tensor(combos.map((c) => c[k] ?? f), { dtype: 'int32' });
      const factor = indexSelect(xe, 1, idx);
      out = out === null ? factor : out.mul(factor);
    }
    return out!;
  }

  /** fit(x) then transform(x). */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Output column names in scikit-learn's style: '1', 'x0', 'x0^2', 'x0 x1' (or with the given input names). */
  featureNames(inputNames?: readonly string[]): string[] {
    const f = inputNames?.length ?? this.nInputFeatures;
    if (f === null || f === undefined) {
      throw new Error('PolynomialFeatures.featureNames: unknown input width; call fit(x) first or pass inputNames');
    }
    if (inputNames && this.nInputFeatures !== null && inputNames.length !== this.nInputFeatures) {
      throw new Error(`PolynomialFeatures.featureNames: got ${inputNames.length} input names, but fit saw ${this.nInputFeatures} features`);
    }
    const names = inputNames ?? defaultNames(f);
    return this.combinations(f).map((c) => {
      if (c.length === 0) return '1';
      const parts: string[] = [];
      for (let k = 0; k < c.length; ) {
        let power = 1;
        while (k + power < c.length && c[k + power] === c[k]) power++;
        parts.push(power === 1 ? names[c[k]] : `${names[c[k]]}^${power}`);
        k += power;
      }
      return parts.join(' ');
    });
  }
}

/** A fixed feature map φ applied to a batch of rows: x [N, F] → φ(x) [N, F']. */
export interface FeatureMap {
  /** φ(x) for every row. */
  transform(x: Tensor): Tensor;
  /** Names of the output columns given the input names (x0, x1, … by default), when the map knows them. */
  featureNames(inputNames?: readonly string[]): string[];
}

/**
 * Wraps a function of a batch as a FeatureMap; the result must keep the N rows. `names` maps input column
 * names to output names (default: 'φ0', 'φ1', … once the width is known from a transform).
 */
export function featureMap(fn: (x: Tensor) => Tensor, names?: (inputNames: readonly string[]) => string[]): FeatureMap {
  let width: number | null = null;
  let inWidth: number | null = null;
  return {
    transform(x: Tensor): Tensor {
      const xf = asFeatureMatrix('featureMap', x);
      const y = fn(xf);
      if (!(y instanceof Tensor) || y.ndim !== 2 || y.shape[0] !== xf.shape[0]) {
        throw new Error(
          `featureMap: the map turned x ${fmtShape(xf.shape)} into ${y instanceof Tensor ? fmtShape(y.shape) : typeof y}; ` +
            `expected [${xf.shape[0]}, F']`,
        );
      }
      inWidth = xf.shape[1];
      width = y.shape[1];
      return y;
    },
    featureNames(inputNames?: readonly string[]): string[] {
      if (names) {
        const input = inputNames ?? (inWidth !== null ? defaultNames(inWidth) : null);
        if (input === null) throw new Error('featureMap.featureNames: unknown input width; call transform(x) first or pass inputNames');
        return names(input);
      }
      if (width === null) throw new Error('featureMap.featureNames: unknown output width; call transform(x) first');
      return Array.from({ length: width }, (_, j) => `φ${j}`);
    },
  };
}

/** φ(x) = (x₁², x₂², …): the course's map that makes the unit circle linearly separable. */
export const squares: FeatureMap = featureMap(
  (x) => x.square(),
  (names) => names.map((n) => `${n}^2`),
);
