; Residual-style counted loops, for the cleanup that runs such a loop's last iteration only
; (src/pe/loopfinal.ts). Each graph takes two i32 and a byte array of two items and returns an
; i32; the tests run each one and its cleaned-up copy on L3 and compare.

array Bytes = mut u8

; a counter from x & 255 down to 0 (256 steps from 0), a sum stepped by 3, a nibble stepped by 7
; mod 16 from y & 15, and y unchanged; the result mixes the last iteration's values
graph down -> i32 {
start(%x: i32, %y: i32, %a: Bytes):
  %i0: i32 = int_and %x, 255
  %k0: i32 = int_and %y, 15
  jump head(%i0, %x, %k0, %y)
head(%i: i32, %s: i32, %k: i32, %u: i32):
  %i1: i32 = int_sub %i, 1
  %im: i32 = int_and %i1, 255
  %s1: i32 = int_add %s, 3
  %k1: i32 = int_add %k, 7
  %km: i32 = int_and %k1, 15
  %go: bool = int_ne %im, 0
  branch %go, head(%im, %s1, %km, %u), done(%s1, %km, %i, %k1, %u)
done(%rs: i32, %rk: i32, %ri: i32, %rk1: i32, %ru: i32):
  %a1: i32 = int_mul %rs, 1000
  %a2: i32 = int_mul %rk, 100
  %a3: i32 = int_add %a1, %a2
  %a4: i32 = int_add %a3, %ri
  %a5: i32 = int_mul %rk1, 7
  %a6: i32 = int_add %a4, %a5
  %a7: i32 = int_add %a6, %ru
  return %a7
}

; counting up to 0 mod 256 from an item of the array; the loop goes on while the counter is not
; 0 (the back edge on the false side of an int_eq); a sum stepped by -5 from y
graph up -> i32 {
start(%x: i32, %y: i32, %a: Bytes):
  setitem<Bytes> %a, 0, %x
  %i0: i32 = getitem<Bytes> %a, 0
  jump head(%i0, %y)
head(%i: i32, %s: i32):
  %i1: i32 = int_add %i, 1
  %im: i32 = int_and %i1, 255
  %s1: i32 = int_sub %s, 5
  %stop: bool = int_eq %im, 0
  branch %stop, done(%s1, %i), head(%im, %s1)
done(%rs: i32, %ri: i32):
  %r1: i32 = int_mul %rs, 1000
  %r: i32 = int_add %r1, %ri
  return %r
}

; Brainfuck's [->+<] in memory, after a[0] = x and a[1] = y: the cells are carried as loop items
; (loopitems.ts), then the loop runs its last iteration only
graph moveadd -> i32 {
start(%x: i32, %y: i32, %a: Bytes):
  setitem<Bytes> %a, 0, %x
  setitem<Bytes> %a, 1, %y
  %v0: i32 = getitem<Bytes> %a, 0
  %z0: bool = int_eq %v0, 0
  branch %z0, done(), head(%a)
head(%b: Bytes):
  %v: i32 = getitem<Bytes> %b, 0
  %v1: i32 = int_sub %v, 1
  setitem<Bytes> %b, 0, %v1
  %w: i32 = getitem<Bytes> %b, 1
  %w1: i32 = int_add %w, 1
  setitem<Bytes> %b, 1, %w1
  %z: i32 = getitem<Bytes> %b, 0
  %go: bool = int_ne %z, 0
  branch %go, head(%b), done()
done():
  %r0: i32 = getitem<Bytes> %a, 0
  %r1: i32 = getitem<Bytes> %a, 1
  %r2: i32 = int_mul %r1, 1000
  %r: i32 = int_add %r2, %r0
  return %r
}

; not counted: the counter steps by 2 (its trip count is not a plain difference)
graph by2 -> i32 {
start(%x: i32, %y: i32, %a: Bytes):
  %x2: i32 = int_and %x, 254
  jump head(%x2, %y)
head(%i: i32, %s: i32):
  %i1: i32 = int_sub %i, 2
  %im: i32 = int_and %i1, 255
  %s1: i32 = int_add %s, 1
  %go: bool = int_ne %im, 0
  branch %go, head(%im, %s1), done(%s1)
done(%r: i32):
  return %r
}

; not counted: the counter's first value is not known to be a byte (x itself, not masked)
graph rawstart -> i32 {
start(%x: i32, %y: i32, %a: Bytes):
  jump head(%x, %y)
head(%i: i32, %s: i32):
  %i1: i32 = int_sub %i, 1
  %im: i32 = int_and %i1, 255
  %s1: i32 = int_add %s, 1
  %go: bool = int_ne %im, 0
  branch %go, head(%im, %s1), done(%s1, %i)
done(%r: i32, %ri: i32):
  %r2: i32 = int_mul %ri, 1000
  %r3: i32 = int_add %r2, %r
  return %r3
}

; not counted: the loop body does more than step its parameters (a write to the array)
graph effect -> i32 {
start(%x: i32, %y: i32, %a: Bytes):
  %i0: i32 = int_and %x, 255
  jump head(%i0, %y)
head(%i: i32, %s: i32):
  %i1: i32 = int_sub %i, 1
  %im: i32 = int_and %i1, 255
  setitem<Bytes> %a, 1, %i
  %s1: i32 = int_add %s, 1
  %go: bool = int_ne %im, 0
  branch %go, head(%im, %s1), done(%s1)
done(%r: i32):
  %w: i32 = getitem<Bytes> %a, 1
  %r2: i32 = int_mul %w, 1000
  %r3: i32 = int_add %r2, %r
  return %r3
}
