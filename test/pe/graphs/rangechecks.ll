; Chains of checks that raise the same guest error, for the cleanup that merges them into one
; range check (src/pe/rangechecks.ts). Each graph takes an i32 and returns one; the tests run each
; one and its cleaned-up copy on L3 and compare.

array Bytes = mut u8

; `>>>`: x + 0, x + 1, x + 2 each tested against 100 (raise 2): one test of x in [98, 100]
graph right3 -> i32 {
start(%x: i32):
  %c0: bool = int_eq %x, 100
  branch %c0, fail(), s1(%x)
s1(%p: i32):
  %p1: i32 = int_add %p, 1
  %c1: bool = int_eq %p1, 100
  branch %c1, fail(), s2()
s2():
  %p2: i32 = int_add %p1, 1
  %c2: bool = int_eq %p2, 100
  branch %c2, fail(), done()
done():
  %r: i32 = int_add %p2, 1
  return %r
fail():
  raise 2
}

; `<<`: x - 0, x - 1 tested against 0 (raise 1): x in [0, 1]
graph left2 -> i32 {
start(%x: i32):
  %c0: bool = int_eq %x, 0
  branch %c0, fail(), s1()
s1():
  %p1: i32 = int_sub %x, 1
  %c1: bool = int_eq %p1, 0
  branch %c1, fail(), done()
done():
  %r: i32 = int_sub %p1, 1
  return %r
fail():
  raise 1
}

; values 100 and 102 (x + 0 and x - 2 against 100): not contiguous, left alone
graph gap -> i32 {
start(%x: i32):
  %c0: bool = int_eq %x, 100
  branch %c0, fail(), s1()
s1():
  %p1: i32 = int_sub %x, 2
  %c1: bool = int_eq %p1, 100
  branch %c1, fail(), done()
done():
  return %p1
fail():
  raise 2
}

; a store between the checks: the first raise must come before it, left alone
graph store -> i32 {
start(%x: i32, %a: Bytes):
  %c0: bool = int_eq %x, 100
  branch %c0, fail(), s1()
s1():
  setitem<Bytes> %a, 0, 7
  %p1: i32 = int_add %x, 1
  %c1: bool = int_eq %p1, 100
  branch %c1, fail(), done()
done():
  %v: i32 = getitem<Bytes> %a, 0
  return %v
fail():
  raise 2
}

; different errors (raise 1, then raise 2): left alone
graph mixed -> i32 {
start(%x: i32):
  %c0: bool = int_eq %x, 100
  branch %c0, fail1(), s1()
s1():
  %p1: i32 = int_add %x, 1
  %c1: bool = int_eq %p1, 100
  branch %c1, fail2(), done()
done():
  return %p1
fail1():
  raise 1
fail2():
  raise 2
}
