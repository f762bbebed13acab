/** Shape arithmetic shared by tensors, ops and error messages. Pure functions of number arrays. */

export type Shape = readonly number[];

/** Number of elements of a tensor of this shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** `[2,3]` — how shapes appear in error messages. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy/PyTorch broadcasting of two shapes; throws naming `op` when they are incompatible. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  // Equal shapes (most elementwise calls) broadcast to themselves: a copy, without the per-dim rules.
  if (shapesEqual(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together ` +
          `(dim ${i - n} is ${da} vs ${db}; sizes must match or one must be 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative `dim` against `ndim`; throws naming `op` when out of range. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new Error(`${op}: dim must be an integer, got ${dim}`);
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (dim < lo || dim > hi) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dims (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Resolves a dim list (or null = all dims), sorted and without repeats. */
export function normalizeDims(op: string, dims: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dims === null || dims === undefined) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  const list = typeof dims === 'number' ? [dims] : dims;
  // The common case, in-range dims already in increasing order (e.g. sumTo's): no set, no sort.
  if (ndim > 0 && Array.isArray(list)) {
    const out = new Array<number>(list.length);
    let ok = true;
    for (let i = 0; i < list.length && ok; i++) {
      const d = list[i];
      ok = Number.isInteger(d) && d >= 0 && d < ndim && (i === 0 || d > out[i - 1]);
      out[i] = d;
    }
    if (ok) return out;
  }
  const out = list.map((d) => normalizeDim(op, d, ndim));
  if (ndim === 0) return [];
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new Error(`${op}: dim ${d} appears more than once in ${fmtShape(list)}`);
    seen.add(d);
  }
  return out.sort((x, y) => x - y);
}

/** Checks that every entry is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
    }
  }
}
