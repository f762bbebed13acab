/**
 * The settings every kernel suite runs under: each available backend, and each accelerated one under each of its
 * variants (native: 1 and 2 threads, the portable C path forced; wasm: its best build on 1 thread, the plain
 * SIMD128 build forced, 2 threads with every GEMM split however small). Shared by kernels.test.ts,
 * fused-kernels.test.ts and conv-kernels.test.ts so that a backend added here is tested by all three.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backend, getNumThreads, listBackends, nativeAddon, setBackend, setNumThreads } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/types.js';
import {
  getWasmThreads, setWasmMinFlopsPerThread, setWasmThreads, useWasmBuild, wasmInfo, wasmThreadsReady,
} from '../../src/backend/wasm/index.js';

/** The backend registered under `name` (the current one is left as it was). */
export function backendNamed(name: string): Backend {
  const before = backend().name;
  setBackend(name);
  const b = backend();
  setBackend(before);
  return b;
}

/** Switches a setting on and returns the function that switches it back. */
export type Apply = () => () => void;

const noop: Apply = () => () => {};

const withThreads = (n: number): Apply => () => {
  const before = getNumThreads();
  setNumThreads(n);
  return () => setNumThreads(before);
};

const withWasmThreads = (n: number): Apply => () => {
  const before = getWasmThreads();
  setWasmThreads(n);
  return () => setWasmThreads(before);
};

/** Both switched on, switched back in reverse order. */
const both = (a: Apply, b: Apply): Apply => () => {
  const undoA = a();
  const undoB = b();
  return () => {
    undoB();
    undoA();
  };
};

/**
 * Calls `suite(name, variant, apply)` for every backend and variant; `variant` is '' for a backend without
 * variants. Registers the (asynchronous) start of the wasm workers as a test before the suites that need them.
 */
export function forEachBackendVariant(suite: (name: string, variant: string, apply: Apply) => void): void {
  const addon = nativeAddon();
  for (const name of listBackends()) {
    if (name === 'native' && addon) {
      const isa = addon.info().isa;
      suite(name, `${isa}, 1 thread`, withThreads(1));
      if (addon.info().cores >= 2) suite(name, `${isa}, 2 threads`, withThreads(2));
      if (isa !== 'portable') {
        const portable: Apply = () => {
          addon.setIsa('portable');
          return () => addon.setIsa('avx2+fma');
        };
        suite(name, 'portable C path forced, 2 threads', both(withThreads(2), portable));
      }
    } else if (name === 'wasm') {
      const build = wasmInfo().build ?? '';
      suite(name, `${build}, 1 thread`, withWasmThreads(1));
      if (build !== 'simd128') {
        suite(name, 'SIMD128 build forced', () => {
          const before = useWasmBuild('simd128');
          return () => useWasmBuild(before);
        });
      }
      if (wasmInfo().threads >= 2) {
        // Workers start asynchronously; the suites' tests are synchronous, so wait for them here.
        test(`wasm (${build}, 2 threads): the workers start`, async () => {
          setWasmThreads(2);
          assert.ok(await wasmThreadsReady(), wasmInfo().reason);
        });
        const splitAll: Apply = () => {
          const minFlops = setWasmMinFlopsPerThread(1);
          return () => setWasmMinFlopsPerThread(minFlops);
        };
        suite(name, `${build}, 2 threads, every GEMM split`, both(withWasmThreads(2), splitAll));
      }
    } else {
      suite(name, '', noop);
    }
  }
}

/**
 * A test registrar for one backend variant: `it(title, body)` registers `${name} (${variant}): ${title}` and runs
 * body with the variant's setting switched on, switching it back after (also when body throws).
 */
export function variantTest(name: string, variant: string, apply: Apply): (title: string, body: () => void) => void {
  const label = `${name}${variant ? ` (${variant})` : ''}`;
  return (title, body) => {
    test(`${label}: ${title}`, () => {
      const restore = apply();
      try {
        body();
      } finally {
        restore();
      }
    });
  };
}
