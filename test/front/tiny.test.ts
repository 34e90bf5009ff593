// The front end's acceptance on examples/tiny: the interpreter lowers with no diagnostics to a
// valid program with its hints in place, and every guest program prints the same output (and
// ends in the same error) untranslated and on L3, through the mode runner.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkInterpreter, formatDiagnostic } from "../../src/front/index.ts";
import { MemoryIO } from "../../src/hints/index.ts";
import { structDef } from "../../src/ir/graph.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { runGuest } from "../../src/vm/run.ts";

const ROOT = join(import.meta.dirname, "../..");
const INTERP = join(ROOT, "examples/tiny/interp.ts");
const PROGRAMS = join(ROOT, "examples/tiny/programs");

test("examples/tiny/interp.ts lowers cleanly, with its hints", () => {
  const r = checkInterpreter(INTERP);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
  const p = r.program;
  assert.ok(p);
  assertValid(p);
  assert.deepEqual(p.entries, ["main"]);
  assert.equal(p.graphs.get("interpret")?.flags.portal, true);
  assert.equal(p.graphs.get("passArguments")?.flags.unrollSafe, true);
  assert.deepEqual(p.drivers.get("driver")?.greens, ["code", "pc", "sp"]);
  assert.deepEqual(structDef(p, "Frame")?.virtualizable, ["stack[*]", "locals[*]"]);
  assert.ok(!p.graphs.has("prepare"), "host code is not translated");
});

for (const f of readdirSync(PROGRAMS)
  .filter((f) => f.endsWith(".tiny"))
  .sort()) {
  test(`${f}: the same outcome untranslated and on L3`, async () => {
    const path = join(PROGRAMS, f);
    const expected = readFileSync(path.replace(/\.tiny$/, ".out"), "utf8");
    for (const mode of ["untranslated", "llinterp"]) {
      const io = new MemoryIO();
      const r = await runGuest({ interp: INTERP, program: path, mode, io });
      assert.equal(io.text() + (r.error === undefined ? "" : `${r.error}\n`), expected, `${mode}`);
      assert.equal(r.exitCode, r.error === undefined ? 0 : 1);
    }
  });
}
