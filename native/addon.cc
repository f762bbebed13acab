// N-API bindings of the native backend. Every kernel works in place on the typed arrays' own memory
// (napi_get_typedarray_info gives the data pointer: no copy), so results stay owned by the JS garbage collector.
// Arguments are checked here too: a wrong call throws a JS Error, it never reads or writes out of bounds.
#include <node_api.h>

#include <cstdint>
#include <cstdio>

#include "cpu.h"
#include "elementwise.h"
#include "gemm.h"
#include "pool.h"

namespace {

constexpr size_t kMaxArgs = 10;

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

/** sum(x, out, outer, mid, inner): out[o, i] = Σ_m x[o, m, i], float32 or float64, accumulated in float64. */
napi_value Sum(napi_env env, napi_callback_info info) {
  const char* fn = "sum";
  Args args(env, info, 5, fn);
  napi_typedarray_type tx, to;
  int64_t lx = 0, lo = 0;
  void* x = args.array(0, fn, &tx, &lx);
  void* out = args.array(1, fn, &to, &lo);
  const int64_t outer = args.integer(2, fn), mid = args.integer(3, fn), inner = args.integer(4, fn);
  if (!args.ok) return nullptr;
  if (tx != to || !isFloatType(tx)) return args.fail(fn, "x and out must both be Float32Array or both Float64Array"), nullptr;
  const int64_t nx = product(outer, mid, inner), no = product(outer, inner);
  if (nx < 0 || no < 0 || lx < nx || lo < no) return args.fail(fn, "bad sizes"), nullptr;
  if (tx == napi_float32_array) {
    bp::sum<float>(static_cast<const float*>(x), static_cast<float*>(out), outer, mid, inner);
  } else {
    bp::sum<double>(static_cast<const double*>(x), static_cast<double*>(out), outer, mid, inner);
  }
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

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cast", nullptr, Cast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getNumThreads", nullptr, GetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"peakGflops", nullptr, PeakGflops, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
