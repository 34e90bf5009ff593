// The optimizing Brainfuck interpreter: the same language and conventions as interp.ts, run from
// the folded instruction pairs made by fold.ts (runs of +/- and </> folded, [-] as a clear, jumps
// with their targets). Written in unfold's TypeScript subset with its JIT hints.
//
// Greens: the code and pc; reds: the tape and the pointer. `canEnterJit` where JNZ jumps back.

import type { i32, ImmutableInt32Array, Target } from "../../src/hints/index.ts";
import { fail, JitDriver, printChar, readByte } from "../../src/hints/index.ts";
import { prepareOpt } from "./fold.ts";

// ---- opcodes: code[pc] = op, code[pc + 1] = its argument (the same numbers as fold.ts) ---------
const OP_ADD = 1; //   k: cell += k (mod 256)
const OP_MOVE = 2; //  k: ptr += k
const OP_CLEAR = 3; // cell = 0
const OP_OUT = 4; //   write the cell
const OP_IN = 5; //    read a byte into the cell (0 at end of input)
const OP_JZ = 6; //    t: if the cell is 0, go to t
const OP_JNZ = 7; //   t: if the cell is not 0, go to t

/** Cells of the tape (1 << 20), as in interp.ts. */
const TAPE_SIZE = 1048576;

const driver = new JitDriver({ greens: ["code", "pc"], reds: ["tape", "ptr"] });

/** Run folded code on a zeroed tape; returns the final pointer. */
function run(code: ImmutableInt32Array, tape: Uint8Array): i32 {
  let pc: i32 = 0;
  let ptr: i32 = 0;
  while (pc < code.length) {
    driver.mergePoint({ code, pc, tape, ptr });
    const arg = code[(pc + 1) | 0];
    switch (code[pc]) {
      case OP_ADD:
        tape[ptr] = (tape[ptr] + arg) | 0;
        break;
      case OP_MOVE: {
        const p = (ptr + arg) | 0;
        if (p < 0) fail("pointer moved left of the first cell");
        if (p >= TAPE_SIZE) fail("pointer moved right of the last cell");
        ptr = p;
        break;
      }
      case OP_CLEAR:
        tape[ptr] = 0;
        break;
      case OP_OUT:
        printChar(tape[ptr]);
        break;
      case OP_IN: {
        const b = readByte();
        if (b < 0) {
          tape[ptr] = 0;
        } else {
          tape[ptr] = b;
        }
        break;
      }
      case OP_JZ:
        if (tape[ptr] === 0) {
          pc = arg;
          continue;
        }
        break;
      case OP_JNZ:
        if (tape[ptr] !== 0) {
          pc = arg;
          driver.canEnterJit({ code, pc, tape, ptr });
          continue;
        }
        break;
      default:
        fail("bad opcode");
    }
    pc = (pc + 2) | 0;
  }
  return ptr;
}

/** Check the code's shape: whole pairs, known opcodes, moves no longer than the tape (so no overflow), jumps to pairs. */
function checkCode(code: ImmutableInt32Array): void {
  if ((code.length & 1) !== 0) fail("bad code");
  for (let pc = 0; pc < code.length; pc = (pc + 2) | 0) {
    const op = code[pc];
    const arg = code[(pc + 1) | 0];
    if (op < OP_ADD || op > OP_JNZ) fail("bad opcode");
    if (op === OP_MOVE && (arg < -TAPE_SIZE || arg > TAPE_SIZE)) fail("bad code");
    if ((op === OP_JZ || op === OP_JNZ) && (arg < 0 || arg > code.length || (arg & 1) !== 0)) fail("bad code");
  }
}

/** Run a folded Brainfuck program, as made by `prepareOpt` (fold.ts). */
export function main(code: ImmutableInt32Array): i32 {
  checkCode(code);
  return run(code, new Uint8Array(TAPE_SIZE));
}

export const target: Target = { entry: main, prepare: prepareOpt };
