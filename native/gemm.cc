// BLIS-style GEMM (Goto's algorithm): B is packed into KC×NC blocks of NR-wide panels, A into MC×KC blocks of
// MR-tall panels, and a register-blocked micro-kernel computes one MR×NR tile of C from a pair of panels.
// Loops, outermost first: jc (NC columns of C) → pc (KC of the inner dim) → ic (MC rows) → jr (NR) → ir (MR).
#include "gemm.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "cpu.h"
#include "pool.h"

#if BP_X86
#include <immintrin.h>
#endif

namespace bp {

namespace {

/** A read-only strided matrix view: element (i, j) is p[i·rs + j·cs]. */
template <typename T>
struct View {
  const T* p;
  long rs, cs;
};

// ---- micro-kernels: C[0:MR, 0:NR] (row stride ldc) = (accumulate ? C : 0) + Apanel · Bpanel over kc ----
// Apanel holds MR values per step of k, Bpanel NR values per step (both zero-padded at the edges).

/** Portable kernel: plain C that any compiler vectorises for the baseline ISA. */
template <typename T, int MR, int NR>
void portableKernel(long kc, const T* a, const T* b, T* c, long ldc, bool accumulate) {
  T acc[MR][NR] = {};
  for (long p = 0; p < kc; p++, a += MR, b += NR) {
    for (int i = 0; i < MR; i++) {
      const T ai = a[i];
      for (int j = 0; j < NR; j++) acc[i][j] += ai * b[j];
    }
  }
  for (int i = 0; i < MR; i++) {
    T* ci = c + i * ldc;
    for (int j = 0; j < NR; j++) ci[j] = accumulate ? ci[j] + acc[i][j] : acc[i][j];
  }
}

#if BP_X86
// 6×16 float32: 12 ymm accumulators, 2 for the B row, 1 for the broadcast A value (15 of 16 registers).
BP_AVX2 void sgemmAvx2Kernel(long kc, const float* a, const float* b, float* c, long ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int i = 0; i < 6; i++) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#define BP_ROW(i)                                     \
  {                                                   \
    const __m256 ai = _mm256_broadcast_ss(a + (i));   \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);       \
    c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);       \
  }
#pragma GCC unroll 4
  for (long p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    BP_ROW(0) BP_ROW(1) BP_ROW(2) BP_ROW(3) BP_ROW(4) BP_ROW(5)
    a += 6;
    b += 16;
  }
#undef BP_ROW
#define BP_STORE(i)                                                                        \
  {                                                                                        \
    float* ci = c + (i) * ldc;                                                             \
    if (accumulate) {                                                                      \
      c##i##0 = _mm256_add_ps(c##i##0, _mm256_loadu_ps(ci));                               \
      c##i##1 = _mm256_add_ps(c##i##1, _mm256_loadu_ps(ci + 8));                           \
    }                                                                                      \
    _mm256_storeu_ps(ci, c##i##0);                                                         \
    _mm256_storeu_ps(ci + 8, c##i##1);                                                     \
  }
  BP_STORE(0) BP_STORE(1) BP_STORE(2) BP_STORE(3) BP_STORE(4) BP_STORE(5)
#undef BP_STORE
}

// 6×8 float64: the same register plan with 4 doubles per ymm.
BP_AVX2 void dgemmAvx2Kernel(long kc, const double* a, const double* b, double* c, long ldc, bool accumulate) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int i = 0; i < 6; i++) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#define BP_ROW(i)                                     \
  {                                                   \
    const __m256d ai = _mm256_broadcast_sd(a + (i));  \
    c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);       \
    c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);       \
  }
#pragma GCC unroll 4
  for (long p = 0; p < kc; p++) {
    const __m256d b0 = _mm256_load_pd(b);
    const __m256d b1 = _mm256_load_pd(b + 4);
    BP_ROW(0) BP_ROW(1) BP_ROW(2) BP_ROW(3) BP_ROW(4) BP_ROW(5)
    a += 6;
    b += 8;
  }
