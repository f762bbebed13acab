// N-API bindings of the native backend. Every kernel works in place on the typed arrays' own memory
// (napi_get_typedarray_info gives the data pointer: no copy), so results stay owned by the JS garbage collector.
// Arguments are checked here too: a wrong call throws a JS Error, it never reads or writes out of bounds.
#include <cstdlib>
#include <cstring>
#include <node_api.h>

#include <cstdint>
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "conv.h"
#include "cpu.h"
#include "elementwise.h"
#include "fused.h"
#include "gemm.h"
#include "pool.h"

namespace {

constexpr size_t kMaxArgs = 12;

struct Args {
  napi_env env;
  size_t argc = kMaxArgs;
  napi_value argv[kMaxArgs];
  bool ok = true;

  Args(napi_env e, napi_callback_info info, size_t expected, const char* fn) : env(e) {
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < expected) {
      fail(fn, "too few arguments");
    }
  }

  void fail(const char* fn, const char* what) {
    if (!ok) return;
    ok = false;
    char msg[256];
    snprintf(msg, sizeof(msg), "backprop_native.%s: %s", fn, what);
    napi_throw_error(env, nullptr, msg);
  }

  int64_t integer(size_t i, const char* fn) {
    int64_t v = 0;
    if (ok && napi_get_value_int64(env, argv[i], &v) != napi_ok) fail(fn, "expected a number");
    return v;
  }

  bool boolean(size_t i, const char* fn) {
    bool v = false;
    if (ok && napi_get_value_bool(env, argv[i], &v) != napi_ok) fail(fn, "expected a boolean");
    return v;
  }

  /** True when argument i is null (an optional array left out). */
  bool isNull(size_t i) {
    napi_valuetype t;
    return ok && napi_typeof(env, argv[i], &t) == napi_ok && t == napi_null;
  }

  /** The typed array's element type, length and data pointer (byte offset already applied). */
  void* array(size_t i, const char* fn, napi_typedarray_type* type, int64_t* length) {
    if (!ok) return nullptr;
    bool is = false;
    size_t len = 0;
    void* data = nullptr;
    if (napi_is_typedarray(env, argv[i], &is) != napi_ok || !is ||
        napi_get_typedarray_info(env, argv[i], type, &len, &data, nullptr, nullptr) != napi_ok) {
      fail(fn, "expected a typed array");
      return nullptr;
    }
    *length = static_cast<int64_t>(len);
    return data;
  }
};

/** a·b·c without overflow, or -1. */
int64_t product(int64_t a, int64_t b, int64_t c = 1) {
  int64_t ab, abc;
  if (a < 0 || b < 0 || c < 0 || __builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc)) return -1;
  return abc;
}

napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

bool isFloatType(napi_typedarray_type t) { return t == napi_float32_array || t == napi_float64_array; }

/** gemm(a, b, out, batch, m, k, n, transA, transB): the Backend matmul kernel, float32 or float64. */
napi_value Gemm(napi_env env, napi_callback_info info) {
  const char* fn = "gemm";
  Args args(env, info, 9, fn);
  napi_typedarray_type ta, tb, tc;
  int64_t la = 0, lb = 0, lc = 0;
  void* a = args.array(0, fn, &ta, &la);
  void* b = args.array(1, fn, &tb, &lb);
  void* c = args.array(2, fn, &tc, &lc);
  const int64_t batch = args.integer(3, fn), m = args.integer(4, fn), k = args.integer(5, fn), n = args.integer(6, fn);
  const bool transA = args.boolean(7, fn), transB = args.boolean(8, fn);
  if (!args.ok) return nullptr;
  if (ta != tb || ta != tc || !isFloatType(ta)) return args.fail(fn, "a, b and out must all be Float32Array or all Float64Array"), nullptr;
  const int64_t na = product(batch, m, k), nb = product(batch, k, n), nc = product(batch, m, n);
  if (na < 0 || nb < 0 || nc < 0) return args.fail(fn, "negative or overflowing sizes"), nullptr;
  if (la < na || lb < nb || lc < nc) return args.fail(fn, "an array is shorter than batch·m·k, batch·k·n or batch·m·n"), nullptr;
  if (ta == napi_float32_array) {
    bp::sgemm(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), batch, m, k, n, transA, transB);
  } else {
    bp::dgemm(static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), batch, m, k, n, transA, transB);
  }
  return nullptr;
}

/**
 * binary(op, a, b, out, rows, cols, ars, acs, brs, bcs): op 0 add, 1 sub, 2 mul, 3 div (out of a's type),
 * 4 eq, 5 ne, 6 lt, 7 le, 8 gt, 9 ge (out a Uint8Array); see elementwise.h.
 */
