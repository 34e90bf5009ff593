/* Hand-written C reference of examples/tiny/programs/fact.tiny: fact(0..12) recursively, then
 * acc = acc * k % m for k = 1..n, with the guest's 32-bit wrapping.
 * Parameters: n m (default 30000 65521). */
#include "common.h"

static int32_t fact(int32_t n) { return n <= 1 ? 1 : wmul(n, fact(wsub(n, 1))); }

int main(int argc, char **argv) {
  int32_t p[2] = {30000, 65521};
  bench_start(argc, argv, 2, p);
  int32_t n = p[0], m = p[1];
  for (int32_t k = 0; k <= 12; k++) printf("%d\n", fact(k));
  int32_t acc = 1;
  for (int32_t k = 1; k <= n; k++) acc = wmul(acc, k) % m;
  printf("%d\n", acc);
  bench_end();
  return 0;
}
