// CPU feature detection and core count. The SIMD kernels are compiled with function-level target attributes,
// so this check, made once at load time, is what keeps a CPU without AVX2 from ever running one.
#pragma once

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define BP_X86 1
#define BP_AVX2 __attribute__((target("avx2,fma")))
#else
#define BP_X86 0
#define BP_AVX2
#endif

namespace bp {

enum class Isa { portable = 0, avx2 = 1 };

/** True when the CPU (and OS) support AVX2 and FMA. */
bool cpuHasAvx2Fma();

/** The instruction set the kernels use now: the best one the CPU has, unless a test forced `portable`. */
Isa activeIsa();

/** Forces an instruction set (clamped to what the CPU has); returns the one in effect. */
Isa setIsa(Isa isa);

/** Cores this process may run on (affinity mask where the OS has one). */
int availableCores();

}  // namespace bp
