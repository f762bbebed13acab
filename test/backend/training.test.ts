/**
 * Backends agree end to end (the same small training reaches the same losses), the native kernels are
 * bit-identical run to run with 2 threads, and backend selection reports what it chose.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import {
  backend, backendInfo, getNumThreads, listBackends, nativeAddon, setBackend, setNumThreads,
} from '../../src/backend/index.js';
import { Generator, type Tensor, crossEntropy, noGrad, randint, randn } from '../../src/index.js';

const addon = nativeAddon();
const NAMES = listBackends();
const nativeNote = addon ? '' : ' (native addon NOT BUILT: js only)';

/** Runs `body` with backend `name`, restoring the previous backend after. */
function using<T>(name: string, body: () => T): T {
  const before = backend().name;
  setBackend(name);
  try {
    return body();
  } finally {
    setBackend(before);
  }
}

/** Losses of `steps` SGD steps of a 20-64-32-5 MLP written with raw ops, batch 96, from a fixed seed. */
function trainMlp(steps: number): number[] {
  const g = new Generator(42);
  const param = (shape: number[], scale: number): Tensor => randn(shape, { generator: g }).mul(scale).detach().requiresGrad_(true);
  const w1 = param([20, 64], 0.3);
  const b1 = param([64], 0.1);
  const w2 = param([64, 32], 0.2);
  const b2 = param([32], 0.1);
  const w3 = param([32, 5], 0.2);
  const b3 = param([5], 0.1);
  const x = randn([96, 20], { generator: g });
  const y = randint(0, 5, [96], { generator: g });
  const params = [w1, b1, w2, b2, w3, b3];
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const h1 = x.matmul(w1).add(b1).relu();
    const h2 = h1.matmul(w2).add(b2).tanh();
    const loss = crossEntropy(h2.matmul(w3).add(b3), y);
    for (const p of params) p.grad = null;
    loss.backward();
    noGrad(() => {
      for (const p of params) p.copy_(p.sub(p.grad!.mul(0.5)));
    });
    losses.push(loss.item());
  }
  return losses;
}

test(`every backend trains the same MLP to the same losses${nativeNote}`, () => {
  const runs = NAMES.map((name) => [name, using(name, () => trainMlp(8))] as const);
  const [, ref] = runs[0];
  assert.ok(ref[ref.length - 1] < ref[0] - 0.05, `training should lower the loss: ${ref.join(', ')}`);
  for (const [name, losses] of runs) {
    // float32 GEMMs summed in another order: relative differences of ~1e-6, grown a little over 8 steps.
    for (let i = 0; i < ref.length; i++) {
      assert.ok(Math.abs(losses[i] - ref[i]) <= 2e-5 * Math.abs(ref[i]), `${name} step ${i}: loss ${losses[i]} vs ${runs[0][0]} ${ref[i]}`);
    }
  }
});

test(`native kernels are bit-identical run to run with 2 threads, and equal to 1 thread${nativeNote}`, { skip: addon ? false : 'native addon not built' }, () => {
  const before = getNumThreads();
  try {
    const g = new Generator(3);
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => g.nextFloat() - 0.5);
    // Big enough for the pool: 2·200·700·300 flops, 600k-element elementwise ops, a 600k-element sum.
    const [m, k, n] = [200, 700, 300];
    const a = rand(m * k);
    const b = rand(k * n);
    const run = (): Float32Array[] => {
      const c = new Float32Array(m * n);
      addon!.gemm(a, b, c, 1, m, k, n, false, true);
      const e = new Float32Array(a.length);
      addon!.unary(2, a, e);
      const s = new Float32Array(a.length);
      addon!.binary(3, a, e, s, 1, a.length, 0, 1, 0, 1);
      const r = new Float32Array(m);
      addon!.sum(a, r, m, k, 1);
      return [c, e, s, r];
    };
    assert.equal(setNumThreads(2), Math.min(2, addon!.info().cores));
    const first = run();
    for (let rep = 0; rep < 3; rep++) {
      run().forEach((arr, i) => assert.deepEqual(new Uint8Array(arr.buffer), new Uint8Array(first[i].buffer), `output ${i}, repeat ${rep}`));
    }
    setNumThreads(1);
    run().forEach((arr, i) => assert.deepEqual(new Uint8Array(arr.buffer), new Uint8Array(first[i].buffer), `output ${i}, 1 thread`));
  } finally {
    setNumThreads(before);
  }
});

