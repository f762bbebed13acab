// Elementwise and reduction kernels where the JavaScript loop, not memory, is the bottleneck.
#pragma once

#include <cstdint>

namespace bp {

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kEq = 4, kNe = 5, kLt = 6, kLe = 7, kGt = 8, kGe = 9 };
enum UnaryOp { kRelu = 0, kExp = 1, kTanh = 2, kSigmoid = 3 };

/**
 * out[r·cols + c] = a[r·ars + c·acs] op b[r·brs + c·bcs] for r < rows, c < cols. Strides of 0 express
 * broadcasting (a scalar, a row vector repeated down the rows, a column repeated across them). `out` holds
 * T for add … div, uint8_t (0/1) for the comparisons.
 */
template <typename T>
void binary(int op, const T* a, const T* b, void* out, long rows, long cols, long ars, long acs, long brs, long bcs);

/** out[i] = x[i] converted to float32/float64 (the conversions a typed-array store does). */
template <typename S, typename D>
void castToFloat(const S* x, D* out, long n);

/** out[i] = op(x[i]) for float32, each value computed in float64 and rounded once (as the js kernel does). */
void unaryF32(int op, const float* x, float* out, long n);

/** out[o·inner + i] = Σ_m x[(o·mid + m)·inner + i], accumulated in float64, rounded once to out's type. */
template <typename T, typename D>
void sum(const T* x, D* out, long outer, long mid, long inner);

}  // namespace bp
