; The stack machine of svm.ll with every value boxed: the operand stack and the locals hold
; references to immutable Box objects, and every arithmetic op allocates a new Box. The
; specializer should keep the boxes virtual: none is allocated or read in the residual loop.
;
; Opcodes: 0 HALT, 1 PUSH k, 2 ADD, 3 SUB, 4 LT, 5 JNZ t, 6 JMP t, 7 GET i, 8 SET i, 9 PRINT

struct Box { value: i32 }
struct Frame { stack: Stack, locals: Stack } virtualizable(stack[*], locals[*])
array Code = i32
array Stack = mut Box

host printInt(i32) -> void

driver d greens(code, pc, sp) reds(frame) virtualizables(frame)

message 0 "bad opcode"

entry run

graph run -> i32 [portal] {
start(%code0: Code, %pc0: i32, %frame0: Frame):
  jump loop(%code0, %pc0, 0, %frame0)
loop(%code: Code, %pc: i32, %sp: i32, %frame: Frame):
  jit_merge_point<d> %code, %pc, %sp, %frame
  %op: i32 = getitem<Code> %code, %pc
  %st: Stack = getfield<Frame.stack> %frame
  %lo: Stack = getfield<Frame.locals> %frame
  %pc1: i32 = int_add %pc, 1
  %pc2: i32 = int_add %pc, 2
  switch %op, 0: halt(), 1: push(), 2: binop(), 3: binop(), 4: binop(), 5: jnz(), 6: jmp(), 7: get(), 8: set(), 9: print(), default: bad()
halt():
  %th: i32 = int_sub %sp, 1
  %bh: Box = getitem<Stack> %st, %th
  %rh: i32 = getfield<Box.value> %bh
  return %rh
push():
  %k: i32 = getitem<Code> %code, %pc1
  %bk: Box = new<Box> %k
  setitem<Stack> %st, %sp, %bk
  %sp_push: i32 = int_add %sp, 1
  jump loop(%code, %pc2, %sp_push, %frame)
binop():
  %ia: i32 = int_sub %sp, 2
  %ib: i32 = int_sub %sp, 1
  %ba: Box = getitem<Stack> %st, %ia
  %bb: Box = getitem<Stack> %st, %ib
  %a: i32 = getfield<Box.value> %ba
  %b: i32 = getfield<Box.value> %bb
  %r: i32 = call<binary> %op, %a, %b
  %br: Box = new<Box> %r
  setitem<Stack> %st, %ia, %br
  jump loop(%code, %pc1, %ib, %frame)
jnz():
  %sj: i32 = int_sub %sp, 1
  %bj: Box = getitem<Stack> %st, %sj
  %cv: i32 = getfield<Box.value> %bj
  %t: i32 = getitem<Code> %code, %pc1
  %nz: bool = int_is_true %cv
  branch %nz, taken(), loop(%code, %pc2, %sj, %frame)
taken():
  can_enter_jit<d> %code, %t, %sj, %frame
  jump loop(%code, %t, %sj, %frame)
jmp():
  %t2: i32 = getitem<Code> %code, %pc1
  jump loop(%code, %t2, %sp, %frame)
get():
  %gi: i32 = getitem<Code> %code, %pc1
  %gv: Box = getitem<Stack> %lo, %gi
  setitem<Stack> %st, %sp, %gv
  %sp_get: i32 = int_add %sp, 1
  jump loop(%code, %pc2, %sp_get, %frame)
set():
  %si: i32 = getitem<Code> %code, %pc1
  %sp_set: i32 = int_sub %sp, 1
  %sv: Box = getitem<Stack> %st, %sp_set
  setitem<Stack> %lo, %si, %sv
  jump loop(%code, %pc2, %sp_set, %frame)
print():
  %sp_pr: i32 = int_sub %sp, 1
  %bp: Box = getitem<Stack> %st, %sp_pr
  %pv: i32 = getfield<Box.value> %bp
  call_host<printInt> %pv
  jump loop(%code, %pc1, %sp_pr, %frame)
bad():
  raise 0
}

graph binary -> i32 {
start(%o: i32, %x: i32, %y: i32):
  switch %o, 2: add(), 3: sub(), 4: lt(), default: bad()
add():
  %r1: i32 = int_add %x, %y
  return %r1
sub():
  %r2: i32 = int_sub %x, %y
  return %r2
lt():
  %c: bool = int_lt %x, %y
  %r3: i32 = cast_bool_to_int %c
  return %r3
bad():
  raise 0
}
