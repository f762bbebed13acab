#include "conv.h"

#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu.h"
#include "gemm.h"
#include "pool.h"

#if BP_X86
#include <immintrin.h>
#endif

namespace bp {

namespace {

/** Elements moved below which a call runs on one thread. */
constexpr long kParallelElements = 1L << 16;

/** [lo, hi): the window positions o < count whose coordinate o·s + start lies inside [0, n) (insideRange in conv.ts). */
inline void insideRange(long start, long s, long n, long count, long* lo, long* hi) {
  long l = start >= 0 ? 0 : (-start + s - 1) / s;
  long h = start >= n ? 0 : (n - 1 - start) / s + 1;
  if (h > count) h = count;
  *lo = l < h ? l : h;
  *hi = h;
}

/** insideRange for every kernel column kj < kw (integer divisions hoisted out of the row loops): lo[kj], hi[kj]. */
inline std::vector<long> columnRanges(const Window2d& w) {
  std::vector<long> r(2 * w.kw);
  for (long kj = 0; kj < w.kw; kj++) insideRange(kj * w.dw - w.pw, w.sw, w.w, w.ow, &r[2 * kj], &r[2 * kj + 1]);
  return r;
}

template <typename T>
void unfoldPlanes(const T* x, const Window2d& w, T* out, long p0, long p1) {
  const long plane = w.h * w.w, rows = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  T* o = out + p0 * w.kh * w.kw * rows;
  for (long p = p0; p < p1; p++) {
    const T* base = x + p * plane;
    for (long ki = 0; ki < w.kh; ki++) {
      for (long kj = 0; kj < w.kw; kj++) {
        // The columns inside the input are the same for every row: each row is pad | inside | pad.
        const long ix0 = kj * w.dw - w.pw;
        const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
        for (long oy = 0; oy < w.oh; oy++, o += w.ow) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) {
            for (long ox = 0; ox < w.ow; ox++) o[ox] = 0;
            continue;
          }
          const T* src = base + iy * w.w + ix0;
          for (long ox = 0; ox < lo; ox++) o[ox] = 0;
          if (w.sw == 1) {
            // A loop, not memcpy: rows are short (10–30 elements in LeNet) and a call per row costs more.
            for (long ox = lo; ox < hi; ox++) o[ox] = src[ox];
          } else {
            for (long ox = lo; ox < hi; ox++) o[ox] = src[ox * w.sw];
          }
          for (long ox = hi; ox < w.ow; ox++) o[ox] = 0;
        }
      }
    }
  }
}

template <typename T>
void foldPlanes(const T* cols, const Window2d& w, T* out, long p0, long p1) {
  const long plane = w.h * w.w, rows = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  const T* o = cols + p0 * w.kh * w.kw * rows;
  memset(out + p0 * plane, 0, sizeof(T) * plane * (p1 - p0));
  for (long p = p0; p < p1; p++) {
    T* base = out + p * plane;
    // The js kernel's order (ki, kj, oy, ox), so every sum is rounded the same way: bit-identical.
    for (long ki = 0; ki < w.kh; ki++) {
      for (long kj = 0; kj < w.kw; kj++) {
        const long ix0 = kj * w.dw - w.pw;
        const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
        for (long oy = 0; oy < w.oh; oy++, o += w.ow) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          T* dst = base + iy * w.w + ix0;
          if (w.sw == 1) {
            for (long ox = lo; ox < hi; ox++) dst[ox] += o[ox];
          } else {
            for (long ox = lo; ox < hi; ox++) dst[ox * w.sw] += o[ox];
          }
        }
      }
    }
  }
}

/**
 * Max pooling, portable: the js kernel's loops (a window at a time, taps in order, first on ties, a NaN wins),
 * with the taps inside the plane found without a test per tap.
 */
template <typename T>
void poolPlanesPortable(const T* x, const Window2d& w, T* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  for (long p = p0; p < p1; p++) {
    const T* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      for (long ox = 0; ox < w.ow; ox++) {
        T best = -std::numeric_limits<T>::infinity();
        long at = -1;
        for (long ki = 0; ki < w.kh; ki++) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          for (long kj = 0; kj < w.kw; kj++) {
            const long ix = ox * w.sw - w.pw + kj * w.dw;
            if (ix < 0 || ix >= w.w) continue;
            const T v = base[iy * w.w + ix];
            if (at < 0 || v > best || v != v) {
              best = v;
              at = iy * w.w + ix;
            }
          }
        }
        out[p * outPlane + oy * w.ow + ox] = best;
        argmax[p * outPlane + oy * w.ow + ox] = static_cast<int32_t>(at);
      }
    }
  }
}

#if BP_X86
/**
 * Max pooling with AVX2: 8 (float32) or 4 (float64) neighbouring windows of a row at once, their best values and
 * positions kept in registers across the taps, each tap a masked gather (lanes whose tap is padding stay off).
 * Per window that is the js kernel's sequence of comparisons, so the results are identical; and no branch
 * depends on the data (random data would mispredict one per comparison half the time).
 */
