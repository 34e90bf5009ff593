; Residual-style loops (dominance SSA) over array items, for the cleanup that carries loop-invariant
; items in block parameters (src/pe/loopitems.ts). Each graph takes arrays and indices and returns
; an i32; the tests run each one and its cleaned-up copy on fresh arrays and compare.

array Bytes = mut u8
array Ints = mut i32

; do a[i] -= 1 while (a[i] & 255) != 0 (a Brainfuck `[-]`): one byte item, wraps below 0
graph dec -> i32 {
start(%a: Bytes, %i: i32):
  jump loop(%a, %i)
loop(%x: Bytes, %j: i32):
  %v: i32 = getitem<Bytes> %x, %j
  %w: i32 = int_sub %v, 1
  setitem<Bytes> %x, %j, %w
  %m: i32 = int_and %w, 255
  %c: bool = int_ne %m, 0
  branch %c, loop(%x, %j), done()
done():
  return 0
}

; `[->+<]`: a[i] and a[i+1], both carried; the loop is entered only when n > 0
graph move -> i32 {
start(%a: Bytes, %i: i32, %n: i32):
  %go: bool = int_gt %n, 0
  branch %go, loop(%a, %i), skip()
loop(%x: Bytes, %j: i32):
  %v: i32 = getitem<Bytes> %x, %j
  %w: i32 = int_sub %v, 1
  setitem<Bytes> %x, %j, %w
  %j1: i32 = int_add %j, 1
  %u: i32 = getitem<Bytes> %x, %j1
  %u1: i32 = int_add %u, 1
  setitem<Bytes> %x, %j1, %u1
  %m: i32 = int_and %w, 255
  %c: bool = int_ne %m, 0
  branch %c, loop(%x, %j), done()
done():
  return 1
skip():
  return 2
}

; n times a[i] += 100, summing what a[i] reads back (byte wrap-around visible in the sum); an exit in
; the middle of the loop (when the item reads as `stop`) that reads the array after leaving
graph wrap -> i32 {
start(%a: Bytes, %i: i32, %n: i32, %stop: i32):
  jump loop(0, 0)
loop(%k: i32, %s: i32):
  %v: i32 = getitem<Bytes> %a, %i
  %s1: i32 = int_add %s, %v
  %w: i32 = int_add %v, 100
  setitem<Bytes> %a, %i, %w
  %v2: i32 = getitem<Bytes> %a, %i
  %hit: bool = int_eq %v2, %stop
  branch %hit, early(), body()
body():
  %s2: i32 = int_add %s1, %v2
  %k1: i32 = int_add %k, 1
  %more: bool = int_lt %k1, %n
  branch %more, loop(%k1, %s2), done()
early():
  %r0: i32 = getitem<Bytes> %a, %i
  %r1: i32 = int_mul %r0, 1000
  %r: i32 = int_add %r1, %s1
  return %r
done():
  return %s2
}

; an i32 item over several blocks: a[i] = a[i] * 3 + 1 or a[i] - 5 depending on parity, n times
graph ints -> i32 {
start(%a: Ints, %i: i32, %n: i32):
  jump loop(%n)
loop(%k: i32):
  %v: i32 = getitem<Ints> %a, %i
  %odd: i32 = int_and %v, 1
  %b: bool = int_is_true %odd
  branch %b, up(), down()
up():
  %t: i32 = int_mul %v, 3
  %t1: i32 = int_add %t, 1
  setitem<Ints> %a, %i, %t1
  jump next()
down():
  %d: i32 = int_sub %v, 5
  setitem<Ints> %a, %i, %d
  jump next()
next():
  %k1: i32 = int_sub %k, 1
  %more: bool = int_gt %k1, 0
  branch %more, loop(%k1), done()
done():
  %r: i32 = getitem<Ints> %a, %i
  return %r
}

; a[i] and b[i]: b may be a, so nothing is carried
graph twoArrays -> i32 {
start(%a: Bytes, %b: Bytes, %i: i32):
  jump loop()
loop():
  %v: i32 = getitem<Bytes> %a, %i
  %w: i32 = int_sub %v, 1
  setitem<Bytes> %a, %i, %w
  %u: i32 = getitem<Bytes> %b, %i
  %u1: i32 = int_add %u, 2
  setitem<Bytes> %b, %i, %u1
  %c: bool = int_ne %w, 0
  branch %c, loop(), done()
done():
  return 0
}

; a[i] and a[k]: k may be i, so nothing is carried
graph twoIndices -> i32 {
start(%a: Bytes, %i: i32, %k: i32):
  jump loop(0)
loop(%n: i32):
  %v: i32 = getitem<Bytes> %a, %i
  %w: i32 = int_add %v, 3
  setitem<Bytes> %a, %i, %w
  setitem<Bytes> %a, %k, 1
  %n1: i32 = int_add %n, 1
  %c: bool = int_lt %n1, 10
  branch %c, loop(%n1), done()
done():
  return 0
}

; a call in the loop may touch the array: nothing is carried
graph withCall -> i32 {
start(%a: Bytes, %i: i32):
  jump loop(0)
loop(%n: i32):
  %v: i32 = getitem<Bytes> %a, %i
  %w: i32 = int_add %v, 3
  setitem<Bytes> %a, %i, %w
  %z: i32 = call<zero> %a, %i
  %n1: i32 = int_add %n, 1
  %c: bool = int_lt %n1, 10
  branch %c, loop(%n1), done()
done():
  %r: i32 = getitem<Bytes> %a, %i
  return %r
}

graph zero -> i32 {
start(%a: Bytes, %i: i32):
  %p: bool = int_eq %i, 0
  branch %p, clear(), keep()
clear():
  setitem<Bytes> %a, 0, 7
  return 0
keep():
  return 1
}

; a while loop: the item is accessed only after the loop test (not on entry), so it stays in memory
; (the index may be out of bounds when the loop runs zero times)
graph whileLoop -> i32 {
start(%a: Ints, %i: i32, %n: i32):
  jump head(0)
head(%k: i32):
  %more: bool = int_lt %k, %n
  branch %more, body(), done()
body():
  %v: i32 = getitem<Ints> %a, %i
  %v1: i32 = int_add %v, %k
  setitem<Ints> %a, %i, %v1
  %k1: i32 = int_add %k, 1
  jump head(%k1)
done():
  return %k
}

; a[i] counted down, with a guest error when it reaches 7: the link to the block that only raises
; leaves the loop without writing the item back (the run ends there)
graph decraise -> i32 {
start(%a: Bytes, %i: i32):
  jump loop(%a, %i)
loop(%x: Bytes, %j: i32):
  %v: i32 = getitem<Bytes> %x, %j
  %w: i32 = int_sub %v, 1
  setitem<Bytes> %x, %j, %w
  %m: i32 = int_and %w, 255
  %e: bool = int_eq %m, 7
  branch %e, fail(), next()
next():
  %c: bool = int_ne %m, 0
  branch %c, loop(%x, %j), done()
fail():
  raise 1
done():
  return 0
}
