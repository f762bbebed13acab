/**
 * Threads for the wasm GEMM: workers that instantiate the same shared-memory build on the same memory and
 * take parts of a product from a control block in that memory. The calling thread posts a job (its
 * parameters, and a fixed split of the output into one part per thread), wakes the workers with
 * Atomics.notify, claims and computes parts itself, then Atomics.wait's until every part is done. Parts are
 * claimed with compareExchange, so a worker that is asleep, slow to start or dead only costs speed: the
 * caller computes whatever is unclaimed. The split depends on the thread count alone, and every element is
 * computed by one thread with sgemm's own operations, so results never depend on timing.
 *
 * Node: worker_threads (reached through process.getBuiltinModule, so browser bundles never import it),
 * unref'd so they never keep a process alive. Browsers: `new Worker` on a Blob, only where SharedArrayBuffer
 * is allowed (crossOriginIsolated) and the caller may Atomics.wait (a worker, not the page's main thread).
 */

/** Most threads a pool serves (parts per job). */
export const MAX_THREADS = 64;

// The control block: Int32 words at `ctl` in the shared memory.
const GEN = 0; // job counter: bumping it (and notify) posts a job
const QUIT = 1; // set before the workers are terminated
const DONE = 2; // parts finished in the current job
const PARTS = 3;
const ACTIVE = 4; // workers allowed to take parts (threads − 1)
const ARGS = 5; // a, b, c, batch, m, k, n, transA, transB, scratch, scratch bytes per part
const FAILED = 16; // a part threw
const BY_WORKERS = 17; // parts the workers computed, ever (tests check that they do)
const READY = 32; // one word per worker: 1 once it serves
const PART = READY + MAX_THREADS; // five words per part: state (0 free, 1 claimed, 2 done), i0, i1, j0, j1
const WORDS = PART + 5 * MAX_THREADS;

/** Bytes of the control block. */
export const CONTROL_BYTES = WORDS * 4;

/** The part of the module a worker and the caller call. */
export interface PartKernel {
  sgemmPart(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean,
    scratch: number, i0: number, i1: number, j0: number, j1: number): void;
}

// What a worker runs: plain JS in one string, shared by the Node and browser prologues below. `first` is
// where it starts claiming (the caller starts at part 0, worker i at part i + 1).
const SERVE = `
const GEN = ${GEN}, QUIT = ${QUIT}, ACTIVE = ${ACTIVE}, READY = ${READY};
${work.toString().replace(/^function \w+/, 'function work')}
function serve({ module, memory, ctl, index }) {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const c = new Int32Array(memory.buffer, ctl, ${WORDS});
  Atomics.store(c, READY + index, 1);
  let seen = Atomics.load(c, GEN);
  for (;;) {
    const gen = Atomics.load(c, GEN);
    // The timeout only gives a terminate() a turn of JS; an idle worker sleeps.
    if (gen === seen) { Atomics.wait(c, GEN, seen, 1000); continue; }
    seen = gen;
    if (Atomics.load(c, QUIT) !== 0) return;
    if (index < Atomics.load(c, ACTIVE)) work(k, c, index + 1);
  }
}
`;

/**
 * Claims and computes free parts of the posted job, starting at part `first`. Self-contained, with the
 * control block's word numbers as literals (PARTS 3, PART 96, ARGS 5…15, FAILED 16, BY_WORKERS 17, DONE 2):
 * the worker source is this function's text (see SERVE).
 */
function work(k: PartKernel, c: Int32Array, first: number): void {
  const parts = Atomics.load(c, 3);
  for (let i = 0; i < parts; i++) {
    const p = (first + i) % parts;
    const s = 96 + 5 * p;
    if (Atomics.compareExchange(c, s, 0, 1) !== 0) continue;
    try {
      k.sgemmPart(c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12] !== 0, c[13] !== 0, c[14] + p * c[15], c[s + 1], c[s + 2], c[s + 3], c[s + 4]);
    } catch {
      Atomics.store(c, 16, 1);
    }
    Atomics.store(c, s, 2);
    if (first !== 0) Atomics.add(c, 17, 1);
    Atomics.add(c, 2, 1);
    Atomics.notify(c, 2);
  }
}

/** A started worker, Node's or a browser's. */
interface AnyWorker {
  terminate(): unknown;
}

interface NodeWorkerModule {
  Worker: new (src: string, o: { eval: true; workerData: unknown; execArgv: string[]; name: string }) => AnyWorker & {
    on(ev: 'error' | 'exit', f: (x: unknown) => void): void;
    unref(): void;
  };
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

const nodeProcess = (): NodeProcess | undefined => {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
};

/** Cores this process may use: os.availableParallelism() in Node, navigator.hardwareConcurrency in a browser. */
export function cores(): number {
  const os = nodeProcess()?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  const n = os ? (os.availableParallelism?.() ?? os.cpus().length) : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_THREADS, n ?? 1));
}