napi_value Binary(napi_env env, napi_callback_info info) {
  const char* fn = "binary";
  Args args(env, info, 10, fn);
  const int64_t op = args.integer(0, fn);
  napi_typedarray_type ta, tb, tc;
  int64_t la = 0, lb = 0, lc = 0;
  void* a = args.array(1, fn, &ta, &la);
  void* b = args.array(2, fn, &tb, &lb);
  void* out = args.array(3, fn, &tc, &lc);
  const int64_t rows = args.integer(4, fn), cols = args.integer(5, fn);
  const int64_t ars = args.integer(6, fn), acs = args.integer(7, fn), brs = args.integer(8, fn), bcs = args.integer(9, fn);
  if (!args.ok) return nullptr;
  if (op < 0 || op > 9) return args.fail(fn, "op must be 0 … 9"), nullptr;
  if (ta != tb || !isFloatType(ta)) return args.fail(fn, "a and b must both be Float32Array or both Float64Array"), nullptr;
  if (op < 4 && tc != ta) return args.fail(fn, "out must have a's type for add, sub, mul, div"), nullptr;
  if (op >= 4 && tc != napi_uint8_array) return args.fail(fn, "out must be a Uint8Array for a comparison"), nullptr;
  const int64_t n = product(rows, cols);
  if (n < 0 || lc < n || ars < 0 || acs < 0 || brs < 0 || bcs < 0) return args.fail(fn, "bad sizes or strides"), nullptr;
  if (n > 0) {
    // The last element each operand reads must lie inside it.
    const int64_t lastA = (rows - 1) * ars + (cols - 1) * acs, lastB = (rows - 1) * brs + (cols - 1) * bcs;
    if (lastA >= la || lastB >= lb) return args.fail(fn, "strides reach past an operand's end"), nullptr;
  }
  if (ta == napi_float32_array) {
    bp::binary<float>(op, static_cast<const float*>(a), static_cast<const float*>(b), out, rows, cols, ars, acs, brs, bcs);
  } else {
    bp::binary<double>(op, static_cast<const double*>(a), static_cast<const double*>(b), out, rows, cols, ars, acs, brs, bcs);
  }
  return nullptr;
}

/** unary(op, x, out): op 0 relu, 1 exp, 2 tanh, 3 sigmoid; Float32Array only. */
napi_value Unary(napi_env env, napi_callback_info info) {
  const char* fn = "unary";
  Args args(env, info, 3, fn);
  const int64_t op = args.integer(0, fn);
  napi_typedarray_type tx, to;
  int64_t lx = 0, lo = 0;
  void* x = args.array(1, fn, &tx, &lx);
  void* out = args.array(2, fn, &to, &lo);
  if (!args.ok) return nullptr;
  if (op < 0 || op > 3) return args.fail(fn, "op must be 0 … 3"), nullptr;
  if (tx != napi_float32_array || to != napi_float32_array) return args.fail(fn, "x and out must be Float32Array"), nullptr;
  if (lo < lx) return args.fail(fn, "out is shorter than x"), nullptr;
  bp::unaryF32(static_cast<int>(op), static_cast<const float*>(x), static_cast<float*>(out), lx);
  return nullptr;
}

/**
 * sum(x, out, outer, mid, inner): out[o, i] = Σ_m x[o, m, i], x and out each Float32Array or Float64Array
 * (a float64 out keeps a partial sum unrounded), accumulated in float64.
 */
napi_value Sum(napi_env env, napi_callback_info info) {
  const char* fn = "sum";
  Args args(env, info, 5, fn);
  napi_typedarray_type tx, to;
  int64_t lx = 0, lo = 0;
  void* x = args.array(0, fn, &tx, &lx);
  void* out = args.array(1, fn, &to, &lo);
  const int64_t outer = args.integer(2, fn), mid = args.integer(3, fn), inner = args.integer(4, fn);
  if (!args.ok) return nullptr;
  if (!isFloatType(tx) || !isFloatType(to)) return args.fail(fn, "x and out must be Float32Array or Float64Array"), nullptr;
  const int64_t nx = product(outer, mid, inner), no = product(outer, inner);
  if (nx < 0 || no < 0 || lx < nx || lo < no) return args.fail(fn, "bad sizes"), nullptr;
  const bool x32 = tx == napi_float32_array, o32 = to == napi_float32_array;
  if (x32 && o32) bp::sum(static_cast<const float*>(x), static_cast<float*>(out), outer, mid, inner);
  else if (x32) bp::sum(static_cast<const float*>(x), static_cast<double*>(out), outer, mid, inner);
  else if (o32) bp::sum(static_cast<const double*>(x), static_cast<float*>(out), outer, mid, inner);
  else bp::sum(static_cast<const double*>(x), static_cast<double*>(out), outer, mid, inner);
  return nullptr;
}