BP_AVX2 void poolPlanesAvx2(const float* x, const Window2d& w, float* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i stride = _mm256_mullo_epi32(lane, _mm256_set1_epi32(static_cast<int32_t>(w.sw)));
  for (long p = p0; p < p1; p++) {
    const float* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      float* o = out + p * outPlane + oy * w.ow;
      int32_t* a = argmax + p * outPlane + oy * w.ow;
      for (long ox0 = 0; ox0 < w.ow; ox0 += 8) {
        const __m256i ox = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(ox0)), lane);
        __m256 best = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
        __m256i at = _mm256_set1_epi32(-1);
        for (long ki = 0; ki < w.kh; ki++) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          for (long kj = 0; kj < w.kw; kj++) {
            const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
            if (hi <= ox0 || lo >= ox0 + 8) continue;
            // Lanes lo ≤ ox < hi read inside the plane.
            const __m256i valid = _mm256_and_si256(_mm256_cmpgt_epi32(ox, _mm256_set1_epi32(static_cast<int32_t>(lo - 1))),
                                                   _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(hi)), ox));
            const int32_t first = static_cast<int32_t>(iy * w.w + ox0 * w.sw + kj * w.dw - w.pw);
            const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(first), stride);
            const __m256 v = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, idx, _mm256_castsi256_ps(valid), 4);
            const __m256 take = _mm256_and_ps(
                _mm256_castsi256_ps(valid),
                _mm256_or_ps(_mm256_or_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_setzero_si256(), at)),
                                          _mm256_cmp_ps(v, best, _CMP_GT_OQ)),
                             _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
            best = _mm256_blendv_ps(best, v, take);
            at = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(at), _mm256_castsi256_ps(idx), take));
          }
        }
        const long n = w.ow - ox0 < 8 ? w.ow - ox0 : 8;
        if (n == 8) {
          _mm256_storeu_ps(o + ox0, best);
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + ox0), at);
        } else {
          alignas(32) float bs[8];
          alignas(32) int32_t as[8];
          _mm256_store_ps(bs, best);
          _mm256_store_si256(reinterpret_cast<__m256i*>(as), at);
          for (long i = 0; i < n; i++) {
            o[ox0 + i] = bs[i];
            a[ox0 + i] = as[i];
          }
        }
      }
    }
  }
}

/** The even (Odd false) or odd lanes of a[0 … 8) ++ b[0 … 8), in order. */
template <bool Odd>
BP_AVX2 inline __m256 deinterleave(__m256 a, __m256 b) {
  const __m256 s = Odd ? _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)) : _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}

/**
 * 2×2 windows at stride 2 with no padding, all inside the plane (LeNet's pooling): 8 windows from two plain loads
 * of each of the two rows, split into the four taps by shuffles (no gathers). The taps in the js order with its
 * comparisons, so the results are identical; the windows past the last 8 of a row take the scalar loop.
 */
BP_AVX2 void pool2x2Avx2(const float* x, const Window2d& w, float* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i one = _mm256_set1_epi32(1), rowStep = _mm256_set1_epi32(static_cast<int32_t>(w.w));
  for (long p = p0; p < p1; p++) {
    const float* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      const float* r0 = base + 2 * oy * w.w;
      const float* r1 = r0 + w.w;
      float* o = out + p * outPlane + oy * w.ow;
      int32_t* a = argmax + p * outPlane + oy * w.ow;
      long ox = 0;
      for (; ox + 8 <= w.ow; ox += 8) {
        const __m256 a0 = _mm256_loadu_ps(r0 + 2 * ox), b0 = _mm256_loadu_ps(r0 + 2 * ox + 8);
        const __m256 a1 = _mm256_loadu_ps(r1 + 2 * ox), b1 = _mm256_loadu_ps(r1 + 2 * ox + 8);
        const __m256 taps[3] = {deinterleave<true>(a0, b0), deinterleave<false>(a1, b1), deinterleave<true>(a1, b1)};
        const __m256i i00 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(2 * oy * w.w + 2 * ox)), lane2);
        const __m256i idx[3] = {_mm256_add_epi32(i00, one), _mm256_add_epi32(i00, rowStep), _mm256_add_epi32(_mm256_add_epi32(i00, rowStep), one)};
        __m256 best = deinterleave<false>(a0, b0);
        __m256i at = i00;
        for (int t = 0; t < 3; t++) {
          const __m256 take = _mm256_or_ps(_mm256_cmp_ps(taps[t], best, _CMP_GT_OQ), _mm256_cmp_ps(taps[t], taps[t], _CMP_UNORD_Q));
          best = _mm256_blendv_ps(best, taps[t], take);
          at = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(at), _mm256_castsi256_ps(idx[t]), take));
        }
        _mm256_storeu_ps(o + ox, best);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + ox), at);
      }
      for (; ox < w.ow; ox++) {
        const long i00 = 2 * oy * w.w + 2 * ox;
        const long idx[4] = {i00, i00 + 1, i00 + w.w, i00 + w.w + 1};
        float best = base[i00];
        long at = i00;
        for (int t = 1; t < 4; t++) {
          const float v = base[idx[t]];
          if (v > best || v != v) {
            best = v;
            at = idx[t];
          }
        }
        o[ox] = best;
        a[ox] = static_cast<int32_t>(at);
      }
    }
  }
}

