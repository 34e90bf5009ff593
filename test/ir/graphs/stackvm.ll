; A small stack machine written directly as a graph: a struct for the machine state (pc, sp, the
; code and the stack), an immutable i32 array for the code, a mutable one for the stack, and a
; switch on the opcode in a dispatch loop with a JIT merge point.
;
; Opcodes (operands follow the opcode in the code array):
;   0 HALT      return the top of the stack       6 SWAP      exchange the two top items
;   1 PUSH k    push k                            7 JNZ t     pop; jump to t if it was not 0
;   2 ADD       pop b, pop a, push a + b          8 POP       drop the top item
;   3 SUB       pop b, pop a, push a - b          9 JMP t     jump to t
;   4 MUL       pop b, pop a, push a * b         10 OVER      push a copy of the second item
;   5 DUP       push a copy of the top item       other       raise 0 ("unknown opcode")
;
; Run: entry `run` with code = a Code array (immutable i32 items):
;   [1,1, 1,5, 6, 10, 4, 6, 1,1, 3, 5, 7,4, 8, 0] -> 120   (5! by a loop: stack [acc, n])
;   [1,2, 1,3, 2, 1,4, 4, 0]                      -> 20    ((2 + 3) * 4)
;   [1,7, 9,6, 1,9, 0]                            -> 7     (JMP over a PUSH)
;   [99]                                          -> raises the i32 0: message 0 "unknown opcode"

struct Machine { pc: mut i32, sp: mut i32, code: Code, stack: Stack }
array Code = i32
array Stack = mut i32

driver vm greens(pc, code) reds(m)

message 0 "unknown opcode"

entry run

graph run -> i32 [portal] {
start(%code: Code):
  %stack: Stack = newarray<Stack> 64
  %m: Machine = new<Machine> 0, 0, %code, %stack
  jump dispatch(%m)
dispatch(%m1: Machine):
  %pc: i32 = getfield<Machine.pc> %m1
  %code1: Code = getfield<Machine.code> %m1
  jit_merge_point<vm> %pc, %code1, %m1
  %op: i32 = getitem<Code> %code1, %pc
  %pc1: i32 = int_add %pc, 1
  setfield<Machine.pc> %m1, %pc1
  switch %op, 0: halt(%m1), 1: push(%m1, %code1, %pc1), 2: binop(%m1, %op), 3: binop(%m1, %op), 4: binop(%m1, %op), 5: dup(%m1), 6: swap(%m1), 7: jnz(%m1, %code1, %pc1), 8: pop(%m1), 9: jmp(%m1, %code1, %pc1), 10: over(%m1), default: bad()
halt(%mh: Machine):
  %sph: i32 = getfield<Machine.sp> %mh
  %sth: Stack = getfield<Machine.stack> %mh
  %toph: i32 = int_sub %sph, 1
  %res: i32 = getitem<Stack> %sth, %toph
  return %res
push(%mp: Machine, %codep: Code, %pcp: i32):
  %k: i32 = getitem<Code> %codep, %pcp
  %pcp1: i32 = int_add %pcp, 1
  setfield<Machine.pc> %mp, %pcp1
  jump pushv(%mp, %k)
pushv(%mv: Machine, %x: i32):
  %spv: i32 = getfield<Machine.sp> %mv
  %stv: Stack = getfield<Machine.stack> %mv
  setitem<Stack> %stv, %spv, %x
  %spv1: i32 = int_add %spv, 1
  setfield<Machine.sp> %mv, %spv1
  jump dispatch(%mv)
binop(%mb: Machine, %opb: i32):
  %spb: i32 = getfield<Machine.sp> %mb
  %stb: Stack = getfield<Machine.stack> %mb
  %ib: i32 = int_sub %spb, 1
  %b: i32 = getitem<Stack> %stb, %ib
  %ia: i32 = int_sub %spb, 2
  %a: i32 = getitem<Stack> %stb, %ia
  setfield<Machine.sp> %mb, %ib
  switch %opb, 2: add(%mb, %stb, %ia, %a, %b), 3: sub(%mb, %stb, %ia, %a, %b), default: mul(%mb, %stb, %ia, %a, %b)
add(%m2: Machine, %st2: Stack, %i2: i32, %a2: i32, %b2: i32):
  %x2: i32 = int_add %a2, %b2
  jump store(%m2, %st2, %i2, %x2)
sub(%m3: Machine, %st3: Stack, %i3: i32, %a3: i32, %b3: i32):
  %x3: i32 = int_sub %a3, %b3
  jump store(%m3, %st3, %i3, %x3)
mul(%m4: Machine, %st4: Stack, %i4: i32, %a4: i32, %b4: i32):
  %x4: i32 = int_mul %a4, %b4
  jump store(%m4, %st4, %i4, %x4)
store(%ms: Machine, %sts: Stack, %is: i32, %xs: i32):
  setitem<Stack> %sts, %is, %xs
  jump dispatch(%ms)
dup(%md: Machine):
  %spd: i32 = getfield<Machine.sp> %md
  %std: Stack = getfield<Machine.stack> %md
  %topd: i32 = int_sub %spd, 1
  %xd: i32 = getitem<Stack> %std, %topd
  jump pushv(%md, %xd)
over(%mo: Machine):
  %spo: i32 = getfield<Machine.sp> %mo
  %sto: Stack = getfield<Machine.stack> %mo
  %io: i32 = int_sub %spo, 2
  %xo: i32 = getitem<Stack> %sto, %io
  jump pushv(%mo, %xo)
swap(%mw: Machine):
  %spw: i32 = getfield<Machine.sp> %mw
  %stw: Stack = getfield<Machine.stack> %mw
  %iw1: i32 = int_sub %spw, 1
  %iw2: i32 = int_sub %spw, 2
  %xw1: i32 = getitem<Stack> %stw, %iw1
  %xw2: i32 = getitem<Stack> %stw, %iw2
  setitem<Stack> %stw, %iw1, %xw2
  setitem<Stack> %stw, %iw2, %xw1
  jump dispatch(%mw)
pop(%mq: Machine):
  %spq: i32 = getfield<Machine.sp> %mq
  %spq1: i32 = int_sub %spq, 1
  setfield<Machine.sp> %mq, %spq1
  jump dispatch(%mq)
jnz(%mj: Machine, %codej: Code, %pcj: i32):
  %tj: i32 = getitem<Code> %codej, %pcj
  %pcj1: i32 = int_add %pcj, 1
  setfield<Machine.pc> %mj, %pcj1
  %spj: i32 = getfield<Machine.sp> %mj
  %stj: Stack = getfield<Machine.stack> %mj
  %spj1: i32 = int_sub %spj, 1
  %xj: i32 = getitem<Stack> %stj, %spj1
  setfield<Machine.sp> %mj, %spj1
  %cj: bool = int_is_true %xj
  branch %cj, goto(%mj, %codej, %tj), dispatch(%mj)
jmp(%mk: Machine, %codek: Code, %pck: i32):
  %tk: i32 = getitem<Code> %codek, %pck
  jump goto(%mk, %codek, %tk)
goto(%mg: Machine, %codeg: Code, %tg: i32):
  setfield<Machine.pc> %mg, %tg
  can_enter_jit<vm> %tg, %codeg, %mg
  jump dispatch(%mg)
bad():
  raise 0
}
