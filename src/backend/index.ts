import { jsBackend } from './js/index.js';
import { createNativeBackend, loadAddon } from './native/index.js';
import type { Backend } from './types.js';
import { createWasmBackend, getWasmThreads, setWasmThreads, wasmInfo } from './wasm/index.js';

export type { Backend } from './types.js';

const backends = new Map<string, Backend>([['js', jsBackend]]);

// The native addon, when it is built and loads; else why not.
const load = loadAddon();
const addon = load.addon ?? null;
if (addon) backends.set('native', createNativeBackend(addon));
// The WebAssembly kernels, when this runtime compiles them (SIMD128 is in every current browser and Node).
const wasm = createWasmBackend();
if (wasm) backends.set('wasm', wasm);

/** Why the current backend was chosen, for backendInfo(). */
let why = '';
let current: Backend = jsBackend;
chooseAtStart();
// Going back to the backend chosen at start (as a test that tries each one does) restores its reason.
const startChoice = { backend: current, why };

/**
 * BACKPROP_BACKEND=js|native|wasm forces a backend; otherwise the fastest that loaded: native, then wasm, then
 * js. Never throws.
 */
function chooseAtStart(): void {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const wanted = env?.BACKPROP_BACKEND;
  const missing = [addon ? '' : `native addon ${load.error}`, wasm ? '' : `wasm ${wasmInfo().reason}`].filter(Boolean).join('; ');
  current = addon ? backends.get('native')! : wasm ?? jsBackend;
  if (wanted && backends.has(wanted)) {
    current = backends.get(wanted)!;
    why = `forced by BACKPROP_BACKEND=${wanted}`;
  } else if (wanted === 'native' || wanted === 'wasm') {
    why = `BACKPROP_BACKEND=${wanted}, but ${missing}`;
  } else if (wanted) {
    why = `BACKPROP_BACKEND=${wanted} is not a backend (${listBackends().join(', ')})`;
  } else {
    why = addon ? '' : missing;
  }
}

/** The backend that runs every kernel now. */
export function backend(): Backend {
  return current;
}

/** Makes a backend available to `setBackend` under its name. */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

/** Switches every later kernel call to the named backend. */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) {
    const hint = name === 'native' && !addon ? ` (${load.error})` : '';
    throw new Error(`setBackend: unknown backend '${name}'${hint}; available: ${[...backends.keys()].join(', ')}`);
  }
  current = b;
  why = b === startChoice.backend ? startChoice.why : 'chosen by setBackend';
}

/** The names of the backends that can be chosen. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Sets how many threads the native kernels and the wasm GEMM use (like torch.set_num_threads): at most the
 * cores this process may run on (more would only make threads fight for them), and 1 for wasm where the
 * host has no threads for it (backendInfo() says why). Returns the count in effect: the current backend's,
 * or on js (single-threaded, it ignores the setting) the count native, else wasm, would use. Default: the cores.
 */
export function setNumThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: got ${n}; expected a positive integer`);
  if (addon) addon.setNumThreads(n);
  if (wasm) setWasmThreads(n);
  if (current.name !== 'js') return getNumThreads();
  return addon ? addon.getNumThreads() : wasm ? getWasmThreads() : 1;
}

/** The thread count the current backend computes with (1 for js). */
export function getNumThreads(): number {
  if (current.name === 'native' && addon) return addon.getNumThreads();
  if (current.name === 'wasm' && wasm) return getWasmThreads();
  return 1;
}

/** What `backprop info` prints: the backend in use, the ones available, why this one, its threads. */
export interface BackendInfo {
  name: string;
  available: string[];
  /** e.g. 'native: AVX2+FMA, 2 threads', 'wasm: SIMD128 + relaxed-SIMD FMA, 2 threads (workers); native addon not built: …'. */
  reason: string;
  /** Threads the current backend computes with. */
  threads: number;
}

/** Describes the current backend and why it was chosen. */
export function backendInfo(): BackendInfo {
  const name = current.name;
  const threads = getNumThreads();
  let detail = why || 'the reference backend';
  if (name === 'native' && addon) {
    const isa = addon.info().isa === 'avx2+fma' ? 'AVX2+FMA' : 'portable C (no AVX2+FMA on this CPU)';
    detail = `${isa}, ${threads} thread${threads === 1 ? '' : 's'}${why ? `; ${why}` : ''}`;
  } else if (name === 'wasm') {
    detail = `${wasmInfo().reason}${why ? `; ${why}` : ''}`;
  }
  return { name, available: listBackends(), reason: `${name}: ${detail}`, threads };
}

/** @internal The loaded addon (tests and bench/gemm.ts reach its extra functions), or null. */
export function nativeAddon(): typeof addon {
  return addon;
}
