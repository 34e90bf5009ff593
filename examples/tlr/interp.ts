// The tlr interpreter: a toy register language in the style of PyPy's tlr example (an accumulator,
// a few registers allocated by the program, a conditional jump), written in unfold's TypeScript
// subset with its JIT hints; runs unchanged as plain TypeScript. README.md beside this file
// describes the instructions; asm.ts is the assembler.
//
// Greens: the code and pc; reds: the accumulator and the registers. `canEnterJit` where JUMP_IF_A
// jumps back.

import type { i32, ImmutableInt32Array, Target } from "../../src/hints/index.ts";
import { fail, JitDriver, printInt } from "../../src/hints/index.ts";
import { prepare } from "./asm.ts";

// ---- opcodes (an operand follows the opcode where there is one) -------------------------------
const MOV_A_R = 1; //    r: register r = a
const MOV_R_A = 2; //    r: a = register r
const JUMP_IF_A = 3; //  t: if a != 0, go to t
const SET_A = 4; //      k: a = k
const ADD_R_TO_A = 5; // r: a = a + register r (wrapping)
const RETURN_A = 6; //      return a
const ALLOCATE = 7; //   n: a fresh set of n registers, all 0
const NEG_A = 8; //         a = -a (wrapping)

/** Most registers a program may allocate. */
const MAX_REGISTERS = 256;

const driver = new JitDriver({ greens: ["code", "pc"], reds: ["a", "regs"] });

/** The operand of the instruction at pc. */
function operand(code: ImmutableInt32Array, pc: i32): i32 {
  if (((pc + 1) | 0) >= code.length) fail("truncated instruction");
  return code[(pc + 1) | 0];
}

/** The register operand of the instruction at pc, checked against the registers allocated. */
function register(code: ImmutableInt32Array, pc: i32, regs: Int32Array): i32 {
  const r = operand(code, pc);
  if (r < 0 || r >= regs.length) fail("bad register");
  return r;
}

/** Run the code with `a` in the accumulator until RETURN_A; returns the accumulator. */
function interpret(code: ImmutableInt32Array, a: i32): i32 {
  let pc: i32 = 0;
  let regs = new Int32Array(0);
  while (true) {
    driver.mergePoint({ code, pc, a, regs });
    if (pc < 0 || pc >= code.length) fail("pc out of range");
    switch (code[pc]) {
      case MOV_A_R:
        regs[register(code, pc, regs)] = a;
        pc = (pc + 2) | 0;
        break;
      case MOV_R_A:
        a = regs[register(code, pc, regs)];
        pc = (pc + 2) | 0;
        break;
      case JUMP_IF_A: {
        const t = operand(code, pc);
        if (t < 0 || t >= code.length) fail("bad jump target");
        if (a !== 0) {
          if (t <= pc) {
            pc = t;
            driver.canEnterJit({ code, pc, a, regs });
            continue;
          }
          pc = t;
          continue;
        }
        pc = (pc + 2) | 0;
        break;
      }
      case SET_A:
        a = operand(code, pc);
        pc = (pc + 2) | 0;
        break;
      case ADD_R_TO_A:
        a = (a + regs[register(code, pc, regs)]) | 0;
        pc = (pc + 2) | 0;
        break;
      case RETURN_A:
        return a;
      case ALLOCATE: {
        const n = operand(code, pc);
        if (n < 0 || n > MAX_REGISTERS) fail("bad register count");
        regs = new Int32Array(n);
        pc = (pc + 2) | 0;
        break;
      }
      case NEG_A:
        a = (0 - a) | 0;
        pc = (pc + 1) | 0;
        break;
      default:
        fail("bad opcode");
    }
  }
}

/** Run a tlr program (code as made by the assembler) on the input `a`; prints and returns the result. */
export function main(code: ImmutableInt32Array, a: i32): i32 {
  const result = interpret(code, a);
  printInt(result);
  return result;
}

export const target: Target = { entry: main, prepare };
