/**
 * Logistic regression as a one-layer model, written with the library's own tensors and autograd: a weight
 * [C, F] and bias [C] that require grad, the logits x·Wᵀ + b, the cross-entropy loss, `loss.backward()`, and a
 * plain gradient-descent update under noGrad. Full batch and zero init, so it is deterministic.
 */
import { noGrad } from '../autograd/mode.js';
import { tensor, zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { argmax, binaryCrossEntropyWithLogits, crossEntropy, linear, reshape, sigmoid, softmax, stack, sub } from '../ops/index.js';
import { expectTensor, readLabels, readMatrix } from './validate.js';

export interface LogisticRegressionOptions {
  /** Gradient-descent step size (default 0.5). */
  lr?: number;
  /** Full-batch gradient steps (default 1000). */
  epochs?: number;
  /** L2 penalty: the objective is mean cross-entropy + (weightDecay/2)·‖W‖², bias not penalised (default 1e-4). */
  weightDecay?: number;
  /** Learn a bias b (default true). */
  fitIntercept?: boolean;
  /**
   * 'auto' (default): one logit and binaryCrossEntropyWithLogits for 2 classes, C logits and crossEntropy
   * (softmax) for more. 'multinomial': softmax with C logits even for 2 classes.
   */
  multiClass?: 'auto' | 'multinomial';
  /** Parameter and compute dtype (default 'float32'); inputs are cast to it. */
  dtype?: 'float32' | 'float64';
}

/**
 * Logistic regression trained by full-batch gradient descent on the maximum-likelihood loss (cross-entropy).
 *
 * Defaults (lr 0.5, 1000 epochs, weightDecay 1e-4) converge on standardised inputs (zero mean, unit variance per
 * feature): the binary loss is L-smooth with L ≤ ¼·λmax(E[x̃x̃ᵀ]) (x̃ = x with a 1 appended), ≈ ¼ to ¾ for a few
 * standardised features, so 0.5 is well inside the stable range 2/L; the small weight decay makes the
 * objective strictly convex, so there is one minimiser to converge to even on separable data. With many strongly
 * correlated features, or unscaled ones, lower lr.
 *
 * The course's feature-engineering point: on the unit circle (y = ‖x‖² > 1, x ~ N(0, I)) the raw (x₁, x₂)
 * admit no separating line and the model stays near the majority-class rate (≈ 61%), while on
 * φ(x) = (x₁², x₂²) the classes are linearly separable and ~30 samples suffice.
 */
export class LogisticRegression {
  readonly lr: number;
  readonly epochs: number;
  readonly weightDecay: number;
  readonly fitIntercept: boolean;
  readonly multiClass: 'auto' | 'multinomial';
  readonly dtype: 'float32' | 'float64';
  /** The sorted distinct labels seen by fit(); predict() returns these values. */
  classes: number[] | null = null;
  /** W, [1, F] for binary 'auto', [C, F] otherwise (PyTorch's Linear layout). */
  weight: Tensor | null = null;
  /** b, [1] or [C]; zeros when fitIntercept is false. */
  bias: Tensor | null = null;
  /** The data loss (mean cross-entropy, without the penalty) before each update, one per epoch. */
  lossHistory: number[] = [];

  constructor(options: LogisticRegressionOptions = {}) {
    this.lr = options.lr ?? 0.5;
    this.epochs = options.epochs ?? 1000;
    this.weightDecay = options.weightDecay ?? 1e-4;
    this.fitIntercept = options.fitIntercept ?? true;
    this.multiClass = options.multiClass ?? 'auto';
    this.dtype = options.dtype ?? 'float32';
    if (!(this.lr > 0 && Number.isFinite(this.lr))) throw new Error(`LogisticRegression: lr must be a finite number > 0, got ${this.lr}`);
    if (!(Number.isInteger(this.epochs) && this.epochs >= 0)) throw new Error(`LogisticRegression: epochs must be an integer ≥ 0, got ${this.epochs}`);
    if (!(this.weightDecay >= 0 && Number.isFinite(this.weightDecay))) {
      throw new Error(`LogisticRegression: weightDecay must be a finite number ≥ 0, got ${this.weightDecay}`);
    }
    if (this.multiClass !== 'auto' && this.multiClass !== 'multinomial') {
      throw new Error(`LogisticRegression: multiClass must be 'auto' or 'multinomial', got '${String(this.multiClass)}'`);
    }
    if (this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new Error(`LogisticRegression: dtype must be 'float32' or 'float64', got '${String(this.dtype)}'`);
    }
  }

  /** The weights W (coef_ in scikit-learn), detached. */
  get coef(): Tensor {
    return this.fitted('coef').weight.detach();
  }

  /** The bias b (intercept_ in scikit-learn), detached. */
  get intercept(): Tensor {
    return this.fitted('intercept').bias.detach();
  }

  /** Fits on x [N, F] and integer labels y [N] (at least two distinct labels). Returns this. */
  fit(x: Tensor, y: Tensor): this {
    const X = readMatrix('LogisticRegression.fit', 'x', x);
    const { classes, index } = readLabels('LogisticRegression.fit', y, X.rows, x.shape);
    if (classes.length < 2) {
      throw new Error(`LogisticRegression.fit: y holds a single class (${classes[0]}); expected at least two distinct labels`);
    }
    const binary = classes.length === 2 && this.multiClass === 'auto';
    const outputs = binary ? 1 : classes.length;
    const inputs = tensor(X.data, { dtype: this.dtype, shape: [X.rows, X.cols] });
    const target = binary ? tensor(index, { dtype: this.dtype }) : tensor(index, { dtype: 'int32' });
    const w = zeros([outputs, X.cols], { dtype: this.dtype, requiresGrad: true });
    const b = zeros([outputs], { dtype: this.dtype, requiresGrad: this.fitIntercept });
    this.lossHistory = [];
    for (let epoch = 0; epoch < this.epochs; epoch++) {
      const logits = linear(inputs, w, this.fitIntercept ? b : null);
      const loss = binary ? binaryCrossEntropyWithLogits(reshape(logits, [X.rows]), target) : crossEntropy(logits, target);
      loss.backward();
      this.lossHistory.push(loss.item());
      noGrad(() => {
        // θ ← θ − lr·(∇loss + weightDecay·W); the bias is not decayed.
        w.copy_(sub(w, w.grad!.add(w.mul(this.weightDecay)).mul(this.lr)));
        if (this.fitIntercept) b.copy_(sub(b, b.grad!.mul(this.lr)));
      });
      w.grad = null;
      b.grad = null;
    }
    this.classes = classes;
    this.weight = w.detach();
    this.bias = b.detach();
    return this;
  }

  /** The logits x·Wᵀ + b: [N] for a binary 'auto' model (the log-odds of classes[1]), [N, C] otherwise. */
  decisionFunction(x: Tensor): Tensor {
    const { weight, bias } = this.fitted('decisionFunction');
    const X = readMatrix('LogisticRegression.decisionFunction', 'x', x, weight.shape[1]);
    const inputs = tensor(X.data, { dtype: this.dtype, shape: [X.rows, X.cols] });
    return noGrad(() => {
      const logits = linear(inputs, weight, bias);
      return weight.shape[0] === 1 ? reshape(logits, [X.rows]) : logits;
    });
  }

  /** Class probabilities [N, C], columns in the order of `classes`; each row sums to 1. */
  predictProba(x: Tensor): Tensor {
    const logits = this.decisionFunction(x);
    return noGrad(() => {
      if (logits.ndim === 2) return softmax(logits, 1);
      const p = sigmoid(logits);
      return stack([sub(1, p), p], 1);
    });
  }

  /** The most probable label for each row, int32 [N] (values from `classes`). */
  predict(x: Tensor): Tensor {
    const classes = this.fitted('predict').classes;
    const best = noGrad(() => argmax(this.predictProba(x), 1));
    const out = new Int32Array(best.numel());
    const d = best._data;
    for (let i = 0; i < out.length; i++) out[i] = classes[d[i]];
    return tensor(out, { dtype: 'int32' });
  }

  /** Accuracy of predict(x) against labels y [N], in [0, 1]. */
  score(x: Tensor, y: Tensor): number {
    const pred = this.predict(x);
    expectTensor('LogisticRegression.score', 'y', y);
    if (y.ndim !== 1 || y.shape[0] !== pred.shape[0]) {
      throw new Error(`LogisticRegression.score: y ${fmtShape(y.shape)} does not match x ${fmtShape(x.shape)}; expected y of shape [${pred.shape[0]}]`);
    }
    const p = pred._data;
    const t = y._data;
    let hits = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hits++;
    return hits / p.length;
  }

  private fitted(method: string): { weight: Tensor; bias: Tensor; classes: number[] } {
    if (!this.weight || !this.bias || !this.classes) {
      throw new Error(`LogisticRegression.${method}: the model is not fitted yet; call fit(x, y) first`);
    }
    return { weight: this.weight, bias: this.bias, classes: this.classes };
  }
}