#undef BP_ROW
#define BP_STORE(i)                                                                        \
  {                                                                                        \
    double* ci = c + (i) * ldc;                                                            \
    if (accumulate) {                                                                      \
      c##i##0 = _mm256_add_pd(c##i##0, _mm256_loadu_pd(ci));                               \
      c##i##1 = _mm256_add_pd(c##i##1, _mm256_loadu_pd(ci + 4));                           \
    }                                                                                      \
    _mm256_storeu_pd(ci, c##i##0);                                                         \
    _mm256_storeu_pd(ci + 4, c##i##1);                                                     \
  }
  BP_STORE(0) BP_STORE(1) BP_STORE(2) BP_STORE(3) BP_STORE(4) BP_STORE(5)
#undef BP_STORE
}
#endif

/** A kernel with its tile and cache-block sizes (KC·NR·sizeof(T) fits L1, MC·KC L2, KC·NC L3). */
template <typename T>
struct Plan {
  int mr, nr, kc, mc, nc;
  void (*kernel)(long kc, const T* a, const T* b, T* c, long ldc, bool accumulate);
};

template <typename T>
Plan<T> plan();

template <>
Plan<float> plan<float>() {
#if BP_X86
  if (activeIsa() == Isa::avx2) return {6, 16, 256, 144, 4080, sgemmAvx2Kernel};
#endif
  return {4, 8, 256, 128, 4096, portableKernel<float, 4, 8>};
}

template <>
Plan<double> plan<double>() {
#if BP_X86
  if (activeIsa() == Isa::avx2) return {6, 8, 256, 72, 2040, dgemmAvx2Kernel};
#endif
  return {4, 4, 256, 64, 2048, portableKernel<double, 4, 4>};
}

// ---- scratch: per-thread, 64-byte aligned, grown on demand and kept ----

struct Scratch {
  void* p[2] = {nullptr, nullptr};
  size_t cap[2] = {0, 0};
  ~Scratch() {
    free(p[0]);
    free(p[1]);
  }
  template <typename T>
  T* get(int slot, size_t count) {
    const size_t bytes = (count * sizeof(T) + 63) & ~size_t(63);
    if (bytes > cap[slot]) {
      free(p[slot]);
      p[slot] = aligned_alloc(64, bytes);
      cap[slot] = p[slot] ? bytes : 0;
    }
    return static_cast<T*>(p[slot]);
  }
};

thread_local Scratch t_scratch;

// ---- packing ----

/** Packs rows [0, mc) × k-range [0, kc) of A into MR-tall panels: panel r holds A(r·MR + i, p) at p·MR + i. */
template <typename T>
void packA(View<T> A, long mc, long kc, int MR, T* dst) {
  for (long r = 0; r < mc; r += MR) {
    const int mr = mc - r < MR ? static_cast<int>(mc - r) : MR;
    if (A.cs == 1) {
      // Row-major A: read mr rows side by side.
      for (long p = 0; p < kc; p++) {
        for (int i = 0; i < mr; i++) dst[p * MR + i] = A.p[(r + i) * A.rs + p];
        for (int i = mr; i < MR; i++) dst[p * MR + i] = 0;
      }
    } else {
      for (long p = 0; p < kc; p++) {
        const T* src = A.p + p * A.cs + r * A.rs;
        for (int i = 0; i < mr; i++) dst[p * MR + i] = src[i * A.rs];
        for (int i = mr; i < MR; i++) dst[p * MR + i] = 0;
      }
    }
    dst += kc * MR;
  }
}

/** Packs k-range [0, kc) × columns [0, nc) of B into NR-wide panels: panel s holds B(p, s·NR + j) at p·NR + j. */
template <typename T>
void packB(View<T> B, long kc, long nc, int NR, T* dst) {
  for (long s = 0; s < nc; s += NR) {
    const int nr = nc - s < NR ? static_cast<int>(nc - s) : NR;
    if (B.cs == 1) {
      for (long p = 0; p < kc; p++) {
        const T* src = B.p + p * B.rs + s;
        for (int j = 0; j < nr; j++) dst[p * NR + j] = src[j];
        for (int j = nr; j < NR; j++) dst[p * NR + j] = 0;
      }
    } else {
      // Transposed B (stored n×k): column j is a contiguous run over p. Transpose one cache line of p at a
      // time: the writes stay within a few lines, and each line read is used whole before the next (with k a
      // multiple of 1024 the nr source lines share one L1 set and evict each other).
      constexpr int Q = 64 / sizeof(T);
      const T* src = B.p + s * B.cs;
      long p0 = 0;
      for (; p0 + Q <= kc; p0 += Q) {
        for (int j = 0; j < nr; j++)
          for (int q = 0; q < Q; q++) dst[(p0 + q) * NR + j] = src[j * B.cs + (p0 + q) * B.rs];
      }
      for (; p0 < kc; p0++)
        for (int j = 0; j < nr; j++) dst[p0 * NR + j] = src[j * B.cs + p0 * B.rs];
      for (long p = 0; p < kc; p++)
        for (int j = nr; j < NR; j++) dst[p * NR + j] = 0;
    }
    dst += kc * NR;
  }
}

/** C (m×n, row stride ldc) = A·B on this thread. k ≥ 1. */
template <typename T>
void gemmSerial(const Plan<T>& P, View<T> A, View<T> B, T* C, long ldc, long m, long k, long n, bool addTo = false) {
  const long mcMax = m < P.mc ? (m + P.mr - 1) / P.mr * P.mr : P.mc;
  const long ncMax = n < P.nc ? (n + P.nr - 1) / P.nr * P.nr : P.nc;
  // K in near-equal blocks of at most P.kc (784 → 4 × 196, not 3 × 256 + 16): a short last block would pay a
  // full pass over C for little work. Depends on k only, so every thread count sums in the same order.
  const long kBlocks = (k + P.kc - 1) / P.kc;
  const long kcStep = (k + kBlocks - 1) / kBlocks;
  T* Ap = t_scratch.get<T>(0, mcMax * kcStep);
  T* Bp = t_scratch.get<T>(1, ncMax * kcStep);
  if (!Ap || !Bp) {
    // Out of memory for the packed panels (a few MB at most): slow but correct, rather than a crash.
    for (long i = 0; i < m; i++)
      for (long j = 0; j < n; j++) {
        T s = 0;
        for (long p = 0; p < k; p++) s += A.p[i * A.rs + p * A.cs] * B.p[p * B.rs + j * B.cs];
        C[i * ldc + j] = addTo ? C[i * ldc + j] + s : s;
      }
    return;
  }
  alignas(64) T tile[16 * 16];
  for (long jc = 0; jc < n; jc += P.nc) {
    const long nc = n - jc < P.nc ? n - jc : P.nc;
    for (long pc = 0; pc < k; pc += kcStep) {
      const long kc = k - pc < kcStep ? k - pc : kcStep;
      const bool accumulate = addTo || pc > 0;
      packB<T>({B.p + pc * B.rs + jc * B.cs, B.rs, B.cs}, kc, nc, P.nr, Bp);
      for (long ic = 0; ic < m; ic += P.mc) {
        const long mc = m - ic < P.mc ? m - ic : P.mc;
        packA<T>({A.p + ic * A.rs + pc * A.cs, A.rs, A.cs}, mc, kc, P.mr, Ap);
        for (long jr = 0; jr < nc; jr += P.nr) {
          const long nr = nc - jr < P.nr ? nc - jr : P.nr;
          const T* bPanel = Bp + jr * kc;
          for (long ir = 0; ir < mc; ir += P.mr) {
            const long mr = mc - ir < P.mr ? mc - ir : P.mr;
            const T* aPanel = Ap + ir * kc;
            T* c = C + (ic + ir) * ldc + jc + jr;
            if (mr == P.mr && nr == P.nr) {
              P.kernel(kc, aPanel, bPanel, c, ldc, accumulate);
            } else {
              // Edge tile: compute the full tile into scratch, keep the mr×nr corner.
              P.kernel(kc, aPanel, bPanel, tile, P.nr, false);
              for (long i = 0; i < mr; i++)
                for (long j = 0; j < nr; j++)
                  c[i * ldc + j] = accumulate ? c[i * ldc + j] + tile[i * P.nr + j] : tile[i * P.nr + j];
            }
          }
        }
      }
    }
  }
}

// ---- small products with few columns (n ≤ 16 float32, ≤ 8 float64): no packing of A, no edge tiles ----
// The W3 MLP's products (500×2×8, 8×500×8, 500×8×1, …) are a few µs of packing and half-empty 6×16 edge tiles
// in the blocked path for < 1 µs of arithmetic. Here B is copied once into k rows of NV vectors (zero-padded),
// and rows of C are computed R at a time straight from A (strided reads, so transA costs nothing), each row's
// sum over p in order. Only on one thread (below kParallelFlops) and when those B rows fit in L1.

#if BP_X86
template <typename T>
struct Vec;
template <>
struct Vec<float> {
  using V = __m256;
  static constexpr int lanes = 8;
  BP_AVX2 static V zero() { return _mm256_setzero_ps(); }
  BP_AVX2 static V bcast(const float* p) { return _mm256_broadcast_ss(p); }
  BP_AVX2 static V load(const float* p) { return _mm256_loadu_ps(p); }
  BP_AVX2 static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  BP_AVX2 static V add(V a, V b) { return _mm256_add_ps(a, b); }
  BP_AVX2 static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  /** Stores the first `count` (0 … 8) lanes. */
  BP_AVX2 static void storeFirst(float* p, V v, long count) {
    static const int32_t k[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    _mm256_maskstore_ps(p, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + 8 - count)), v);
  }
};
template <>
struct Vec<double> {
  using V = __m256d;
  static constexpr int lanes = 4;
  BP_AVX2 static V zero() { return _mm256_setzero_pd(); }
  BP_AVX2 static V bcast(const double* p) { return _mm256_broadcast_sd(p); }
  BP_AVX2 static V load(const double* p) { return _mm256_loadu_pd(p); }
  BP_AVX2 static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  BP_AVX2 static V add(V a, V b) { return _mm256_add_pd(a, b); }
  BP_AVX2 static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  /** Stores the first `count` (0 … 4) lanes. */
  BP_AVX2 static void storeFirst(double* p, V v, long count) {
    static const int64_t k[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
    _mm256_maskstore_pd(p, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + 4 - count)), v);
  }
};