/** Float arrays of one type: their data pointers, lengths and whether they are float32. */
struct FloatArgs {
  void* data[6] = {};
  int64_t len[6] = {};
  bool f32 = false;
};

/**
 * Reads arguments first … first + count − 1 as float arrays of one type (the index `nullable`, and the indices
 * whose bit is set in `nullableMask`, may be null: their data stays nullptr). False (with a JS error thrown) otherwise.
 */
bool floatArrays(Args& args, const char* fn, size_t first, size_t count, FloatArgs* out, int nullable = -1, unsigned nullableMask = 0) {
  napi_typedarray_type type0 = napi_int8_array;
  bool have = false;
  for (size_t i = 0; i < count; i++) {
    if ((static_cast<int>(i) == nullable || ((nullableMask >> i) & 1u)) && args.isNull(first + i)) continue;
    napi_typedarray_type t;
    out->data[i] = args.array(first + i, fn, &t, &out->len[i]);
    if (!args.ok) return false;
    if (!isFloatType(t) || (have && t != type0)) {
      args.fail(fn, "the arrays must all be Float32Array or all Float64Array");
      return false;
    }
    type0 = t;
    have = true;
  }
  out->f32 = type0 == napi_float32_array;
  return true;
}

/** A Float64Array argument of at least n elements (the coefficients of a step), or nullptr with an error thrown. */
const double* coefficients(Args& args, const char* fn, size_t i, int64_t n) {
  napi_typedarray_type t;
  int64_t len = 0;
  const void* data = args.array(i, fn, &t, &len);
  if (!args.ok) return nullptr;
  if (t != napi_float64_array || len < n) {
    args.fail(fn, "the coefficients must be a Float64Array of the documented length");
    return nullptr;
  }
  return static_cast<const double*>(data);
}

/** sgdStep(p, g, buf | null, coef): coef = [lr, momentum, weightDecay, keep, take, nesterov (0/1)]. */
napi_value SgdStep(napi_env env, napi_callback_info info) {
  const char* fn = "sgdStep";
  Args args(env, info, 4, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 3, &a, 2)) return nullptr;
  const double* k = coefficients(args, fn, 3, 6);
  if (!k) return nullptr;
  const int64_t n = a.len[0];
  if (a.len[1] < n || (a.data[2] && a.len[2] < n)) return args.fail(fn, "g and buf must be as long as p"), nullptr;
  const bp::SgdCoef c{k[0], k[1], k[2], k[3], k[4], k[5] != 0};
  if (a.f32) bp::sgdStep(static_cast<float*>(a.data[0]), static_cast<const float*>(a.data[1]), static_cast<float*>(a.data[2]), n, c);
  else bp::sgdStep(static_cast<double*>(a.data[0]), static_cast<const double*>(a.data[1]), static_cast<double*>(a.data[2]), n, c);
  return nullptr;
}

/**
 * adamStep(p, g, m, v, vmax | null, coef): coef = [β1, β2, ε, weightDecay (0 for AdamW), lr/(1 − β1ᵗ), √(1 − β2ᵗ),
 * shrink (1 − lr·λ for AdamW, else 1), decoupled (0/1)].
 */
napi_value AdamStep(napi_env env, napi_callback_info info) {
  const char* fn = "adamStep";
  Args args(env, info, 6, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 5, &a, 4)) return nullptr;
  const double* k = coefficients(args, fn, 5, 8);
  if (!k) return nullptr;
  const int64_t n = a.len[0];
  if (a.len[1] < n || a.len[2] < n || a.len[3] < n || (a.data[4] && a.len[4] < n)) {
    return args.fail(fn, "g, m, v and vmax must be as long as p"), nullptr;
  }
  const bp::AdamCoef c{k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7] != 0};
  if (a.f32) {
    bp::adamStep(static_cast<float*>(a.data[0]), static_cast<const float*>(a.data[1]), static_cast<float*>(a.data[2]),
                 static_cast<float*>(a.data[3]), static_cast<float*>(a.data[4]), n, c);
  } else {
    bp::adamStep(static_cast<double*>(a.data[0]), static_cast<const double*>(a.data[1]), static_cast<double*>(a.data[2]),
                 static_cast<double*>(a.data[3]), static_cast<double*>(a.data[4]), n, c);
  }
  return nullptr;
}

/** rows · cols, or -1 (with an error thrown) if negative, overflowing, or longer than any of the arrays. */
int64_t checkRows(Args& args, const char* fn, const FloatArgs& a, size_t count, int64_t rows, int64_t cols) {
  const int64_t n = product(rows, cols);
  if (n < 0) return args.fail(fn, "negative or overflowing rows, cols"), -1;
  for (size_t i = 0; i < count; i++)
    if (a.len[i] < n) return args.fail(fn, "an array is shorter than rows·cols"), -1;
  return n;
}