test('backendInfo names the backend in use, the ones available, why, and its threads', () => {
  const info = backendInfo();
  assert.deepEqual(info.available, NAMES);
  assert.equal(info.name, backend().name);
  assert.ok(info.reason.startsWith(`${info.name}: `), info.reason);
  if (!process.env.BACKPROP_BACKEND) {
    // By default the native backend is chosen when it loads, else wasm; the reason then says why not native.
    assert.equal(info.name, addon ? 'native' : NAMES.includes('wasm') ? 'wasm' : 'js');
    if (!addon) assert.match(info.reason, /native addon (not built|failed to load|not loaded)/);
  }
  const start = backendInfo();
  using('js', () => {
    const reason = start.name === 'js' ? start.reason : 'js: chosen by setBackend';
    assert.deepEqual(backendInfo(), { name: 'js', available: NAMES, reason, threads: 1 });
  });
  assert.deepEqual(backendInfo(), start, 'going back to the backend chosen at start restores its reason');
  if (addon) {
    using('native', () => {
      const before = getNumThreads();
      setNumThreads(1);
      assert.match(backendInfo().reason, /^native: (AVX2\+FMA|portable C \(no AVX2\+FMA on this CPU\)), 1 thread(; .+)?$/);
      assert.equal(backendInfo().threads, 1);
      setNumThreads(before);
    });
  }
});

test('setNumThreads clamps to the cores and rejects non-positive or fractional counts', () => {
  const before = getNumThreads();
  try {
    // Native and wasm clamp to the cores; js has one thread (getNumThreads reports the current backend's).
    const cores = addon || NAMES.includes('wasm') ? availableParallelism() : 1;
    assert.equal(setNumThreads(1000), cores);
    assert.equal(getNumThreads(), backend().name === 'js' ? 1 : cores);
    assert.equal(setNumThreads(1), 1);
    assert.throws(() => setNumThreads(0), /setNumThreads: got 0; expected a positive integer/);
    assert.throws(() => setNumThreads(1.5), /setNumThreads: got 1.5/);
  } finally {
    setNumThreads(before);
  }
});

test('setBackend rejects an unknown name and lists the available ones', () => {
  assert.throws(() => setBackend('tpu'), new RegExp(`setBackend: unknown backend 'tpu'; available: ${NAMES.join(', ')}`));
});

test('the addon rejects wrong arguments with an Error instead of reading out of bounds', { skip: addon ? false : 'native addon not built' }, () => {
  const f = new Float32Array(4);
  assert.throws(() => addon!.gemm(f, f, f, 1, 3, 3, 3, false, false), /backprop_native.gemm: an array is shorter/);
  assert.throws(() => addon!.gemm(f, new Float64Array(4), f, 1, 2, 2, 1, false, false), /must all be Float32Array or all Float64Array/);
  assert.throws(() => addon!.binary(0, f, f, f, 2, 3, 3, 1, 0, 1), /backprop_native.binary: bad sizes|strides reach past/);
  assert.throws(() => addon!.binary(12, f, f, f, 1, 4, 0, 1, 0, 1), /op must be 0/);
  assert.throws(() => addon!.binary(8, f, f, f, 1, 4, 0, 1, 0, 1), /out must be a Uint8Array for a comparison/);
  assert.throws(() => addon!.cast(f, new Int32Array(4) as unknown as Float32Array), /out must be a Float32Array or Float64Array/);
  assert.throws(() => addon!.sum(f, f, 2, 3, 1), /backprop_native.sum: bad sizes/);
  assert.throws(() => addon!.unary(0, new Float64Array(4) as unknown as Float32Array, f), /Float32Array/);
});
