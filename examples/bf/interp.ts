// The Brainfuck interpreter: the straightforward design of the PyPy tutorial's interpreter (a
// bracket map computed once, one dispatch step per program character), written in unfold's
// TypeScript subset with its JIT hints; runs unchanged as plain TypeScript. Conventions: a byte
// tape of 1,048,576 cells that wrap mod 256, the pointer starting at cell 0, moving off either end
// is a guest error, `,` at end of input stores 0. README.md beside this file has the details.
//
// Greens: the program, its bracket map and pc (constant for a piece of guest code); reds: the tape
// and the pointer. `canEnterJit` is called where `]` jumps back.

import type { i32, ImmutableInt32Array, ImmutableUint8Array, Target } from "../../src/hints/index.ts";
import { fail, JitDriver, printChar, readByte } from "../../src/hints/index.ts";
import { prepare } from "./parse.ts";

// ---- commands (character codes) ------------------------------------------------------------
const PLUS = 43; // '+'  increment the current cell (mod 256)
const COMMA = 44; // ','  read a byte into the current cell (0 at end of input)
const MINUS = 45; // '-'  decrement the current cell (mod 256)
const DOT = 46; // '.'  write the current cell
const LEFT = 60; // '<'  move the pointer left
const RIGHT = 62; // '>'  move the pointer right
const OPEN = 91; // '['  if the current cell is 0, jump past the matching ']'
const CLOSE = 93; // ']'  if the current cell is not 0, jump back past the matching '['

/** Cells of the tape (1 << 20). */
const TAPE_SIZE = 1048576;

const driver = new JitDriver({ greens: ["program", "brackets", "pc"], reds: ["tape", "ptr"] });

/** Run the program on a zeroed tape; returns the final pointer. Any other character is a comment. */
function run(program: ImmutableUint8Array, brackets: ImmutableInt32Array, tape: Uint8Array): i32 {
  let pc: i32 = 0;
  let ptr: i32 = 0;
  while (pc < program.length) {
    driver.mergePoint({ program, brackets, pc, tape, ptr });
    switch (program[pc]) {
      case PLUS:
        tape[ptr] = (tape[ptr] + 1) | 0;
        break;
      case MINUS:
        tape[ptr] = (tape[ptr] - 1) | 0;
        break;
      case LEFT:
        if (ptr === 0) fail("pointer moved left of the first cell");
        ptr = (ptr - 1) | 0;
        break;
      case RIGHT:
        if (ptr === ((TAPE_SIZE - 1) | 0)) fail("pointer moved right of the last cell");
        ptr = (ptr + 1) | 0;
        break;
      case DOT:
        printChar(tape[ptr]);
        break;
      case COMMA: {
        const b = readByte();
        if (b < 0) {
          tape[ptr] = 0;
        } else {
          tape[ptr] = b;
        }
        break;
      }
      case OPEN:
        if (tape[ptr] === 0) pc = brackets[pc];
        break;
      case CLOSE:
        if (tape[ptr] !== 0) {
          pc = (brackets[pc] + 1) | 0;
          driver.canEnterJit({ program, brackets, pc, tape, ptr });
          continue;
        }
        break;
    }
    pc = (pc + 1) | 0;
  }
  return ptr;
}

/** Check that every bracket's partner is a bracket of the other kind that points back. */
function checkBrackets(program: ImmutableUint8Array, brackets: ImmutableInt32Array): void {
  if (brackets.length !== program.length) fail("bad bracket map");
  for (let i = 0; i < program.length; i = (i + 1) | 0) {
    const c = program[i];
    if (c === OPEN || c === CLOSE) {
      const j = brackets[i];
      if (j < 0 || j >= program.length || brackets[j] !== i) fail("bad bracket map");
      if ((c === OPEN && (j <= i || program[j] !== CLOSE)) || (c === CLOSE && (j >= i || program[j] !== OPEN))) fail("bad bracket map");
    }
  }
}

/** Run a Brainfuck program: its characters and its bracket map, as made by `prepare` (parse.ts). */
export function main(program: ImmutableUint8Array, brackets: ImmutableInt32Array): i32 {
  checkBrackets(program, brackets);
  return run(program, brackets, new Uint8Array(TAPE_SIZE));
}

export const target: Target = { entry: main, prepare };