/** Rows [i0, i0 + R) of C = A·Bp, Bp k rows of NV vectors (row stride bs); the first n columns of each row are stored. */
template <typename T, int NV, int R>
BP_AVX2 inline void smallRows(const T* A, long ars, long acs, const T* Bp, long bs, long k, long n, T* C, long ldc, long i0) {
  using W = Vec<T>;
  constexpr int L = W::lanes;
  typename W::V acc[R][NV];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = W::zero();
  const T* a = A + i0 * ars;
  for (long p = 0; p < k; p++, a += acs) {
    typename W::V b[NV];
    for (int v = 0; v < NV; v++) b[v] = W::load(Bp + p * bs + v * L);
    for (int r = 0; r < R; r++) {
      const typename W::V ar = W::bcast(a + r * ars);
      for (int v = 0; v < NV; v++) acc[r][v] = W::fma(ar, b[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++) {
    T* c = C + (i0 + r) * ldc;
    for (int v = 0; v < NV; v++) {
      const long left = n - v * L;
      if (left >= L) W::store(c + v * L, acc[r][v]);
      else W::storeFirst(c + v * L, acc[r][v], left);
    }
  }
}

template <typename T, int NV>
BP_AVX2 void smallGemmAvx2(View<T> A, View<T> B, T* C, long m, long k, long n, T* Bp) {
  constexpr int L = Vec<T>::lanes;
  constexpr int R = NV == 1 ? 8 : 4;  // 8 independent accumulators cover the FMA latency
  const T* b = Bp;
  long bs = NV * L;
  if (B.cs == 1 && n == NV * L) {
    // Rows of B already are whole vectors: read them in place.
    b = B.p;
    bs = B.rs;
  } else {
    for (long p = 0; p < k; p++) {
      T* dst = Bp + p * NV * L;
      for (long j = 0; j < n; j++) dst[j] = B.p[p * B.rs + j * B.cs];
      for (long j = n; j < NV * L; j++) dst[j] = 0;
    }
  }
  long i = 0;
  for (; i + R <= m; i += R) smallRows<T, NV, R>(A.p, A.rs, A.cs, b, bs, k, n, C, n, i);
  for (; i + 2 <= m; i += 2) smallRows<T, NV, 2>(A.p, A.rs, A.cs, b, bs, k, n, C, n, i);
  if (i < m) smallRows<T, NV, 1>(A.p, A.rs, A.cs, b, bs, k, n, C, n, i);
}
#endif

/** L1 bytes the copied B rows may take in the small path. */
constexpr long kSmallBBytes = 16 * 1024;

/** True (and C computed) when the small path takes the product: AVX2, n ≤ 2 vectors, B's rows within kSmallBBytes. */
template <typename T>
bool smallGemm(View<T> A, View<T> B, T* C, long m, long k, long n) {
#if BP_X86
  constexpr int L = 32 / sizeof(T);
  if (activeIsa() != Isa::avx2 || n > 2 * L) return false;
  const int nv = n > L ? 2 : 1;
  if (k * nv * 32 > kSmallBBytes) return false;
  T* Bp = t_scratch.get<T>(1, k * nv * L);
  if (!Bp) return false;
  if (nv == 1) smallGemmAvx2<T, 1>(A, B, C, m, k, n, Bp);
  else smallGemmAvx2<T, 2>(A, B, C, m, k, n, Bp);
  return true;
#else
  (void)A, (void)B, (void)C, (void)m, (void)k, (void)n;
  return false;
#endif
}

/** Work below this many flops runs on one thread: waking the pool costs more than it saves. */
constexpr double kParallelFlops = 1 << 20;

template <typename T>
struct Job {
  const Plan<T>* plan;
  const T* a;
  const T* b;
  T* c;
  long batch, m, k, n;
  bool transA, transB;
  int mode;  // 0: split batch, 1: split rows of one matrix, 2: split columns of one matrix
  long index;  // the matrix, when splitting one
};

template <typename T>
View<T> viewA(const Job<T>& j, long b) {
  const T* p = j.a + b * j.m * j.k;
  return j.transA ? View<T>{p, 1, j.m} : View<T>{p, j.k, 1};
}

template <typename T>
View<T> viewB(const Job<T>& j, long b) {
  const T* p = j.b + b * j.k * j.n;
  return j.transB ? View<T>{p, 1, j.k} : View<T>{p, j.n, 1};
}

/** [lo, hi) of part `part` when `units` units are split into `parts` near-equal runs. */
void split(long units, int part, int parts, long* lo, long* hi) {
  *lo = units * part / parts;
  *hi = units * (part + 1) / parts;
}

template <typename T>
void runPart(void* ctx, int part, int parts) {
  const Job<T>& j = *static_cast<const Job<T>*>(ctx);
  const Plan<T>& P = *j.plan;
  long lo, hi;
  if (j.mode == 0) {
    split(j.batch, part, parts, &lo, &hi);
    for (long b = lo; b < hi; b++) gemmSerial<T>(P, viewA(j, b), viewB(j, b), j.c + b * j.m * j.n, j.n, j.m, j.k, j.n);
    return;
  }
  View<T> A = viewA(j, j.index);
  View<T> B = viewB(j, j.index);
  T* C = j.c + j.index * j.m * j.n;
  if (j.mode == 1) {
    // Runs of whole MR-row tiles, so every tile is computed as the serial code computes it.
    split((j.m + P.mr - 1) / P.mr, part, parts, &lo, &hi);
    lo *= P.mr;
    hi = hi * P.mr < j.m ? hi * P.mr : j.m;
    if (hi > lo) gemmSerial<T>(P, {A.p + lo * A.rs, A.rs, A.cs}, B, C + lo * j.n, j.n, hi - lo, j.k, j.n);
  } else {
    split((j.n + P.nr - 1) / P.nr, part, parts, &lo, &hi);
    lo *= P.nr;
    hi = hi * P.nr < j.n ? hi * P.nr : j.n;
    if (hi > lo) gemmSerial<T>(P, A, {B.p + lo * B.cs, B.rs, B.cs}, C + lo, j.n, j.m, j.k, hi - lo);
  }
}

/** Idle share when `tiles` tiles are dealt to `parts` threads: ceil(tiles/parts)·parts / tiles. */
double imbalance(long tiles, int parts) {
  return static_cast<double>((tiles + parts - 1) / parts * parts) / static_cast<double>(tiles);
}

template <typename T>
void gemm(const T* a, const T* b, T* c, long batch, long m, long k, long n, bool transA, bool transB) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  if (k <= 0) {
    memset(c, 0, sizeof(T) * batch * m * n);
    return;
  }
  const Plan<T> P = plan<T>();
  Job<T> job{&P, a, b, c, batch, m, k, n, transA, transB, 0, 0};
  const double flops = 2.0 * m * k * n;
  const int threads = numThreads();
  if (flops < kParallelFlops && n <= 64 / static_cast<long>(sizeof(T))) {
    // Few columns: the small path for each matrix if it takes them (it checks the ISA and B's size).
    bool done = true;
    for (long i = 0; i < batch && done; i++) {
      const View<T> A = viewA(job, i), B = viewB(job, i);
      done = smallGemm<T>(A, B, c + i * m * n, m, k, n);
    }
    if (done) return;
  }
  if (threads <= 1 || flops * batch < kParallelFlops) {
    runPart<T>(&job, 0, 1);
    return;
  }
  if (flops < kParallelFlops && batch >= threads) {
    parallelRun(runPart<T>, &job, batch < threads ? static_cast<int>(batch) : threads);
    return;
  }
  // Split each matrix over rows or columns, whichever deals tiles more evenly (columns on a tie: each thread
  // then packs only its own part of B).
  const long tilesM = (m + P.mr - 1) / P.mr;
  const long tilesN = (n + P.nr - 1) / P.nr;
  job.mode = imbalance(tilesM, threads) < imbalance(tilesN, threads) ? 1 : 2;
  const long tiles = job.mode == 1 ? tilesM : tilesN;
  const int parts = tiles < threads ? static_cast<int>(tiles) : threads;
  for (long i = 0; i < batch; i++) {
    job.index = i;
    parallelRun(runPart<T>, &job, parts);
  }
}

}  // namespace

void sgemm(const float* a, const float* b, float* c, long batch, long m, long k, long n, bool transA, bool transB) {
  gemm<float>(a, b, c, batch, m, k, n, transA, transB);
}

template <typename T>
void gemmStridedT(const T* a, long ars, long acs, const T* b, long brs, long bcs, T* c, long ldc, long m, long k, long n, bool addTo) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!addTo)
      for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(T) * n);
    return;
  }
  const Plan<T> P = plan<T>();
  gemmSerial<T>(P, View<T>{a, ars, acs}, View<T>{b, brs, bcs}, c, ldc, m, k, n, addTo);
}

