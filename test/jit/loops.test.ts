// What one compilation covers: the loop it is entered at, not the code after it (exits at the
// loop's exit), and not the loops around it (at their back edges, an exit enters their code); the
// code after a loop, once hot at the loop's exit, is compiled up to where other code starts. Checked
// on Brainfuck programs through the JIT's log, with the output.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { target } from "../../examples/bf/interp.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { translate } from "../../src/vm/translate.ts";

const INTERP = join(import.meta.dirname, "../../examples/bf/interp.ts");

interface Compiled {
  readonly pc: number;
  readonly instructions: number;
  readonly reasons: string[];
}

function run(source: string, opts: JitOptions = {}): { out: string; compiled: Compiled[] } {
  const compiled: Compiled[] = [];
  const log = (t: string): void => {
    const head = /^; jit: compiled \S+ for .*pc=(\d+):/.exec(t);
    if (!head) return;
    const instructions = Number(/; (\d+) guest instructions/.exec(t)?.[1] ?? -1);
    const reasons = [...t.matchAll(/^; exit \d+ \((\w+)\)/gm)].map((m) => m[1] as string);
    compiled.push({ pc: Number(head[1]), instructions, reasons });
  };
  const vm = translate(INTERP, { jit: { threshold: 3, exitThreshold: 3, ...opts, log } });
  const io = new MemoryIO();
  withHostIO(io, () => vm.run(target.prepare(source, "test.b")));
  return { out: new TextDecoder().decode(io.bytes()), compiled };
}

// '0' (48) printed after a loop, then a long straight tail that runs once.
const TAIL = ">+".repeat(200);
const LOOP_THEN_TAIL = `++++++[>++++++++<-]>.<${TAIL}`;

test("a loop's compilation stops where the loop is left: the code after it is not specialized", () => {
  const { out, compiled } = run(LOOP_THEN_TAIL);
  assert.equal(out, "0");
  assert.equal(compiled.length, 1);
  const c = compiled[0] as Compiled;
  assert.ok(c.instructions < 20, `the loop's compilation covers ${c.instructions} guest instructions`);
  assert.deepEqual(c.reasons, ["loopexit"]);
});

test("nested loops: the inner loop is compiled, then the outer one with the inner one inside", () => {
  // 3 * 4 * 5 = 60 ('<')
  const src = "+++[>++++[>+++++<-]<-]>>.";
  const { out, compiled } = run(src);
  assert.equal(out, "<");
  assert.ok(compiled.length >= 1);
});

test("a compilation that starts inside a loop with compiled code stops at that loop's back edge", () => {
  // the outer loop's body is larger than a small budget: its compilation exits half-way (at a
  // merge point); that point gets hot and is compiled from there, up to the outer loop's back
  // edge, where an exit enters the outer loop's code
  const inner = "[-]>+++[<+>-]<".repeat(12);
  const src = `++++++++++++++++++++[>${inner}<-]>.`;
  const { out, compiled } = run(src, { budget: 200 });
  assert.equal(out, "\u0003");
  const reasons = compiled.flatMap((c) => c.reasons);
  assert.ok(reasons.includes("loop"), `exit reasons: ${[...new Set(reasons)].join(", ")}`);
});

test("the code after a loop is compiled from the loop's exit, up to where other code starts", () => {
  // The same outer loop, larger than the budget: past its compilation's end, the rest of its
  // body runs between inner loops that have code of their own. Each loop exit looks for code at
  // the state it leaves to, and that state, once hot, is compiled up to the next inner loop or
  // loop exit (pieces of a few guest instructions, not the rest of the program).
  const inner = "[-]>+++[<+>-]<".repeat(12);
  const src = `++++++++++++++++++++[>${inner}<-]>.`;
  const commands = src.replace(/[^-+<>[\].,]/g, "");
  const afterLoop = new Set<number>();
  for (let pc = 0; pc < commands.length; pc++) if (commands[pc] === "]") afterLoop.add(pc + 1);
  const { out, compiled } = run(src, { budget: 200 });
  assert.equal(out, "\u0003");
  const pieces = compiled.filter((c) => afterLoop.has(c.pc));
  assert.ok(pieces.length >= 10, `compilations at loop exits: ${pieces.map((c) => c.pc).join(", ")}`);
  for (const c of pieces) assert.ok(c.instructions <= 8, `the piece at pc ${c.pc} covers ${c.instructions} guest instructions`);
  assert.ok(
    pieces.some((c) => c.reasons.includes("merge")),
    "pieces stop with exits at states that have code of their own",
  );
});
