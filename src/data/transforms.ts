/**
 * Per-sample image transforms and augmentations (torchvision.transforms) for images [C, H, W] (or [H, W]) in
 * float32/float64. Each is usable as the DataLoader's `transform`: given an image it returns the new image, given
 * a sample `[image, label, …]` (a TensorDataset row) it transforms the image and keeps the rest. Random ones draw
 * from the generator passed in (default: the global one, so `manualSeed(n)` fixes every augmentation).
 *
 *     const augment = compose(randomShift(2), randomRotation(10), normalize(0.1307, 0.3081));
 *     const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true, transform: augment });
 */
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** An image transform that also accepts a sample whose first element is the image. */
export type ImageTransform = <S extends Tensor | readonly unknown[]>(sample: S) => S;

export interface RandomTransformOptions {
  /** Where the random draws come from (default: the global generator). */
  generator?: Generator;
}

/** An image as channels × height × width over its own (contiguous, row-major) data. */
interface Image {
  data: Float32Array | Float64Array;
  shape: readonly number[];
  c: number;
  h: number;
  w: number;
}

function asImage(op: string, x: Tensor): Image {
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(`${op}: image has shape ${fmtShape(x.shape)}; expected [C,H,W] or [H,W] (one sample, not a batch)`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`${op}: image has dtype ${x.dtype}; expected float32 or float64`);
  const [c, h, w] = x.ndim === 3 ? x.shape : [1, ...x.shape];
  return { data: x.data() as Float32Array | Float64Array, shape: x.shape, c, h, w };
}

/** Turns an Image → Tensor function into an ImageTransform that also maps the first element of a sample list. */
function imageTransform(op: string, f: (img: Image) => Tensor): ImageTransform {
  const apply = (x: Tensor): Tensor => f(asImage(op, x));
  return (<S extends Tensor | readonly unknown[]>(sample: S): S => {
    if (sample instanceof Tensor) return apply(sample) as S;
    if (Array.isArray(sample) && sample[0] instanceof Tensor) return [apply(sample[0]), ...sample.slice(1)] as unknown as S;
    throw new Error(`${op}: expected an image tensor or a sample [image, …] whose first element is a tensor`);
  }) as ImageTransform;
}

/** A tensor of the image's shape over new data. */
function like(img: Image, data: Float32Array | Float64Array): Tensor {
  return new Tensor(data, img.shape);
}

/** A zero-filled array of the image's array type. */
function zerosOf(img: Image, length: number): Float32Array | Float64Array {
  return img.data instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

function perChannel(op: string, name: string, v: number | readonly number[], c: number): number[] {
  const values = typeof v === 'number' ? [v] : [...v];
  if (values.length !== 1 && values.length !== c) {
    throw new Error(`${op}: ${name} has ${values.length} values for an image of ${c} channels; expected 1 or ${c}`);
  }
  return values.length === 1 ? new Array<number>(c).fill(values[0]) : values;
}

/** (x − mean[c]) / std[c] per channel (one number applies to every channel). */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): ImageTransform {
  for (const s of typeof std === 'number' ? [std] : std) {
    if (!(s > 0)) throw new Error(`normalize: std must be positive, got ${s}`);
  }
  return imageTransform('normalize', (img) => {
    const { data, c, h, w } = img;
    const m = perChannel('normalize', 'mean', mean, c);
    const s = perChannel('normalize', 'std', std, c);
    const out = data.slice();
    for (let k = 0; k < c; k++) for (let p = k * h * w; p < (k + 1) * h * w; p++) out[p] = (data[p] - m[k]) / s[k];
    return like(img, out);
  });
}

/** Pixel (c, y, x) of the output is the input's (c, y − dy, x − dx), 0 outside: the content moves dx right and dy down. */
function translated(img: Image, dx: number, dy: number): Tensor {
  const { data, c, h, w } = img;
  const out = zerosOf(img, data.length);
  for (let k = 0; k < c; k++) {
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
      const src = k * h * w + (y - dy) * w;
      const dst = k * h * w + y * w;
      for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) out[dst + x] = data[src + x - dx];
    }
  }
  return like(img, out);
}

/** Moves the content `dx` pixels right and `dy` pixels down (negative: left/up), filling with zeros. */
export function translate(image: Tensor, dx: number, dy: number): Tensor {
  if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new Error(`translate: dx and dy must be integers, got ${dx}, ${dy}`);
  return translated(asImage('translate', image), dx, dy);
}

/** Shifts the image by whole pixels, dx and dy each uniform in [−maxPixels, maxPixels], zeros filling the border. */
export function randomShift(maxPixels: number, options: RandomTransformOptions = {}): ImageTransform {
  if (!Number.isInteger(maxPixels) || maxPixels < 0) throw new Error(`randomShift: maxPixels must be an integer ≥ 0, got ${maxPixels}`);
  const gen = options.generator ?? defaultGenerator;
  return imageTransform('randomShift', (img) => {
    const dx = gen.nextInt(2 * maxPixels + 1) - maxPixels;
    const dy = gen.nextInt(2 * maxPixels + 1) - maxPixels;
    return translated(img, dx, dy);
  });
}

/**
 * torchvision's RandomCrop: pads every side with `padding` zeros, then cuts a `size` window ([h, w], or a square)
 * at a uniformly random position. The result is [C, h, w].
 */
