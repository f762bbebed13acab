// Matrix products for the Backend `matmul` kernel.
#pragma once

namespace bp {

/**
 * For each of `batch` matrices: C[b] (m×n) = op(A[b]) · op(B[b]), where A[b] is stored m×k row-major
 * (k×m when transA) and B[b] k×n (n×k when transB). C is overwritten. Runs in parallel above ≈ 1 MFLOP;
 * each output element is computed the same way whatever the thread count, so results never depend on it.
 */
void sgemm(const float* a, const float* b, float* c, long batch, long m, long k, long n, bool transA, bool transB);
void dgemm(const double* a, const double* b, double* c, long batch, long m, long k, long n, bool transA, bool transB);

/**
 * On this thread: C (m×n, row stride ldc) = A·B, or C += A·B when addTo; A's element (i, p) is at
 * a[i·ars + p·acs], B's (p, j) at b[p·brs + j·bcs] (any strides, so transposes and sub-matrices cost nothing).
 * The blocked kernel of sgemm/dgemm, for callers that run their own parallel parts (the conv kernels).
 */
void gemmStrided(const float* a, long ars, long acs, const float* b, long brs, long bcs, float* c, long ldc, long m, long k, long n, bool addTo);
void gemmStrided(const double* a, long ars, long acs, const double* b, long brs, long bcs, double* c, long ldc, long m, long k, long n, bool addTo);

/** Single-thread peak of the FMA unit in GFLOP/s (float32, AVX2 when the CPU has it), from a tight FMA loop. */
double measurePeakGflops(double seconds);

}  // namespace bp
