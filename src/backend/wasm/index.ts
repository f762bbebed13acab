/**
 * The wasm backend: the js backend with its float32 hot kernels replaced by WebAssembly SIMD128 ones
 * (wasm/assembly, AssemblyScript, prebuilt into ./binary.ts): packed GEMM with a 4×8 register tile (FMA through
 * relaxed SIMD where the runtime has it), relu/exp/tanh/sigmoid (float64 lanes rounded once, so within an ulp
 * of js), add/sub/mul/div over the broadcast patterns of ../patterns.ts (bit-identical to js), sums over
 * consecutive axes (float64 accumulation) and the fused optimizer and softmax kernels. Every other kernel,
 * dtype, pattern or size below WASM_MIN_ELEMENTS runs the js kernel.
 *
 * Threads (./threads.ts): where the host allows them (Node; a browser worker in a cross-origin isolated
 * page) the shared-memory builds load, and a GEMM of at least WASM_MIN_FLOPS_PER_THREAD per thread is split
 * among setWasmThreads(n) threads (default: the cores), the caller and n − 1 workers. Other kernels run on
 * the calling thread.
 *
 * Memory: the module's linear memory is a scratch arena, reset at each call: inputs are copied in, the
 * kernel runs on byte offsets, results are copied out. It grows when a call needs more and never shrinks.
 */
import { jsBackend } from '../js/index.js';
import { aroundAxes, binaryView } from '../patterns.js';
import type { AdamStep, Arr, Backend, BinaryOp, FloatArr, ReduceOp, SGDStep, Shape, UnaryOp } from '../types.js';
import { RELAXED_SIMD_BASE64, RELAXED_SIMD_SHARED_BASE64, SIMD128_BASE64, SIMD128_SHARED_BASE64 } from './binary.js';
import { CONTROL_BYTES, cores, MAX_THREADS, threadsUnavailable, WorkerPool } from './threads.js';

/**
 * Sizes from which the wasm kernel beats the js one, copies in and out included (npx tsx bench/wasm.ts
 * --kernels, Node 20 on Zen 3): element counts (matmul: m·k·n; the row kernels: rows·cols). Below them js
 * runs. matmul wins from 1×1×1 (the js GEMM spends ≈ 5 µs setting up, a wasm call ≈ 0.4 µs).
 */
export const WASM_MIN_ELEMENTS = {
  matmul: 1, binary: 256, unary: 32, relu: 256, sum: 16, optimizer: 256, softmax: 256, softmaxBackward: 512,
};

/**
 * Work (2·m·k·n flops) from which each further thread pays for itself in a GEMM: a product of f flops runs
 * on min(threads, f / this) threads. Measured with npx tsx bench/wasm.ts --threads (Node 20, Zen 3, 2 cores):
 * 2 threads break even at 4 MFLOP (waking a worker costs tens of µs), gain 1.14× at 8, 1.3–1.5× at 14–34.
 */
export const WASM_MIN_FLOPS_PER_THREAD = 3e6;
let minFlopsPerThread = WASM_MIN_FLOPS_PER_THREAD;

/** @internal Sets the flops per thread from which a GEMM is split (tests split every GEMM); returns the previous value. */
export function setWasmMinFlopsPerThread(flops: number): number {
  const before = minFlopsPerThread;
  minFlopsPerThread = flops;
  return before;
}

/** The two builds of wasm/assembly: plain SIMD128, and SIMD128 + relaxed SIMD (FMA in the GEMM). */
export type WasmBuild = 'simd128' | 'relaxed-simd';

/** The module's exports (wasm/assembly/index.ts); pointers are byte offsets into `memory`. */
interface WasmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemmScratchBytes(): number;
  sgemm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, scratch: number): void;
  sgemmPart(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean,
    scratch: number, i0: number, i1: number, j0: number, j1: number): void;
  unaryF32(op: number, x: number, out: number, n: number): void;
  binaryF32(op: number, a: number, b: number, out: number, rows: number, cols: number, ars: number, acs: number, brs: number, bcs: number): void;
  sumF32(x: number, out: number, outer: number, mid: number, inner: number): void;
  sgdF32(p: number, g: number, buf: number, n: number, lr: number, wd: number, mu: number, keep: number, take: number, nesterov: boolean, hasBuf: boolean): void;
  adamF32(p: number, g: number, m: number, v: number, vmax: number, n: number, stepSize: number, bc2Sqrt: number,
    b1: number, c1: number, b2: number, c2: number, eps: number, wd: number, shrink: number, hasVmax: boolean): void;
  logSoftmaxF32(x: number, rows: number, cols: number, out: number): void;
  logSoftmaxBackwardF32(y: number, g: number, rows: number, cols: number, out: number): void;
  softmaxCrossEntropyF32(x: number, rows: number, cols: number, target: number, ignoreIndex: number, loss: number, probs: number): void;
  softmaxCrossEntropyBackwardF32(probs: number, target: number, ignoreIndex: number, g: number, rows: number, cols: number, out: number): void;
}

