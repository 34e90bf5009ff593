// Sharing compiled code between compilations of the same code at different places of a guest
// program: the same Brainfuck loop at several pcs specializes to the same residual graph, whose
// module's code is run again with the exits' constants of each place (jit/share.ts,
// TranslatedModule.relink). Each place's exit must resume at its own pc: the output says so.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { target } from "../../examples/bf/interp.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { translate } from "../../src/vm/translate.ts";
import { Rng } from "../tiny/gen.ts";

const INTERP = join(import.meta.dirname, "../../examples/bf/interp.ts");

// [>+<-] at three places, each followed by other code; a different loop first (not shared with it)
const SOURCE = `
+++++[>+++++++++++++<-]>.   5 * 13 = 65 'A'
<+++++[>+<-]>.              70 'F'
<++++++[>+<-]>+.            77 'M'
<+++++++[>+<-]>--.          82 'R'
<++[>++<-]>.                86 'V'
`;

function run(call: () => unknown): string {
  const io = new MemoryIO();
  withHostIO(io, call);
  return io.text();
}

test("the same loop at three pcs: one module's code run with each place's exits", () => {
  const expected = run(() => target.entry(...target.prepare(SOURCE, "share.b")));
  assert.equal(expected, "AFMRV");
  // each loop compiled on its own (the code after a loop is not: it would take in the loops after it)
  for (const threshold of [2, 4]) {
    const vm = translate(INTERP, { jit: { threshold, exitThreshold: 1000 } });
    assert.equal(
      run(() => vm.run(target.prepare(SOURCE, "share.b"))),
      expected,
      `threshold ${threshold}`,
    );
    const s = vm.jit?.stats;
    assert.ok(s, "the JIT ran");
    assert.equal(s.failures, 0);
    assert.ok(s.shared >= 2, `threshold ${threshold}: ${s.shared} of ${s.compilations} modules run earlier code`);
    assert.ok(s.shared < s.compilations, "the first of each shape is compiled");
  }
});

/**
 * A program that repeats a few counted loops (`[-` body `]`, the body moving right and back) at
 * several places, with other code between them: the pointer only moves right, so it never leaves
 * the tape, and every loop ends.
 */
function genRepeats(r: () => number): string {
  const n = (k: number) => Math.floor(r() * k);
  const pool = Array.from({ length: 1 + n(3) }, () => {
    const k = 1 + n(3);
    const body = r() < 0.6 ? "+".repeat(1 + n(3)) : "-".repeat(1 + n(2));
    return `[-${">".repeat(k)}${body}${"<".repeat(k)}]`;
  });
  let s = "";
  for (let i = 3 + n(6); i > 0; i--)
    s += `${">".repeat(n(3))}${"+".repeat(3 + n(12))}${pool[n(pool.length)]}${">".repeat(n(3))}${r() < 0.7 ? "." : ""}`;
  return s;
}

const SEED = Number(process.env.UNFOLD_SEED ?? 11);
const COUNT = Number(process.env.UNFOLD_RANDOM_COUNT ?? 30);

test(`${COUNT} random programs repeating loops: the same output with shared code (seed ${SEED})`, () => {
  const rand = new Rng(SEED);
  const r = () => rand.next();
  const settings = [{ threshold: 2, exitThreshold: 1000 }, { threshold: 1 }, {}];
  const vms = settings.map((jit) => translate(INTERP, { jit }));
  let shared = 0;
  for (let i = 0; i < COUNT; i++) {
    const source = genRepeats(r);
    const expected = run(() => target.entry(...target.prepare(source, `repeats${i}.b`)));
    settings.forEach((jit, k) => {
      const vm = vms[k];
      assert.ok(vm);
      const before = vm.jit?.stats.shared ?? 0;
      assert.equal(
        run(() => vm.run(target.prepare(source, `repeats${i}.b`))),
        expected,
        `program ${i} (${source}), ${JSON.stringify(jit)}`,
      );
      shared += (vm.jit?.stats.shared ?? 0) - before;
    });
  }
  for (const vm of vms) assert.equal(vm.jit?.stats.failures, 0);
  assert.ok(shared > COUNT, `${shared} modules ran earlier code`);
});
