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
