; An iterative loop with several block parameters: the sum of i*i for 0 <= i < n, plus the number
; of odd i among them.
; Run: entry `loop` with (10) -> 290 (285 + 5); (0) -> 0; (1) -> 0; (4) -> 16 (14 + 2).

entry loop

graph loop -> i32 {
start(%n: i32):
  jump head(0, 0, 0, %n)
head(%i: i32, %sum: i32, %odd: i32, %n1: i32):
  %more: bool = int_lt %i, %n1
  branch %more, body(%i, %sum, %odd, %n1), done(%sum, %odd)
body(%i1: i32, %sum1: i32, %odd1: i32, %n2: i32):
  %sq: i32 = int_mul %i1, %i1
  %sum2: i32 = int_add %sum1, %sq
  %bit: i32 = int_and %i1, 1
  %odd2: i32 = int_add %odd1, %bit
  %i2: i32 = int_add %i1, 1
  jump head(%i2, %sum2, %odd2, %n2)
done(%s: i32, %o: i32):
  %r: i32 = int_add %s, %o
  return %r
}
