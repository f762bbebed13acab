/**
 * Explanations by gradients: which input features move the score of a class. Saliency (Simonyan et al., 2014),
 * gradient × input, SmoothGrad (Smilkov et al., 2017), Integrated Gradients (Sundararajan et al., 2017) and
 * Grad-CAM (Selvaraju et al., 2017). Each returns a tensor shaped like the input (Grad-CAM: one map per input).
 * They explain the deployed model: the model runs in eval mode (restored afterwards).
 */
import { grad } from '../autograd/engine.js';
import { noGrad } from '../autograd/mode.js';
import { add, argmax, cat, gather, mean, mul, narrow, relu, reshape, softmax, sub, sum, unsqueeze } from '../ops/index.js';
import type { Module } from '../nn/module.js';
import { randn } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Classifier, asClassLogits, labelsOf, recording, withMode } from './util.js';

export interface AttributionOptions {
  /** The class whose score is explained: one per input, one for all, or (default) each input's predicted class. */
  target?: Tensor | readonly number[] | number;
  /** Explain the target's logit (default) or its softmax probability. */
  output?: 'logit' | 'probability';
}

/** The explained classes as int32 [N]: the given ones, or the model's predictions at x. */
export function resolveTargets(who: string, model: Classifier, x: Tensor, target: AttributionOptions['target']): Tensor {
  const n = x.shape[0];
  if (target === undefined) {
    return withMode(model, false, () => noGrad(() => argmax(asClassLogits(who, model.forward(x), n), 1)));
  }
  return labelsOf(`${who} (target)`, typeof target === 'number' ? new Array<number>(n).fill(target) : (target as Tensor | number[]), n);
}

/** F(x): each row's score of its target class, [N] (logit, or softmax probability). */
export function targetScores(who: string, model: Classifier, x: Tensor, targets: Tensor, output: AttributionOptions['output'] = 'logit'): Tensor {
  if (output !== 'logit' && output !== 'probability') throw new Error(`${who}: output must be 'logit' or 'probability', got '${String(output)}'`);
  const logits = asClassLogits(who, model.forward(x), x.shape[0]);
  const scores = output === 'probability' ? softmax(logits, 1) : logits;
  return reshape(gather(scores, 1, unsqueeze(targets, 1)), [x.shape[0]]);
}

/** ∂F/∂x for every row at once: the rows are independent in eval mode, so the gradient of ΣF gives each one's. */
function scoreGradient(who: string, model: Classifier, x: Tensor, targets: Tensor, output: AttributionOptions['output']): Tensor {
  return recording(() => {
    const xi = x.detach().requiresGrad_();
    return grad(sum(targetScores(who, model, xi, targets, output)), xi)[0];
  });
}