/** logSoftmax(x, out, rows, cols). */
napi_value LogSoftmax(napi_env env, napi_callback_info info) {
  const char* fn = "logSoftmax";
  Args args(env, info, 4, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 2, &a)) return nullptr;
  const int64_t rows = args.integer(2, fn), cols = args.integer(3, fn);
  if (!args.ok || checkRows(args, fn, a, 2, rows, cols) < 0) return nullptr;
  if (a.f32) bp::logSoftmax(static_cast<const float*>(a.data[0]), rows, cols, static_cast<float*>(a.data[1]));
  else bp::logSoftmax(static_cast<const double*>(a.data[0]), rows, cols, static_cast<double*>(a.data[1]));
  return nullptr;
}

/** logSoftmaxBackward(y, g, out, rows, cols). */
napi_value LogSoftmaxBackward(napi_env env, napi_callback_info info) {
  const char* fn = "logSoftmaxBackward";
  Args args(env, info, 5, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 3, &a)) return nullptr;
  const int64_t rows = args.integer(3, fn), cols = args.integer(4, fn);
  if (!args.ok || checkRows(args, fn, a, 3, rows, cols) < 0) return nullptr;
  if (a.f32) {
    bp::logSoftmaxBackward(static_cast<const float*>(a.data[0]), static_cast<const float*>(a.data[1]), rows, cols, static_cast<float*>(a.data[2]));
  } else {
    bp::logSoftmaxBackward(static_cast<const double*>(a.data[0]), static_cast<const double*>(a.data[1]), rows, cols, static_cast<double*>(a.data[2]));
  }
  return nullptr;
}

/** activationBackward(op, y, g, out): op 0 relu, 1 tanh, 2 sigmoid; out = g·f'(from y). */
napi_value ActivationBackward(napi_env env, napi_callback_info info) {
  const char* fn = "activationBackward";
  Args args(env, info, 4, fn);
  const int64_t op = args.integer(0, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 1, 3, &a)) return nullptr;
  if (op < 0 || op > 2) return args.fail(fn, "op must be 0 … 2"), nullptr;
  const int64_t n = a.len[0];
  if (a.len[1] < n || a.len[2] < n) return args.fail(fn, "g and out must be as long as y"), nullptr;
  if (a.f32) bp::activationBackward(static_cast<int>(op), static_cast<const float*>(a.data[0]), static_cast<const float*>(a.data[1]), n, static_cast<float*>(a.data[2]));
  else bp::activationBackward(static_cast<int>(op), static_cast<const double*>(a.data[0]), static_cast<const double*>(a.data[1]), n, static_cast<double*>(a.data[2]));
  return nullptr;
}

/** bceWithLogits(x, t, out). */
napi_value BceWithLogits(napi_env env, napi_callback_info info) {
  const char* fn = "bceWithLogits";
  Args args(env, info, 3, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 3, &a)) return nullptr;
  const int64_t n = a.len[0];
  if (a.len[1] < n || a.len[2] < n) return args.fail(fn, "t and out must be as long as x"), nullptr;
  if (a.f32) bp::bceWithLogits(static_cast<const float*>(a.data[0]), static_cast<const float*>(a.data[1]), n, static_cast<float*>(a.data[2]));
  else bp::bceWithLogits(static_cast<const double*>(a.data[0]), static_cast<const double*>(a.data[1]), n, static_cast<double*>(a.data[2]));
  return nullptr;
}

/** bceWithLogitsBackward(x, t, g | null, out, gScalar): out = (g or gScalar)·(σ(x) − t). */
napi_value BceWithLogitsBackward(napi_env env, napi_callback_info info) {
  const char* fn = "bceWithLogitsBackward";
  Args args(env, info, 5, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 4, &a, 2)) return nullptr;
  double gScalar = 0;
  if (napi_get_value_double(env, args.argv[4], &gScalar) != napi_ok) return args.fail(fn, "gScalar must be a number"), nullptr;
  const int64_t n = a.len[0];
  if (a.len[1] < n || a.len[3] < n || (a.data[2] && a.len[2] < n)) return args.fail(fn, "t, g and out must be as long as x"), nullptr;
  if (a.f32) {
    bp::bceWithLogitsBackward(static_cast<const float*>(a.data[0]), static_cast<const float*>(a.data[1]), static_cast<const float*>(a.data[2]),
                              gScalar, n, static_cast<float*>(a.data[3]));
  } else {
    bp::bceWithLogitsBackward(static_cast<const double*>(a.data[0]), static_cast<const double*>(a.data[1]), static_cast<const double*>(a.data[2]),
                              gScalar, n, static_cast<double*>(a.data[3]));
  }
  return nullptr;
}

