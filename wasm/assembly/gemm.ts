// Single-precision GEMM, packed BLIS-style: B is packed into NR-column panels of a KC×NC block, A into MR-row
// panels of an MC×KC block, and a 4×8 register tile of C (8 f32x4 accumulators) is updated from the two
// panels. The relaxed-SIMD build updates with relaxed_madd (one FMA on x64) instead of mul + add. Measured on
// Zen 3 (V8 11, Node 20), 1 thread: 4×8 gives ≈ 39 GFLOP/s plain and ≈ 45 with FMA; 5×8 and 6×8 tiles ran at
// ≈ 19 (V8 spills accumulators past 16 xmm registers).

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 96;
const NC: i32 = 2048;

/** Bytes of scratch gemm needs at `scratch`: the packed A and B blocks and one edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** The 4×8 C tile at c (ldc bytes between rows) = or += Ap·Bp over kc. */
function kernel4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16)); c += ldc;
    c10 = f32x4.add(c10, v128.load(c)); c11 = f32x4.add(c11, v128.load(c, 16)); c += ldc;
    c20 = f32x4.add(c20, v128.load(c)); c21 = f32x4.add(c21, v128.load(c, 16)); c += ldc;
    c30 = f32x4.add(c30, v128.load(c)); c31 = f32x4.add(c31, v128.load(c, 16));
    c -= 3 * ldc;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/**
 * Packs rows i0..i0+mc of op(A), k in [k0, k0+kc), as MR-row panels of kc groups of MR (zero past mc).
 * A is m×k row-major (lda = k), or k×m when transposed.
 */
function packA(a: usize, m: i32, k: i32, transA: bool, i0: i32, k0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    if (transA) {
      // op(A)[i][p] = a[p·m + i]: each group is a contiguous run of the stored row p.
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(k0 + p) * m + i0 + ir) * 4;
        const d = dst + <usize>(p * MR) * 4;
        if (rows == MR) {
          v128.store(d, v128.load(src));
        } else {
          for (let r = 0; r < MR; r++) store<f32>(d + r * 4, r < rows ? load<f32>(src + r * 4) : 0);
        }
      }
    } else if (rows == MR) {
      // Four rows at a time, four k at a time: a 4×4 transpose in registers.
      const r0 = a + (<usize>(i0 + ir) * k + k0) * 4;
      const ld = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const x0 = v128.load(r0 + p * 4), x1 = v128.load(r0 + ld + p * 4);
        const x2 = v128.load(r0 + 2 * ld + p * 4), x3 = v128.load(r0 + 3 * ld + p * 4);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        const d = dst + <usize>(p * 4) * 4;
        v128.store(d, v128.shuffle<f64>(t0, t1, 0, 2));
        v128.store(d, v128.shuffle<f64>(t0, t1, 1, 3), 16);
        v128.store(d, v128.shuffle<f64>(t2, t3, 0, 2), 32);
        v128.store(d, v128.shuffle<f64>(t2, t3, 1, 3), 48);
      }
      for (; p < kc; p++) {
        const d = dst + <usize>(p * 4) * 4;
        for (let r = 0; r < 4; r++) store<f32>(d + r * 4, load<f32>(r0 + <usize>r * ld + p * 4));
      }
    } else {
      for (let r = 0; r < MR; r++) {
        const d = dst + <usize>r * 4;
        if (r < rows) {
          const src = a + (<usize>(i0 + ir + r) * k + k0) * 4;
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * MR) * 4, load<f32>(src + <usize>p * 4));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * MR) * 4, 0);
        }
      }
    }
    dst += <usize>(kc * MR) * 4;
  }
}

/**
 * Packs columns j0..j0+nc of op(B), k in [k0, k0+kc), as NR-column panels of kc groups of NR (zero past nc).
 * B is k×n row-major (ldb = n), or n×k when transposed.
 */
