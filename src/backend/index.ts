import { jsBackend } from './js/index.js';
import type { Backend } from './types.js';

export type { Backend } from './types.js';

const backends = new Map<string, Backend>([['js', jsBackend]]);
let current: Backend = jsBackend;

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
  if (!b) throw new Error(`setBackend: unknown backend '${name}'; available: ${[...backends.keys()].join(', ')}`);
  current = b;
}

/** The names of the backends that can be chosen. */
export function listBackends(): string[] {
  return [...backends.keys()];
}
