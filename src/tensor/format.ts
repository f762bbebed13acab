import type { Tensor } from './tensor.js';
import { fmtShape } from './shape.js';

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 4;

/** How every element is written: PyTorch's rules (integers as `3.`, fixed 4 decimals, or scientific). */
function makeFormatter(t: Tensor, values: number[]): (v: number) => string {
  if (t.dtype === 'bool') return (v) => (v ? ' True' : 'False');
  if (t.dtype === 'int32') return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
  if (finite.every((v) => Number.isInteger(v))) {
    const big = finite.some((v) => Math.abs(v) > 1e8);
    return (v) => special(v) ?? (big ? v.toExponential(PRECISION) : `${v.toFixed(0)}.`);
  }
  const nonzero = finite.filter((v) => v !== 0).map(Math.abs);
  const max = Math.max(...nonzero);
  const min = Math.min(...nonzero);
  const sci = max / min > 1000 || max > 1e8 || min < 1e-4;
  return (v) => special(v) ?? (sci ? v.toExponential(PRECISION).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(PRECISION));
}

/** Formats a tensor the way PyTorch prints it, with our dtype and autograd suffixes. */
export function formatTensor(t: Tensor): string {
  const summarize = t.numel() > SUMMARY_THRESHOLD;
  const data = t._data;
  const shape = t.shape;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const indices = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE_ITEMS
      ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);

  // Collect the values that will be shown, to choose a common format and width.
  const shown: number[] = [];
  const collect = (dim: number, off: number): void => {
    if (dim === shape.length) {
      shown.push(data[off]);
      return;
    }
    for (const i of indices(shape[dim])) if (i !== null) collect(dim + 1, off + i * strides[dim]);
  };
  collect(0, 0);
  const fmt = makeFormatter(t, shown);
  const width = Math.max(0, ...shown.map((v) => fmt(v).length));
  const cell = (v: number): string => fmt(v).padStart(width);

  const prefix = 'tensor(';
  const render = (dim: number, off: number, indent: number): string => {
    if (dim === shape.length) return cell(data[off]);
    const parts = indices(shape[dim]).map((i) => (i === null ? '...' : render(dim + 1, off + i * strides[dim], indent + 1)));
    if (dim === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };

  const extras: string[] = [];
  let body: string;
  if (t.numel() === 0) {
    body = '[]';
    if (shape.length !== 1) extras.push(`size=${fmtShape(shape)}`);
  } else {
    body = render(0, 0, prefix.length);
  }
  if (t.dtype !== 'float32') extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `${prefix}${body}${extras.map((e) => ', ' + e).join('')})`;
}
