; Factorial by recursion.
; Run: entry `fact` with (10) -> 3628800; (0) -> 1; (12) -> 479001600 (i32 wraps above 12).

entry fact

graph fact -> i32 [elidable] {
start(%n: i32):
  %c: bool = int_le %n, 1
  branch %c, base(), rec(%n)
base():
  return 1
rec(%n1: i32):
  %m: i32 = int_sub %n1, 1
  %r: i32 = call<fact> %m
  %p: i32 = int_mul %n1, %r
  return %p
}
