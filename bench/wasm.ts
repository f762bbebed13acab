/**
 * Measures the wasm backend against the js one: GEMM GFLOP/s (both builds, copies in and out included), the
 * GEMM at 1 and 2 threads (for WASM_MIN_FLOPS_PER_THREAD), and the sizes from which each wasm kernel wins
 * (for WASM_MIN_ELEMENTS). Run: npx tsx bench/wasm.ts [--gemm|--threads|--kernels]
 */
import { jsBackend } from '../src/backend/js/index.js';
import type { Backend } from '../src/backend/types.js';
import { createWasmBackend, getWasmThreads, setWasmThreads, useWasmBuild, wasmInfo, wasmThreadsReady } from '../src/backend/wasm/index.js';

const wasm = createWasmBackend();
if (!wasm) throw new Error(`wasm backend unavailable: ${wasmInfo().reason}`);
const which = process.argv[2] ?? '';

/** Best-of-7 milliseconds per call of f, each trial about `ms` long. */
function time(f: () => void, ms = 30): number {
  f();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    if (performance.now() - t0 > ms / 4) break;
    reps *= 2;
  }
  let best = Infinity;
  for (let t = 0; t < 7; t++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

const rnd = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);

function gemmRate(B: Backend, m: number, k: number, n: number, tA: boolean, tB: boolean): number {
  const a = rnd(m * k);
  const b = rnd(k * n);
  const c = new Float32Array(m * n);
  return (2 * m * k * n) / time(() => B.matmul(a, b, c, 1, m, k, n, tA, tB)) / 1e6;
}

/** Sets the wasm GEMM's threads and waits until its workers serve. */
async function threads(n: number): Promise<void> {
  setWasmThreads(n);
  if (n > 1 && !(await wasmThreadsReady())) throw new Error(`wasm threads did not start: ${wasmInfo().reason}`);
}

const threadsBefore = getWasmThreads();
await threads(1);

if (which === '--threads') {
  const shapes: [string, number, number, number, boolean, boolean][] = [
    ['16³', 16, 16, 16, false, false], ['32³', 32, 32, 32, false, false], ['48³', 48, 48, 48, false, false],
    ['64³', 64, 64, 64, false, false], ['96³', 96, 96, 96, false, false], ['128³', 128, 128, 128, false, false], ['160³', 160, 160, 160, false, false], ['192³', 192, 192, 192, false, false],
    ['256³', 256, 256, 256, false, false], ['1024³', 1024, 1024, 1024, false, false],
    ['x·Wᵀ 64×784×256', 64, 784, 256, false, true], ['dY·W 64×256×784', 64, 256, 784, false, false], ['dYᵀ·X 256×64×784', 256, 64, 784, true, false],
    ['x·Wᵀ 64×256×128', 64, 256, 128, false, true], ['dY·W 64×128×256', 64, 128, 256, false, false], ['dYᵀ·X 128×64×256', 128, 64, 256, true, false],
    ['x·Wᵀ 64×128×10', 64, 128, 10, false, true],
  ];
  console.log(`GEMM GFLOP/s, float32, wasm ${wasmInfo().build}, 1 and 2 threads (best of 7; copies included)`);
  console.log('shape | MFLOP | 1 thread | 2 threads | ratio');
  for (const [name, m, k, n, tA, tB] of shapes) {
    await threads(1);
    const one = gemmRate(wasm, m, k, n, tA, tB);
    await threads(2);
    const two = gemmRate(wasm, m, k, n, tA, tB);
    console.log(`${name} | ${((2 * m * k * n) / 1e6).toFixed(2)} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${(two / one).toFixed(2)}`);
  }
}

if (which !== '--kernels' && which !== '--threads') {
  const shapes: [string, number, number, number, boolean, boolean][] = [
    ['64³', 64, 64, 64, false, false], ['256³', 256, 256, 256, false, false], ['512³', 512, 512, 512, false, false],
    ['1024³', 1024, 1024, 1024, false, false],
    ['x·Wᵀ 64×784×256', 64, 784, 256, false, true], ['dY·W 64×256×784', 64, 256, 784, false, false], ['dYᵀ·X 256×64×784', 256, 64, 784, true, false],
    ['x·Wᵀ 64×256×128', 64, 256, 128, false, true], ['dY·W 64×128×256', 64, 128, 256, false, false], ['dYᵀ·X 128×64×256', 128, 64, 256, true, false],
  ];
  console.log('GEMM GFLOP/s, float32, 1 thread (copies into and out of wasm memory included)');
  console.log('shape | wasm relaxed-SIMD | wasm SIMD128 | js');
  for (const [name, m, k, n, tA, tB] of shapes) {
    useWasmBuild('relaxed-simd');
    const r = gemmRate(wasm, m, k, n, tA, tB);
    useWasmBuild('simd128');
    const p = gemmRate(wasm, m, k, n, tA, tB);
    const j = m * k * n > 1e8 ? NaN : gemmRate(jsBackend, m, k, n, tA, tB);
    console.log(`${name} | ${r.toFixed(1)} | ${p.toFixed(1)} | ${j.toFixed(1)}`);
  }
  useWasmBuild('relaxed-simd');
}

