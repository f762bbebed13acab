/**
 * Synthetic 2-D classification sets for the course's demos. Each returns { x: float32 [n, 2], y: int32 [n] }.
 * Every set follows the same three steps, so the labels always obey the stated definition on the clean points:
 *   1. draw the clean points and label them by the set's rule;
 *   2. `noise` > 0: add N(0, noise²) to each coordinate (points near a boundary may end on the wrong side);
 *   3. `flip` > 0: replace each label by the other class (a random other one for > 2 classes) with probability flip.
 * Draws come from a Generator seeded with `seed` when given, else the one passed, else the global one.
 */
import { tensor } from '../tensor/creation.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export interface SyntheticOptions {
  /** Number of points. */
  n: number;
  /** Std of Gaussian noise added to each coordinate after labelling (default 0). */
  noise?: number;
  /** Probability of flipping each label after labelling (default 0). */
  flip?: number;
  /** Seed for a private generator (the global one is used without it). */
  seed?: number;
  /** Generator to draw from when no seed is given. */
  generator?: Generator;
}

export interface SyntheticSet {
  /** Points, float32 [n, 2]. */
  x: Tensor;
  /** Classes, int32 [n]. */
  y: Tensor;
}

function setup(op: string, o: SyntheticOptions): { n: number; noise: number; flip: number; gen: Generator } {
  const { n, noise = 0, flip = 0, seed } = o ?? ({} as SyntheticOptions);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: n must be a positive integer, got ${n}`);
  if (!Number.isFinite(noise) || noise < 0) throw new Error(`${op}: noise must be a finite number ≥ 0, got ${noise}`);
  if (!(flip >= 0 && flip <= 1)) throw new Error(`${op}: flip must be a probability in [0, 1], got ${flip}`);
  const gen = seed !== undefined ? new Generator(seed) : (o.generator ?? defaultGenerator);
  return { n, noise, flip, gen };
}

/** Applies steps 2 and 3 of the module comment in place and wraps the arrays as tensors. */
function finish(x: Float64Array, y: Int32Array, numClasses: number, noise: number, flip: number, gen: Generator): SyntheticSet {
  if (noise > 0) for (let i = 0; i < x.length; i++) x[i] += noise * gen.nextNormal();
  if (flip > 0) {
    for (let i = 0; i < y.length; i++) {
      if (gen.nextDouble() < flip) y[i] = (y[i] + 1 + gen.nextInt(numClasses - 1)) % numClasses;
    }
  }
  return { x: tensor(Float32Array.from(x), { shape: [y.length, 2] }), y: tensor(y) };
}

/** Class k gets ⌊n/K⌋ points, plus one for the first n mod K classes. */
function classOf(n: number, numClasses: number): Int32Array {
  const y = new Int32Array(n);
  let i = 0;
  for (let k = 0; k < numClasses; k++) {
    const size = Math.floor(n / numClasses) + (k < n % numClasses ? 1 : 0);
    for (let j = 0; j < size; j++) y[i++] = k;
  }
  return y;
}

/** Shuffles labels in place so the classes are interleaved (points are then drawn per row). */
function shuffleInPlace(y: Int32Array, gen: Generator): void {
  for (let i = y.length - 1; i > 0; i--) {
    const j = gen.nextInt(i + 1);
    [y[i], y[j]] = [y[j], y[i]];
  }
}

/**
 * The course's unit circle: x ~ N(0, I₂), y = 1 when ‖x‖² = x₁² + x₂² > 1 (outside the circle), else 0.
 * About 61% of points (e^(−1/2)) are outside. Not linearly separable in x, but it is in φ(x) = (x₁², x₂²).
 */
export function makeCircle(options: SyntheticOptions): SyntheticSet {
  const { n, noise, flip, gen } = setup('makeCircle', options);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // Label the float32 values that are returned, so the rule holds exactly on the output.
    const a = Math.fround(gen.nextNormal());
    const b = Math.fround(gen.nextNormal());
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a * a + b * b > 1 ? 1 : 0;
  }
  return finish(x, y, 2, noise, flip, gen);
}

/** XOR: x ~ Uniform[−1, 1]², y = 1 when the coordinates have opposite signs (x₁·x₂ < 0), else 0. */
export function makeXor(options: SyntheticOptions): SyntheticSet {
  const { n, noise, flip, gen } = setup('makeXor', options);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * gen.nextDouble() - 1;
    const b = 2 * gen.nextDouble() - 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a * b < 0 ? 1 : 0;
  }
  return finish(x, y, 2, noise, flip, gen);
}

export interface GaussiansOptions extends SyntheticOptions {
  /** One center per class (default [[−1, −1], [1, 1]]: two classes). */
  centers?: readonly (readonly [number, number])[];
  /** Std of each blob around its center (default 0.5). */
  std?: number;
}

/**
 * Gaussian blobs: class k ~ N(centers[k], std² I₂), classes of (nearly) equal size in random order.
 * Two classes by default, which overlap a little at std 0.5.
 */
export function makeGaussians(options: GaussiansOptions): SyntheticSet {
  const { n, noise, flip, gen } = setup('makeGaussians', options);
  const centers = options.centers ?? [[-1, -1], [1, 1]];
  const std = options.std ?? 0.5;
  if (centers.length < 2 || centers.some((c) => c.length !== 2 || !c.every(Number.isFinite))) {
    throw new Error(`makeGaussians: centers must be at least two finite [x, y] pairs, got ${JSON.stringify(centers)}`);
  }
  if (!Number.isFinite(std) || std < 0) throw new Error(`makeGaussians: std must be a finite number ≥ 0, got ${std}`);
  const y = classOf(n, centers.length);
  shuffleInPlace(y, gen);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = centers[y[i]][0] + std * gen.nextNormal();
    x[2 * i + 1] = centers[y[i]][1] + std * gen.nextNormal();
  }
  return finish(x, y, centers.length, noise, flip, gen);
}

export interface SpiralOptions extends SyntheticOptions {
  /** Number of arms, one class each (default 2). */
  classes?: number;
  /** Turns each arm makes from the center to radius 1 (default 1.75, as the TensorFlow playground). */
  turns?: number;
}

/**
 * Interleaved spiral arms: for class k of K, radius r ~ Uniform[0, 1) and angle θ = 2π·turns·r + 2πk/K,
 * x = r·(cos θ, sin θ). Classes of (nearly) equal size in random order.
 */
export function makeSpiral(options: SpiralOptions): SyntheticSet {
  const { n, noise, flip, gen } = setup('makeSpiral', options);
  const classes = options.classes ?? 2;
  const turns = options.turns ?? 1.75;
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`makeSpiral: classes must be an integer ≥ 2, got ${classes}`);
  if (!Number.isFinite(turns) || turns <= 0) throw new Error(`makeSpiral: turns must be a positive number, got ${turns}`);
  const y = classOf(n, classes);
  shuffleInPlace(y, gen);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = gen.nextDouble();
    const theta = 2 * Math.PI * turns * r + (2 * Math.PI * y[i]) / classes;
    x[2 * i] = r * Math.cos(theta);
    x[2 * i + 1] = r * Math.sin(theta);
  }
  return finish(x, y, classes, noise, flip, gen);
}

/**
 * Two interleaving half circles (scikit-learn's make_moons): class 0 on the upper arc (cos t, sin t), class 1 on
 * the lower arc (1 − cos t, 0.5 − sin t), with t ~ Uniform[0, π]. Classes of (nearly) equal size in random order.
 */
export function makeMoons(options: SyntheticOptions): SyntheticSet {
  const { n, noise, flip, gen } = setup('makeMoons', options);
  const y = classOf(n, 2);
  shuffleInPlace(y, gen);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * gen.nextDouble();
    x[2 * i] = y[i] === 0 ? Math.cos(t) : 1 - Math.cos(t);
    x[2 * i + 1] = y[i] === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
  }
  return finish(x, y, 2, noise, flip, gen);
}