const ALIGN = 64;
const PAGE = 65536;

/**
 * One instance of a build, with its memory used as a bump arena that every kernel call resets. A
 * shared-memory build keeps the threads' control block just below the arena, and its workers in `pool`.
 */
class WasmKernels {
  readonly k: WasmExports;
  readonly ctl: number;
  private readonly base: number;
  private top: number;
  private bytes: Uint8Array;
  pool: WorkerPool | null = null;

  /** Instantiates `module`; a shared build (`shared`) gets a fresh shared memory. */
  constructor(readonly module: WebAssembly.Module, readonly shared: boolean) {
    const memory = shared ? sharedMemory() : null;
    this.k = new WebAssembly.Instance(module, memory ? { env: { memory } } : {}).exports as unknown as WasmExports;
    this.ctl = align(this.k.heapBase());
    this.base = align(this.ctl + (shared ? CONTROL_BYTES : 0));
    this.top = this.base;
    this.bytes = new Uint8Array(this.k.memory.buffer);
  }

  /** Starts a call: everything allocated by the previous one is free again. */
  reset(): this {
    this.top = this.base;
    return this;
  }

  /** Reserves `bytes` (64-byte aligned), growing the memory if needed; its byte offset. Throws if it cannot grow. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = align(at + bytes);
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / PAGE));
    return at;
  }

  /** A view of the memory; re-created after a grow, which detaches the old buffer. */
  view(): Uint8Array {
    if (this.bytes.buffer !== this.k.memory.buffer) this.bytes = new Uint8Array(this.k.memory.buffer);
    return this.bytes;
  }

  /** Copies x into fresh arena space; its byte offset. */
  put(x: Float32Array | Int32Array): number {
    const at = this.alloc(x.byteLength);
    this.view().set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), at);
    return at;
  }

  /** Copies out.length elements at byte offset `at` into out. */
  get(at: number, out: Float32Array): void {
    out.set(new Float32Array(this.view().buffer, at, out.length));
  }
}

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** A shared memory for a threaded build: up to 4 GiB where the host reserves that much, else less. */
function sharedMemory(): WebAssembly.Memory {
  for (const maximum of [65536, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: 32, maximum, shared: true });
    } catch (e) {
      if (maximum === 4096) throw e;
    }
  }
  throw new Error('wasm sharedMemory: no maximum could be reserved');
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Whether this runtime validates the relaxed build, turning on V8's flag for it in Node 20 if that is what it takes. */
function relaxedSupported(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  const proc = (globalThis as { process?: NodeProcess }).process;
  // process.getBuiltinModule reaches node:v8 without a static import, which would break a browser bundle.
  const v8 = proc?.versions?.node ? (proc.getBuiltinModule?.('node:v8') as typeof import('node:v8') | undefined) : undefined;
  if (!v8) return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(bytes);
}

/** The loaded builds, or why there are none; why there are no threads ('' when there can be). */
interface WasmState {
  plain: WasmKernels | null;
  relaxed: WasmKernels | null;
  error: string;
  noThreads: string;
}

let state: WasmState | null = null;
/** The instance the backend calls now (the best build unless a test forces the plain one). */
let active: WasmKernels | null = null;

