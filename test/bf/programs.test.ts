// Every program in examples/bf/programs gives its expected output (the .out file beside it: what it
// writes, then `error: <message>` for a guest error, or the messages for unmatched brackets) in
// every mode, byte for byte, with the .in file beside it (if any) as standard input.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MODES, outcomeBytes } from "./modes.ts";

const DIR = join(import.meta.dirname, "../../examples/bf/programs");
const programs = readdirSync(DIR)
  .filter((f) => f.endsWith(".b"))
  .sort();

/** Bytes as a string with one character per byte, so that a mismatch shows a readable diff. */
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

test("the program set is complete", () => {
  for (const name of ["hello", "wrap", "cat", "rev", "triangle", "far", "err_left", "err_right", "err_brackets"]) {
    assert.ok(programs.includes(`${name}.b`), `${name}.b is missing`);
  }
  for (const p of programs) assert.ok(existsSync(join(DIR, p.replace(/\.b$/, ".out"))), `${p} has no .out file`);
});

for (const p of programs) {
  const path = join(DIR, p);
  const source = readFileSync(path, "utf8");
  const expected = readFileSync(path.replace(/\.b$/, ".out"));
  const inPath = path.replace(/\.b$/, ".in");
  const input = existsSync(inPath) ? new Uint8Array(readFileSync(inPath)) : new Uint8Array(0);
  for (const mode of MODES) {
    test(`${p} (${mode.name})`, async () => {
      // the bare file name, so that syntax error messages match the .out file
      assert.equal(latin1(await outcomeBytes(mode, source, p, input)), latin1(expected));
    });
  }
}

for (const mode of MODES) {
  test(`far.b ends on cell 40001 (${mode.name})`, async () => {
    const o = await mode.run(readFileSync(join(DIR, "far.b"), "utf8"), "far.b", new Uint8Array(0));
    assert.equal(o.error, null);
    assert.equal(o.result, 40001);
  });
}
