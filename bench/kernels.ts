/**
 * js vs native per call for the fused and conv kernels, medians of several runs (1 and 2 threads):
 *   npx tsx bench/kernels.ts            all
 *   npx tsx bench/kernels.ts --only maxPool   the rows whose name contains 'maxPool'
 *   npx tsx bench/kernels.ts --sizes    the sgd/adam/softmax crossovers (single thread), for NATIVE_MIN_ELEMENTS
 */
import { backend, getNumThreads, setBackend, setNumThreads } from '../src/backend/index.js';
import { jsBackend } from '../src/backend/js/index.js';
import { NATIVE_MIN_ELEMENTS } from '../src/backend/native/index.js';
import type { Backend, Window2d } from '../src/backend/types.js';

setBackend('native');
const nat: Backend = backend();

function rand(n: number, T: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Float32Array | Float64Array {
  const a = new T(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    a[i] = s / 0x7fffffff - 0.5;
  }
  return a;
}

/** Median µs per call of fn over `runs` batches, each long enough (≥ 5 ms) to time. */
function time(fn: () => void, runs = 7): number {
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 > 5) break;
    reps *= 2;
  }
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    ts.push(((performance.now() - t0) * 1000) / reps);
  }
  ts.sort((a, b) => a - b);
  return ts[runs >> 1];
}

const f = (us: number): string => (us >= 100 ? us.toFixed(0) : us.toFixed(2)).padStart(8);

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : '';

function row(name: string, run: (b: Backend) => void): void {
  if (only && !name.includes(only)) return;
  const tj = time(() => run(jsBackend));
  setNumThreads(1);
  const t1 = time(() => run(nat));
  setNumThreads(2);
  const t2 = time(() => run(nat));
  console.log(`${name.padEnd(44)} js ${f(tj)} µs   native 1t ${f(t1)} µs (${(tj / t1).toFixed(1)}×)   2t ${f(t2)} µs (${(tj / t2).toFixed(1)}×)`);
}

function win(k: number, s: number, p: number, h: number, w: number): Window2d {
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((w + 2 * p - k) / s) + 1;
  return { kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1, oh, ow };
}

