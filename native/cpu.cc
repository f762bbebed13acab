#include "cpu.h"

#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

namespace bp {

bool cpuHasAvx2Fma() {
#if BP_X86
  // libgcc's check also reads XCR0, so a CPU whose OS does not save YMM registers reports no AVX2.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

static Isa g_isa = cpuHasAvx2Fma() ? Isa::avx2 : Isa::portable;

Isa activeIsa() { return g_isa; }

Isa setIsa(Isa isa) {
  g_isa = (isa == Isa::avx2 && cpuHasAvx2Fma()) ? Isa::avx2 : Isa::portable;
  return g_isa;
}

int availableCores() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace bp
