/**
 * Monte Carlo dropout (Gal & Ghahramani, 2016): dropout stays on at inference and N stochastic forward passes
 * approximate the predictive distribution. Only the Dropout layers are switched to training mode; BatchNorm and
 * the rest stay in eval mode. Running sums are kept per row, so memory does not grow with N.
 */
import { noGrad } from '../autograd/mode.js';
import { Dropout } from '../nn/dropout.js';
import type { Module } from '../nn/module.js';
import { narrow, softmax } from '../ops/index.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { asClassLogits } from './util.js';

export interface MCDropoutOptions {
  /** Stochastic forward passes N (default 30). */
  samples?: number;
  /** Rows per forward pass (default 500). */
  batchSize?: number;
}

export interface MCDropoutResult {
  /** The mean predictive distribution p̄ = (1/N) Σₛ softmax(f_s(x)), [N, C]. */
  mean: Tensor;
  /** Predictive entropy H[p̄] = −Σ_c p̄_c log p̄_c, [N]: total uncertainty. */
  entropy: Tensor;
  /** Expected entropy (1/N) Σₛ H[p_s], [N]: the aleatoric part. */
  expectedEntropy: Tensor;
  /** Mutual information H[p̄] − (1/N) Σₛ H[p_s] ≥ 0, [N]: the epistemic part (BALD, Houlsby et al., 2011). */
  mutualInformation: Tensor;
  /** Per-class variance of the sampled probabilities, averaged over classes, [N]. */
  variance: Tensor;
  /** N. */
  samples: number;
}

/** −Σ p log p, with 0 log 0 = 0. */
function entropyOf(p: ArrayLike<number>, off: number, c: number): number {
  let h = 0;
  for (let k = 0; k < c; k++) {
    const v = p[off + k];
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
}

/** The Dropout layers of a model. */
export function dropoutLayers(model: Module): Dropout[] {
  return model.modules().filter((m): m is Dropout => m instanceof Dropout);
}

/**
 * Runs `samples` forward passes of `model` on `x` with its Dropout layers on and returns the mean prediction,
 * predictive entropy, expected entropy and mutual information per row. Throws if the model has no Dropout layer
 * (every sample would be the same). The model's modes are restored afterwards.
 */
export function mcDropout(model: Module, x: Tensor, options: MCDropoutOptions = {}): MCDropoutResult {
  const samples = options.samples ?? 30;
  const bs = options.batchSize ?? 500;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`mcDropout: samples must be a positive integer, got ${samples}`);
  if (!Number.isInteger(bs) || bs < 1) throw new Error(`mcDropout: batchSize must be a positive integer, got ${bs}`);
  if (!(x instanceof Tensor) || x.ndim < 1 || x.shape[0] === 0) {
    throw new Error(`mcDropout: x must be a batch [N, …] with N ≥ 1, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  }
  const drops = dropoutLayers(model);
  if (drops.length === 0) {
    throw new Error(
      `mcDropout: ${model.constructor.name} has no Dropout layer, so every sample would be the same; add nn.Dropout or use softmax confidence`,
    );
  }
  const modes = model.modules().map((m) => [m, m.training] as const);
  const n = x.shape[0];
  let c = 0;
  let sumP: Float64Array | null = null;
  let sumP2: Float64Array | null = null;
  const sumH = new Float64Array(n);
  model.eval();
  for (const d of drops) d.train(true);
  try {
    noGrad(() => {
      for (let s0 = 0; s0 < n; s0 += bs) {
        const len = Math.min(bs, n - s0);
        const xb = narrow(x, 0, s0, len);
        for (let s = 0; s < samples; s++) {
          const p = softmax(asClassLogits('mcDropout', model.forward(xb), len), 1).data();
          if (sumP === null) {
            c = p.length / len;
            sumP = new Float64Array(n * c);
            sumP2 = new Float64Array(n * c);
          }
          for (let i = 0; i < len; i++) {
            const off = i * c;
            sumH[s0 + i] += entropyOf(p, off, c);
            for (let k = 0; k < c; k++) {
              sumP[(s0 + i) * c + k] += p[off + k];
              sumP2![(s0 + i) * c + k] += p[off + k] * p[off + k];
            }
          }
        }
      }
    });
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  const mean = new Float32Array(n * c);
  const ent = new Float32Array(n);
  const expEnt = new Float32Array(n);
  const mi = new Float32Array(n);
  const variance = new Float32Array(n);
  const pbar = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < c; k++) {
      pbar[k] = sumP![i * c + k] / samples;
      mean[i * c + k] = pbar[k];
      v += Math.max(sumP2![i * c + k] / samples - pbar[k] * pbar[k], 0);
    }
    const h = entropyOf(pbar, 0, c);
    const eh = sumH[i] / samples;
    ent[i] = h;
    expEnt[i] = eh;
    // H[p̄] ≥ mean H[p_s] by concavity; clip float round-off.
    mi[i] = Math.max(h - eh, 0);
    variance[i] = v / c;
  }
  return {
    mean: new Tensor(mean, [n, c]),
    entropy: new Tensor(ent, [n]),
    expectedEntropy: new Tensor(expEnt, [n]),
    mutualInformation: new Tensor(mi, [n]),
    variance: new Tensor(variance, [n]),
    samples,
  };
}