/** The Int32Array target of `rows` class indices, each in [0, cols) or equal to ignore; nullptr with an error otherwise. */
const int32_t* targets(Args& args, const char* fn, size_t i, int64_t rows, int64_t cols, int64_t ignore) {
  napi_typedarray_type t;
  int64_t len = 0;
  const void* data = args.array(i, fn, &t, &len);
  if (!args.ok) return nullptr;
  if (t != napi_int32_array || len < rows) return args.fail(fn, "target must be an Int32Array of one index per row"), nullptr;
  const int32_t* target = static_cast<const int32_t*>(data);
  for (int64_t r = 0; r < rows; r++) {
    if (target[r] != ignore && (target[r] < 0 || target[r] >= cols)) return args.fail(fn, "a target is outside [0, cols)"), nullptr;
  }
  return target;
}

/** softmaxCrossEntropy(x, probs, loss, target, rows, cols, ignoreIndex). */
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  const char* fn = "softmaxCrossEntropy";
  Args args(env, info, 7, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 3, &a)) return nullptr;
  const int64_t rows = args.integer(4, fn), cols = args.integer(5, fn), ignore = args.integer(6, fn);
  if (!args.ok || checkRows(args, fn, a, 2, rows, cols) < 0) return nullptr;
  if (a.len[2] < rows) return args.fail(fn, "loss is shorter than rows"), nullptr;
  const int32_t* target = targets(args, fn, 3, rows, cols, ignore);
  if (!target) return nullptr;
  if (a.f32) {
    bp::softmaxCrossEntropy(static_cast<const float*>(a.data[0]), rows, cols, target, ignore, static_cast<float*>(a.data[2]), static_cast<float*>(a.data[1]));
  } else {
    bp::softmaxCrossEntropy(static_cast<const double*>(a.data[0]), rows, cols, target, ignore, static_cast<double*>(a.data[2]), static_cast<double*>(a.data[1]));
  }
  return nullptr;
}

/** softmaxCrossEntropyBackward(probs, out, g, target, rows, cols, ignoreIndex). */
napi_value SoftmaxCrossEntropyBackward(napi_env env, napi_callback_info info) {
  const char* fn = "softmaxCrossEntropyBackward";
  Args args(env, info, 7, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 3, &a)) return nullptr;
  const int64_t rows = args.integer(4, fn), cols = args.integer(5, fn), ignore = args.integer(6, fn);
  if (!args.ok || checkRows(args, fn, a, 2, rows, cols) < 0) return nullptr;
  if (a.len[2] < rows) return args.fail(fn, "g is shorter than rows"), nullptr;
  const int32_t* target = targets(args, fn, 3, rows, cols, ignore);
  if (!target) return nullptr;
  if (a.f32) {
    bp::softmaxCrossEntropyBackward(static_cast<const float*>(a.data[0]), target, ignore, static_cast<const float*>(a.data[2]), rows, cols, static_cast<float*>(a.data[1]));
  } else {
    bp::softmaxCrossEntropyBackward(static_cast<const double*>(a.data[0]), target, ignore, static_cast<const double*>(a.data[2]), rows, cols, static_cast<double*>(a.data[1]));
  }
  return nullptr;
}

/**
 * The geometry Int32Array [N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow] at argument i, checked: sizes
 * ≥ 0, kernel, stride and dilation ≥ 1; in/out element counts returned. False with an error thrown otherwise.
 */
bool geometry(Args& args, const char* fn, size_t i, bp::Window2d* w, int64_t* inSize, int64_t* colSize, int64_t* outSize) {
  napi_typedarray_type t;
  int64_t len = 0;
  const void* data = args.array(i, fn, &t, &len);
  if (!args.ok) return false;
  if (t != napi_int32_array || len < 14) return args.fail(fn, "geometry must be an Int32Array of 14 values"), false;
  const int32_t* g = static_cast<const int32_t*>(data);
  *w = bp::Window2d{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13]};
  if (w->n < 0 || w->c < 0 || w->h < 0 || w->w < 0 || w->oh < 0 || w->ow < 0 || w->kh < 1 || w->kw < 1 ||
      w->sh < 1 || w->sw < 1 || w->dh < 1 || w->dw < 1) {
    return args.fail(fn, "sizes must be ≥ 0 and kernel, stride, dilation ≥ 1"), false;
  }
  const int64_t planes = product(w->n, w->c);
  *inSize = product(planes, w->h, w->w);
  *outSize = product(planes, w->oh, w->ow);
  *colSize = product(*outSize, w->kh, w->kw);
  if (planes < 0 || *inSize < 0 || *outSize < 0 || *colSize < 0) return args.fail(fn, "overflowing sizes"), false;
  return true;
}