void gemmStrided(const float* a, long ars, long acs, const float* b, long brs, long bcs, float* c, long ldc, long m, long k, long n, bool addTo) {
  gemmStridedT<float>(a, ars, acs, b, brs, bcs, c, ldc, m, k, n, addTo);
}

void gemmStrided(const double* a, long ars, long acs, const double* b, long brs, long bcs, double* c, long ldc, long m, long k, long n, bool addTo) {
  gemmStridedT<double>(a, ars, acs, b, brs, bcs, c, ldc, m, k, n, addTo);
}

void dgemm(const double* a, const double* b, double* c, long batch, long m, long k, long n, bool transA, bool transB) {
  gemm<double>(a, b, c, batch, m, k, n, transA, transB);
}

// ---- peak: 12 independent FMA chains, enough to cover FMA latency × throughput on current cores ----

#if BP_X86
BP_AVX2 double fmaLoopAvx2(long iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(0.0f);
  const __m256 x = _mm256_set1_ps(0.999999f);
  const __m256 y = _mm256_set1_ps(1e-7f);
  for (long t = 0; t < iters; t++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}
#endif

double fmaLoopPortable(long iters) {
  float acc[12][8] = {};
  for (long t = 0; t < iters; t++)
    for (int i = 0; i < 12; i++)
      for (int j = 0; j < 8; j++) acc[i][j] = acc[i][j] * 0.999999f + 1e-7f;
  double s = 0;
  for (int i = 0; i < 12; i++) s += acc[i][0];
  return s;
}

double measurePeakGflops(double seconds) {
  using clock = std::chrono::steady_clock;
  const long iters = 1 << 20;
  const double flopsPerIter = 12 * 8 * 2;
  double best = 0;
  volatile double sink = 0;
  const auto until = clock::now() + std::chrono::duration<double>(seconds);
  while (clock::now() < until) {
    const auto t0 = clock::now();
#if BP_X86
    sink = sink + (activeIsa() == Isa::avx2 ? fmaLoopAvx2(iters) : fmaLoopPortable(iters));
#else
    sink = sink + fmaLoopPortable(iters);
#endif
    const double dt = std::chrono::duration<double>(clock::now() - t0).count();
    const double g = flopsPerIter * iters / dt / 1e9;
    if (g > best) best = g;
  }
  return best;
}

}  // namespace bp
