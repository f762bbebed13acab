// The fused hot paths of the Backend interface (src/backend/js/fused.ts is the reference): optimizer steps
// and row-wise log-softmax / softmax cross-entropy, for float32 and float64 arrays. Arithmetic is in float64
// with one rounding at each store, in the js kernel's order, so the optimizer steps are bit-identical to it.
#pragma once

#include <cstdint>

namespace bp {

/**
 * SGD in place (see Backend.sgdStep). Without buf: p ← p − lr·(g + wd·p). With buf: d = g + wd·p,
 * buf ← keep·buf + take·d, p ← p − lr·(nesterov ? d + mu·buf : buf).
 */
struct SgdCoef {
  double lr, mu, wd, keep, take;
  bool nesterov;
};
template <typename T>
void sgdStep(T* p, const T* g, T* buf, long n, const SgdCoef& c);

/**
 * Adam/AdamW in place (see Backend.adamStep), with the js kernel's precomputed constants:
 * stepSize = lr/(1 − β1ᵗ), bc2Sqrt = √(1 − β2ᵗ), wd (0 for AdamW), shrink = 1 − lr·λ (AdamW) or 1.
 */
struct AdamCoef {
  double b1, b2, eps, wd, stepSize, bc2Sqrt, shrink;
  bool decoupled;
};
template <typename T>
void adamStep(T* p, const T* g, T* m, T* v, T* vmax, long n, const AdamCoef& c);

/** Row-wise log-softmax of rows × cols. */
template <typename T>
void logSoftmax(const T* x, long rows, long cols, T* out);

/** out = g − e^y · Σ_row g. */
template <typename T>
void logSoftmaxBackward(const T* y, const T* g, long rows, long cols, T* out);

/** loss[r] = logΣe^x[r,·] − x[r, t] (0 where t = ignore), probs = softmax rows. Targets already checked. */
template <typename T>
void softmaxCrossEntropy(const T* x, long rows, long cols, const int32_t* target, long ignore, T* loss, T* probs);

/** out[r,c] = g[r]·(probs[r,c] − [c = t]); 0 for rows with t = ignore. */
template <typename T>
void softmaxCrossEntropyBackward(const T* probs, const int32_t* target, long ignore, const T* g, long rows, long cols, T* out);

/** The backward of an activation from its output y: op 0 relu g·[y > 0], 1 tanh g·(1 − y²), 2 sigmoid g·y·(1 − y). */
template <typename T>
void activationBackward(int op, const T* y, const T* g, long n, T* out);

/** Binary cross-entropy on logits: out = max(x, 0) − x·t + log1p(e^−|x|). */
template <typename T>
void bceWithLogits(const T* x, const T* t, long n, T* out);

/** Its backward: out = g·(σ(x) − t), g[i] or gScalar when g is nullptr. */
template <typename T>
void bceWithLogitsBackward(const T* x, const T* t, const T* g, double gScalar, long n, T* out);

}  // namespace bp