BP_AVX2 void poolPlanesAvx2(const double* x, const Window2d& w, double* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
  const __m128i stride = _mm_mullo_epi32(lane, _mm_set1_epi32(static_cast<int32_t>(w.sw)));
  for (long p = p0; p < p1; p++) {
    const double* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      double* o = out + p * outPlane + oy * w.ow;
      int32_t* a = argmax + p * outPlane + oy * w.ow;
      for (long ox0 = 0; ox0 < w.ow; ox0 += 4) {
        const __m128i ox = _mm_add_epi32(_mm_set1_epi32(static_cast<int32_t>(ox0)), lane);
        __m256d best = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
        // Positions as doubles (exact below 2⁵³), so one blend mask serves both.
        __m256d at = _mm256_set1_pd(-1);
        for (long ki = 0; ki < w.kh; ki++) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          for (long kj = 0; kj < w.kw; kj++) {
            const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
            if (hi <= ox0 || lo >= ox0 + 4) continue;
            const __m128i valid32 = _mm_and_si128(_mm_cmpgt_epi32(ox, _mm_set1_epi32(static_cast<int32_t>(lo - 1))),
                                                  _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int32_t>(hi)), ox));
            const __m256d valid = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(valid32));
            const int32_t first = static_cast<int32_t>(iy * w.w + ox0 * w.sw + kj * w.dw - w.pw);
            const __m128i idx = _mm_add_epi32(_mm_set1_epi32(first), stride);
            const __m256d v = _mm256_mask_i32gather_pd(_mm256_setzero_pd(), base, idx, valid, 8);
            const __m256d take = _mm256_and_pd(
                valid, _mm256_or_pd(_mm256_or_pd(_mm256_cmp_pd(at, _mm256_setzero_pd(), _CMP_LT_OQ), _mm256_cmp_pd(v, best, _CMP_GT_OQ)),
                                    _mm256_cmp_pd(v, v, _CMP_UNORD_Q)));
            best = _mm256_blendv_pd(best, v, take);
            at = _mm256_blendv_pd(at, _mm256_cvtepi32_pd(idx), take);
          }
        }
        const long n = w.ow - ox0 < 4 ? w.ow - ox0 : 4;
        alignas(32) double bs[4];
        alignas(16) int32_t as[4];
        _mm256_store_pd(bs, best);
        _mm_store_si128(reinterpret_cast<__m128i*>(as), _mm256_cvtpd_epi32(at));
        for (long i = 0; i < n; i++) {
          o[ox0 + i] = bs[i];
          a[ox0 + i] = as[i];
        }
      }
    }
  }
}
#endif

template <typename T>
void poolPlanes(const T* x, const Window2d& w, T* out, int32_t* argmax, long p0, long p1) {
#if BP_X86
  // Rows of fewer than 4 windows would leave most vector lanes idle: the scalar loops are as fast there.
  if constexpr (std::is_same_v<T, float>) {
    if (activeIsa() == Isa::avx2 && w.kh == 2 && w.kw == 2 && w.sh == 2 && w.sw == 2 && w.ph == 0 && w.pw == 0 && w.dh == 1 &&
        w.dw == 1 && 2 * w.oh <= w.h && 2 * w.ow <= w.w) {
      return pool2x2Avx2(x, w, out, argmax, p0, p1);
    }
  }
  if (activeIsa() == Isa::avx2 && w.ow >= 4) return poolPlanesAvx2(x, w, out, argmax, p0, p1);
#endif
  poolPlanesPortable(x, w, out, argmax, p0, p1);
}

enum ConvOp { kUnfold, kFold, kPool };

template <typename T>
struct ConvJob {
  int op;
  const T* in;
  Window2d w;
  T* out;
  int32_t* argmax;
};

template <typename T>
void convPart(void* ctx, int part, int parts) {
  const ConvJob<T>& j = *static_cast<const ConvJob<T>*>(ctx);
  long p0, p1;
  splitRange(j.w.n * j.w.c, part, parts, &p0, &p1);
  switch (j.op) {
    case kUnfold: unfoldPlanes(j.in, j.w, j.out, p0, p1); break;
    case kFold: foldPlanes(j.in, j.w, j.out, p0, p1); break;
    default: poolPlanes(j.in, j.w, j.out, j.argmax, p0, p1); break;
  }
}

/** Whole planes per part: each output element is written by one part (fold2d's sums never race). */
template <typename T>
void runConv(const ConvJob<T>& j, long work) {
  const long planes = j.w.n * j.w.c;
  if (planes <= 0) return;
  const int parts = partsFor(work, planes, kParallelElements);
  if (parts <= 1) return convPart<T>(const_cast<ConvJob<T>*>(&j), 0, 1);
  parallelRun(convPart<T>, const_cast<ConvJob<T>*>(&j), parts);
}

// ---- conv2d without the column tensor: one sample's columns in a per-thread scratch buffer, then GEMMs ----

/** This thread's scratch of at least `count` elements (grown on demand, kept: a sample's columns, ~100 KB in LeNet). */
template <typename T, int Slot = 0>
T* convScratch(size_t count) {
  thread_local std::vector<T> buf;
  if (buf.size() < count) buf.resize(count);
  return buf.data();
}

/** Fixed number of partial weight-gradient sums (each over a fixed run of samples), so results never depend on the thread count. */
constexpr long kGradChunks = 8;

#if BP_X86
// ---- float32 AVX2 products for the conv kernels, read in place (no packing: the operands are one sample's
// columns and gradients, already in cache, and packing them cost as much as the arithmetic) ----

