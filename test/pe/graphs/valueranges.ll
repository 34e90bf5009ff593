; Checks decided by what is known along the path about a value (src/pe/valueranges.ts). Each
; graph is cleaned up in a copy; the tests count the checks left and run both on L3.

array Bytes = mut u8

; Brainfuck's `>>>>>`, `<<<<`, `>>>` on a tape of 101 cells: the last move's check tests values
; (x + 1 in [98, 100], that is x in [97, 99]) that the first one excluded (x in [96, 100])
graph zigzag -> i32 {
start(%x: i32):
  %r: i32 = int_sub %x, 96
  %c0: bool = uint_le %r, 4
  branch %c0, fail2(), s1()
s1():
  %p: i32 = int_add %x, 5
  %c1: bool = uint_le %p, 3
  branch %c1, fail1(), s2()
s2():
  %q: i32 = int_sub %p, 4
  %r2: i32 = int_sub %q, 98
  %c2: bool = uint_le %r2, 2
  branch %c2, fail2(), done()
done():
  %t: i32 = int_add %q, 3
  return %t
fail1():
  raise 1
fail2():
  raise 2
}

; a pointer that only comes from indexing at a loop's header (the edge into the loop and the back
; edge both pass an index that was read): its test against 0 always fails
graph scan -> i32 {
start(%x: i32, %a: Bytes):
  %v0: i32 = getitem<Bytes> %a, %x
  jump head(%x)
head(%p: i32):
  %neg: bool = int_lt %p, 0
  branch %neg, fail1(), body()
body():
  %p1: i32 = int_add %p, 1
  %v: i32 = getitem<Bytes> %a, %p1
  %z: bool = int_eq %v, 0
  branch %z, done(), head(%p1)
done():
  return %p1
fail1():
  raise 1
}

; a counter that may wrap around (i + 1 past 2^31 - 1 is negative): its test stays
graph wrap -> i32 {
start(%i0: i32):
  %neg0: bool = int_lt %i0, 0
  branch %neg0, fail1(), head(%i0)
head(%i: i32):
  %neg: bool = int_lt %i, 0
  branch %neg, fail1(), body()
body():
  %i1: i32 = int_add %i, 1
  %small: bool = int_lt %i1, 5
  branch %small, head(%i1), done()
done():
  return %i1
fail1():
  raise 1
}

; only one side of a diamond tests the value: after the join nothing is known
graph diamond -> i32 {
start(%x: i32, %k: i32):
  %c: bool = int_eq %k, 0
  branch %c, left(), join(%x)
left():
  %cx: bool = int_lt %x, 10
  branch %cx, fail1(), join(%x)
join(%y: i32):
  %cy: bool = int_lt %y, 10
  branch %cy, fail2(), done()
done():
  return %y
fail1():
  raise 1
fail2():
  raise 2
}

; an irreducible loop (entered at a and at b): b's test of what start passed stays
graph irreducible -> i32 {
start(%x: i32, %k: i32):
  %c: bool = int_eq %k, 0
  branch %c, a(%x), b(%x)
a(%u: i32):
  %ca: bool = int_lt %u, 0
  branch %ca, fail1(), a2()
a2():
  %u1: i32 = int_sub %u, 1
  %s: bool = int_lt %u1, 5
  branch %s, done(%u1), b(%u1)
b(%w: i32):
  %cb: bool = int_lt %w, 0
  branch %cb, fail2(), b2()
b2():
  %w1: i32 = int_sub %w, 2
  %t: bool = int_lt %w1, 3
  branch %t, done(%w1), a(%w1)
done(%r: i32):
  return %r
fail1():
  raise 1
fail2():
  raise 2
}
