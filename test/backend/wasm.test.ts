/**
 * The wasm backend beyond the shared kernel suite: the module loads in Node, both builds (relaxed SIMD and
 * plain SIMD128) agree with the js GEMM and fused kernels, the arena grows and shrinks back to small calls
 * correctly, the threaded GEMM equals the 1-thread one bit for bit, setNumThreads reaches it, a worker's
 * death costs only speed, a Node process with workers exits on its own, the committed binary.ts is what
 * wasm/assembly compiles to, and BACKPROP_BACKEND=wasm selects it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backend, backendInfo, getNumThreads, listBackends, setBackend, setNumThreads } from '../../src/backend/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import type { Backend, SGDStep } from '../../src/backend/types.js';
import {
  createWasmBackend, getWasmThreads, killWasmWorker, setWasmMinFlopsPerThread, setWasmThreads, splitOutput, useWasmBuild, wasmInfo,
  wasmMemoryBytes, wasmPartsByWorkers, wasmThreadsReady, type WasmBuild,
} from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function randn(g: Generator, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sqrt(-2 * Math.log(1 - g.nextFloat())) * Math.cos(2 * Math.PI * g.nextFloat());
  return a;
}

/** Runs body with the backend switched to `build`, restoring the previous build after. */
function withBuild(build: WasmBuild, body: () => void): void {
  const before = useWasmBuild(build);
  try {
    assert.equal(wasmInfo().build, build);
    body();
  } finally {
    useWasmBuild(before);
  }
}

/** Float64 reference product and Σ|a||b| per element (the scale of the rounding error bound). */
function refGemm(a: Float32Array, b: Float32Array, m: number, k: number, n: number, tA: boolean, tB: boolean): [Float64Array, Float64Array] {
  const out = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let s1 = 0;
      for (let q = 0; q < k; q++) {
        const p = (tA ? a[q * m + i] : a[i * k + q]) * (tB ? b[j * k + q] : b[q * n + j]);
        s += p;
        s1 += Math.abs(p);
      }
      out[i * n + j] = s;
      mag[i * n + j] = s1;
    }
  }
  return [out, mag];
}

