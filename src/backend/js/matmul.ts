import type { Arr } from '../types.js';

// Plain-TypeScript GEMM, packed and register-blocked (BLIS-style, scalar): V8 never vectorises, so the win comes
// from keeping a 4×4 tile of C in 16 locals (16 multiply-adds per 8 loads) over packed, contiguous panels of A
// and B, with K split into blocks that stay in cache. Accumulation is in float64 throughout.
const MR = 4;
const NR = 4;
const KC = 256;

/** Packs rows i0..i0+MR of op(A) for k in [k0, k0+kc) into `dst` as kc groups of MR (zero-padded past m). */
function packA(a: Arr, off: number, m: number, k: number, transA: boolean, i0: number, k0: number, kc: number, dst: Float64Array): void {
  for (let p = 0; p < kc; p++) {
    for (let r = 0; r < MR; r++) {
      const i = i0 + r;
      // op(A)[i][k]: A stored m×k, or k×m when transposed.
      dst[p * MR + r] = i < m ? a[off + (transA ? (k0 + p) * m + i : i * k + k0 + p)] : 0;
    }
  }
}

/** Packs all of op(B) for k in [k0, k0+kc) as column panels of NR: panel q holds kc groups of NR (zero-padded). */
function packB(b: Arr, off: number, k: number, n: number, transB: boolean, k0: number, kc: number, dst: Float64Array): void {
  const panels = Math.ceil(n / NR);
  for (let q = 0; q < panels; q++) {
    const base = q * kc * NR;
    for (let p = 0; p < kc; p++) {
      for (let c = 0; c < NR; c++) {
        const j = q * NR + c;
        // op(B)[k][j]: B stored k×n, or n×k when transposed.
        dst[base + p * NR + c] = j < n ? b[off + (transB ? j * k + k0 + p : (k0 + p) * n + j)] : 0;
      }
    }
  }
}

/** acc[i0.., j0..] += Ap · Bp over kc, for one MR×NR tile. */
function tile(ap: Float64Array, bp: Float64Array, bOff: number, kc: number, acc: Float64Array, n: number, i0: number, j0: number, m: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0, pa = 0, pb = bOff; p < kc; p++, pa += 4, pb += 4) {
    const a0 = ap[pa], a1 = ap[pa + 1], a2 = ap[pa + 2], a3 = ap[pa + 3];
    const b0 = bp[pb], b1 = bp[pb + 1], b2 = bp[pb + 2], b3 = bp[pb + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (i0 + MR <= m && j0 + NR <= n) {
    let o = i0 * n + j0;
    acc[o] += c00; acc[o + 1] += c01; acc[o + 2] += c02; acc[o + 3] += c03; o += n;
    acc[o] += c10; acc[o + 1] += c11; acc[o + 2] += c12; acc[o + 3] += c13; o += n;
    acc[o] += c20; acc[o + 1] += c21; acc[o + 2] += c22; acc[o + 3] += c23; o += n;
    acc[o] += c30; acc[o + 1] += c31; acc[o + 2] += c32; acc[o + 3] += c33;
    return;
  }
  // Edge tile: only the rows and columns inside C.
  const rows = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  const jn = Math.min(NR, n - j0);
  const im = Math.min(MR, m - i0);
  for (let r = 0; r < im; r++) {
    const o = (i0 + r) * n + j0;
    for (let c = 0; c < jn; c++) acc[o + c] += rows[r * NR + c];
  }
}

export function matmul(
  a: Arr, b: Arr, out: Arr, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean,
): void {
  const acc = new Float64Array(m * n);
  const ap = new Float64Array(KC * MR);
  const bp = new Float64Array(KC * Math.ceil(n / NR) * NR);
  for (let t = 0; t < batch; t++) {
    const aOff = t * m * k;
    const bOff = t * k * n;
    acc.fill(0);
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = Math.min(KC, k - k0);
      packB(b, bOff, k, n, transB, k0, kc, bp);
      for (let i0 = 0; i0 < m; i0 += MR) {
        packA(a, aOff, m, k, transA, i0, k0, kc, ap);
        for (let j0 = 0, q = 0; j0 < n; j0 += NR, q++) tile(ap, bp, q * kc * NR, kc, acc, n, i0, j0, m);
      }
    }
    const oOff = t * m * n;
    for (let i = 0; i < m * n; i++) out[oOff + i] = acc[i];
  }
}