/** Lane masks for the first `count` (0 … 8) lanes. */
BP_AVX2 inline __m256i firstLanes(long count) {
  static const int32_t k[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const long c = count < 0 ? 0 : count > 8 ? 8 : count;
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + 8 - c));
}

/**
 * One R×(8·NV) tile of C (+)= A·B: A's element (i, p) at A[i·ars + p·acs] (broadcast), B's rows (stride ldb)
 * read as vectors; `cols` (≤ 8·NV) columns are read and stored (masked when Full is false).
 */
template <int R, int NV, bool Full>
BP_AVX2 void directTile(const float* A, long ars, long acs, const float* B, const long* boff, float* C, long ldc, long k, long cols, bool addTo, const float* bias) {
  __m256 acc[R][NV];
  __m256i mask[NV];
  for (int v = 0; v < NV; v++) mask[v] = firstLanes(cols - 8 * v);
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = bias ? _mm256_broadcast_ss(bias + r) : _mm256_setzero_ps();
  for (long p = 0; p < k; p++) {
    __m256 b[NV];
    const float* bp = B + boff[p];
    for (int v = 0; v < NV; v++) b[v] = Full ? _mm256_loadu_ps(bp + 8 * v) : _mm256_maskload_ps(bp + 8 * v, mask[v]);
    const float* a = A + p * acs;
    for (int r = 0; r < R; r++) {
      const __m256 ar = _mm256_broadcast_ss(a + r * ars);
      for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(ar, b[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++) {
    float* c = C + r * ldc;
    for (int v = 0; v < NV; v++) {
      if (Full) {
        _mm256_storeu_ps(c + 8 * v, addTo ? _mm256_add_ps(_mm256_loadu_ps(c + 8 * v), acc[r][v]) : acc[r][v]);
      } else {
        const __m256 old = addTo ? _mm256_maskload_ps(c + 8 * v, mask[v]) : _mm256_setzero_ps();
        _mm256_maskstore_ps(c + 8 * v, mask[v], _mm256_add_ps(old, acc[r][v]));
      }
    }
  }
}

template <int R>
BP_AVX2 void directRows(const float* A, long ars, long acs, const float* B, const long* boff, float* C, long ldc, long k, long cols, bool addTo, const float* bias) {
  if (cols == 16) directTile<R, 2, true>(A, ars, acs, B, boff, C, ldc, k, cols, addTo, bias);
  else if (cols > 8) directTile<R, 2, false>(A, ars, acs, B, boff, C, ldc, k, cols, addTo, bias);
  else if (cols == 8) directTile<R, 1, true>(A, ars, acs, B, boff, C, ldc, k, cols, addTo, bias);
  else directTile<R, 1, false>(A, ars, acs, B, boff, C, ldc, k, cols, addTo, bias);
}

/**
 * C (m×n, row stride ldc) (+)= A·B (+ bias[i] on row i when bias is not null), A strided (ars, acs), B's row p
 * contiguous at B + boff[p] (a table: rows of a matrix, or shifted views of a padded image): 6×16 tiles.
 */
BP_AVX2 void directGemm(const float* A, long ars, long acs, const float* B, const long* boff, float* C, long ldc, long m, long k, long n, bool addTo, const float* bias) {
  for (long j = 0; j < n; j += 16) {
    const long cols = n - j < 16 ? n - j : 16;
    for (long i = 0; i < m; i += 6) {
      const float* a = A + i * ars;
      const float* b = B + j;
      float* c = C + i * ldc + j;
      const float* bi = bias ? bias + i : nullptr;
      switch (m - i < 6 ? m - i : 6) {
        case 6: directRows<6>(a, ars, acs, b, boff, c, ldc, k, cols, addTo, bi); break;
        case 5: directRows<5>(a, ars, acs, b, boff, c, ldc, k, cols, addTo, bi); break;
        case 4: directRows<4>(a, ars, acs, b, boff, c, ldc, k, cols, addTo, bi); break;
        case 3: directRows<3>(a, ars, acs, b, boff, c, ldc, k, cols, addTo, bi); break;
        case 2: directRows<2>(a, ars, acs, b, boff, c, ldc, k, cols, addTo, bi); break;
        default: directRows<1>(a, ars, acs, b, boff, c, ldc, k, cols, addTo, bi); break;
      }
    }
  }
}

/** Horizontal sum of 8 lanes. */
BP_AVX2 inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/** RA×RB block of C (+)= X·Yᵀ, X rows (stride ldx) and Y rows (at Y + yoff[b]) both of length k, as 8-lane partial dot products. */
template <int RA, int RB>
BP_AVX2 void dotTile(const float* X, long ldx, const float* Y, const long* yoff, float* C, long ldc, long k, bool addTo) {
  __m256 acc[RA][RB];
  for (int a = 0; a < RA; a++)
    for (int b = 0; b < RB; b++) acc[a][b] = _mm256_setzero_ps();
  long p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 y[RB];
    for (int b = 0; b < RB; b++) y[b] = _mm256_loadu_ps(Y + yoff[b] + p);
    for (int a = 0; a < RA; a++) {
      const __m256 x = _mm256_loadu_ps(X + a * ldx + p);
      for (int b = 0; b < RB; b++) acc[a][b] = _mm256_fmadd_ps(x, y[b], acc[a][b]);
    }
  }
  if (p < k) {
    // Both operands masked: a lane past the row's end reads 0 from each (never 0·∞ from a neighbouring row).
    const __m256i mask = firstLanes(k - p);
    __m256 y[RB];
    for (int b = 0; b < RB; b++) y[b] = _mm256_maskload_ps(Y + yoff[b] + p, mask);
    for (int a = 0; a < RA; a++) {
      const __m256 x = _mm256_maskload_ps(X + a * ldx + p, mask);
      for (int b = 0; b < RB; b++) acc[a][b] = _mm256_fmadd_ps(x, y[b], acc[a][b]);
    }
  }
  for (int a = 0; a < RA; a++)
    for (int b = 0; b < RB; b++) {
      const float v = hsum(acc[a][b]);
      C[a * ldc + b] = addTo ? C[a * ldc + b] + v : v;
    }
}

template <int RA>
BP_AVX2 void dotRows(const float* X, long ldx, const float* Y, const long* yoff, float* C, long ldc, long k, long nb, bool addTo) {
  long b = 0;
  for (; b + 4 <= nb; b += 4) dotTile<RA, 4>(X, ldx, Y, yoff + b, C + b, ldc, k, addTo);
  switch (nb - b) {
    case 3: dotTile<RA, 3>(X, ldx, Y, yoff + b, C + b, ldc, k, addTo); break;
    case 2: dotTile<RA, 2>(X, ldx, Y, yoff + b, C + b, ldc, k, addTo); break;
    case 1: dotTile<RA, 1>(X, ldx, Y, yoff + b, C + b, ldc, k, addTo); break;
    default: break;
  }
}

/**
 * C (na×nb, row stride ldc) (+)= X·Yᵀ: every row of X (na rows, stride ldx) dotted with every row b of Y (at
 * Y + yoff[b]), length k.
 */
BP_AVX2 void dotGemm(const float* X, long ldx, const float* Y, const long* yoff, float* C, long ldc, long na, long nb, long k, bool addTo) {
  long a = 0;
  for (; a + 3 <= na; a += 3) dotRows<3>(X + a * ldx, ldx, Y, yoff, C + a * ldc, ldc, k, nb, addTo);
  if (na - a == 2) dotRows<2>(X + a * ldx, ldx, Y, yoff, C + a * ldc, ldc, k, nb, addTo);
  else if (na - a == 1) dotRows<1>(X + a * ldx, ldx, Y, yoff, C + a * ldc, ldc, k, nb, addTo);
}
#endif

/** This thread's table [0, step, 2·step, …) of n row offsets. */
inline const long* rowOffsets(long n, long step) {
  thread_local std::vector<long> t;
  if (static_cast<long>(t.size()) < n) t.resize(n);
  for (long i = 0; i < n; i++) t[i] = i * step;
  return t.data();
}

/**
 * C (m×n) = A·B (+ bias[i] on row i when bias is not null) for the conv kernels, A strided, B's rows contiguous:
 * the AVX2 direct tiles for float32, the blocked GEMM otherwise.
 */
template <typename T>
void convGemm(const T* A, long ars, long acs, const T* B, long ldb, T* C, long ldc, long m, long k, long n, const T* bias = nullptr) {
#if BP_X86
  if constexpr (std::is_same_v<T, float>) {
    if (activeIsa() == Isa::avx2) return directGemm(A, ars, acs, B, rowOffsets(k, ldb), C, ldc, m, k, n, false, bias);
  }
#endif
  gemmStrided(A, ars, acs, B, ldb, 1, C, ldc, m, k, n, false);
  if (bias) {
    for (long i = 0; i < m; i++)
      for (long j = 0; j < n; j++) C[i * ldc + j] += bias[i];
  }
}

/** C (na×nb) (+)= X·Yᵀ for rows of length k (the weight gradient: output-gradient rows against column rows). */
template <typename T>
void convGemmNT(const T* X, long ldx, const T* Y, long ldy, T* C, long ldc, long na, long nb, long k, bool addTo) {
#if BP_X86
  if constexpr (std::is_same_v<T, float>) {
    if (activeIsa() == Isa::avx2) return dotGemm(X, ldx, Y, rowOffsets(nb, ldy), C, ldc, na, nb, k, addTo);
  }
#endif
  gemmStrided(X, ldx, 1, Y, 1, ldy, C, ldc, na, k, nb, addTo);
}

template <typename T>
struct Conv2dJob {
  Window2d w;  // the input's N, C, H, W and the window
  long co, groups;
  const T* x;
  const T* wt;
  const T* bias;
  const T* g;
  T* out;  // forward: the output; backward: gx (or null)
  T* gwParts;  // backward: kGradChunks partial sums of gw (or null)
  long chunks;
};

template <typename T>
struct ConvDims {
  long cog, taps, L, plane, cols;
  explicit ConvDims(const Conv2dJob<T>& j)
      : cog(j.co / j.groups), taps(j.w.c / j.groups * j.w.kh * j.w.kw), L(j.w.oh * j.w.ow), plane(j.w.c * j.w.h * j.w.w),
        cols(j.w.c * j.w.kh * j.w.kw * j.w.oh * j.w.ow) {}
};

// ---- the "wide" path (float32, AVX2, stride 1): no columns at all. On a zero-padded copy of the sample (rows
// Wp = W + 2pw long), column j = oy·Wp + x of every tap's row is the padded image shifted by that tap's offset, so
// the GEMMs read the taps' rows straight from the copy. Outputs x ≥ ow of each row are computed and dropped
// (they wrap into the next row): Wp/ow − 1 extra work, so it is taken only when that is small. ----

/** Extra work the wide path may do (Wp ≤ ow·kWideNum/kWideDen), measured against unfolding on LeNet's two layers. */
constexpr long kWideNum = 3, kWideDen = 2;

/** The padded copy's geometry: planes of Hp×Wp plus a tail that the last taps' wrapped reads reach. */
struct Wide {
  long hp, wp, planeSize, width;  // width: oh·Wp columns of the wide product
};

/** True when the float32 AVX2 kernels run. */
inline bool avx2Float() {
#if BP_X86
  return activeIsa() == Isa::avx2;
#else
  return false;
#endif
}

inline bool wideGeometry(const Window2d& w, Wide* out) {
  if (w.sh != 1 || w.sw != 1 || !avx2Float()) return false;
  const long hp = w.h + 2 * w.ph, wp = w.w + 2 * w.pw;
  // Exactly the windows of a stride-1 conv ('same' padding with an odd extra leaves a row/column short: not this path).
  if (w.oh != hp - (w.kh - 1) * w.dh || w.ow != wp - (w.kw - 1) * w.dw || w.ow <= 0 || w.oh <= 0) return false;
  if (wp * kWideDen > w.ow * kWideNum) return false;
  *out = Wide{hp, wp, hp * wp + (w.kw - 1) * w.dw + 8, w.oh * wp};
  return true;
}

/** Sample x [C, H, W] into the zeroed padded planes of pad; offsets of every tap's row (c, ki, kj) into tapOff. */
inline void padSample(const float* x, const Window2d& w, const Wide& g, float* pad, long* tapOff) {
  memset(pad, 0, sizeof(float) * w.c * g.planeSize);
  for (long c = 0; c < w.c; c++) {
    float* plane = pad + c * g.planeSize;
    for (long y = 0; y < w.h; y++) memcpy(plane + (y + w.ph) * g.wp + w.pw, x + (c * w.h + y) * w.w, sizeof(float) * w.w);
    for (long ki = 0; ki < w.kh; ki++)
      for (long kj = 0; kj < w.kw; kj++) tapOff[(c * w.kh + ki) * w.kw + kj] = c * g.planeSize + ki * w.dh * g.wp + kj * w.dw;
  }
}

/** Forward for samples [n0, n1) by the wide path: out[n]_g = w_g · (shifted rows of the padded copy) + bias. */
void conv2dSamplesWide(const Conv2dJob<float>& j, const Wide& g, long n0, long n1) {
#if BP_X86
  const ConvDims<float> d(j);
  float* pad = convScratch<float, 1>(j.w.c * g.planeSize);
  long* tapOff = convScratch<long, 0>(j.w.c * j.w.kh * j.w.kw);
  float* wide = convScratch<float, 2>(d.cog * g.width);
  for (long n = n0; n < n1; n++) {
    padSample(j.x + n * d.plane, j.w, g, pad, tapOff);
    for (long gr = 0; gr < j.groups; gr++) {
      directGemm(j.wt + gr * d.cog * d.taps, d.taps, 1, pad, tapOff + gr * d.taps, wide, g.width, d.cog, d.taps, g.width, false,
                 j.bias ? j.bias + gr * d.cog : nullptr);
      float* o = j.out + (n * j.co + gr * d.cog) * d.L;
      for (long c = 0; c < d.cog; c++)
        for (long oy = 0; oy < j.w.oh; oy++) memcpy(o + (c * j.w.oh + oy) * j.w.ow, wide + c * g.width + oy * g.wp, sizeof(float) * j.w.ow);
    }
  }
#else
  (void)j, (void)g, (void)n0, (void)n1;
#endif
}

/** gw's partial sum over samples [n0, n1) by the wide path: Σ g[n]_g (widened with zeros) · (shifted rows)ᵀ. */
void conv2dWeightGradWide(const Conv2dJob<float>& j, const Wide& g, long n0, long n1, float* gw) {
#if BP_X86
  const ConvDims<float> d(j);
  float* pad = convScratch<float, 1>(j.w.c * g.planeSize);
  long* tapOff = convScratch<long, 0>(j.w.c * j.w.kh * j.w.kw);
  float* wide = convScratch<float, 2>(j.co * g.width);
  memset(wide, 0, sizeof(float) * j.co * g.width);  // the dropped columns stay 0
  for (long n = n0; n < n1; n++) {
    padSample(j.x + n * d.plane, j.w, g, pad, tapOff);
    const float* gn = j.g + n * j.co * d.L;
    for (long c = 0; c < j.co; c++)
      for (long oy = 0; oy < j.w.oh; oy++) memcpy(wide + c * g.width + oy * g.wp, gn + (c * j.w.oh + oy) * j.w.ow, sizeof(float) * j.w.ow);
    for (long gr = 0; gr < j.groups; gr++) {
      dotGemm(wide + gr * d.cog * g.width, g.width, pad, tapOff + gr * d.taps, gw + gr * d.cog * d.taps, d.taps, d.cog, d.taps, g.width, n > n0);
    }
  }
#else
  (void)j, (void)g, (void)n0, (void)n1, (void)gw;
#endif
}

/** Forward for samples [n0, n1): unfold one sample, then out[n]_g = w_g · cols_g (+ bias), written in place. */
template <typename T>
void conv2dSamples(const Conv2dJob<T>& j, long n0, long n1) {
  if constexpr (std::is_same_v<T, float>) {
    Wide g;
    if (wideGeometry(j.w, &g)) return conv2dSamplesWide(j, g, n0, n1);
  }
  const ConvDims<T> d(j);
  T* cols = convScratch<T>(d.cols);
  for (long n = n0; n < n1; n++) {
    unfoldPlanes(j.x + n * d.plane, j.w, cols, 0, j.w.c);
    T* o = j.out + n * j.co * d.L;
    for (long g = 0; g < j.groups; g++) {
      convGemm(j.wt + g * d.cog * d.taps, d.taps, 1, cols + g * d.taps * d.L, d.L, o + g * d.cog * d.L, d.L, d.cog, d.taps, d.L,
               j.bias ? j.bias + g * d.cog : nullptr);
    }
  }
}

/**
 * Backward for chunk `chunk` of the samples: gw's partial sum Σ g[n]_g · cols[n]_gᵀ over the chunk's samples
 * (columns recomputed: a copy, far cheaper than keeping them), and gx[n] = fold2d(w_gᵀ · g[n]_g).
 */
template <typename T>
void conv2dBackwardChunk(const Conv2dJob<T>& j, long chunk) {
  const ConvDims<T> d(j);
  long n0, n1;
  splitRange(j.w.n, static_cast<int>(chunk), static_cast<int>(j.chunks), &n0, &n1);
  T* cols = convScratch<T>(d.cols);
  T* gw = j.gwParts ? j.gwParts + chunk * j.co * d.taps : nullptr;
  if (gw && n0 == n1) memset(gw, 0, sizeof(T) * j.co * d.taps);
  if constexpr (std::is_same_v<T, float>) {
    Wide g;
    if (gw && wideGeometry(j.w, &g)) {
      conv2dWeightGradWide(j, g, n0, n1, gw);
      gw = nullptr;
    }
  }
  for (long n = n0; n < n1; n++) {
    const T* gn = j.g + n * j.co * d.L;
    if (gw) {
      unfoldPlanes(j.x + n * d.plane, j.w, cols, 0, j.w.c);
      for (long g = 0; g < j.groups; g++) {
        // [cog, L] · [L, taps] (cols_g read transposed)
        convGemmNT(gn + g * d.cog * d.L, d.L, cols + g * d.taps * d.L, d.L, gw + g * d.cog * d.taps, d.taps, d.cog, d.taps, d.L, n > n0);
      }
    }
    if (j.out) {
      for (long g = 0; g < j.groups; g++) {
        // [taps, cog] (w_g read transposed) · [cog, L]
        convGemm(j.wt + g * d.cog * d.taps, 1, d.taps, gn + g * d.cog * d.L, d.L, cols + g * d.taps * d.L, d.L, d.taps, d.cog, d.L);
      }
      foldPlanes(cols, j.w, j.out + n * d.plane, 0, j.w.c);
    }
  }
}

template <typename T>
void conv2dForwardPart(void* ctx, int part, int parts) {
  const Conv2dJob<T>& j = *static_cast<const Conv2dJob<T>*>(ctx);
  long n0, n1;
  splitRange(j.w.n, part, parts, &n0, &n1);
  conv2dSamples(j, n0, n1);
}

template <typename T>
void conv2dBackwardPart(void* ctx, int part, int parts) {
  const Conv2dJob<T>& j = *static_cast<const Conv2dJob<T>*>(ctx);
  long c0, c1;
  splitRange(j.chunks, part, parts, &c0, &c1);
  for (long c = c0; c < c1; c++) conv2dBackwardChunk(j, c);
}

/** Multiply-adds of one pass, for the parallel threshold. */
template <typename T>
long convWork(const Conv2dJob<T>& j) {
  return j.w.n * j.co * (j.w.c / j.groups) * j.w.kh * j.w.kw * j.w.oh * j.w.ow;
}

}  // namespace

template <typename T>
void conv2d(const T* x, const Window2d& w, const T* wt, const T* bias, long co, long groups, T* out) {
  if (w.n <= 0 || co <= 0) return;
  Conv2dJob<T> j{w, co, groups, x, wt, bias, nullptr, out, nullptr, 0};
  const int parts = partsFor(convWork(j), w.n, kParallelElements * 8);
  if (parts <= 1) return conv2dSamples(j, 0, w.n);
  parallelRun(conv2dForwardPart<T>, &j, parts);
}

namespace {

#if BP_X86
/** Σ row[0 … L) in float64, 8 floats a step (two 4-double accumulators). */
BP_AVX2 double rowSumAvx2(const float* row, long L) {
  __m256d a = _mm256_setzero_pd(), b = _mm256_setzero_pd();
  long l = 0;
  for (; l + 8 <= L; l += 8) {
    a = _mm256_add_pd(a, _mm256_cvtps_pd(_mm_loadu_ps(row + l)));
    b = _mm256_add_pd(b, _mm256_cvtps_pd(_mm_loadu_ps(row + l + 4)));
  }
  alignas(32) double t[4];
  _mm256_store_pd(t, _mm256_add_pd(a, b));
  double s = (t[0] + t[1]) + (t[2] + t[3]);
  for (; l < L; l++) s += row[l];
  return s;
}
#endif

/** Σ row[0 … L) in float64 (four running sums: a chain of dependent additions would take 4× as long). */
template <typename T>
double rowSum(const T* row, long L) {
#if BP_X86
  if constexpr (std::is_same_v<T, float>) {
    if (activeIsa() == Isa::avx2) return rowSumAvx2(row, L);
  }
#endif
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  long l = 0;
  for (; l + 4 <= L; l += 4) {
    s0 += row[l];
    s1 += row[l + 1];
    s2 += row[l + 2];
    s3 += row[l + 3];
  }
  for (; l < L; l++) s0 += row[l];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

template <typename T>
void conv2dBackward(const T* x, const Window2d& w, const T* wt, long co, long groups, const T* g, T* gx, T* gw, T* gb) {
  const long L = w.oh * w.ow, taps = w.c / groups * w.kh * w.kw;
  if (gb) {
    for (long c = 0; c < co; c++) {
      double s = 0;
      for (long n = 0; n < w.n; n++) s += rowSum(g + (n * co + c) * L, L);
      gb[c] = static_cast<T>(s);
    }
  }
  if (!gx && !gw) return;
  if (w.n <= 0) {
    if (gw) memset(gw, 0, sizeof(T) * co * taps);
    return;
  }
  const long chunks = w.n < kGradChunks ? w.n : kGradChunks;
  std::vector<T> parts(gw ? chunks * co * taps : 0);
  Conv2dJob<T> j{w, co, groups, x, wt, nullptr, g, gx, gw ? parts.data() : nullptr, chunks};
  const int threads = partsFor((gx ? 1 : 0) * convWork(j) + (gw ? 1 : 0) * convWork(j), chunks, kParallelElements * 8);
  if (threads <= 1) conv2dBackwardPart<T>(&j, 0, 1);
  else parallelRun(conv2dBackwardPart<T>, &j, threads);
  if (gw) {
    // The chunks' partial sums added in chunk order: the same rounding for any thread count.
    const long size = co * taps;
    memcpy(gw, parts.data(), sizeof(T) * size);
    for (long c = 1; c < chunks; c++) {
      const T* p = parts.data() + c * size;
      for (long i = 0; i < size; i++) gw[i] += p[i];
    }
  }
}

template <typename T>
void unfold2d(const T* x, const Window2d& w, T* out) {
  runConv(ConvJob<T>{kUnfold, x, w, out, nullptr}, w.n * w.c * w.kh * w.kw * w.oh * w.ow);
}

template <typename T>
void fold2d(const T* cols, const Window2d& w, T* out) {
  runConv(ConvJob<T>{kFold, cols, w, out, nullptr}, w.n * w.c * w.kh * w.kw * w.oh * w.ow);
}

template <typename T>
void maxPool2d(const T* x, const Window2d& w, T* out, int32_t* argmax) {
  runConv(ConvJob<T>{kPool, x, w, out, argmax}, w.n * w.c * w.oh * w.ow * w.kh * w.kw);
}

template <typename T>
bool scatterAdd(T* out, const T* src, const int32_t* index, long outer, long midOut, long midIdx, long inner) {
  // Checked first, so a bad index leaves out untouched.
  const long n = outer * midIdx * inner;
  for (long p = 0; p < n; p++)
    if (index[p] < 0 || index[p] >= midOut) return false;
  // Positions in the js kernel's order (row-major over the index), so sums into one element round the same way.
  for (long o = 0; o < outer; o++) {
    T* dst = out + o * midOut * inner;
    const long base = o * midIdx * inner;
    for (long m = 0; m < midIdx; m++) {
      const int32_t* ix = index + base + m * inner;
      const T* sv = src + base + m * inner;
      for (long i = 0; i < inner; i++) dst[ix[i] * inner + i] += sv[i];
    }
  }
  return true;
}

template bool scatterAdd<float>(float*, const float*, const int32_t*, long, long, long, long);
template bool scatterAdd<double>(double*, const double*, const int32_t*, long, long, long, long);
template void unfold2d<float>(const float*, const Window2d&, float*);
template void unfold2d<double>(const double*, const Window2d&, double*);
template void fold2d<float>(const float*, const Window2d&, float*);
template void fold2d<double>(const double*, const Window2d&, double*);
template void conv2d<float>(const float*, const Window2d&, const float*, const float*, long, long, float*);
template void conv2d<double>(const double*, const Window2d&, const double*, const double*, long, long, double*);
template void conv2dBackward<float>(const float*, const Window2d&, const float*, long, long, const float*, float*, float*, float*);
template void conv2dBackward<double>(const double*, const Window2d&, const double*, long, long, const double*, double*, double*, double*);
template void maxPool2d<float>(const float*, const Window2d&, float*, int32_t*);
template void maxPool2d<double>(const double*, const Window2d&, double*, int32_t*);

}  // namespace bp
