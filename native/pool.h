// A persistent pool of worker threads. A job is split into a fixed number of parts that depend only on the
// problem and the thread count; each part computes its own outputs the same way whichever thread runs it,
// so results never depend on timing.
#pragma once

namespace bp {

/** One part of a parallel job: part `part` of `parts`. */
using Task = void (*)(void* ctx, int part, int parts);

/** Threads the kernels may use (the caller included); 1 … availableCores(). */
int numThreads();

/** Sets the thread count, clamped to [1, availableCores()]; returns the count in effect. */
int setNumThreads(int n);

/**
 * Runs task(ctx, i, parts) for every i in [0, parts) and returns when all are done. The caller takes parts
 * too, so a worker that is slow to wake (a busy machine) costs no more than running serially. When another
 * caller holds the pool (a second JS thread), this one runs all its parts itself.
 */
void parallelRun(Task task, void* ctx, int parts);

}  // namespace bp

namespace bp {

/** [lo, hi) of part `part` of `units` split into `parts` near-equal runs. */
inline void splitRange(long units, int part, int parts, long* lo, long* hi) {
  *lo = units * part / parts;
  *hi = units * (part + 1) / parts;
}

/** Parts for a job of `work` elements over `units` independent units: 1 below `threshold`, else ≤ the threads. */
inline int partsFor(long work, long units, long threshold) {
  const int t = numThreads();
  if (work < threshold || t <= 1 || units <= 1) return 1;
  return units < t ? static_cast<int>(units) : t;
}

}  // namespace bp
