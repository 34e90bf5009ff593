/* Hand-written C reference of examples/tiny/programs/sieve.tiny: the sieve of Eratosthenes over
 * n words of memory; prints the primes below 100, then the number and the (wrapping) sum of the
 * primes below n. Parameters: n (default 20000). */
#include "common.h"

int main(int argc, char **argv) {
  int32_t p[1] = {20000};
  bench_start(argc, argv, 1, p);
  int32_t n = p[0];
  int32_t *composite = calloc((size_t)n, sizeof(int32_t));
  if (composite == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  for (int32_t i = 2; wmul(i, i) < n; i++) {
    if (composite[i] != 0) continue;
    for (int32_t j = wmul(i, i); j < n; j = wadd(j, i)) composite[j] = 1;
  }
  int32_t count = 0, sum = 0;
  for (int32_t i = 2; i < n; i++) {
    if (composite[i] != 0) continue;
    count++;
    sum = wadd(sum, i);
    if (i < 100) printf("%d\n", i);
  }
  printf("%d\n%d\n", count, sum);
  free(composite);
  bench_end();
  return 0;
}