function checkBatch(who: string, x: Tensor): void {
  if (!(x instanceof Tensor) || x.ndim < 1 || x.shape[0] === 0) {
    throw new Error(`${who}: x must be a batch tensor [N, …] with N ≥ 1, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  }
}

/** Vanilla gradient saliency: ∂F_c/∂x (its absolute value with `abs`). */
export function saliency(model: Classifier, x: Tensor, options: AttributionOptions & { abs?: boolean } = {}): Tensor {
  checkBatch('saliency', x);
  return withMode(model, false, () => {
    const targets = resolveTargets('saliency', model, x, options.target);
    const g = scoreGradient('saliency', model, x, targets, options.output);
    return options.abs ? noGrad(() => g.abs()) : g;
  });
}

/** Gradient × input: x ⊙ ∂F_c/∂x, exact for a linear model (its terms sum to F(x) − F(0) − bias). */
export function gradientXInput(model: Classifier, x: Tensor, options: AttributionOptions = {}): Tensor {
  checkBatch('gradientXInput', x);
  return withMode(model, false, () => {
    const targets = resolveTargets('gradientXInput', model, x, options.target);
    const g = scoreGradient('gradientXInput', model, x, targets, options.output);
    return noGrad(() => mul(g, x));
  });
}

export interface SmoothGradOptions extends AttributionOptions {
  /** Noisy copies averaged (default 50). */
  samples?: number;
  /** Standard deviation of the Gaussian noise, in input units (default 0.15: 15% of a [0, 1] pixel range). */
  sigma?: number;
  /** Average |gradient| instead of the signed gradient. */
  abs?: boolean;
  /** Generator of the noise (default the global one). */
  generator?: Generator;
}

/** SmoothGrad: the mean of ∂F_c/∂x over x + N(0, σ²) copies; the target class is the one chosen at x. σ = 0 gives saliency. */
export function smoothGrad(model: Classifier, x: Tensor, options: SmoothGradOptions = {}): Tensor {
  checkBatch('smoothGrad', x);
  const samples = options.samples ?? 50;
  const sigma = options.sigma ?? 0.15;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`smoothGrad: samples must be a positive integer, got ${samples}`);
  if (!(sigma >= 0)) throw new Error(`smoothGrad: sigma must be ≥ 0, got ${sigma}`);
  const generator = options.generator ?? defaultGenerator;
  return withMode(model, false, () => {
    const targets = resolveTargets('smoothGrad', model, x, options.target);
    let total: Tensor | null = null;
    for (let s = 0; s < samples; s++) {
      const noisy = sigma > 0 ? noGrad(() => add(x, mul(randn(x.shape, { generator, dtype: x.dtype }), sigma))) : x;
      const g = scoreGradient('smoothGrad', model, noisy, targets, options.output);
      total = noGrad(() => {
        const term = options.abs ? g.abs() : g;
        return total ? add(total, term) : term;
      });
    }
    return noGrad(() => mul(total!, 1 / samples));
  });
}

export interface IntegratedGradientsOptions extends AttributionOptions {
  /** The reference input x′: a tensor shaped like x (or like one row), or a constant (default 0, a black image). */
  baseline?: Tensor | number;
  /** Steps m of the path integral (default 50); the trapezoidal rule uses m + 1 points. */
  steps?: number;
  /** Rows per forward pass when the path points of several inputs are stacked (default 512). */
  batchSize?: number;
}

/** The baseline broadcast to x's shape. */
function baselineOf(x: Tensor, baseline: Tensor | number | undefined): Tensor {
  if (baseline === undefined || typeof baseline === 'number') return noGrad(() => add(mul(x, 0), baseline ?? 0));
  const b = baseline.ndim === x.ndim - 1 ? unsqueeze(baseline, 0) : baseline;
  if (b.ndim !== x.ndim || b.shape.slice(1).some((d, i) => d !== x.shape[i + 1]) || (b.shape[0] !== 1 && b.shape[0] !== x.shape[0])) {
    throw new Error(
      `integratedGradients: baseline ${fmtShape(baseline.shape)} does not fit input ${fmtShape(x.shape)}; ` +
        "expected the input's shape or one row of it",
    );
  }
  return noGrad(() => add(mul(x, 0), b.to(x.dtype)));
}

/**
 * Integrated Gradients: (x − x′) ⊙ ∫₀¹ ∂F(x′ + α(x − x′))/∂x dα, by the trapezoidal rule on m steps. Completeness:
 * the attributions of a row sum to F(x) − F(x′), up to the quadrature error (checkable with `completenessGap`).
 */
export function integratedGradients(model: Classifier, x: Tensor, options: IntegratedGradientsOptions = {}): Tensor {
  checkBatch('integratedGradients', x);
  const steps = options.steps ?? 50;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`integratedGradients: steps must be a positive integer, got ${steps}`);
  const batchSize = options.batchSize ?? 512;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`integratedGradients: batchSize must be a positive integer, got ${batchSize}`);
  const n = x.shape[0];
  const base = baselineOf(x, options.baseline);
  const diff = noGrad(() => sub(x, base));
  return withMode(model, false, () => {
    const targets = resolveTargets('integratedGradients', model, x, options.target);
    // Several α values per forward pass: chunk rows are [α₀ rows…, α₁ rows…, …].
    const perChunk = Math.max(1, Math.floor(batchSize / n));
    let total: Tensor | null = null;
    for (let k0 = 0; k0 <= steps; k0 += perChunk) {
      const ks = Array.from({ length: Math.min(perChunk, steps + 1 - k0) }, (_, i) => k0 + i);
      const points = noGrad(() => cat(ks.map((k) => add(base, mul(diff, k / steps))), 0));
      const g = scoreGradient('integratedGradients', model, points, cat(ks.map(() => targets), 0), options.output);
      total = noGrad(() => {
        let acc = total;
        ks.forEach((k, i) => {
          const w = k === 0 || k === steps ? 0.5 : 1;
          const term = mul(narrow(g, 0, i * n, n), w);
          acc = acc ? add(acc, term) : term;
        });
        return acc!;
      });
    }
    return noGrad(() => mul(mul(total!, 1 / steps), diff));
  });
}

/**
 * How far attributions are from completeness: per row, |Σ attributions − (F(x) − F(x′))| / |F(x) − F(x′)|.
 * Pass the same target/output/baseline as to integratedGradients.
 */
export function completenessGap(model: Classifier, x: Tensor, attributions: Tensor, options: IntegratedGradientsOptions = {}): number[] {
  return withMode(model, false, () => {
    const targets = resolveTargets('completenessGap', model, x, options.target);
    const base = baselineOf(x, options.baseline);
    return noGrad(() => {
      const fx = targetScores('completenessGap', model, x, targets, options.output).data();
      const fb = targetScores('completenessGap', model, base, targets, options.output).data();
      const s = sum(attributions.reshape([x.shape[0], -1]), 1).data();
      return Array.from(s, (v, i) => Math.abs(v - (fx[i] - fb[i])) / Math.max(Math.abs(fx[i] - fb[i]), 1e-12));
    });
  });
}

/** A layer whose activations Grad-CAM reads: any nn.Module. */
export type HookableLayer = Pick<Module, 'registerForwardHook'>;

export interface GradCamOptions extends AttributionOptions {
  /** Resize the maps to this [H, W] by bilinear interpolation (default: the input's last two dims when x is 4-D). */
  size?: readonly [number, number] | null;
}

/**
 * Grad-CAM: with A the [N, K, h, w] activations of a convolutional `layer` and αₖ = mean over (i, j) of ∂F_c/∂Aₖᵢⱼ,
 * the map is ReLU(Σₖ αₖ Aₖ), [N, h, w], resized to the input's size. The activations are captured by a forward
 * hook that replaces them with a leaf, so only ∂F/∂A is computed.
 */
export function gradCam(model: Classifier, layer: HookableLayer, x: Tensor, options: GradCamOptions = {}): Tensor {
  checkBatch('gradCam', x);
  return withMode(model, false, () => {
    const targets = resolveTargets('gradCam', model, x, options.target);
    let act: Tensor | null = null;
    const remove = layer.registerForwardHook((_m, _inputs, out) => {
      act = out.detach().requiresGrad_();
      return act;
    });
    let g: Tensor;
    try {
      g = recording(() => {
        const scores = targetScores('gradCam', model, x, targets, options.output);
        if (act === null) throw new Error('gradCam: the layer never ran during the forward pass; pass a layer of this model');
        return grad(sum(scores), act, { allowUnused: true })[0];
      });
    } finally {
      remove();
    }
    const a = act! as Tensor;
    if (a.ndim !== 4) {
      throw new Error(`gradCam: the layer's output is ${fmtShape(a.shape)}; expected [N, K, h, w] activations of a convolutional layer`);
    }
    const cam = noGrad(() => relu(sum(mul(mean(g, [2, 3], true), a.detach()), 1)));
    const size = options.size === undefined ? (x.ndim === 4 ? ([x.shape[2], x.shape[3]] as const) : null) : options.size;
    return size ? resizeBilinear(cam, size) : cam;
  });
}

