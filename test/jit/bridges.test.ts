// Bridges: with the compile and bridge thresholds at 1, nearly every exit of compiled code is
// specialized on its first use; every tiny guest program must still give its expected output, and
// bridges must actually be made.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MemoryIO } from "../../src/hints/index.ts";
import { runGuest } from "../../src/vm/run.ts";

const DIR = join(import.meta.dirname, "../../examples/tiny/programs");
const INTERP = join(import.meta.dirname, "../../examples/tiny/interp.ts");
const programs = readdirSync(DIR)
  .filter((f) => f.endsWith(".tiny"))
  .sort();

let bridges = 0;
let ofBridges = 0;

// A tiny specialization budget makes exits in the middle of guest instructions (past twice the
// budget): bridges, and bridges of bridges. (Exits at merge points look for compiled code instead.)
for (const [p, budget] of programs.flatMap((p) => [[p, undefined] as const, [p, 5] as const])) {
  test(`${p}: expected output with bridges at threshold 1${budget ? `, budget ${budget}` : ""}`, async () => {
    const path = join(DIR, p);
    const expected = readFileSync(path.replace(/\.tiny$/, ".out"), "utf8");
    const io = new MemoryIO();
    const log = (text: string): void => {
      if (text.startsWith("; jit: bridge for")) bridges++;
      if (/^; jit: bridge for exit \d+ of \S+\.bridge\d/.test(text)) ofBridges++;
    };
    const r = await runGuest({ interp: INTERP, program: path, mode: "jit", io, jit: { threshold: 1, bridgeThreshold: 1, budget, log } });
    let text = new TextDecoder().decode(io.bytes());
    if (!r.ok) {
      const e = r.error ?? "";
      text += r.exitCode === 1 && e.startsWith("error: ") ? `${e}\n` : `[exit ${r.exitCode}] ${e}\n`;
    }
    assert.equal(text, expected);
  });
}

test("some program made a bridge", () => {
  assert.ok(bridges > 0, "no bridge was compiled");
  assert.ok(ofBridges > 0, "no bridge of a bridge was compiled");
});

test("maxCompilations bounds the modules linked, bridges included; the output stays right", async () => {
  for (const p of programs) {
    const path = join(DIR, p);
    const expected = readFileSync(path.replace(/\.tiny$/, ".out"), "utf8");
    for (const max of [1, 3]) {
      const io = new MemoryIO();
      const r = await runGuest({
        interp: INTERP,
        program: path,
        mode: "jit",
        io,
        jit: { threshold: 1, bridgeThreshold: 1, budget: 5, maxCompilations: max },
      });
      let text = new TextDecoder().decode(io.bytes());
      if (!r.ok) {
        const e = r.error ?? "";
        text += r.exitCode === 1 && e.startsWith("error: ") ? `${e}\n` : `[exit ${r.exitCode}] ${e}\n`;
      }
      assert.equal(text, expected, `${p}, maxCompilations ${max}`);
      const s = r.stats;
      assert.ok((s?.compilations ?? 0) + (s?.bridges ?? 0) + (s?.promoteCases ?? 0) <= max, `${p}: ${JSON.stringify(s)}`);
    }
  }
});