/** Why this thread cannot run the threaded GEMM, or '' when it can. */
export function threadsUnavailable(): string {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'no SharedArrayBuffer: threads need a cross-origin isolated page';
  }
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  const node = nodeProcess();
  if (!node && g.crossOriginIsolated === false) return 'threads need a cross-origin isolated page (COOP and COEP headers)';
  try {
    // Throws where the thread may not block: a browser page's main thread.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return 'threads run only when the caller is a worker (a page may not Atomics.wait)';
  }
  if (node) {
    if (!node.getBuiltinModule?.('node:worker_threads')) return 'threads need process.getBuiltinModule (Node ≥ 20.16)';
  } else if (typeof g.Worker !== 'function' || typeof Blob !== 'function' || typeof URL?.createObjectURL !== 'function') {
    return 'no Worker in this runtime';
  }
  return '';
}

/** Workers serving one shared-memory instance. */
export class WorkerPool {
  private readonly workers: AnyWorker[] = [];
  private readonly c: Int32Array;
  private stopping = false;
  /** Why the pool stopped serving ('' while it serves). */
  failure = '';

  /** Starts `count` workers on `module` and `memory` (asynchronously: they serve once ready). */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, private readonly ctl: number, count: number) {
    this.c = new Int32Array(memory.buffer, ctl, WORDS);
    // The block may have served a stopped pool before.
    Atomics.store(this.c, QUIT, 0);
    for (let i = 0; i < MAX_THREADS; i++) Atomics.store(this.c, READY + i, 0);
    Atomics.store(this.c, ACTIVE, count);
    const node = nodeProcess()?.getBuiltinModule?.('node:worker_threads') as NodeWorkerModule | undefined;
    const fail = (why: string): void => {
      if (!this.stopping && !this.failure) this.failure = why;
    };
    try {
      for (let index = 0; index < count; index++) {
        const data = { module, memory, ctl, index };
        if (node) {
          // execArgv [] keeps loaders such as tsx out of the worker; V8 flags (relaxed SIMD) are process-wide.
          // The worker reaches workerData as this file reaches Node's modules: through process.getBuiltinModule,
          // so the source text holds no import of a node: module (browser bundles are checked for those).
          const w = new node.Worker(`${SERVE}\nserve(process.getBuiltinModule('node:worker_threads').workerData);`,
            { eval: true, workerData: data, execArgv: [], name: `backprop-wasm-${index}` });
          w.on('error', (e) => fail(`a worker failed: ${e instanceof Error ? e.message : String(e)}`));
          w.on('exit', () => fail('a worker exited'));
          // After the listeners: adding one later would ref the worker again.
          w.unref();
          this.workers.push(w);
        } else {
          const url = URL.createObjectURL(new Blob([`${SERVE}\nself.onmessage = (e) => { self.onmessage = null; serve(e.data); };`], { type: 'text/javascript' }));
          const w = new Worker(url);
          URL.revokeObjectURL(url);
          w.onerror = (e) => fail(`a worker failed: ${e.message}`);
          w.postMessage(data);
          this.workers.push(w);
        }
      }
    } catch (e) {
      fail(`workers did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Workers that serve now. */
  ready(): number {
    if (this.failure) return 0;
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) n += Atomics.load(this.c, READY + i);
    return n;
  }

  /** Parts the workers computed since the block was first used. */
  partsByWorkers(): number {
    return Atomics.load(this.c, BY_WORKERS);
  }

  /** Workers started. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs sgemm on the instance `k` split into `ranges` (i0, i1, j0, j1 per part; scratch at
   * `scratch + p·stride` for part p): posts the job, computes parts itself, waits for the rest. Returns false
   * when a part did not finish by the deadline or threw (the caller then stops the pool and recomputes).
   */
  run(k: PartKernel, args: readonly number[], ranges: readonly number[][], deadlineMs: number): boolean {
    const c = this.c;
    const parts = ranges.length;
    // Order matters to a worker still in the previous job: DONE first, then the arguments, then the part
    // states (a worker reads the arguments only after claiming a part).
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PARTS, parts);
    for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i];
    for (let p = 0; p < MAX_THREADS; p++) {
      const s = PART + 5 * p;
      if (p < parts) for (let j = 0; j < 4; j++) c[s + 1 + j] = ranges[p][j];
      Atomics.store(c, s, p < parts ? 0 : 2);
    }
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    const t0 = performance.now();
    work(k, c, 0);
    const own = performance.now() - t0;
    // A worker's part takes about as long as ours did: spinning that long (at most 1 ms) spares a wake-up.
    const spinUntil = performance.now() + Math.min(own, 1);
    while (Atomics.load(c, DONE) < parts && performance.now() < spinUntil);
    const deadline = performance.now() + Math.max(deadlineMs, 50 * own);
    for (let d = Atomics.load(c, DONE); d < parts; d = Atomics.load(c, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.failure = `a worker did not finish its part within ${Math.round(deadline - t0)} ms`;
        return false;
      }
      Atomics.wait(c, DONE, d, left);
    }
    return Atomics.load(c, FAILED) === 0;
  }

  /** Tells the workers to return, then terminates them. */
  stop(): void {
    this.stopping = true;
    Atomics.store(this.c, QUIT, 1);
    Atomics.add(this.c, GEN, 1);
    Atomics.notify(this.c, GEN);
    for (const w of this.workers) void w.terminate();
  }

  /** @internal Terminates one worker as if it had died (tests). */
  killOne(): void {
    void this.workers[0]?.terminate();
  }
}
