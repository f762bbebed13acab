/**
 * The digits panel's model and its explanations, with the library only (no DOM): the 784-256-10 MLP, MNIST-style
 * preprocessing of a drawing, class probabilities, and the library's trust module for the saliency map
 * |∂logit_c/∂x| and the fast gradient sign method x' = clamp(x + ε·sign(∇ₓ loss), 0, 1) (Goodfellow et al., 2015).
 */
import { nn, noGrad, parseSafetensors, softmax, tensor, trust } from '../../src/index.js';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** The architecture of the shipped model, 784-hidden-10 with ReLU; inputs are flat images [n, 784]. */
export function buildDigitsModel(hidden = 256): nn.Sequential {
  return new nn.Sequential(new nn.Linear(PIXELS, hidden), new nn.ReLU(), new nn.Linear(hidden, 10));
}

/** Loads the model from safetensors bytes (PyTorch keys 0.weight, 0.bias, 2.weight, 2.bias), in eval mode. */
export function loadDigitsModel(bytes: Uint8Array): { model: nn.Sequential; metadata: Record<string, string> } {
  const { tensors, metadata } = parseSafetensors(bytes);
  const first = tensors['0.weight'];
  if (!first || first.ndim !== 2 || first.shape[1] !== PIXELS) {
    throw new Error(`loadDigitsModel: expected a tensor '0.weight' of shape [hidden, ${PIXELS}]; the file has ${Object.keys(tensors).join(', ')}`);
  }
  const model = buildDigitsModel(first.shape[0]);
  model.loadStateDict(tensors);
  model.eval();
  return { model, metadata };
}

/**
 * MNIST's own preprocessing for a drawing (grey levels in [0, 1], `width`×`height`, row-major): crop to the ink,
 * scale so that the longer side is 20 pixels (area averaging), and place in 28×28 so that the centre of mass sits
 * at the centre. Returns 784 values, or null when there is no ink.
 */
export function preprocess(gray: Float32Array, width: number, height: number): Float32Array | null {
  let [x0, x1, y0, y1] = [width, -1, height, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const sw = Math.max(1, Math.round(bw * scale));
  const sh = Math.max(1, Math.round(bh * scale));
  // Area averaging: each small pixel is the mean of the source pixels it covers (fractions at the edges).
  const small = new Float32Array(sw * sh);
  for (let j = 0; j < sh; j++) {
    const sy0 = y0 + (j * bh) / sh;
    const sy1 = y0 + ((j + 1) * bh) / sh;
    for (let i = 0; i < sw; i++) {
      const sx0 = x0 + (i * bw) / sw;
      const sx1 = x0 + ((i + 1) * bw) / sw;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(sy0); y < Math.ceil(sy1); y++) {
        const wy = Math.min(y + 1, sy1) - Math.max(y, sy0);
        for (let x = Math.floor(sx0); x < Math.ceil(sx1); x++) {
          const wx = Math.min(x + 1, sx1) - Math.max(x, sx0);
          sum += wx * wy * gray[y * width + x];
          area += wx * wy;
        }
      }
      small[j * sw + i] = area > 0 ? sum / area : 0;
    }
  }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < sh; j++) {
    for (let i = 0; i < sw; i++) {
      const v = small[j * sw + i];
      mass += v;
      cx += v * i;
      cy += v * j;
    }
  }
  const ox = Math.round(SIDE / 2 - (mass > 0 ? cx / mass : sw / 2) - 0.5);
  const oy = Math.round(SIDE / 2 - (mass > 0 ? cy / mass : sh / 2) - 0.5);
  const out = new Float32Array(PIXELS);
  for (let j = 0; j < sh; j++) {
    for (let i = 0; i < sw; i++) {
      const x = i + ox;
      const y = j + oy;
      if (x >= 0 && x < SIDE && y >= 0 && y < SIDE) out[y * SIDE + x] = Math.min(1, small[j * sw + i]);
    }
  }
  return out;
}

/** Class probabilities (softmax of the logits) of one image of 784 values. */
export function predict(model: nn.Module, image: Float32Array): Float32Array {
  return noGrad(() => Float32Array.from(softmax(model.forward(tensor(image, { shape: [1, PIXELS] })), 1).data()));
}

/** Index of the largest value. */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

/** Saliency of class c: |∂logit_c/∂x| per pixel (Simonyan et al., 2014), by the library's trust.saliency. */
export function saliency(model: nn.Module, image: Float32Array, c: number): Float32Array {
  const x = tensor(image, { shape: [1, PIXELS] });
  return Float32Array.from(trust.saliency(model, x, { target: c, abs: true }).data());
}

/**
 * FGSM by the library's trust.fgsm: one step of size ε along the sign of the gradient of the cross-entropy loss
 * for `label` (the model's own prediction, so the attack pushes away from it), clamped to the pixel range [0, 1].
 */
export function fgsm(model: nn.Module, image: Float32Array, label: number, eps: number): Float32Array {
  const x = tensor(image, { shape: [1, PIXELS] });
  return Float32Array.from(trust.fgsm(model, x, tensor([label], { dtype: 'int32' }), { eps, clamp: [0, 1] }).data());
}
