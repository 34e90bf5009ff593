/* Hand-written C reference of examples/tiny/programs/fibiter.tiny: fib(45) iteratively, then
 * fib(n) mod 1000000007 with modular additions. Parameters: n (default 50000). */
#include "common.h"

static int32_t fibmod(int32_t n, int32_t m) {
  int32_t a = 0, b = 1;
  for (int32_t i = 0; i < n; i++) {
    int32_t next = wadd(a, b) % m;
    a = b;
    b = next;
  }
  return a;
}

int main(int argc, char **argv) {
  int32_t p[1] = {50000};
  bench_start(argc, argv, 1, p);
  printf("%d\n", fibmod(45, 2147483647));
  printf("%d\n", fibmod(p[0], 1000000007));
  bench_end();
  return 0;
}
