/**
 * The broadcast and reduction patterns the accelerated backends have kernels for, recognised from shapes:
 * shared by native and wasm so both take the same fast paths.
 */
import type { Shape } from './types.js';

/**
 * How an operand of `shape` is read when broadcast to outShape (n elements): every element ('full'), one
 * value ('scalar'), its `len` values repeated end to end ('tile': shape is 1s then outShape's trailing dims,
 * like a bias), or each of its `len` values repeated in a run ('repeat': outShape's leading dims then 1s, like
 * a keepdim row max). null for any other pattern.
 */
export type Layout = { kind: 'full' | 'scalar' } | { kind: 'tile' | 'repeat'; len: number };

// The two layouts without a length are shared constants: layoutOf runs on every elementwise call.
const FULL: Layout = Object.freeze({ kind: 'full' });
const SCALAR: Layout = Object.freeze({ kind: 'scalar' });

export function layoutOf(len: number, shape: Shape, outShape: Shape, n: number): Layout | null {
  if (len === n) return FULL;
  if (len === 1) return SCALAR;
  // shape is read as if padded with leading 1s to outShape's rank, without building the padded array.
  const nd = outShape.length;
  const pad = nd - shape.length;
  const dim = (i: number): number => (i < pad ? 1 : shape[i - pad]);
  let first = 0;
  while (dim(first) === 1) first++;
  let last = nd - 1;
  while (dim(last) === 1) last--;
  let tile = true;
  for (let i = first; i < nd; i++) {
    if (dim(i) !== outShape[i]) {
      tile = false;
      break;
    }
  }
  if (tile) return { kind: 'tile', len };
  for (let i = 0; i <= last; i++) if (dim(i) !== outShape[i]) return null;
  return { kind: 'repeat', len };
}

/** [rowStride, colStride] of an operand in a rows × cols view of the output, or null if it does not fit. */
export function strides(l: Layout, rows: number, cols: number): [number, number] | null {
  switch (l.kind) {
    case 'full': return [cols, 1];
    case 'scalar': return [0, 0];
    case 'tile': return l.len === cols ? [0, 1] : null;
    case 'repeat': return l.len === rows ? [1, 0] : null;
  }
}

/**
 * The rows × cols view in which the accelerated binary kernels read two operands broadcast to outShape (n
 * elements): out[r·cols + c] = a[r·sa[0] + c·sa[1]] op b[r·sb[0] + c·sb[1]]. A tiled operand (a bias) fixes cols, a
 * repeated one (a keepdim row statistic) fixes rows. null when a pattern does not fit that view.
 */
export function binaryView(
  aLen: number, aShape: Shape, bLen: number, bShape: Shape, outShape: Shape, n: number,
): { rows: number; cols: number; sa: [number, number]; sb: [number, number] } | null {
  const la = layoutOf(aLen, aShape, outShape, n);
  const lb = layoutOf(bLen, bShape, outShape, n);
  if (!la || !lb) return null;
  const tiled = la.kind === 'tile' ? la : lb.kind === 'tile' ? lb : null;
  const repeated = la.kind === 'repeat' ? la : lb.kind === 'repeat' ? lb : null;
  const cols = tiled ? tiled.len : repeated ? n / repeated.len : n;
  const rows = n / cols;
  const sa = strides(la, rows, cols);
  const sb = strides(lb, rows, cols);
  return sa && sb ? { rows, cols, sa, sb } : null;
}

/** Splits shape into [outer, mid, inner] around a run of consecutive axes, or null if they are not consecutive. */
export function aroundAxes(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  if (axes.length === 0) return null;
  const lo = axes[0];
  const hi = axes[axes.length - 1];
  if (hi - lo !== axes.length - 1) return null;
  let outer = 1;
  let mid = 1;
  let inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < lo) outer *= shape[i];
    else if (i <= hi) mid *= shape[i];
    else inner *= shape[i];
  }
  return [outer, mid, inner];
}
