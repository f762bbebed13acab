import type { Arr } from '../types.js';

/** Copies an r×c matrix at offset `off` into a c×r one. */
function transposeInto(src: Arr, off: number, r: number, c: number, dst: Float64Array): void {
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) dst[j * r + i] = src[off + i * c + j];
}

export function matmul(
  a: Arr, b: Arr, out: Arr, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean,
): void {
  // Reference kernel: i-k-j loop over contiguous operands, float64 row accumulator.
  const at = transA ? new Float64Array(m * k) : null;
  const bt = transB ? new Float64Array(k * n) : null;
  const acc = new Float64Array(n);
  for (let p = 0; p < batch; p++) {
    let A: Arr = a;
    let aOff = p * m * k;
    let B: Arr = b;
    let bOff = p * k * n;
    if (at) {
      transposeInto(a, aOff, k, m, at);
      A = at;
      aOff = 0;
    }
    if (bt) {
      transposeInto(b, bOff, n, k, bt);
      B = bt;
      bOff = 0;
    }
    const oOff = p * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      const aRow = aOff + i * k;
      for (let q = 0; q < k; q++) {
        const av = A[aRow + q];
        if (av === 0) continue;
        const bRow = bOff + q * n;
        for (let j = 0; j < n; j++) acc[j] += av * B[bRow + j];
      }
      const oRow = oOff + i * n;
      for (let j = 0; j < n; j++) out[oRow + j] = acc[j];
    }
  }
}
