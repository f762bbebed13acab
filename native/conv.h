// Convolution helpers of the Backend interface (src/backend/js/conv.ts is the reference): im2col (unfold2d),
// its adjoint col2im (fold2d) and max pooling, for float32 and float64, in parallel over the N·C planes.
#pragma once

#include <cstdint>

namespace bp {

/** An [N, C, H, W] input and a 2-D sliding window over its last two dims (see Window2d in src/backend/types.ts). */
struct Window2d {
  long n, c, h, w;
  long kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

/** x [N,C,H,W] → out [N, C·kh·kw, oh·ow]; padding reads 0. */
template <typename T>
void unfold2d(const T* x, const Window2d& win, T* out);

/** cols [N, C·kh·kw, oh·ow] → out [N,C,H,W] zeroed, then every cols entry added where it was read from. */
template <typename T>
void fold2d(const T* cols, const Window2d& win, T* out);

/**
 * 2-D convolution, x [N,C,H,W] (win's n, c, h, w) with weight wt [co, C/groups, kh, kw] and bias [co] (or null)
 * into out [N, co, oh, ow]: per sample and group, w_g · (that sample's im2col columns of the group), the columns
 * unfolded into a per-thread scratch buffer. Parallel over samples.
 */
template <typename T>
void conv2d(const T* x, const Window2d& win, const T* wt, const T* bias, long co, long groups, T* out);

/**
 * conv2d's backward from g [N, co, oh, ow] into whichever of gx [N,C,H,W], gw [co, C/groups, kh, kw], gb [co]
 * is not null (overwritten). gw is summed over a fixed split of the samples, so it never depends on the thread count.
 */
template <typename T>
void conv2dBackward(const T* x, const Window2d& win, const T* wt, long co, long groups, const T* g, T* gx, T* gw, T* gb);

/** Window maxima of x into out [N,C,oh,ow], argmax the winner's h·W + w (first on ties, a NaN wins, −1 if none). */
template <typename T>
void maxPool2d(const T* x, const Window2d& win, T* out, int32_t* argmax);

/**
 * out.scatter_add_(dim, index, src) with out viewed as [outer, midOut, inner] and index, src as
 * [outer, midIdx, inner]: out[o, index[o,m,i], i] += src[o,m,i]. False (out untouched) if an index is not in [0, midOut).
 */
template <typename T>
bool scatterAdd(T* out, const T* src, const int32_t* index, long outer, long midOut, long midIdx, long inner);

}  // namespace bp
