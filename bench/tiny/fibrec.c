/* Hand-written C reference of examples/tiny/programs/fibrec.tiny: recursive Fibonacci,
 * fib(0) .. fib(10), then fib(n). Parameters: n (default 22). */
#include "common.h"

static int32_t fib(int32_t n) { return n < 2 ? n : wadd(fib(wsub(n, 1)), fib(wsub(n, 2))); }

int main(int argc, char **argv) {
  int32_t p[1] = {22};
  bench_start(argc, argv, 1, p);
  for (int32_t k = 0; k <= 10; k++) printf("%d\n", fib(k));
  printf("%d\n", fib(p[0]));
  bench_end();
  return 0;
}
