/* Hand-written C reference of examples/tiny/programs/nested.tiny: a checksum over a size x size
 * grid, h = (h * 31 + (i * j ^ (i + j))) & 0xffffff, printing the row sum every `every` rows.
 * Parameters: size every (default 150 30). */
#include "common.h"

int main(int argc, char **argv) {
  int32_t p[2] = {150, 30};
  bench_start(argc, argv, 2, p);
  int32_t size = p[0], every = p[1];
  int32_t h = 0;
  for (int32_t i = 0; i < size; i++) {
    int32_t row = 0;
    for (int32_t j = 0; j < size; j++) {
      int32_t x = wmul(i, j) ^ wadd(i, j);
      row = wadd(row, x);
      h = wadd(wmul(h, 31), x) & 0xffffff;
    }
    if (i % every == 0) printf("%d\n", row);
  }
  printf("%d\n", h);
  bench_end();
  return 0;
}
