/**
 * Adversarial examples: FGSM (Goodfellow et al., 2015) and PGD under L∞ and L2 (Madry et al., 2018), untargeted
 * (raise the loss of the true class) or targeted (lower the loss of a chosen class), and the accuracy-versus-ε
 * curve. Gradients are taken with grad() with respect to the input only: the model's parameter .grad is untouched.
 */
import { grad } from '../autograd/engine.js';
import { noGrad } from '../autograd/mode.js';
import { add, argmax, crossEntropy, div, maximum, minimum, mul, narrow, reshape, sign, softmax, sqrt, sub, sum } from '../ops/index.js';
import { rand, randn } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Classifier, asClassLogits, labelsOf, recording, withMode } from './util.js';

export interface AttackOptions {
  /** Radius of the perturbation: max |δᵢ| for L∞ (FGSM, PGD 'linf'), ‖δ‖₂ per example for PGD 'l2'. */
  eps: number;
  /**
   * Targeted attack: the classes to push each input towards (one per input, or one for all). The attack then
   * descends the loss of the target instead of ascending the loss of the true label.
   */
  target?: Tensor | readonly number[] | number;
  /** The valid input range the adversarial input is clamped to (default [0, 1], pixels); null: no clamping. */
  clamp?: readonly [number, number] | null;
}

export interface PGDOptions extends AttackOptions {
  /** The norm of the threat model: 'linf' (default) or 'l2'. */
  norm?: 'linf' | 'l2';
  /** Gradient steps (default 20). */
  steps?: number;
  /** Step size α (default 2.5·ε/steps, Madry et al.'s rule, so the walk can cross the ball). */
  stepSize?: number;
  /** Start from a uniform random point of the ε-ball (default true), as Madry et al. do. */
  randomStart?: boolean;
  /** The generator of the random start (default the global one). */
  generator?: Generator;
}

/** An attack with every setting but ε fixed, as robustAccuracy sweeps ε: (model, x, y, eps) → adversarial x. */
export type Attack = (model: Classifier, x: Tensor, y: Tensor, eps: number) => Tensor;

function checkEps(who: string, eps: number): void {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new Error(`${who}: eps must be a finite number ≥ 0, got ${eps}`);
}

function checkClamp(who: string, c: readonly [number, number] | null | undefined): readonly [number, number] | null {
  const r = c === undefined ? ([0, 1] as const) : c;
  if (r !== null && !(Array.isArray(r) && r.length === 2 && r[0] < r[1])) {
    throw new Error(`${who}: clamp must be a [min, max] pair with min < max, or null; got ${JSON.stringify(c)}`);
  }
  return r;
}

/** The labels whose loss the attack follows, and the direction: +1 ascends (untargeted), −1 descends (targeted). */
function objective(who: string, x: Tensor, y: Tensor, target: AttackOptions['target']): { labels: Tensor; dir: number } {
  const n = x.shape[0];
  if (target === undefined) return { labels: labelsOf(who, y, n), dir: 1 };
  const t = typeof target === 'number' ? new Array<number>(n).fill(target) : target;
  return { labels: labelsOf(`${who} (target)`, t as Tensor | number[], n), dir: -1 };
}

/** ∇ₓ of the summed cross-entropy of the model's logits at `x` against labels `y` (int [N] or one-hot [N, C]). */
export function lossGradient(model: Classifier, x: Tensor, y: Tensor): Tensor {
  return gradientOfLoss('lossGradient', model, x, labelsOf('lossGradient', y, x.shape[0]));
}

function gradientOfLoss(who: string, model: Classifier, x: Tensor, labels: Tensor): Tensor {
  return recording(() => {
    const xi = x.detach().requiresGrad_();
    const logits = asClassLogits(who, model.forward(xi), x.shape[0]);
    // 'sum', not 'mean': each example's gradient must not shrink with the batch size.
    return grad(crossEntropy(logits, labels, { reduction: 'sum' }), xi)[0];
  });
}