/** unfold2d(x, out, geometry) and fold2d(cols, out, geometry): x/out [N,C,H,W], cols [N, C·kh·kw, oh·ow]. */
napi_value Unfold2d(napi_env env, napi_callback_info info) {
  const char* fn = "unfold2d";
  Args args(env, info, 3, fn);
  FloatArgs a;
  bp::Window2d w;
  int64_t nIn, nCols, nOut;
  if (!args.ok || !floatArrays(args, fn, 0, 2, &a) || !geometry(args, fn, 2, &w, &nIn, &nCols, &nOut)) return nullptr;
  if (a.len[0] < nIn || a.len[1] < nCols) return args.fail(fn, "x or out is shorter than its shape"), nullptr;
  if (a.f32) bp::unfold2d(static_cast<const float*>(a.data[0]), w, static_cast<float*>(a.data[1]));
  else bp::unfold2d(static_cast<const double*>(a.data[0]), w, static_cast<double*>(a.data[1]));
  return nullptr;
}

napi_value Fold2d(napi_env env, napi_callback_info info) {
  const char* fn = "fold2d";
  Args args(env, info, 3, fn);
  FloatArgs a;
  bp::Window2d w;
  int64_t nIn, nCols, nOut;
  if (!args.ok || !floatArrays(args, fn, 0, 2, &a) || !geometry(args, fn, 2, &w, &nIn, &nCols, &nOut)) return nullptr;
  if (a.len[0] < nCols || a.len[1] < nIn) return args.fail(fn, "cols or out is shorter than its shape"), nullptr;
  if (a.f32) bp::fold2d(static_cast<const float*>(a.data[0]), w, static_cast<float*>(a.data[1]));
  else bp::fold2d(static_cast<const double*>(a.data[0]), w, static_cast<double*>(a.data[1]));
  return nullptr;
}

/** conv2d's channel counts (co, groups) at arguments i, i + 1, checked against the geometry; the weight's size. */
bool convChannels(Args& args, const char* fn, size_t i, const bp::Window2d& w, int64_t* co, int64_t* groups, int64_t* wSize) {
  *co = args.integer(i, fn);
  *groups = args.integer(i + 1, fn);
  if (!args.ok) return false;
  if (*co < 0 || *groups < 1 || w.c % *groups != 0 || *co % *groups != 0) return args.fail(fn, "groups must be ≥ 1 and divide C and co"), false;
  *wSize = product(*co, w.c / *groups, product(w.kh, w.kw));
  if (*wSize < 0 || product(w.n, *co, product(w.oh, w.ow)) < 0) return args.fail(fn, "overflowing sizes"), false;
  return true;
}

/** conv2d(x, w, bias | null, out, geometry, co, groups): x [N,C,H,W], w [co, C/groups, kh, kw], out [N, co, oh, ow]. */
napi_value Conv2d(napi_env env, napi_callback_info info) {
  const char* fn = "conv2d";
  Args args(env, info, 7, fn);
  FloatArgs a;
  bp::Window2d w;
  int64_t nIn, nCols, nOut, co, groups, nW;
  if (!args.ok || !floatArrays(args, fn, 0, 4, &a, 2) || !geometry(args, fn, 4, &w, &nIn, &nCols, &nOut)) return nullptr;
  if (!convChannels(args, fn, 5, w, &co, &groups, &nW)) return nullptr;
  if (a.len[0] < nIn || a.len[1] < nW || (a.data[2] && a.len[2] < co) || a.len[3] < w.n * co * w.oh * w.ow) {
    return args.fail(fn, "x, w, bias or out is shorter than its shape"), nullptr;
  }
  if (a.f32) {
    bp::conv2d(static_cast<const float*>(a.data[0]), w, static_cast<const float*>(a.data[1]), static_cast<const float*>(a.data[2]), co, groups, static_cast<float*>(a.data[3]));
  } else {
    bp::conv2d(static_cast<const double*>(a.data[0]), w, static_cast<const double*>(a.data[1]), static_cast<const double*>(a.data[2]), co, groups, static_cast<double*>(a.data[3]));
  }
  return nullptr;
}

