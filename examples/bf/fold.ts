// Host side of the optimizing Brainfuck interpreter (interp-opt.ts): parses the program (parse.ts)
// and folds it into instruction pairs `op, argument` — runs of `+`/`-` into one ADD, runs of
// `<`/`>` into one MOVE, `[-]` and `[+]` into CLEAR, brackets into jumps. Never translated.

import { parse } from "./parse.ts";

// The opcodes; the numbers are the OP_* constants of interp-opt.ts (a test checks it).
export const OP_ADD = 1; //   k: cell += k (mod 256)
export const OP_MOVE = 2; //  k: ptr += k (one run of the same character: 0 < |k| <= 1 << 20)
export const OP_CLEAR = 3; // cell = 0
export const OP_OUT = 4; //   write the cell
export const OP_IN = 5; //    read a byte into the cell (0 at end of input)
export const OP_JZ = 6; //    t: if the cell is 0, go to t (just past the matching JNZ)
export const OP_JNZ = 7; //   t: if the cell is not 0, go to t (just past the matching JZ)

/** Cells of the tape, as in interp-opt.ts. */
const TAPE_SIZE = 1 << 20;

const NAMES = ["", "add", "move", "clear", "out", "in", "jz", "jnz"];

/** Fold a program's commands (as made by parse.ts) into the instruction pairs interp-opt.ts runs. */
export function fold(program: Uint8Array): Int32Array {
  const out: number[] = [];
  const open: number[] = [];
  const n = program.length;
  let i = 0;
  while (i < n) {
    const c = program[i] as number;
    if (c === 43 || c === 45 || c === 60 || c === 62) {
      let j = i;
      // a run longer than the tape is split, as interp-opt.ts accepts moves of at most the tape's length
      while (j < n && program[j] === c && j - i < TAPE_SIZE) j++;
      const k = j - i;
      if (c === 43 || c === 45) {
        const amount = (c === 43 ? k : -k) & 255;
        if (amount !== 0) out.push(OP_ADD, amount);
      } else {
        out.push(OP_MOVE, c === 62 ? k : -k);
      }
      i = j;
    } else if (c === 91 && i + 2 < n && (program[i + 1] === 45 || program[i + 1] === 43) && program[i + 2] === 93) {
      out.push(OP_CLEAR, 0);
      i += 3;
    } else if (c === 91) {
      open.push(out.length);
      out.push(OP_JZ, -1);
      i++;
    } else if (c === 93) {
      const j = open.pop();
      if (j === undefined) throw new Error("fold: unmatched ']' (parse.ts should have rejected the program)");
      out.push(OP_JNZ, j + 2);
      out[j + 1] = out.length;
      i++;
    } else if (c === 46 || c === 44) {
      out.push(c === 46 ? OP_OUT : OP_IN, 0);
      i++;
    } else {
      i++;
    }
  }
  if (open.length > 0) throw new Error("fold: unmatched '[' (parse.ts should have rejected the program)");
  return Int32Array.from(out);
}

/** The entry arguments of examples/bf/interp-opt.ts: `main(code)`. */
export function prepareOpt(source: string, path: string): unknown[] {
  return [fold(parse(source, path).program)];
}

/** A readable listing of folded code: one instruction per line with its pc. */
export function listing(code: Int32Array): string {
  const lines: string[] = [];
  for (let pc = 0; pc + 1 < code.length; pc += 2) {
    const op = code[pc] as number;
    const arg = op === OP_ADD || op === OP_MOVE || op === OP_JZ || op === OP_JNZ ? ` ${code[pc + 1]}` : "";
    lines.push(`${String(pc).padStart(6)}  ${NAMES[op] ?? `op${op}`}${arg}`);
  }
  return lines.join("\n");
}
