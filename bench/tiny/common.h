/* Shared by the hand-written C references of the tiny guest programs (bench/tiny/<prog>.c).
 * Usage of every program: <prog> [--time] [param ...]. The parameters default to those of the
 * test-sized guest program in examples/tiny/programs; bench/tiny/run.ts passes the bench-sized ones.
 * With --time, the program reports on stderr `time_ns <n>`: the time of the computation and its
 * printing (into stdout's buffer), measured inside the process, so process start-up is excluded.
 * Guest arithmetic wraps at 32 bits: additions and multiplications go through uint32_t (signed
 * overflow is undefined in C); division and remainder truncate toward zero, as in the guest. */
#ifndef UNFOLD_BENCH_TINY_COMMON_H
#define UNFOLD_BENCH_TINY_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int32_t wadd(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t wsub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t wmul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }

static int bench_timed = 0;
static struct timespec bench_t0;

/* Read the options and up to `n` integer parameters into `params` (which holds the defaults). */
static void bench_start(int argc, char **argv, int n, int32_t *params) {
  int k = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--time") == 0) {
      bench_timed = 1;
    } else if (k < n) {
      char *end;
      long v = strtol(argv[i], &end, 10);
      if (*end != '\0' || v < INT32_MIN || v > INT32_MAX) {
        fprintf(stderr, "%s: bad parameter '%s': expected a 32-bit integer\n", argv[0], argv[i]);
        exit(2);
      }
      params[k++] = (int32_t)v;
    } else {
      fprintf(stderr, "%s: too many parameters (expected at most %d)\n", argv[0], n);
      exit(2);
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &bench_t0);
}

/* Report the time since bench_start (with --time). */
static void bench_end(void) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (bench_timed) {
    long long ns = (long long)(t1.tv_sec - bench_t0.tv_sec) * 1000000000LL + (t1.tv_nsec - bench_t0.tv_nsec);
    fprintf(stderr, "time_ns %lld\n", ns);
  }
}

#endif