export function randomCrop(size: number | readonly [number, number], padding = 0, options: RandomTransformOptions = {}): ImageTransform {
  const [ch, cw] = typeof size === 'number' ? [size, size] : size;
  if (![ch, cw].every((s) => Number.isInteger(s) && s > 0)) throw new Error(`randomCrop: size must be positive integers, got ${String(size)}`);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`randomCrop: padding must be an integer ≥ 0, got ${padding}`);
  const gen = options.generator ?? defaultGenerator;
  return imageTransform('randomCrop', (img) => {
    const { data, shape, c, h, w } = img;
    if (ch > h + 2 * padding || cw > w + 2 * padding) {
      throw new Error(
        `randomCrop: crop ${ch}×${cw} is larger than the padded image ${h + 2 * padding}×${w + 2 * padding} ` +
          `(image ${fmtShape(shape)}, padding ${padding})`,
      );
    }
    const top = gen.nextInt(h + 2 * padding - ch + 1) - padding;
    const left = gen.nextInt(w + 2 * padding - cw + 1) - padding;
    const out = zerosOf(img, c * ch * cw);
    for (let k = 0; k < c; k++) {
      for (let i = Math.max(0, -top); i < Math.min(ch, h - top); i++) {
        for (let j = Math.max(0, -left); j < Math.min(cw, w - left); j++) out[(k * ch + i) * cw + j] = data[(k * h + top + i) * w + left + j];
      }
    }
    return new Tensor(out, shape.length === 3 ? [c, ch, cw] : [ch, cw]);
  });
}

/**
 * Rotation by `degrees` counter-clockwise (as seen on screen, y pointing down) about the image centre
 * ((W−1)/2, (H−1)/2), with bilinear interpolation and zeros outside the image (torchvision's rotate).
 * Output pixel p takes the input at R(θ)·(p − centre) + centre.
 */
function rotated(img: Image, degrees: number): Tensor {
  const { data, c, h, w } = img;
  const theta = (degrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v); // exact at multiples of 90°
  const out = zerosOf(img, data.length);
  const plane = h * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const xs = snap(cx + (x - cx) * cos - (y - cy) * sin);
      const ys = snap(cy + (x - cx) * sin + (y - cy) * cos);
      const x0 = Math.floor(xs);
      const y0 = Math.floor(ys);
      const fx = xs - x0;
      const fy = ys - y0;
      // The four neighbours and their bilinear weights; a neighbour outside the image contributes 0.
      const corners: [number, number, number][] = [
        [y0, x0, (1 - fy) * (1 - fx)],
        [y0, x0 + 1, (1 - fy) * fx],
        [y0 + 1, x0, fy * (1 - fx)],
        [y0 + 1, x0 + 1, fy * fx],
      ];
      for (const [yy, xx, weight] of corners) {
        if (weight === 0 || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        for (let k = 0; k < c; k++) out[k * plane + y * w + x] += weight * data[k * plane + yy * w + xx];
      }
    }
  }
  return like(img, out);
}

/** Rotates the image `degrees` counter-clockwise about its centre (bilinear, zero fill). */
export function rotate(image: Tensor, degrees: number): Tensor {
  if (!Number.isFinite(degrees)) throw new Error(`rotate: degrees must be a finite number, got ${degrees}`);
  return rotated(asImage('rotate', image), degrees);
}

/** Rotates by an angle uniform in [−maxDegrees, maxDegrees] (bilinear, zero fill). */
export function randomRotation(maxDegrees: number, options: RandomTransformOptions = {}): ImageTransform {
  if (!(maxDegrees >= 0 && Number.isFinite(maxDegrees))) throw new Error(`randomRotation: maxDegrees must be a finite number ≥ 0, got ${maxDegrees}`);
  const gen = options.generator ?? defaultGenerator;
  return imageTransform('randomRotation', (img) => rotated(img, (2 * gen.nextDouble() - 1) * maxDegrees));
}

export interface GaussianNoiseOptions extends RandomTransformOptions {
  /** Clamp the result to [0, 1], the range of the pixels (default false). */
  clamp?: boolean;
}

/** Adds independent N(0, std²) noise to every pixel, optionally clamped to [0, 1]. */
export function gaussianNoise(std: number, options: GaussianNoiseOptions = {}): ImageTransform {
  if (!(std >= 0 && Number.isFinite(std))) throw new Error(`gaussianNoise: std must be a finite number ≥ 0, got ${std}`);
  const gen = options.generator ?? defaultGenerator;
  const clamp = options.clamp ?? false;
  return imageTransform('gaussianNoise', (img) => {
    const out = img.data.slice();
    for (let p = 0; p < out.length; p++) {
      const v = out[p] + std * gen.nextNormal();
      out[p] = clamp ? Math.min(1, Math.max(0, v)) : v;
    }
    return like(img, out);
  });
}

/** Applies the transforms left to right (torchvision's Compose). */
export function compose(...transforms: ImageTransform[]): ImageTransform;
export function compose<T>(...transforms: ((sample: T) => T)[]): (sample: T) => T;
export function compose<T>(...transforms: ((sample: T) => T)[]): (sample: T) => T {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new Error(`compose: argument ${i} is ${typeof t}, not a transform function`);
  });
  return (sample: T): T => transforms.reduce((s, t) => t(s), sample);
}