const threads0 = getNumThreads();
if (process.argv.includes('--sizes')) {
  setNumThreads(1);
  // The addon at every size, to see where it starts to win.
  const saved = { ...NATIVE_MIN_ELEMENTS };
  for (const k of Object.keys(NATIVE_MIN_ELEMENTS) as (keyof typeof NATIVE_MIN_ELEMENTS)[]) NATIVE_MIN_ELEMENTS[k] = 0;
  for (const n of [8, 16, 32, 64, 128, 256, 1024]) {
    const [p, g, b, m, v] = [rand(n), rand(n), rand(n), rand(n), rand(n).map(Math.abs) as Float32Array];
    const so = { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, first: false };
    const ao = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 3, decoupled: false };
    const x = rand(n);
    const out = new Float32Array(n);
    const cols = Math.min(n, 10);
    const rows = Math.floor(n / cols);
    const t = new Int32Array(n);
    const loss = new Float32Array(rows);
    console.log(`n=${String(n).padStart(5)}  sgd js ${f(time(() => jsBackend.sgdStep(p, g, b, so)))} nat ${f(time(() => nat.sgdStep(p, g, b, so)))}` +
      `   adam js ${f(time(() => jsBackend.adamStep(p, g, m, v, null, ao)))} nat ${f(time(() => nat.adamStep(p, g, m, v, null, ao)))}` +
      `   sce ${rows}×${cols} js ${f(time(() => jsBackend.softmaxCrossEntropy(x, rows, cols, t, -100, loss, out)))} nat ${f(time(() => nat.softmaxCrossEntropy(x, rows, cols, t, -100, loss, out)))}` +
      `   unfold js ${f(time(() => jsBackend.unfold2d(x, [1, 1, n, 1], win(1, 1, 0, n, 1), out)))} nat ${f(time(() => nat.unfold2d(x, [1, 1, n, 1], win(1, 1, 0, n, 1), out)))}` +
      `   pool js ${f(time(() => jsBackend.maxPool2d(x, [1, 1, n, 1], win(1, 1, 0, n, 1), out, t)))} nat ${f(time(() => nat.maxPool2d(x, [1, 1, n, 1], win(1, 1, 0, n, 1), out, t)))}` +
      `   tanh' js ${f(time(() => jsBackend.activationBackward('tanh', x, g, out)))} nat ${f(time(() => nat.activationBackward('tanh', x, g, out)))}` +
      `   bce js ${f(time(() => jsBackend.bceWithLogits(x, p, out)))} nat ${f(time(() => nat.bceWithLogits(x, p, out)))}` +
      `   bce' js ${f(time(() => jsBackend.bceWithLogitsBackward(x, p, null, 0.5, out)))} nat ${f(time(() => nat.bceWithLogitsBackward(x, p, null, 0.5, out)))}`);
  }
  Object.assign(NATIVE_MIN_ELEMENTS, saved);
} else {
  // Optimizer steps on the MLP's and LeNet's parameter sizes.
  for (const [n, what] of [[784 * 256, '784×256'], [256 * 128, '256×128'], [2400, 'conv2 16×6×5×5']] as const) {
    for (const T of [Float32Array, Float64Array]) {
      const [p, g, b, m] = [rand(n, T), rand(n, T), rand(n, T), rand(n, T)];
      const v = rand(n, T).map(Math.abs) as typeof p;
      const dt = T === Float32Array ? 'f32' : 'f64';
      row(`sgdStep momentum ${what} ${dt}`, (B) => B.sgdStep(p, g, b, { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false, first: false }));
      row(`adamStep ${what} ${dt}`, (B) => B.adamStep(p, g, m, v, null, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 3, decoupled: false }));
    }
  }
  // Softmax rows: the MLP's batch, and a large one.
  for (const [rows, cols] of [[64, 10], [512, 1000]] as const) {
    for (const T of [Float32Array, Float64Array]) {
      const dt = T === Float32Array ? 'f32' : 'f64';
      const x = rand(rows * cols, T).map((v) => v * 8) as Float32Array;
      const out = new T(rows * cols);
      const gx = new T(rows * cols);
      const loss = new T(rows);
      const gl = rand(rows, T);
      const t = Int32Array.from({ length: rows }, (_, i) => (i * 7) % cols);
      row(`logSoftmax ${rows}×${cols} ${dt}`, (B) => B.logSoftmax(x, rows, cols, out));
      row(`logSoftmaxBackward ${rows}×${cols} ${dt}`, (B) => B.logSoftmaxBackward(out, x, rows, cols, gx));
      row(`softmaxCrossEntropy ${rows}×${cols} ${dt}`, (B) => B.softmaxCrossEntropy(x, rows, cols, t, -100, loss, out));
      row(`softmaxCrossEntropyBackward ${rows}×${cols} ${dt}`, (B) => B.softmaxCrossEntropyBackward(out, t, -100, gl, rows, cols, gx));
    }
  }
  // Activation backwards on W1's 64×256 hidden layer and W3's 500×8; binary cross-entropy on W3's 500 logits and a large batch.
  for (const T of [Float32Array, Float64Array]) {
    const dt = T === Float32Array ? 'f32' : 'f64';
    for (const n of [500 * 8, 64 * 256]) {
      const [y, g, out] = [rand(n, T), rand(n, T), new T(n)];
      for (const op of ['relu', 'tanh', 'sigmoid'] as const) row(`activationBackward ${op} ${n} ${dt}`, (B) => B.activationBackward(op, y, g, out));
    }
    for (const n of [500, 65536]) {
      const out = new T(n);
      const x = rand(n, T).map((v) => v * 16) as typeof out;
      const [t, g] = [rand(n, T).map(Math.abs) as typeof out, rand(n, T)];
      row(`bceWithLogits ${n} ${dt}`, (B) => B.bceWithLogits(x, t, out));
      row(`bceWithLogitsBackward ${n} ${dt}`, (B) => B.bceWithLogitsBackward(x, t, g, 0, out));
    }
  }
  // LeNet-5 on MNIST at batch 64: conv1 6@5×5 pad 2 on [64,1,28,28], pool 2, conv2 16@5×5 on [64,6,14,14], pool 2.
  const lenet: [string, number[], Window2d, 'conv' | 'pool'][] = [
    ['conv1', [64, 1, 28, 28], win(5, 1, 2, 28, 28), 'conv'],
    ['pool1', [64, 6, 28, 28], win(2, 2, 0, 28, 28), 'pool'],
    ['conv2', [64, 6, 14, 14], win(5, 1, 0, 14, 14), 'conv'],
    ['pool2', [64, 16, 10, 10], win(2, 2, 0, 10, 10), 'pool'],
  ];
  for (const T of [Float32Array, Float64Array]) {
    const dt = T === Float32Array ? 'f32' : 'f64';
    for (const [name, shape, w, kind] of lenet) {
      const [N, C, H, W] = shape;
      const x = rand(N * C * H * W, T);
      if (kind === 'conv') {
        const cols = new T(N * C * w.kh * w.kw * w.oh * w.ow);
        const back = new T(N * C * H * W);
        row(`unfold2d ${name} [${shape}] ${dt}`, (B) => B.unfold2d(x, shape, w, cols));
        row(`fold2d ${name} [${shape}] ${dt}`, (B) => B.fold2d(cols, shape, w, back));
        // The fused conv kernels with LeNet's channels (conv1 6 out, conv2 16 out), bias on; backward with the
        // gradients W2 needs (conv1: weight and bias only, its input is data; conv2: all three).
        const co = C === 1 ? 6 : 16;
        const wShape = [co, C, w.kh, w.kw];
        const [wt, bias] = [rand(co * C * w.kh * w.kw, T), rand(co, T)];
        const [out, g] = [new T(N * co * w.oh * w.ow), rand(N * co * w.oh * w.ow, T)];
        const [gw, gb] = [new T(wt.length), new T(co)];
        const gx = C === 1 ? null : back;
        const gflop = (2 * N * co * C * w.kh * w.kw * w.oh * w.ow) / 1e3;
        row(`conv2d ${name} [${shape}] ${dt} (${gflop.toFixed(0)} kFLOP)`, (B) => B.conv2d(x, shape, wt, wShape, bias, w, 1, out));
        row(`conv2dBackward ${name} ${gx ? 'gx gw gb' : 'gw gb'} ${dt}`, (B) => B.conv2dBackward(x, shape, wt, wShape, w, 1, g, gx, gw, gb));
      } else {
        const out = new T(N * C * w.oh * w.ow);
        const am = new Int32Array(out.length);
        row(`maxPool2d ${name} [${shape}] ${dt}`, (B) => B.maxPool2d(x, shape, w, out, am));
      }
    }
  }
  // BatchNorm2d's statistics: Σ over [0, 2, 3] of [64, 16, 10, 10] and [64, 6, 28, 28].
  for (const shape of [[64, 16, 10, 10], [64, 6, 28, 28]]) {
    const x = rand(shape.reduce((a, b) => a * b, 1));
    const out = new Float32Array(shape[1]);
    row(`reduce sum [${shape}] axes [0,2,3] f32`, (B) => B.reduce('sum', x, shape, [0, 2, 3], out));
  }
  // The DataLoader's batch gather: [8000, 784] → [64, 784].
  {
    const x = rand(8000 * 784);
    const idx = Int32Array.from({ length: 64 }, (_, i) => (i * 997) % 8000);
    const out = new Float32Array(64 * 784);
    row('indexSelect dim 0 [8000,784] → [64,784] f32', (B) => B.indexSelect(x, [8000, 784], 0, idx, out));
  }
}
setNumThreads(threads0);
