/** What the trust tools share: the model they accept, labels, batched inference, and mode switching. */
import { enableGrad, noGrad } from '../autograd/mode.js';
import { argmax, cat, narrow } from '../ops/index.js';
import { isFloat } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A classifier: any model whose forward maps a batch [N, …] to logits [N, C] (C ≥ 2), or to one logit [N] / [N, 1]
 * for a binary model, and is differentiable with respect to its input. nn.Module satisfies it; `train`/`eval` are
 * used when present (attacks and explanations run in the model's current mode unless said otherwise).
 */
export interface Classifier {
  forward(x: Tensor): Tensor;
  readonly training?: boolean;
  train?(mode?: boolean): unknown;
}

/** Class labels as an int32 tensor [N]: int labels pass through, one-hot or probability rows [N, C] become argmax. */
export function labelsOf(who: string, y: Tensor | ArrayLike<number>, n: number): Tensor {
  let t: Tensor;
  if (y instanceof Tensor) t = y;
  else t = new Tensor(Int32Array.from(y as ArrayLike<number>), [y.length]);
  if (t.ndim === 2 && t.shape[1] > 1 && isFloat(t.dtype)) t = argmax(t, 1);
  else if (t.ndim === 2 && t.shape[1] === 1) t = t.reshape([t.shape[0]]);
  if (t.ndim !== 1 || t.shape[0] !== n) {
    throw new Error(`${who}: labels ${fmtShape(t.shape)} do not match ${n} inputs; expected int labels [${n}] or one-hot rows [${n}, C]`);
  }
  return t.dtype === 'int32' ? t : t.int();
}

/** Runs `fn` with the model in training (true) or eval (false) mode, then restores the mode it had. */
export function withMode<T>(model: Classifier, training: boolean | undefined, fn: () => T): T {
  if (training === undefined || typeof model.train !== 'function' || model.training === undefined) return fn();
  const was = model.training;
  model.train(training);
  try {
    return fn();
  } finally {
    model.train(was);
  }
}

/** The model's outputs for `x` in batches, without recording. */
export function forwardBatched(model: Classifier, x: Tensor, batchSize = 256): Tensor {
  return noGrad(() => {
    const n = x.shape[0];
    if (!(n > 0)) throw new Error(`forwardBatched: input ${fmtShape(x.shape)} has no rows`);
    const outs: Tensor[] = [];
    for (let s = 0; s < n; s += batchSize) outs.push(model.forward(narrow(x, 0, s, Math.min(batchSize, n - s))));
    return outs.length === 1 ? outs[0] : cat(outs, 0);
  });
}

/** Logits as [N, C]: a binary model's single logit z becomes the two-class logits [0, z] (softmax gives σ(z)). */
export function asClassLogits(who: string, out: Tensor, n: number): Tensor {
  const o = out.ndim === 2 && out.shape[1] === 1 ? out.reshape([n]) : out;
  if (o.ndim === 1 && o.shape[0] === n) return cat([o.mul(0).reshape([n, 1]), o.reshape([n, 1])], 1);
  if (o.ndim !== 2 || o.shape[0] !== n) {
    throw new Error(
      `${who}: the model returned ${fmtShape(out.shape)} for ${n} inputs; expected logits [${n}, C] (or one logit [${n}] for a binary model)`,
    );
  }
  return o;
}

/** Runs `fn` with recording on (even inside the caller's noGrad), since input gradients need the graph. */
export function recording<T>(fn: () => T): T {
  return enableGrad(fn);
}

/** Each row's values as plain arrays: [N, C] tensor → number[][]. */
export function rows(t: Tensor): number[][] {
  const [n, c] = t.shape;
  const d = t.data();
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Array.from(d.subarray(i * c, (i + 1) * c));
  return out;
}