/** conv2dBackward(x, w, g, gx | null, gw | null, gb | null, geometry, co, groups): the gradients of conv2d. */
napi_value Conv2dBackward(napi_env env, napi_callback_info info) {
  const char* fn = "conv2dBackward";
  Args args(env, info, 9, fn);
  FloatArgs a;
  bp::Window2d w;
  int64_t nIn, nCols, nOut, co, groups, nW;
  if (!args.ok || !floatArrays(args, fn, 0, 6, &a, -1, 0x38u) || !geometry(args, fn, 6, &w, &nIn, &nCols, &nOut)) return nullptr;
  if (!convChannels(args, fn, 7, w, &co, &groups, &nW)) return nullptr;
  if (a.len[0] < nIn || a.len[1] < nW || a.len[2] < w.n * co * w.oh * w.ow || (a.data[3] && a.len[3] < nIn) ||
      (a.data[4] && a.len[4] < nW) || (a.data[5] && a.len[5] < co)) {
    return args.fail(fn, "x, w, g, gx, gw or gb is shorter than its shape"), nullptr;
  }
  if (a.f32) {
    bp::conv2dBackward(static_cast<const float*>(a.data[0]), w, static_cast<const float*>(a.data[1]), co, groups, static_cast<const float*>(a.data[2]),
                       static_cast<float*>(a.data[3]), static_cast<float*>(a.data[4]), static_cast<float*>(a.data[5]));
  } else {
    bp::conv2dBackward(static_cast<const double*>(a.data[0]), w, static_cast<const double*>(a.data[1]), co, groups, static_cast<const double*>(a.data[2]),
                       static_cast<double*>(a.data[3]), static_cast<double*>(a.data[4]), static_cast<double*>(a.data[5]));
  }
  return nullptr;
}

/** maxPool2d(x, out, argmax, geometry): x [N,C,H,W], out and argmax (Int32Array) [N,C,oh,ow]. */
napi_value MaxPool2d(napi_env env, napi_callback_info info) {
  const char* fn = "maxPool2d";
  Args args(env, info, 4, fn);
  FloatArgs a;
  bp::Window2d w;
  int64_t nIn, nCols, nOut;
  if (!args.ok || !floatArrays(args, fn, 0, 2, &a) || !geometry(args, fn, 3, &w, &nIn, &nCols, &nOut)) return nullptr;
  napi_typedarray_type ti;
  int64_t li = 0;
  void* argmax = args.array(2, fn, &ti, &li);
  if (!args.ok) return nullptr;
  if (ti != napi_int32_array) return args.fail(fn, "argmax must be an Int32Array"), nullptr;
  if (a.len[0] < nIn || a.len[1] < nOut || li < nOut) return args.fail(fn, "x, out or argmax is shorter than its shape"), nullptr;
  if (a.f32) bp::maxPool2d(static_cast<const float*>(a.data[0]), w, static_cast<float*>(a.data[1]), static_cast<int32_t*>(argmax));
  else bp::maxPool2d(static_cast<const double*>(a.data[0]), w, static_cast<double*>(a.data[1]), static_cast<int32_t*>(argmax));
  return nullptr;
}

/** scatterAdd(out, src, index, outer, midOut, midIdx, inner): see conv.h; throws on an index outside [0, midOut). */
napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  const char* fn = "scatterAdd";
  Args args(env, info, 7, fn);
  FloatArgs a;
  if (!args.ok || !floatArrays(args, fn, 0, 2, &a)) return nullptr;
  napi_typedarray_type ti;
  int64_t li = 0;
  const void* index = args.array(2, fn, &ti, &li);
  const int64_t outer = args.integer(3, fn), midOut = args.integer(4, fn), midIdx = args.integer(5, fn), inner = args.integer(6, fn);
  if (!args.ok) return nullptr;
  if (ti != napi_int32_array) return args.fail(fn, "index must be an Int32Array"), nullptr;
  const int64_t nOut = product(outer, midOut, inner), nIdx = product(outer, midIdx, inner);
  if (nOut < 0 || nIdx < 0 || a.len[0] < nOut || a.len[1] < nIdx || li < nIdx) return args.fail(fn, "bad sizes"), nullptr;
  const int32_t* ix = static_cast<const int32_t*>(index);
  const bool ok = a.f32 ? bp::scatterAdd(static_cast<float*>(a.data[0]), static_cast<const float*>(a.data[1]), ix, outer, midOut, midIdx, inner)
                        : bp::scatterAdd(static_cast<double*>(a.data[0]), static_cast<const double*>(a.data[1]), ix, outer, midOut, midIdx, inner);
  if (!ok) return args.fail(fn, "an index is outside [0, midOut)"), nullptr;
  return nullptr;
}

template <typename S>
void castFrom(const void* x, void* out, napi_typedarray_type to, int64_t n) {
  if (to == napi_float32_array) bp::castToFloat<S, float>(static_cast<const S*>(x), static_cast<float*>(out), n);
  else bp::castToFloat<S, double>(static_cast<const S*>(x), static_cast<double*>(out), n);
}

