/* Hand-written C reference of examples/tiny/programs/sum.tiny: 1 + 2 + ... + n and the sum of
 * squares modulo 1000003, with the guest's 32-bit wrapping. Parameters: n (default 20000). */
#include "common.h"

int main(int argc, char **argv) {
  int32_t p[1] = {20000};
  bench_start(argc, argv, 1, p);
  int32_t n = p[0];
  int32_t sum = 0, sq = 0;
  for (int32_t i = 1; i <= n; i++) {
    sum = wadd(sum, i);
    sq = wadd(sq, wmul(i, i)) % 1000003;
  }
  printf("%d\n%d\n", sum, sq);
  bench_end();
  return 0;
}