/** |got − want| ≤ 2(k + 1)·u·Σ|a||b| (u = 2⁻²⁴): any summation order, FMA or not, stays within it. */
function assertGemmClose(got: Float32Array, want: Float64Array, mag: Float64Array, k: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const tol = 2 * (k + 1) * 2 ** -24 * mag[i];
    if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`${what}: [${i}] = ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
  }
}

const wasm = createWasmBackend();
const builds: WasmBuild[] = wasmInfo().relaxedAvailable ? ['relaxed-simd', 'simd128'] : ['simd128'];
const cores = availableParallelism();
/** Threads a '2 threads' run really gets (1 on a one-core machine). */
const two = Math.min(2, cores);

/** Runs body with the wasm GEMM on `n` threads (workers ready), restoring the count after. */
async function withThreads(n: number, body: () => void): Promise<void> {
  const before = getWasmThreads();
  try {
    assert.equal(setWasmThreads(n), Math.min(n, cores));
    if (n > 1 && cores > 1) assert.ok(await wasmThreadsReady(), `workers did not start: ${wasmInfo().reason}`);
    body();
  } finally {
    setWasmThreads(before);
  }
}

test('the wasm module loads in Node, with the relaxed-SIMD build, and is registered as a backend', async () => {
  assert.ok(wasm, `wasm backend did not load: ${wasmInfo().reason}`);
  assert.equal(wasm.name, 'wasm');
  assert.ok(listBackends().includes('wasm'));
  // Node 20 validates relaxed SIMD once V8's flag is set, which the loader does.
  assert.equal(wasmInfo().build, 'relaxed-simd');
  // Threads default to the cores, like native.
  assert.equal(wasmInfo().threads, cores);
  await withThreads(1, () => {
    assert.equal(wasmInfo().reason, 'SIMD128 + relaxed-SIMD FMA, 1 thread');
    withBuild('simd128', () => assert.equal(wasmInfo().reason, 'SIMD128, 1 thread'));
  });
  if (cores > 1) await withThreads(2, () => assert.equal(wasmInfo().reason, 'SIMD128 + relaxed-SIMD FMA, 2 threads (workers)'));
});

test('splitOutput covers every output element exactly once, in whole 4×8 tiles, along the longer side', () => {
  for (const [m, n] of [[1, 1], [64, 256], [256, 64], [97, 2050], [5, 9], [3, 1000], [1000, 3], [64, 784]]) {
    for (const parts of [1, 2, 3, 4, 7, 64]) {
      const ranges = splitOutput(m, n, parts);
      const units = n >= m ? Math.ceil(n / 8) : Math.ceil(m / 4);
      assert.equal(ranges.length, Math.min(parts, units), `${m}×${n} into ${parts}`);
      const seen = new Uint8Array(m * n);
      for (const [i0, i1, j0, j1] of ranges) {
        if (n >= m) assert.ok(i0 === 0 && i1 === m && j0 % 8 === 0 && (j1 % 8 === 0 || j1 === n), `${m}×${n}: ${[i0, i1, j0, j1]}`);
        else assert.ok(j0 === 0 && j1 === n && i0 % 4 === 0 && (i1 % 4 === 0 || i1 === m), `${m}×${n}: ${[i0, i1, j0, j1]}`);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) seen[i * n + j]++;
      }
      assert.ok(seen.every((v) => v === 1), `${m}×${n} into ${parts}: every element once`);
    }
  }
});

test('the threaded GEMM equals the 1-thread GEMM bit for bit (odd shapes, the MLP shapes, batches, both builds)', async () => {
  const g = new Generator(14);
  // [batch, m, k, n, transA, transB]: split by columns and by rows, tails of the 4×8 tile, k past a 256 block,
  // and (with every GEMM split, below) shapes too small to be split by default.
  const shapes: [number, number, number, number, boolean, boolean][] = [
    [1, 64, 784, 256, false, true], [1, 64, 256, 784, false, false], [1, 256, 64, 784, true, false],
    [1, 64, 256, 128, false, true], [1, 64, 128, 256, false, false], [1, 128, 64, 256, true, false],
    [1, 97, 257, 2050, false, false], [1, 301, 129, 83, true, true], [1, 131, 270, 129, false, true], [3, 45, 513, 67, true, false],
    [1, 2051, 33, 57, false, false], [1, 9, 13, 7, false, false], [2, 5, 3, 21, true, true],
  ];
  const cases = shapes.map(([batch, m, k, n, tA, tB]) => ({ batch, m, k, n, tA, tB, a: randn(g, batch * m * k), b: randn(g, batch * k * n) }));
  for (const build of builds) {
    const single: Float32Array[] = [];
    await withThreads(1, () => withBuild(build, () => {
      for (const c of cases) {
        const out = new Float32Array(c.batch * c.m * c.n).fill(NaN);
        wasm!.matmul(c.a, c.b, out, c.batch, c.m, c.k, c.n, c.tA, c.tB);
        single.push(out);
      }
    }));
    // Every GEMM split, however small; the build chosen first, so that its own workers are the ones awaited.
    const minFlops = setWasmMinFlopsPerThread(1);
    const buildBefore = useWasmBuild(build);
    try {
      await withThreads(2, () => {
        assert.equal(wasmInfo().build, build);
        assert.equal(wasmInfo().threads, two);
        cases.forEach((c, i) => {
          const out = new Float32Array(c.batch * c.m * c.n).fill(NaN);
          wasm!.matmul(c.a, c.b, out, c.batch, c.m, c.k, c.n, c.tA, c.tB);
          const what = `${build} b=${c.batch} ${c.m}×${c.k}×${c.n} ${c.tA ? 'T' : 'N'}${c.tB ? 'T' : 'N'}`;
          for (let j = 0; j < out.length; j++) {
            if (!Object.is(out[j], single[i][j])) assert.fail(`${what}: [${j}] = ${out[j]} on ${two} threads, ${single[i][j]} on 1`);
          }
        });
      });
    } finally {
      useWasmBuild(buildBefore);
      setWasmMinFlopsPerThread(minFlops);
    }
  }
});

test('the workers do compute parts of a GEMM', { skip: cores < 2 ? 'one core' : false }, async () => {
  const g = new Generator(15);
  const [m, k, n] = [256, 256, 256];
  const a = randn(g, m * k);
  const b = randn(g, k * n);
  const out = new Float32Array(m * n);
  await withThreads(2, () => {
    const before = wasmPartsByWorkers();
    // A worker wakes within microseconds; the loop only bounds the wait on a crowded machine.
    for (let i = 0; i < 200 && wasmPartsByWorkers() === before; i++) wasm!.matmul(a, b, out, 1, m, k, n, false, false);
    assert.ok(wasmPartsByWorkers() > before, 'no part was computed by a worker');
  });
});

test('setNumThreads sets the wasm thread count, clamped to the cores, and backendInfo reports it', async () => {
  const before = backend().name;
  const threadsBefore = getWasmThreads();
  setBackend('wasm');
  try {
    assert.equal(setNumThreads(1), 1);
    assert.equal(getNumThreads(), 1);
    assert.equal(backendInfo().threads, 1);
    assert.match(backendInfo().reason, /^wasm: SIMD128 \+ relaxed-SIMD FMA, 1 thread(;|$)/);
    assert.equal(setNumThreads(2), two);
    assert.equal(getNumThreads(), two);
    assert.equal(getWasmThreads(), two);
    if (cores > 1) assert.match(backendInfo().reason, /^wasm: SIMD128 \+ relaxed-SIMD FMA, 2 threads \(workers\)/);
    assert.equal(setNumThreads(10000), cores);
    assert.throws(() => setNumThreads(0), /setNumThreads: got 0; expected a positive integer/);
  } finally {
    setBackend(before);
    setNumThreads(threadsBefore);
  }
});

test('a dead worker costs only speed: the GEMM stays right, falls back to 1 thread and says why', { skip: cores < 2 ? 'one core' : false }, async () => {
  const g = new Generator(16);
  const [m, k, n] = [200, 300, 400];
  const a = randn(g, m * k);
  const b = randn(g, k * n);
  const want = new Float32Array(m * n);
  const got = new Float32Array(m * n);
  await withThreads(1, () => wasm!.matmul(a, b, want, 1, m, k, n, false, true));
  const before = getWasmThreads();
  try {
    setWasmThreads(2);
    assert.ok(await wasmThreadsReady());
    await killWasmWorker();
    wasm!.matmul(a, b, got, 1, m, k, n, false, true);
    assert.ok(got.every((v, i) => Object.is(v, want[i])), 'the GEMM after a worker died');
    assert.equal(wasmInfo().threads, 1);
    assert.equal(wasmInfo().reason, 'SIMD128 + relaxed-SIMD FMA, 1 thread (a worker exited)');
    // Setting the count again starts fresh workers.
    assert.equal(setWasmThreads(2), 2);
    assert.ok(await wasmThreadsReady());
    got.fill(NaN);
    wasm!.matmul(a, b, got, 1, m, k, n, false, true);
    assert.ok(got.every((v, i) => Object.is(v, want[i])), 'the GEMM on fresh workers');
  } finally {
    setWasmThreads(before);
  }
});

test('a Node process that computed on 2 wasm threads exits on its own', () => {
  const script = [
    "const w = await import('./src/backend/wasm/index.ts');",
    "const { setNumThreads, backendInfo } = await import('./src/backend/index.ts');",
    'setNumThreads(2);',
    "if (!(await w.wasmThreadsReady()) && w.getWasmThreads() > 1) throw new Error('no workers');",
    'const n = 512; const a = new Float32Array(n * n).fill(0.5); const c = new Float32Array(n * n);',
    'w.createWasmBackend().matmul(a, a, c, 1, n, n, n, false, false);',
    'console.log(c[n * n - 1], backendInfo().reason, w.wasmPartsByWorkers() >= 0);',
  ].join('\n');
  // A worker that kept the process alive would hit the timeout (execFileSync then throws).
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, BACKPROP_BACKEND: 'wasm' },
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(out.trim().split('\n').pop(), `128 wasm: SIMD128 + relaxed-SIMD FMA, ${two} thread${two > 1 ? 's (workers)' : ''}; forced by BACKPROP_BACKEND=wasm true`);
});

test('both builds agree with the float64 GEMM on the MLP shapes and every transposition, tiles and tails', () => {
  const g = new Generator(11);
  const shapes: [number, number, number, boolean, boolean][] = [
    [64, 784, 256, false, true], [64, 256, 784, false, false], [256, 64, 784, true, false],
    [64, 256, 128, false, true], [128, 64, 256, true, false], [5, 300, 9, true, true], [97, 257, 2050, false, false],
  ];
  for (const [m, k, n, tA, tB] of shapes) {
    const a = randn(g, m * k);
    const b = randn(g, k * n);
    const [want, mag] = refGemm(a, b, m, k, n, tA, tB);
    const js = new Float32Array(m * n);
    jsBackend.matmul(a, b, js, 1, m, k, n, tA, tB);
    assertGemmClose(js, want, mag, k, `js ${m}×${k}×${n}`);
    for (const build of builds) {
      withBuild(build, () => {
        const got = new Float32Array(m * n).fill(NaN);
        wasm!.matmul(a, b, got, 1, m, k, n, tA, tB);
        assertGemmClose(got, want, mag, k, `wasm ${build} ${m}×${k}×${n} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`);
      });
    }
  }
});

test('the arena grows for a GEMM bigger than the memory, then serves a small one and a bigger one correctly', () => {
  const g = new Generator(12);
  const check = (B: Backend, m: number, k: number, n: number, what: string): void => {
    const a = randn(g, m * k);
    const b = randn(g, k * n);
    const got = new Float32Array(m * n);
    B.matmul(a, b, got, 1, m, k, n, false, true);
    // Spot-check rows (a full float64 reference at this size would be slow).
    for (const i of [0, m >> 1, m - 1]) {
      const [want, mag] = refGemm(a.subarray(i * k, (i + 1) * k), b, 1, k, n, false, true);
      assertGemmClose(got.subarray(i * n, (i + 1) * n), want, mag, k, `${what} row ${i}`);
    }
  };
  for (const build of builds) {
    withBuild(build, () => {
      // Sizes from the memory held now, so each big call must grow it (A, B and C: 12·side² bytes).
      const side = (bytes: number): number => Math.ceil(Math.sqrt(bytes / 12)) + 7;
      const before = wasmMemoryBytes();
      const s1 = side(before);
      check(wasm!, s1, s1, s1, `${build} big ${s1}³`);
      const grown = wasmMemoryBytes();
      assert.ok(grown > before, `memory grew: ${before} → ${grown}`);
      check(wasm!, 3, 5, 7, `${build} small after a grow`);
      const s2 = side(grown * 1.5);
      check(wasm!, s2, s2, s2, `${build} bigger ${s2}³`);
      assert.ok(wasmMemoryBytes() > grown, 'memory grew again');
    });
  }
});

test('both builds agree with the js fused kernels on a training-sized case', () => {
  const g = new Generator(13);
  const n = 784 * 256 + 13;
  for (const build of builds) {
    withBuild(build, () => {
      const p = randn(g, n);
      const grad = randn(g, n);
      const buf = randn(g, n);
      const [p2, buf2] = [p.slice(), buf.slice()];
      const o: SGDStep = { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: true, first: false };
      wasm!.sgdStep(p, grad, buf, o);
      jsBackend.sgdStep(p2, grad, buf2, o);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(p[i] - p2[i]) <= 1e-6 * (1 + Math.abs(p2[i])), `sgdStep ${build} [${i}]`);
      const x = randn(g, 640).map((v) => 3 * v);
      const target = Int32Array.from({ length: 64 }, (_, r) => (r * 7) % 10);
      const [l1, l2, q1, q2] = [new Float32Array(64), new Float32Array(64), new Float32Array(640), new Float32Array(640)];
      wasm!.softmaxCrossEntropy(x, 64, 10, target, -100, l1, q1);
      jsBackend.softmaxCrossEntropy(x, 64, 10, target, -100, l2, q2);
      for (let i = 0; i < 64; i++) assert.ok(Math.abs(l1[i] - l2[i]) <= 4e-7 * (1 + Math.abs(l2[i])), `softmaxCrossEntropy ${build} loss [${i}]`);
      for (let i = 0; i < 640; i++) assert.ok(Math.abs(q1[i] - q2[i]) <= 4e-7 * (1 + q2[i]), `softmaxCrossEntropy ${build} probs [${i}]`);
    });
  }
});

test('the committed src/backend/wasm/binary.ts is what scripts/build-wasm.mjs compiles from wasm/assembly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-wasm-'));
  try {
    const fresh = join(dir, 'binary.ts');
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs'), fresh], { cwd: root, stdio: 'pipe' });
    const committed = readFileSync(join(root, 'src/backend/wasm/binary.ts'), 'utf8');
    assert.ok(readFileSync(fresh, 'utf8') === committed, 'binary.ts is stale: run npm run build:wasm');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BACKPROP_BACKEND=wasm makes a Node process compute with the wasm backend', () => {
  const script = "import('./src/backend/index.ts').then((m) => console.log(JSON.stringify(m.backendInfo())))";
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: root,
    env: { ...process.env, BACKPROP_BACKEND: 'wasm' },
    encoding: 'utf8',
  });
  const info = JSON.parse(out.trim().split('\n').pop()!) as { name: string; reason: string; threads: number };
  assert.equal(info.name, 'wasm');
  assert.equal(info.reason, `wasm: SIMD128 + relaxed-SIMD FMA, ${cores} thread${cores > 1 ? 's (workers)' : ''}; forced by BACKPROP_BACKEND=wasm`);
  assert.equal(info.threads, cores);
});