function checkInput(who: string, x: Tensor): void {
  if (!(x instanceof Tensor) || x.ndim < 1 || x.shape[0] === 0) {
    throw new Error(`${who}: x must be a batch tensor [N, …] with N ≥ 1, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  }
}

/**
 * Fast Gradient Sign Method: x' = clamp(x + ε·sign(∇ₓ J(θ, x, y))), one step to the corner of the L∞ ball that
 * raises the loss most to first order. Targeted: x' = clamp(x − ε·sign(∇ₓ J(θ, x, t))).
 */
export function fgsm(model: Classifier, x: Tensor, y: Tensor, options: AttackOptions): Tensor {
  checkInput('fgsm', x);
  checkEps('fgsm', options.eps);
  const range = checkClamp('fgsm', options.clamp);
  const { labels, dir } = objective('fgsm', x, y, options.target);
  const g = gradientOfLoss('fgsm', model, x, labels);
  return noGrad(() => {
    const adv = add(x, mul(sign(g), dir * options.eps));
    return range ? adv.clamp(range[0], range[1]) : adv;
  });
}

/** Per-example L2 norms of a batch, shaped [N, 1, …] to broadcast against it. */
function rowNorms(t: Tensor): Tensor {
  const n = t.shape[0];
  const norms = sqrt(sum(mul(t, t).reshape([n, -1]), 1));
  return reshape(norms, [n, ...t.shape.slice(1).map(() => 1)]);
}

/** Projects `adv` onto the ε-ball around `x` (L∞: clip each coordinate; L2: rescale δ when ‖δ‖₂ > ε). */
function project(adv: Tensor, x: Tensor, eps: number, norm: 'linf' | 'l2'): Tensor {
  if (norm === 'linf') return minimum(maximum(adv, sub(x, eps)), add(x, eps));
  const delta = sub(adv, x);
  const factor = minimum(div(eps, maximum(rowNorms(delta), 1e-12)), 1);
  return add(x, mul(delta, factor));
}

/** A uniform random point of the ε-ball (L∞: a uniform cube; L2: a uniform direction with radius ε·u^(1/d)). */
function randomStart(x: Tensor, eps: number, norm: 'linf' | 'l2', generator: Generator): Tensor {
  if (norm === 'linf') return add(x, mul(sub(mul(rand(x.shape, { generator, dtype: x.dtype }), 2), 1), eps));
  const n = x.shape[0];
  const d = x.numel() / n;
  const dir = randn(x.shape, { generator, dtype: x.dtype });
  const u = rand([n], { generator, dtype: x.dtype }).data();
  const radius = new Float64Array(n).map((_, i) => eps * Math.pow(u[i], 1 / d));
  const r = reshape(new Tensor(Float32Array.from(radius), [n]).to(x.dtype), [n, ...x.shape.slice(1).map(() => 1)]);
  return add(x, mul(div(dir, maximum(rowNorms(dir), 1e-12)), r));
}

/**
 * Projected Gradient Descent (Madry et al., 2018): from a random point of the ε-ball, `steps` steps of size α
 * along sign(∇) (L∞) or ∇/‖∇‖₂ (L2), each followed by projection onto the ball and clamping to the valid range.
 * Clamping after projection keeps the point in the ball, since it only moves coordinates back towards x ∈ range.
 */
export function pgd(model: Classifier, x: Tensor, y: Tensor, options: PGDOptions): Tensor {
  checkInput('pgd', x);
  checkEps('pgd', options.eps);
  const range = checkClamp('pgd', options.clamp);
  const norm = options.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') throw new Error(`pgd: norm must be 'linf' or 'l2', got '${String(norm)}'`);
  const steps = options.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`pgd: steps must be a positive integer, got ${steps}`);
  const eps = options.eps;
  const alpha = options.stepSize ?? (2.5 * eps) / steps;
  if (!(alpha >= 0)) throw new Error(`pgd: stepSize must be ≥ 0, got ${options.stepSize}`);
  const { labels, dir } = objective('pgd', x, y, options.target);
  const x0 = x.detach();
  const fit = (t: Tensor): Tensor => (range ? t.clamp(range[0], range[1]) : t);
  let adv = noGrad(() => fit(options.randomStart ?? true ? randomStart(x0, eps, norm, options.generator ?? defaultGenerator) : x0));
  for (let s = 0; s < steps; s++) {
    const g = gradientOfLoss('pgd', model, adv, labels);
    adv = noGrad(() => {
      const step = norm === 'linf' ? sign(g) : div(g, maximum(rowNorms(g), 1e-12));
      return fit(project(add(adv, mul(step, dir * alpha)), x0, eps, norm));
    });
  }
  return adv;
}

/** FGSM as an Attack (ε left free), e.g. for robustAccuracy; the other options are fixed here. */
export function fgsmAttack(options: Omit<AttackOptions, 'eps'> = {}): Attack {
  return (model, x, y, eps) => fgsm(model, x, y, { ...options, eps });
}

/** PGD as an Attack (ε left free), e.g. for robustAccuracy; the other options are fixed here. */
export function pgdAttack(options: Omit<PGDOptions, 'eps'> = {}): Attack {
  return (model, x, y, eps) => pgd(model, x, y, { ...options, eps });
}

/** One point of the accuracy-versus-ε curve. */
export interface RobustPoint {
  eps: number;
  /** Fraction of the adversarial inputs classified as their true label. */
  accuracy: number;
  /** 1 − accuracy. */
  errorRate: number;
  /** Mean softmax probability of the predicted class over the misclassified adversarial inputs (NaN if none). */
  meanWrongConfidence: number;
  /** Mean softmax probability of the predicted class over all adversarial inputs. */
  meanConfidence: number;
}

export interface RobustAccuracyOptions {
  /** Rows attacked at once (default 500). */
  batchSize?: number;
}

/**
 * The accuracy-versus-ε curve: for each ε, attack every input (in eval mode, as a deployed model would be) and
 * count how many keep their true label. ε = 0 gives the clean accuracy. Goodfellow et al. report FGSM's error
 * rate and the mean confidence of the wrong answers: both are here.
 */
export function robustAccuracy(
  model: Classifier,
  data: readonly [Tensor, Tensor] | { x: Tensor; y: Tensor },
  attack: Attack,
  epsilons: readonly number[],
  options: RobustAccuracyOptions = {},
): RobustPoint[] {
  const [x, y] = Array.isArray(data) ? data : [(data as { x: Tensor }).x, (data as { y: Tensor }).y];
  checkInput('robustAccuracy', x);
  const n = x.shape[0];
  const labels = labelsOf('robustAccuracy', y, n);
  const bs = options.batchSize ?? 500;
  if (!Number.isInteger(bs) || bs < 1) throw new Error(`robustAccuracy: batchSize must be a positive integer, got ${bs}`);
  if (epsilons.length === 0) throw new Error('robustAccuracy: epsilons is empty; give at least one ε, e.g. [0, 0.1, 0.2]');
  return withMode(model, false, () =>
    epsilons.map((eps) => {
      checkEps('robustAccuracy', eps);
      let correct = 0;
      let wrongConf = 0;
      let conf = 0;
      for (let s = 0; s < n; s += bs) {
        const len = Math.min(bs, n - s);
        const xb = narrow(x, 0, s, len);
        const yb = narrow(labels, 0, s, len);
        const adv = eps === 0 ? xb : attack(model, xb, yb, eps);
        noGrad(() => {
          const p = softmax(asClassLogits('robustAccuracy', model.forward(adv), len), 1);
          const pred = argmax(p, 1).data();
          const pd = p.data();
          const c = p.shape[1];
          const yd = yb.data();
          for (let i = 0; i < len; i++) {
            const top = pd[i * c + pred[i]];
            conf += top;
            if (pred[i] === yd[i]) correct++;
            else wrongConf += top;
          }
        });
      }
      const wrong = n - correct;
      return { eps, accuracy: correct / n, errorRate: wrong / n, meanWrongConfidence: wrong > 0 ? wrongConf / wrong : NaN, meanConfidence: conf / n };
    }),
  );
}
