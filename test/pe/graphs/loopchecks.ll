; Residual-style loops with checks (branches to a block that only raises a guest error), for the
; cleanup that moves loop-invariant checks to a pre-header (src/pe/loopchecks.ts). Each graph takes
; an i32 and a byte array of one item and returns an i32; the tests run each one and its cleaned-up
; copy on L3 and compare results and errors.

array Bytes = mut u8

; five iterations of a[0] += 1, then a check of x (invariant) against 100, and of x - 1 against
; 0 (another error): both checks move out, in their order; the loop keeps no check
graph inv -> i32 {
start(%x: i32, %a: Bytes):
  jump head(%x, 0)
head(%y: i32, %i: i32):
  %v: i32 = getitem<Bytes> %a, 0
  %v1: i32 = int_add %v, 1
  setitem<Bytes> %a, 0, %v1
  %c: bool = int_eq %y, 100
  branch %c, fail2(), next()
next():
  %z: i32 = int_sub %y, 1
  %d: bool = int_eq %z, 0
  branch %d, fail1(), body()
body():
  %i1: i32 = int_add %i, 1
  %more: bool = int_lt %i1, 5
  branch %more, head(%y, %i1), done()
done():
  %r: i32 = getitem<Bytes> %a, 0
  return %r
fail1():
  raise 1
fail2():
  raise 2
}

; a check of the counter (it varies) comes first: the invariant check after it raises another
; error, so it stays; the last one raises the same error as the varying one, so it stays too
; (it comes after a check that stays and raises another error)
graph varying -> i32 {
start(%x: i32, %a: Bytes):
  jump head(%x, 0)
head(%y: i32, %i: i32):
  %t: i32 = int_sub %y, 98
  %c0: bool = int_eq %i, %t
  branch %c0, fail1(), mid()
mid():
  %c: bool = int_eq %y, 100
  branch %c, fail2(), last()
last():
  %d: bool = int_eq %y, 101
  branch %d, fail1(), body()
body():
  %i1: i32 = int_add %i, 1
  %more: bool = int_lt %i1, 5
  branch %more, head(%y, %i1), done()
done():
  return %i1
fail1():
  raise 1
fail2():
  raise 2
}

; the same error past a varying check: the invariant check moves out before it
graph same -> i32 {
start(%x: i32, %a: Bytes):
  jump head(%x, 0)
head(%y: i32, %i: i32):
  %t: i32 = int_sub %y, 98
  %c0: bool = int_eq %i, %t
  branch %c0, fail(), mid()
mid():
  %c: bool = int_eq %y, 100
  branch %c, fail(), body()
body():
  %i1: i32 = int_add %i, 1
  %more: bool = int_lt %i1, 5
  branch %more, head(%y, %i1), done()
done():
  return %i1
fail():
  raise 1
}

; the check comes after a branch that is not a check: not on the straight path, it stays
graph after_branch -> i32 {
start(%x: i32, %a: Bytes):
  jump head(%x, 0)
head(%y: i32, %i: i32):
  %odd: i32 = int_and %i, 1
  %o: bool = int_ne %odd, 0
  branch %o, chk(), body()
chk():
  %c: bool = int_eq %y, 100
  branch %c, fail(), body()
body():
  %i1: i32 = int_add %i, 1
  %more: bool = int_lt %i1, 5
  branch %more, head(%y, %i1), done()
done():
  return %i1
fail():
  raise 2
}
