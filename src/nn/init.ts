/**
 * nn.init: fill a tensor in place with a chosen distribution, as torch.nn.init. Each function writes the
 * tensor's data directly, so nothing is recorded (as under noGrad), and returns the tensor. Random ones draw
 * from `generator`, by default the global one seeded by manualSeed().
 */
import { isFloat } from '../tensor/dtype.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { type Shape, fmtShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** The nonlinearities calculateGain knows, spelled as in PyTorch. */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

const LINEAR_FNS = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'];

/**
 * The factor that keeps activations' variance steady through a layer followed by `nonlinearity`: 1 for linear
 * maps and sigmoid, 5/3 for tanh, √2 for relu, √(2/(1 + slope²)) for leaky_relu (slope = param, default 0.01),
 * 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (LINEAR_FNS.includes(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'selu': return 3 / 4;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${slope} is not a finite number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
  }
  throw new Error(`calculateGain: unsupported nonlinearity '${nonlinearity}'; expected one of ${[...LINEAR_FNS, 'tanh', 'relu', 'leaky_relu', 'selu'].join(', ')}`);
}

function fans(op: string, shape: Shape): [number, number] {
  if (shape.length < 2) {
    throw new Error(`${op}: shape ${fmtShape(shape)} has fewer than 2 dims; fans need a weight shaped [out, in, ...receptive field]`);
  }
  const receptive = sizeOf(shape.slice(2));
  return [shape[1] * receptive, shape[0] * receptive];
}

/** [fanIn, fanOut] of a weight shaped [out, in, ...receptive]: fanIn = in·receptive, fanOut = out·receptive. */
export function calculateFanInAndFanOut(t: Tensor | Shape): [number, number] {
  return fans('calculateFanInAndFanOut', t instanceof Tensor ? t.shape : t);
}

function floatData(op: string, t: Tensor): Float32Array | Float64Array {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (!isFloat(t.dtype)) throw new Error(`${op}: tensor must be float32 or float64, got ${t.dtype}`);
  return t.data() as Float32Array | Float64Array;
}

/** Fills with draws from U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  const d = floatData('uniform_', t);
  if (!(a <= b)) throw new Error(`uniform_: need a <= b, got a=${a}, b=${b}`);
  const f64 = t.dtype === 'float64';
  for (let i = 0; i < d.length; i++) d[i] = a + (b - a) * (f64 ? generator.nextDouble() : generator.nextFloat());
  return t;
}

/** Fills with draws from N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  const d = floatData('normal_', t);
  if (!(std >= 0)) throw new Error(`normal_: std must be non-negative, got ${std}`);
  for (let i = 0; i < d.length; i++) d[i] = mean + std * generator.nextNormal();
  return t;
}

/** Fills with `value` (any dtype). */
export function constant_(t: Tensor, value: number): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`constant_: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  t.data().fill(value);
  return t;
}

/** Fills with 0. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills with 1. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot & Bengio (2010): U(−b, b) with b = gain·√(6/(fanIn + fanOut)), i.e. std = gain·√(2/(fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = fans('xavierUniform_', t.shape);
  const bound = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, generator);
}

/** Glorot & Bengio (2010): N(0, std²) with std = gain·√(2/(fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = fans('xavierNormal_', t.shape);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions {
  /** Negative slope of the leaky_relu that follows (default 0); nn.Linear's default init uses √5. */
  a?: number;
  /** Keep the forward pass's variance ('fanIn', default) or the backward pass's ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leaky_relu' (with slope a), as PyTorch. */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

function kaimingStd(op: string, t: Tensor, o: KaimingOptions): number {
  const [fanIn, fanOut] = fans(op, t.shape);
  const mode = o.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`${op}: mode must be 'fanIn' or 'fanOut', got '${mode}'`);
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
}

/** He et al. (2015): U(−b, b) with b = √3·gain/√fan. */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, options);
  return uniform_(t, -bound, bound, options.generator);
}

/** He et al. (2015): N(0, std²) with std = gain/√fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t;
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, options), options.generator);
}

/**
 * PyTorch's default init of Linear and Conv layers: W ~ kaiming_uniform(a = √5) = U(±1/√fanIn) and
 * b ~ U(±1/√fanIn), with fanIn from the weight's dim 1 times the receptive field.
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
