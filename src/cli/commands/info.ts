/** `backprop info`: the version, the runtime, and the kernel backends. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backend, backendInfo, listBackends } from '../../backend/index.js';
import { type CommandSpec, type PrintOptions, JSON_FLAG, printJson, printer } from '../command.js';

export interface InfoResult {
  /** Backprop's version, from its package.json. */
  version: string;
  /** Node's version, e.g. 'v20.11.0'. */
  node: string;
  platform: string;
  arch: string;
  /** The backend that runs the kernels now. */
  backend: string;
  /** The backends that can be chosen with setBackend(). */
  backends: string[];
  /** What the backend in use is and why it was chosen, e.g. 'AVX2+FMA, 2 threads' or 'SIMD128 …; native addon not built: …'. */
  why: string;
  /** Threads the backend in use computes with. */
  threads: number;
}

/**
 * Backprop's version: the package.json of the 'backprop' package above this file, the same from src/cli/commands
 * (run with tsx) and from the compiled dist/cli/commands.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'backprop' && typeof pkg.version === 'string') return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/** Prints and returns the version, Node's version, the backend in use (and why) and the available ones. */
export async function info(options: PrintOptions = {}): Promise<InfoResult> {
  const result: InfoResult = {
    version: packageVersion(), node: process.version, platform: process.platform, arch: process.arch,
    backend: backend().name, backends: listBackends(),
    why: backendInfo().reason.replace(/^[^:]*: /, ''), threads: backendInfo().threads,
  };
  const log = printer(options);
  const rows: [string, string][] = [
    ['backprop', result.version],
    ['node', result.node],
    ['platform', `${result.platform} ${result.arch}`],
    ['backend in use', result.backend],
    ['backend details', result.why],
    ['threads', String(result.threads)],
    ['backends available', result.backends.join(', ')],
    ['choose with', 'BACKPROP_BACKEND=native|wasm|js, or setBackend(name); setNumThreads(n)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) log(`${k.padEnd(width)}  ${v}`);
  printJson(options, result);
  return result;
}

export const infoCommand: CommandSpec = {
  name: 'info',
  summary: 'version, Node version, the kernel backend in use and why, and the available ones',
  usage: 'info [--json]',
  flags: { json: JSON_FLAG },
  run: (f) => info({ json: f.json === true }),
};