/**
 * Resizes maps [N, h, w] (or [h, w]) to [N, H, W] by bilinear interpolation with PyTorch's align_corners=false
 * convention: output pixel centres map to (i + ½)·h/H − ½ in the source, clamped to the edges.
 */
export function resizeBilinear(maps: Tensor, size: readonly [number, number]): Tensor {
  const [H, W] = size;
  if (!(Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0)) {
    throw new Error(`resizeBilinear: size must be two positive integers, got ${JSON.stringify(size)}`);
  }
  if (maps.ndim !== 2 && maps.ndim !== 3) throw new Error(`resizeBilinear: maps must be [h, w] or [N, h, w], got ${fmtShape(maps.shape)}`);
  const m3 = maps.ndim === 2 ? maps.reshape([1, ...maps.shape]) : maps;
  const [n, h, w] = m3.shape;
  const src = m3.data();
  const out = new Float32Array(n * H * W);
  const coord = (i: number, from: number, to: number): [number, number, number] => {
    const s = Math.min(Math.max(((i + 0.5) * from) / to - 0.5, 0), from - 1);
    const i0 = Math.floor(s);
    return [i0, Math.min(i0 + 1, from - 1), s - i0];
  };
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < H; i++) {
      const [y0, y1, fy] = coord(i, h, H);
      for (let j = 0; j < W; j++) {
        const [x0, x1, fx] = coord(j, w, W);
        const p = (yy: number, xx: number): number => src[b * h * w + yy * w + xx];
        const top = p(y0, x0) * (1 - fx) + p(y0, x1) * fx;
        const bottom = p(y1, x0) * (1 - fx) + p(y1, x1) * fx;
        out[b * H * W + i * W + j] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return new Tensor(out, maps.ndim === 2 ? [H, W] : [n, H, W]);
}