function packB(b: usize, k: i32, n: i32, transB: bool, k0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(k0 + p) * n + j0 + jr) * 4;
        const d = dst + <usize>(p * NR) * 4;
        if (cols == NR) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) store<f32>(d + c * 4, c < cols ? load<f32>(src + c * 4) : 0);
        }
      }
    } else if (cols == NR) {
      // op(B)[p][j] = b[j·k + p]: two 4×4 transposes per four k.
      const c0 = b + (<usize>(j0 + jr) * k + k0) * 4;
      const ld = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (let h = 0; h < 2; h++) {
          const r0 = c0 + <usize>(4 * h) * ld + p * 4;
          const x0 = v128.load(r0), x1 = v128.load(r0 + ld), x2 = v128.load(r0 + 2 * ld), x3 = v128.load(r0 + 3 * ld);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const d = dst + <usize>(p * NR + 4 * h) * 4;
          v128.store(d, v128.shuffle<f64>(t0, t1, 0, 2));
          v128.store(d, v128.shuffle<f64>(t0, t1, 1, 3), 32);
          v128.store(d, v128.shuffle<f64>(t2, t3, 0, 2), 64);
          v128.store(d, v128.shuffle<f64>(t2, t3, 1, 3), 96);
        }
      }
      for (; p < kc; p++) {
        const d = dst + <usize>(p * NR) * 4;
        for (let c = 0; c < NR; c++) store<f32>(d + c * 4, load<f32>(c0 + <usize>c * ld + p * 4));
      }
    } else {
      for (let c = 0; c < NR; c++) {
        const d = dst + <usize>c * 4;
        if (c < cols) {
          const src = b + (<usize>(j0 + jr + c) * k + k0) * 4;
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * NR) * 4, load<f32>(src + <usize>p * 4));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * NR) * 4, 0);
        }
      }
    }
    dst += <usize>(kc * NR) * 4;
  }
}

/**
 * out[b] (m×n) = op(A[b]) · op(B[b]) for b < batch, float32, all pointers byte offsets into this memory;
 * `scratch` has gemmScratchBytes() free bytes.
 */
export function sgemm(a: usize, b: usize, c: usize, batch: i32, m: i32, k: i32, n: i32, transA: bool, transB: bool, scratch: usize): void {
  sgemmPart(a, b, c, batch, m, k, n, transA, transB, scratch, 0, m, 0, n);
}

/**
 * The block rows [i0, i1) × columns [j0, j1) of every out[b] of sgemm, and nothing else: what one thread
 * computes (its own `scratch`). Each element gets exactly the operations sgemm gives it — the same KC blocks
 * of k in the same order, an edge tile's sum the same as a full tile's — so any split of the output among
 * threads gives bit-identical results.
 */
export function sgemmPart(a: usize, b: usize, c: usize, batch: i32, m: i32, k: i32, n: i32, transA: bool, transB: bool,
  scratch: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const packedA = scratch;
  const packedB = packedA + <usize>(MC * KC) * 4;
  const edge = packedB + <usize>(KC * NC) * 4;
  const ldc = <usize>n * 4;
  for (let q = 0; q < batch; q++) {
    const A = a + <usize>q * m * k * 4;
    const B = b + <usize>q * k * n * 4;
    const C = c + <usize>q * m * n * 4;
    if (k == 0) {
      for (let i = i0; i < i1; i++) memory.fill(C + (<usize>i * n + j0) * 4, 0, <usize>(j1 - j0) * 4);
      continue;
    }
    for (let jc = j0; jc < j1; jc += NC) {
      const nc = min(NC, j1 - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = min(KC, k - pc);
        const acc = pc > 0;
        packB(B, k, n, transB, pc, jc, kc, nc, packedB);
        for (let ic = i0; ic < i1; ic += MC) {
          const mc = min(MC, i1 - ic);
          packA(A, m, k, transA, ic, pc, mc, kc, packedA);
          for (let jr = 0; jr < nc; jr += NR) {
            const cols = min(NR, nc - jr);
            const pb = packedB + <usize>(jr * kc) * 4;
            for (let ir = 0; ir < mc; ir += MR) {
              const rows = min(MR, mc - ir);
              const pa = packedA + <usize>(ir * kc) * 4;
              const ct = C + (<usize>(ic + ir) * n + jc + jr) * 4;
              if (rows == MR && cols == NR) {
                kernel4x8(pa, pb, kc, ct, ldc, acc);
                continue;
              }
              // Edge tile: compute the whole tile into `edge`, then write the part inside C.
              kernel4x8(pa, pb, kc, edge, NR * 4, false);
              for (let r = 0; r < rows; r++) {
                const src = edge + <usize>(r * NR) * 4;
                const dst = ct + <usize>r * ldc;
                for (let j = 0; j < cols; j++) {
                  const v = load<f32>(src + j * 4);
                  store<f32>(dst + j * 4, acc ? load<f32>(dst + j * 4) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}