/** Compiles and instantiates both builds once (synchronously); never throws. */
function load(): WasmState {
  if (state) return state;
  state = { plain: null, relaxed: null, error: '', noThreads: threadsUnavailable() };
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') {
    state.error = 'no WebAssembly in this runtime';
    return state;
  }
  if (!state.noThreads) {
    try {
      loadBuilds(state, SIMD128_SHARED_BASE64, RELAXED_SIMD_SHARED_BASE64, true);
    } catch (e) {
      state.plain = state.relaxed = null;
      state.noThreads = `the shared-memory build did not load: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  try {
    if (!state.plain) loadBuilds(state, SIMD128_BASE64, RELAXED_SIMD_BASE64, false);
  } catch (e) {
    // E.g. a browser main thread refusing a synchronous compile.
    state.error = `failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
  active = state.relaxed ?? state.plain;
  return state;
}

/** Instantiates the plain build, and the relaxed one where the runtime validates it, into `s`. */
function loadBuilds(s: WasmState, plainB64: string, relaxedB64: string, shared: boolean): void {
  const plain = decode(plainB64);
  if (!WebAssembly.validate(plain)) {
    if (shared) throw new Error('wasm loadBuilds: the shared-memory build does not validate (this runtime has no WebAssembly threads)');
    s.error = 'this runtime has no WebAssembly SIMD128';
    return;
  }
  s.plain = new WasmKernels(new WebAssembly.Module(plain), shared);
  const relaxed = decode(relaxedB64);
  if (relaxedSupported(relaxed)) s.relaxed = new WasmKernels(new WebAssembly.Module(relaxed), shared);
}

/** Threads the GEMM may use (setWasmThreads); starts at the cores. */
let wantThreads = 0;
/** Why the workers stopped ('' when they did not); cleared by setWasmThreads. */
let threadFailure = '';

/**
 * Sets the threads the wasm GEMM uses, at most the cores (more would only fight over them) and 1 where the
 * host has no threads for wasm (wasmInfo().reason says why); returns the count in effect. Workers start
 * at the next GEMM large enough to split, and serve once they are ready (until then the caller computes).
 */
export function setWasmThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setWasmThreads: got ${n}; expected a positive integer`);
  wantThreads = Math.min(n, cores(), MAX_THREADS);
  threadFailure = '';
  const s = load();
  for (const w of [s.plain, s.relaxed]) {
    if (w?.pool && (w.pool.size !== wantThreads - 1 || w.pool.failure)) stopPool(w);
  }
  return getWasmThreads();
}

/** The threads the wasm GEMM uses now. */
export function getWasmThreads(): number {
  const s = load();
  if (!active?.shared || s.noThreads || threadFailure) return 1;
  if (!wantThreads) wantThreads = cores();
  return wantThreads;
}

function stopPool(w: WasmKernels): void {
  w.pool?.stop();
  w.pool = null;
}

/**
 * @internal Resolves once the active build's workers serve (starting them if needed): true, or false when
 * there are no threads or they did not start within `timeoutMs`. Tests await it; calls never need to.
 */
export async function wasmThreadsReady(timeoutMs = 10000): Promise<boolean> {
  const w = active;
  if (!w || getWasmThreads() < 2) return false;
  const pool = ensurePool(w);
  const t0 = performance.now();
  while (pool && !pool.failure && pool.ready() < pool.size && performance.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return pool !== null && !pool.failure && pool.ready() === pool.size;
}

/** @internal GEMM parts the active build's workers have computed (tests check that workers do compute). */
export function wasmPartsByWorkers(): number {
  return active?.pool?.partsByWorkers() ?? 0;
}

/** @internal Terminates one worker of the active build as if it had died; resolves once the pool noticed. */
export async function killWasmWorker(): Promise<void> {
  const pool = active?.pool;
  if (!pool) return;
  pool.killOne();
  while (!pool.failure) await new Promise((r) => setTimeout(r, 5));
}

/** The pool of `w`, started if the thread count wants one; null if it does not or the workers failed. */
function ensurePool(w: WasmKernels): WorkerPool | null {
  if (w.pool?.failure) {
    threadFailure = w.pool.failure;
    stopPool(w);
  }
  const threads = getWasmThreads();
  if (threads < 2) return null;
  if (!w.pool) w.pool = new WorkerPool(w.module, w.k.memory, w.ctl, threads - 1);
  return w.pool;
}

/** Which build the wasm backend runs, or why it cannot run (then `build` is null). */
export interface WasmInfo {
  build: WasmBuild | null;
  /**
   * 'SIMD128 + relaxed-SIMD FMA, 2 threads (workers)', 'SIMD128, 1 thread', '…, 1 thread (why no more)', or
   * why there is no build: 'this runtime has no WebAssembly SIMD128'.
   */
  reason: string;
  /** Threads the GEMM uses (getWasmThreads()). */
  threads: number;
  /** Whether the relaxed build loaded (it may still be switched off by useWasmBuild). */
  relaxedAvailable: boolean;
}

export function wasmInfo(): WasmInfo {
  const s = load();
  if (!active) return { build: null, reason: s.error, threads: 1, relaxedAvailable: false };
  if (active.pool?.failure) ensurePool(active);
  const build: WasmBuild = active === s.relaxed ? 'relaxed-simd' : 'simd128';
  const threads = getWasmThreads();
  const why = threadFailure ? ` (${threadFailure})` : s.noThreads && cores() > 1 ? ` (${s.noThreads})` : threads > 1 ? ' (workers)' : '';
  const reason = `${build === 'relaxed-simd' ? 'SIMD128 + relaxed-SIMD FMA' : 'SIMD128'}, ${threads} thread${threads === 1 ? '' : 's'}${why}`;
  return { build, reason, threads, relaxedAvailable: s.relaxed !== null };
}

/**
 * @internal Switches the backend to a build ('relaxed-simd' only where it loaded) so tests cover both;
 * returns the build in use before.
 */
export function useWasmBuild(build: WasmBuild): WasmBuild {
  const s = load();
  const before = wasmInfo().build ?? 'simd128';
  const next = build === 'relaxed-simd' ? s.relaxed : s.plain;
  if (next) active = next;
  return before;
}

/** @internal Bytes of linear memory the active build holds now (tests check that it grows). */
export function wasmMemoryBytes(): number {
  return active ? active.k.memory.buffer.byteLength : 0;
}

/** The instance for one call with its arena reset, or null when the module did not load. */
function kernels(): WasmKernels | null {
  return active ? active.reset() : null;
}

const f32 = (...xs: Arr[]): boolean => xs.every((x) => x instanceof Float32Array);

const BINARY_CODE: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
const UNARY_CODE: Partial<Record<UnaryOp, number>> = { relu: 0, exp: 1, tanh: 2, sigmoid: 3 };

/**
 * Runs `body` on the instance; if the arena cannot grow (a wasm32 memory tops out at 4 GiB) it returns false
 * and the caller runs the js kernel.
 */
function attempt(body: (w: WasmKernels) => void): boolean {
  const w = kernels();
  if (!w) return false;
  try {
    body(w);
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

/**
 * sgemm on `w` (operands at byte offsets pa, pb, pc), split among the threads when the product is large
 * enough and workers serve. Returns false if the workers failed during the call: then `w` has been replaced
 * by a fresh instance without threads (a stuck worker may still write into the old memory) and the caller
 * must redo the call.
 */
function gemm(w: WasmKernels, pa: number, pb: number, pc: number, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean): boolean {
  const flops = 2 * batch * m * k * n;
  const threads = Math.min(getWasmThreads(), Math.floor(flops / minFlopsPerThread));
  const pool = threads > 1 && w.shared ? ensurePool(w) : null;
  const ranges = pool && pool.ready() > 0 ? splitOutput(m, n, threads) : [];
  const stride = w.k.gemmScratchBytes();
  if (ranges.length < 2) {
    w.k.sgemm(pa, pb, pc, batch, m, k, n, transA, transB, w.alloc(stride));
    return true;
  }
  const scratch = w.alloc(stride * ranges.length);
  // A part runs at ≥ 1 GFLOP/s even on a crowded machine; far past that, its worker is taken for dead.
  const deadlineMs = Math.max(5000, flops / ranges.length / 1e6);
  if (pool!.run(w.k, [pa, pb, pc, batch, m, k, n, +transA, +transB, scratch, stride], ranges, deadlineMs)) return true;
  threadFailure = pool!.failure || 'a GEMM part failed in a worker';
  stopPool(w);
  const fresh = new WasmKernels(w.module, w.shared);
  const s = load();
  if (s.plain === w) s.plain = fresh;
  if (s.relaxed === w) s.relaxed = fresh;
  if (active === w) active = fresh;
  return false;
}

/**
 * The output of a GEMM (m×n per batch item) split into at most `parts` parts by whole 4×8 tiles, along the
 * longer side: [i0, i1, j0, j1] each. Fixed by the shape and the part count alone.
 */
export function splitOutput(m: number, n: number, parts: number): number[][] {
  const byCols = n >= m;
  const len = byCols ? n : m;
  const unit = byCols ? 8 : 4;
  const units = Math.ceil(len / unit);
  const count = Math.max(1, Math.min(parts, units));
  const ranges: number[][] = [];
  for (let p = 0; p < count; p++) {
    const lo = Math.min(len, Math.floor((p * units) / count) * unit);
    const hi = Math.min(len, Math.floor(((p + 1) * units) / count) * unit);
    ranges.push(byCols ? [0, m, lo, hi] : [lo, hi, 0, n]);
  }
  return ranges;
}

/** The wasm backend, or null when the module cannot load here (wasmInfo() says why). */
export function createWasmBackend(): Backend | null {
  if (!load().plain && !load().relaxed) return null;
  return {
    ...jsBackend,
    name: 'wasm',

    matmul(a: Arr, b: Arr, out: Arr, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
      if (f32(a, b, out) && m * k * n >= WASM_MIN_ELEMENTS.matmul) {
        let redo = false;
        const body = (w: WasmKernels): void => {
          const pa = w.put(a as Float32Array);
          const pb = w.put(b as Float32Array);
          const pc = w.alloc(out.byteLength);
          redo = !gemm(w, pa, pb, pc, batch, m, k, n, transA, transB);
          if (!redo) w.get(pc, out as Float32Array);
        };
        let done = attempt(body);
        // A redo runs on the fresh single-threaded instance that replaced one whose workers failed.
        if (done && redo) done = attempt(body) && !redo;
        if (done) return;
      }
      jsBackend.matmul(a, b, out, batch, m, k, n, transA, transB);
    },

    binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
      const code = BINARY_CODE[op];
      const n = out.length;
      if (code !== undefined && n >= WASM_MIN_ELEMENTS.binary && f32(a, b, out)) {
        const v = binaryView(a.length, aShape, b.length, bShape, outShape, n);
        if (v) {
          const done = attempt((w) => {
            const pa = w.put(a as Float32Array);
            const pb = w.put(b as Float32Array);
            const po = w.alloc(out.byteLength);
            w.k.binaryF32(code, pa, pb, po, v.rows, v.cols, v.sa[0], v.sa[1], v.sb[0], v.sb[1]);
            w.get(po, out as Float32Array);
          });
          if (done) return;
        }
      }
      jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
    },

    unary(op: UnaryOp, x: Arr, out: Arr): void {
      const code = UNARY_CODE[op];
      const min = op === 'relu' ? WASM_MIN_ELEMENTS.relu : WASM_MIN_ELEMENTS.unary;
      if (code !== undefined && x.length >= min && f32(x, out)) {
        const done = attempt((w) => {
          const px = w.put(x as Float32Array);
          const po = w.alloc(out.byteLength);
          w.k.unaryF32(code, px, po, x.length);
          w.get(po, out as Float32Array);
        });
        if (done) return;
      }
      jsBackend.unary(op, x, out);
    },

    reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
      const split = op === 'sum' && x.length >= WASM_MIN_ELEMENTS.sum && f32(x, out) ? aroundAxes(shape, axes) : null;
      if (split) {
        const done = attempt((w) => {
          const px = w.put(x as Float32Array);
          const po = w.alloc(out.byteLength);
          w.k.sumF32(px, po, split[0], split[1], split[2]);
          w.get(po, out as Float32Array);
        });
        if (done) return;
      }
      jsBackend.reduce(op, x, shape, axes, out);
    },

    sgdStep(p: FloatArr, g: FloatArr, buf: FloatArr | null, o: SGDStep): void {
      if (p.length >= WASM_MIN_ELEMENTS.optimizer && f32(p, g) && (buf === null || buf instanceof Float32Array)) {
        const done = attempt((w) => {
          const pp = w.put(p as Float32Array);
          const pg = w.put(g as Float32Array);
          const pb = buf ? w.put(buf as Float32Array) : 0;
          const keep = o.first ? 0 : o.momentum;
          const take = o.first ? 1 : 1 - o.dampening;
          w.k.sgdF32(pp, pg, pb, p.length, o.lr, o.weightDecay, o.momentum, keep, take, o.nesterov, buf !== null);
          w.get(pp, p as Float32Array);
          if (buf) w.get(pb, buf as Float32Array);
        });
        if (done) return;
      }
      jsBackend.sgdStep(p, g, buf, o);
    },

    adamStep(p: FloatArr, g: FloatArr, m: FloatArr, v: FloatArr, vmax: FloatArr | null, o: AdamStep): void {
      if (p.length >= WASM_MIN_ELEMENTS.optimizer && f32(p, g, m, v) && (vmax === null || vmax instanceof Float32Array)) {
        const done = attempt((w) => {
          const [pp, pg, pm, pv] = [p, g, m, v].map((x) => w.put(x as Float32Array));
          const px = vmax ? w.put(vmax as Float32Array) : 0;
          const { lr, beta1: b1, beta2: b2, eps, weightDecay, step: t, decoupled } = o;
          w.k.adamF32(pp, pg, pm, pv, px, p.length, lr / (1 - b1 ** t), Math.sqrt(1 - b2 ** t), b1, 1 - b1, b2, 1 - b2, eps,
            decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1, vmax !== null);
          w.get(pp, p as Float32Array);
          w.get(pm, m as Float32Array);
          w.get(pv, v as Float32Array);
          if (vmax) w.get(px, vmax as Float32Array);
        });
        if (done) return;
      }
      jsBackend.adamStep(p, g, m, v, vmax, o);
    },

    logSoftmax(x: FloatArr, rows: number, cols: number, out: FloatArr): void {
      if (rows * cols >= WASM_MIN_ELEMENTS.softmax && f32(x, out)) {
        const done = attempt((w) => {
          const px = w.put(x as Float32Array);
          const po = w.alloc(out.byteLength);
          w.k.logSoftmaxF32(px, rows, cols, po);
          w.get(po, out as Float32Array);
        });
        if (done) return;
      }
      jsBackend.logSoftmax(x, rows, cols, out);
    },

    logSoftmaxBackward(y: FloatArr, g: FloatArr, rows: number, cols: number, out: FloatArr): void {
      if (rows * cols >= WASM_MIN_ELEMENTS.softmax && f32(y, g, out)) {
        const done = attempt((w) => {
          const py = w.put(y as Float32Array);
          const pg = w.put(g as Float32Array);
          const po = w.alloc(out.byteLength);
          w.k.logSoftmaxBackwardF32(py, pg, rows, cols, po);
          w.get(po, out as Float32Array);
        });
        if (done) return;
      }
      jsBackend.logSoftmaxBackward(y, g, rows, cols, out);
    },

    softmaxCrossEntropy(x: FloatArr, rows: number, cols: number, target: Int32Array, ignoreIndex: number, loss: FloatArr, probs: FloatArr): void {
      if (rows * cols >= WASM_MIN_ELEMENTS.softmax && f32(x, loss, probs)) {
        const done = attempt((w) => {
          const px = w.put(x as Float32Array);
          const pt = w.put(target);
          const pl = w.alloc(loss.byteLength);
          const pp = w.alloc(probs.byteLength);
          w.k.softmaxCrossEntropyF32(px, rows, cols, pt, ignoreIndex, pl, pp);
          w.get(pl, loss as Float32Array);
          w.get(pp, probs as Float32Array);
        });
        if (done) return;
      }
      jsBackend.softmaxCrossEntropy(x, rows, cols, target, ignoreIndex, loss, probs);
    },

    softmaxCrossEntropyBackward(probs: FloatArr, target: Int32Array, ignoreIndex: number, g: FloatArr, rows: number, cols: number, out: FloatArr): void {
      if (rows * cols >= WASM_MIN_ELEMENTS.softmaxBackward && f32(probs, g, out)) {
        const done = attempt((w) => {
          const pp = w.put(probs as Float32Array);
          const pt = w.put(target);
          const pg = w.put(g as Float32Array);
          const po = w.alloc(out.byteLength);
          w.k.softmaxCrossEntropyBackwardF32(pp, pt, ignoreIndex, pg, rows, cols, po);
          w.get(po, out as Float32Array);
        });
        if (done) return;
      }
      jsBackend.softmaxCrossEntropyBackward(probs, target, ignoreIndex, g, rows, cols, out);
    },
  };
}
