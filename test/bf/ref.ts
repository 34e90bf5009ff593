// An independent reference evaluator for Brainfuck (the oracle of the random differential test):
// the language's conventions written as directly as possible, with a step limit so that random
// programs that do not end can be recognised and set aside.

export interface RefOutcome {
  output: Uint8Array;
  error: string | null;
  /** False when the step limit was reached first (the outcome is then meaningless). */
  finished: boolean;
}

export const TAPE_SIZE = 1 << 20;

/** Run `source` (comments allowed; brackets must match) on `input`, at most `maxSteps` commands. */
export function runRef(source: string, input: Uint8Array, maxSteps: number): RefOutcome {
  const code = [...source].filter((c) => "+-<>.,[]".includes(c));
  const partner = new Map<number, number>();
  const open: number[] = [];
  code.forEach((c, i) => {
    if (c === "[") open.push(i);
    if (c === "]") {
      const j = open.pop();
      if (j === undefined) throw new Error("runRef: unmatched ]");
      partner.set(i, j);
      partner.set(j, i);
    }
  });
  if (open.length > 0) throw new Error("runRef: unmatched [");
  const tape = new Map<number, number>();
  const cell = (p: number) => tape.get(p) ?? 0;
  const out: number[] = [];
  let inPos = 0;
  let ptr = 0;
  let steps = 0;
  const done = (error: string | null, finished = true): RefOutcome => ({ output: Uint8Array.from(out), error, finished });
  for (let pc = 0; pc < code.length; pc++) {
    if (++steps > maxSteps) return done(null, false);
    switch (code[pc]) {
      case "+":
        tape.set(ptr, (cell(ptr) + 1) % 256);
        break;
      case "-":
        tape.set(ptr, (cell(ptr) + 255) % 256);
        break;
      case "<":
        if (ptr === 0) return done("pointer moved left of the first cell");
        ptr--;
        break;
      case ">":
        if (ptr === TAPE_SIZE - 1) return done("pointer moved right of the last cell");
        ptr++;
        break;
      case ".":
        out.push(cell(ptr));
        break;
      case ",":
        tape.set(ptr, inPos < input.length ? (input[inPos++] as number) : 0);
        break;
      case "[":
        if (cell(ptr) === 0) pc = partner.get(pc) as number;
        break;
      case "]":
        if (cell(ptr) !== 0) pc = partner.get(pc) as number;
        break;
    }
  }
  return done(null);
}
