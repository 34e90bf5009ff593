; A small stack machine for the specializer's tests: an immutable code array, the pc and the stack
; depth sp as greens, and a virtualizable frame holding the operand stack and the locals.
;
; Opcodes (operands follow the opcode):
;   0 HALT     return the top of the stack      7 GET i    push local i
;   1 PUSH k   push k                           8 SET i    pop into local i
;   2 ADD      a b -> a+b                       9 PRINT    pop and print
;   3 SUB      a b -> a-b                      10 DUP      a -> a a
;   4 LT       a b -> (a<b ? 1 : 0)            11 MUL      a b -> a*b
;   5 JNZ t    pop; jump to t if not 0         12 DIV      a b -> a/b (guest error on 0)
;   6 JMP t    jump to t                      13 MULK     a -> a * promote(local 1)
;  14 CALL f   a -> f(a): runs the code at pc f in a new frame with a as local 0 (a recursive
;              call of the portal); HALT there returns the top of its stack
;  15 SQK k    push slowsq(k) (an elidable helper with a loop)
;  16 PICK     n -> stack[sp-2-n] (n counted from the item under n: a red index into the stack)
;  17 STOREL   v i -> ; local i = v (a red index into the locals)
;   other      guest error "bad opcode"

struct Frame { stack: Stack, locals: Stack } virtualizable(stack[*], locals[*])
array Code = i32
array Stack = mut i32

host printInt(i32) -> void

driver d greens(code, pc, sp) reds(frame) virtualizables(frame)

message 0 "bad opcode"
message 1 "division by zero"

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
  switch %op, 0: halt(), 1: push(), 2: binop(), 3: binop(), 4: binop(), 5: jnz(), 6: jmp(), 7: get(), 8: set(), 9: print(), 10: dup(), 11: binop(), 12: binop(), 13: mulk(), 14: callf(), 15: sqk(), 16: pick(), 17: storel(), default: bad()
halt():
  %th: i32 = int_sub %sp, 1
  %rh: i32 = getitem<Stack> %st, %th
  return %rh
push():
  %k: i32 = getitem<Code> %code, %pc1
  setitem<Stack> %st, %sp, %k
  %sp_push: i32 = int_add %sp, 1
  jump loop(%code, %pc2, %sp_push, %frame)
binop():
  %ia: i32 = int_sub %sp, 2
  %ib: i32 = int_sub %sp, 1
  %a: i32 = getitem<Stack> %st, %ia
  %b: i32 = getitem<Stack> %st, %ib
  %r: i32 = call<binary> %op, %a, %b
  setitem<Stack> %st, %ia, %r
  jump loop(%code, %pc1, %ib, %frame)
jnz():
  %sj: i32 = int_sub %sp, 1
  %cv: i32 = getitem<Stack> %st, %sj
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
  %gv: i32 = getitem<Stack> %lo, %gi
  setitem<Stack> %st, %sp, %gv
  %sp_get: i32 = int_add %sp, 1
  jump loop(%code, %pc2, %sp_get, %frame)
set():
  %si: i32 = getitem<Code> %code, %pc1
  %sp_set: i32 = int_sub %sp, 1
  %sv: i32 = getitem<Stack> %st, %sp_set
  setitem<Stack> %lo, %si, %sv
  jump loop(%code, %pc2, %sp_set, %frame)
print():
  %sp_pr: i32 = int_sub %sp, 1
  %pv: i32 = getitem<Stack> %st, %sp_pr
  call_host<printInt> %pv
  jump loop(%code, %pc1, %sp_pr, %frame)
dup():
  %sp_d: i32 = int_sub %sp, 1
  %dv: i32 = getitem<Stack> %st, %sp_d
  setitem<Stack> %st, %sp, %dv
  %sp_d2: i32 = int_add %sp, 1
  jump loop(%code, %pc1, %sp_d2, %frame)
mulk():
  %kv: i32 = getitem<Stack> %lo, 1
  %kp: i32 = promote %kv
  %im: i32 = int_sub %sp, 1
  %xm: i32 = getitem<Stack> %st, %im
  %pm: i32 = int_mul %xm, %kp
  setitem<Stack> %st, %im, %pm
  jump loop(%code, %pc1, %sp, %frame)
callf():
  %fpc: i32 = getitem<Code> %code, %pc1
  %nst: Stack = newarray<Stack> 16
  %nlo: Stack = newarray<Stack> 4
  %nf: Frame = new<Frame> %nst, %nlo
  %ic: i32 = int_sub %sp, 1
  %ac: i32 = getitem<Stack> %st, %ic
  setitem<Stack> %nlo, 0, %ac
  %res: i32 = call<run> %code, %fpc, %nf
  setitem<Stack> %st, %ic, %res
  jump loop(%code, %pc2, %sp, %frame)
sqk():
  %sk: i32 = getitem<Code> %code, %pc1
  %sq: i32 = call<slowsq> %sk
  setitem<Stack> %st, %sp, %sq
  %sp_sq: i32 = int_add %sp, 1
  jump loop(%code, %pc2, %sp_sq, %frame)
pick():
  %ipk: i32 = int_sub %sp, 1
  %npk: i32 = getitem<Stack> %st, %ipk
  %d1: i32 = int_sub %sp, 2
  %jpk: i32 = int_sub %d1, %npk
  %vpk: i32 = getitem<Stack> %st, %jpk
  setitem<Stack> %st, %ipk, %vpk
  jump loop(%code, %pc1, %sp, %frame)
storel():
  %isl: i32 = int_sub %sp, 1
  %lsl: i32 = getitem<Stack> %st, %isl
  %vsl_i: i32 = int_sub %sp, 2
  %vsl: i32 = getitem<Stack> %st, %vsl_i
  setitem<Stack> %lo, %lsl, %vsl
  jump loop(%code, %pc1, %vsl_i, %frame)
bad():
  raise 0
}

; x * x by repeated addition: a loop the specializer would keep, folded as a whole when elidable.
graph slowsq -> i32 [elidable] {
start(%n: i32):
  %neg: bool = int_lt %n, 0
  %m: i32 = int_abs %n
  jump head(0, 0, %m)
head(%i: i32, %acc: i32, %m1: i32):
  %more: bool = int_lt %i, %m1
  branch %more, body(), done()
body():
  %acc1: i32 = int_add %acc, %m1
  %i1: i32 = int_add %i, 1
  jump head(%i1, %acc1, %m1)
done():
  return %acc
}

graph binary -> i32 {
start(%o: i32, %x: i32, %y: i32):
  switch %o, 2: add(), 3: sub(), 4: lt(), 11: mul(), 12: div(), default: bad()
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
mul():
  %r4: i32 = int_mul %x, %y
  return %r4
div():
  %z: bool = int_eq %y, 0
  branch %z, divzero(), divok()
divzero():
  raise 1
divok():
  %r5: i32 = int_div %x, %y
  return %r5
bad():
  raise 0
}
