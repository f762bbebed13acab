#include "pool.h"

#include <pthread.h>

#include <atomic>
#include <cstdint>

#include "cpu.h"

namespace bp {

namespace {

constexpr int kMaxThreads = 256;

// The job being run. g_claim packs (generation << 32 | next unclaimed part) so that a worker waking late,
// after its job is over, cannot claim a part of the next job with the old job's task.
pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
pthread_cond_t g_done = PTHREAD_COND_INITIALIZER;
uint32_t g_generation = 0;  // guarded by g_mu
Task g_task = nullptr;      // guarded by g_mu
void* g_ctx = nullptr;      // guarded by g_mu
int g_parts = 0;            // guarded by g_mu
int g_finished = 0;         // guarded by g_mu
std::atomic<uint64_t> g_claim{0};

// Held by the one caller that uses the workers; another JS thread runs its parts itself instead.
pthread_mutex_t g_use = PTHREAD_MUTEX_INITIALIZER;
int g_started = 0;  // worker threads started
int g_threads = 0;  // 0 until first asked: then availableCores()

/** Claims the next part of job `gen`, or returns -1 when that job has none left (or is over). */
int claim(uint32_t gen, int parts) {
  uint64_t s = g_claim.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(s >> 32) != gen || static_cast<int>(s & 0xffffffffu) >= parts) return -1;
    if (g_claim.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) return static_cast<int>(s & 0xffffffffu);
  }
}

/** Runs parts of job `gen` until none is left; returns how many this thread ran. */
int runParts(uint32_t gen, Task task, void* ctx, int parts) {
  int ran = 0;
  for (int i; (i = claim(gen, parts)) >= 0; ran++) task(ctx, i, parts);
  return ran;
}

void* workerMain(void* arg) {
  uint32_t seen = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arg));
  pthread_mutex_lock(&g_mu);
  for (;;) {
    while (g_generation == seen) pthread_cond_wait(&g_wake, &g_mu);
    seen = g_generation;
    const Task task = g_task;
    void* ctx = g_ctx;
    const int parts = g_parts;
    pthread_mutex_unlock(&g_mu);
    const int ran = runParts(seen, task, ctx, parts);
    pthread_mutex_lock(&g_mu);
    if (ran > 0 && seen == g_generation) {
      g_finished += ran;
      if (g_finished == g_parts) pthread_cond_signal(&g_done);
    }
  }
  return nullptr;
}

/** Starts workers up to n − 1 of them; returns how many there are. */
int ensureWorkers(int n) {
  while (g_started < n - 1 && g_started < kMaxThreads) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    // A new worker waits for the job after the current generation (stable here: only parallelRun, which
    // holds g_use, changes it).
    void* arg = reinterpret_cast<void*>(static_cast<uintptr_t>(g_generation));
    const int rc = pthread_create(&t, &attr, workerMain, arg);
    pthread_attr_destroy(&attr);
    if (rc != 0) break;
    g_started++;
  }
  return g_started;
}

}  // namespace

int numThreads() {
  if (g_threads == 0) g_threads = availableCores();
  return g_threads;
}

int setNumThreads(int n) {
  const int cores = availableCores();
  g_threads = n < 1 ? 1 : n > cores ? cores : n;
  return g_threads;
}

void parallelRun(Task task, void* ctx, int parts) {
  if (parts <= 1 || pthread_mutex_trylock(&g_use) != 0) {
    for (int i = 0; i < parts; i++) task(ctx, i, parts);
    return;
  }
  if (ensureWorkers(numThreads()) == 0) {
    pthread_mutex_unlock(&g_use);
    for (int i = 0; i < parts; i++) task(ctx, i, parts);
    return;
  }
  pthread_mutex_lock(&g_mu);
  const uint32_t gen = ++g_generation;
  g_task = task;
  g_ctx = ctx;
  g_parts = parts;
  g_finished = 0;
  g_claim.store(static_cast<uint64_t>(gen) << 32, std::memory_order_release);
  pthread_cond_broadcast(&g_wake);
  pthread_mutex_unlock(&g_mu);

  const int ran = runParts(gen, task, ctx, parts);

  pthread_mutex_lock(&g_mu);
  g_finished += ran;
  while (g_finished < parts) pthread_cond_wait(&g_done, &g_mu);
  pthread_mutex_unlock(&g_mu);
  pthread_mutex_unlock(&g_use);
}

}  // namespace bp