if (which !== '--gemm' && which !== '--threads') {
  const ratio = (f: (B: Backend) => () => void): string => (time(f(jsBackend), 10) / time(f(wasm), 10)).toFixed(2);
  const sizes = [16, 32, 64, 128, 256, 512, 1024, 4096, 65536];
  console.log('\njs time / wasm time (> 1: wasm wins), by element count (GEMM: cube side)');
  console.log(`kernel | ${sizes.join(' | ')}`);
  const row = (name: string, f: (n: number) => (B: Backend) => () => void): void =>
    console.log(`${name} | ${sizes.map((n) => ratio(f(n))).join(' | ')}`);
  row('matmul n³→', (n) => {
    const s = Math.max(2, Math.round(Math.cbrt(n)));
    const [a, b, c] = [rnd(s * s), rnd(s * s), new Float32Array(s * s)];
    return (B) => () => B.matmul(a, b, c, 1, s, s, s, false, false);
  });
  for (const op of ['relu', 'exp', 'tanh', 'sigmoid'] as const) {
    row(op, (n) => {
      const [x, o] = [rnd(n), new Float32Array(n)];
      return (B) => () => B.unary(op, x, o);
    });
  }
  row('add', (n) => {
    const [x, y, o] = [rnd(n), rnd(n), new Float32Array(n)];
    return (B) => () => B.binary('add', x, [n], y, [n], o, [n]);
  });
  row('add bias', (n) => {
    const [x, y, o] = [rnd(n), rnd(16), new Float32Array(n)];
    return (B) => () => B.binary('add', x, [n / 16, 16], y, [16], o, [n / 16, 16]);
  });
  row('sum rows', (n) => {
    const [x, o] = [rnd(n), new Float32Array(n / 16)];
    return (B) => () => B.reduce('sum', x, [n / 16, 16], [1], o);
  });
  row('sum cols', (n) => {
    const [x, o] = [rnd(n), new Float32Array(16)];
    return (B) => () => B.reduce('sum', x, [n / 16, 16], [0], o);
  });
  row('sgd momentum', (n) => {
    const [p, g, b] = [rnd(n), rnd(n), rnd(n)];
    const o = { lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, first: false };
    return (B) => () => B.sgdStep(p, g, b, o);
  });
  row('adam', (n) => {
    const [p, g, m, v] = [rnd(n), rnd(n), rnd(n), rnd(n).map(Math.abs)];
    const o = { lr: 1e-6, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 3, decoupled: false };
    return (B) => () => B.adamStep(p, g, m, v, null, o);
  });
  row('logSoftmax ×10', (n) => {
    const [x, o] = [rnd(n), new Float32Array(n)];
    return (B) => () => B.logSoftmax(x, n / 16, 16, o);
  });
  row('logSoftmaxBackward', (n) => {
    const [y, g, o] = [rnd(n), rnd(n), new Float32Array(n)];
    return (B) => () => B.logSoftmaxBackward(y, g, n / 16, 16, o);
  });
  row('softmaxCE', (n) => {
    const [x, l, p] = [rnd(n), new Float32Array(n / 16), new Float32Array(n)];
    const t = new Int32Array(n / 16).fill(3);
    return (B) => () => B.softmaxCrossEntropy(x, n / 16, 16, t, -100, l, p);
  });
  row('softmaxCE backward', (n) => {
    const [p, g, o] = [rnd(n), rnd(n / 16), new Float32Array(n)];
    const t = new Int32Array(n / 16).fill(3);
    return (B) => () => B.softmaxCrossEntropyBackward(p, t, -100, g, n / 16, 16, o);
  });
}

setWasmThreads(threadsBefore);