/** cast(x, out): x Float32/Float64/Int32/Uint8Array, out Float32Array or Float64Array of at least x's length. */
napi_value Cast(napi_env env, napi_callback_info info) {
  const char* fn = "cast";
  Args args(env, info, 2, fn);
  napi_typedarray_type tx, to;
  int64_t lx = 0, lo = 0;
  void* x = args.array(0, fn, &tx, &lx);
  void* out = args.array(1, fn, &to, &lo);
  if (!args.ok) return nullptr;
  if (!isFloatType(to)) return args.fail(fn, "out must be a Float32Array or Float64Array"), nullptr;
  if (lo < lx) return args.fail(fn, "out is shorter than x"), nullptr;
  switch (tx) {
    case napi_float32_array: castFrom<float>(x, out, to, lx); break;
    case napi_float64_array: castFrom<double>(x, out, to, lx); break;
    case napi_int32_array: castFrom<int32_t>(x, out, to, lx); break;
    case napi_uint8_array: castFrom<uint8_t>(x, out, to, lx); break;
    default: return args.fail(fn, "x must be a Float32, Float64, Int32 or Uint8Array"), nullptr;
  }
  return nullptr;
}

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  Args args(env, info, 1, "setNumThreads");
  const int64_t n = args.integer(0, "setNumThreads");
  if (!args.ok) return nullptr;
  return number(env, bp::setNumThreads(n > 1 << 20 ? 1 << 20 : static_cast<int>(n)));
}

napi_value GetNumThreads(napi_env env, napi_callback_info) { return number(env, bp::numThreads()); }

const char* isaName(bp::Isa isa) { return isa == bp::Isa::avx2 ? "avx2+fma" : "portable"; }

napi_value StringValue(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

/** info(): { isa, cpuAvx2Fma, cores, threads }. */
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, flag;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "isa", StringValue(env, isaName(bp::activeIsa())));
  napi_get_boolean(env, bp::cpuHasAvx2Fma(), &flag);
  napi_set_named_property(env, obj, "cpuAvx2Fma", flag);
  napi_set_named_property(env, obj, "cores", number(env, bp::availableCores()));
  napi_set_named_property(env, obj, "threads", number(env, bp::numThreads()));
  return obj;
}

/** setIsa('portable' | 'avx2+fma'): forces the portable path (tests), or back to AVX2 where the CPU has it. */
napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args args(env, info, 1, "setIsa");
  if (!args.ok) return nullptr;
  char name[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, args.argv[0], name, sizeof(name), &len) != napi_ok) {
    return args.fail("setIsa", "expected a string"), nullptr;
  }
  const bool portable = name[0] == 'p';
  return StringValue(env, isaName(bp::setIsa(portable ? bp::Isa::portable : bp::Isa::avx2)));
}

/** peakGflops(seconds): single-thread float32 FMA peak from a tight loop (for the benchmark). */
napi_value PeakGflops(napi_env env, napi_callback_info info) {
  Args args(env, info, 1, "peakGflops");
  double seconds = 0.2;
  if (args.ok) napi_get_value_double(env, args.argv[0], &seconds);
  return number(env, bp::measurePeakGflops(seconds));
}

}  // namespace

/**
 * Keeps the large, short-lived tensor buffers (activations and their gradients: 0.1–30 MB each step) in the malloc
 * heap instead of fresh mmap()s: Node's ArrayBuffers come from calloc, and glibc maps every block above its mmap
 * threshold anew, so each step page-faults its whole working set back in. Blocks up to 32 MB (glibc's maximum
 * threshold) come from the heap, and up to 128 MB of freed heap top is kept for the next step rather than returned
 * to the OS. Set once per process, at load; glibc only. Measured (1 thread): the MLP benchmark ~1.4× faster with
 * it at the same peak RSS; LeNet, since conv2d stopped materialising its im2col columns, the same speed and peak
 * RSS either way (its training working set is ~5 MB over the data).
 */
static void tuneAllocator() {
#if defined(__GLIBC__)
  // BACKPROP_MALLOC_TUNING=0 leaves glibc's defaults (for a host process that tunes malloc itself).
  const char* opt = std::getenv("BACKPROP_MALLOC_TUNING");
  if (opt != nullptr && std::strcmp(opt, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
#endif
}

NAPI_MODULE_INIT() {
  tuneAllocator();
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cast", nullptr, Cast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"logSoftmax", nullptr, LogSoftmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"logSoftmaxBackward", nullptr, LogSoftmaxBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropy", nullptr, SoftmaxCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropyBackward", nullptr, SoftmaxCrossEntropyBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activationBackward", nullptr, ActivationBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bceWithLogits", nullptr, BceWithLogits, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bceWithLogitsBackward", nullptr, BceWithLogitsBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scatterAdd", nullptr, ScatterAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unfold2d", nullptr, Unfold2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fold2d", nullptr, Fold2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackward", nullptr, Conv2dBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool2d", nullptr, MaxPool2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getNumThreads", nullptr, GetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"peakGflops", nullptr, PeakGflops, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
