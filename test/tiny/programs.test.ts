// Every guest program in examples/tiny/programs gives its expected output (the .out file beside
// it: what the program prints, then `error: <message>` if it ends in a guest error) in every mode.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MODES, outcomeText, refMode } from "./modes.ts";

const DIR = join(import.meta.dirname, "../../examples/tiny/programs");
const programs = readdirSync(DIR)
  .filter((f) => f.endsWith(".tiny"))
  .sort();

test("the program set is complete", () => {
  for (const name of ["all", "sum", "fact", "fibrec", "fibiter", "sieve", "nested", "err_divzero"]) {
    assert.ok(programs.includes(`${name}.tiny`), `${name}.tiny is missing`);
  }
  for (const p of programs) assert.ok(readdirSync(DIR).includes(p.replace(/\.tiny$/, ".out")), `${p} has no .out file`);
});

for (const p of programs) {
  const path = join(DIR, p);
  const source = readFileSync(path, "utf8");
  const expected = readFileSync(path.replace(/\.tiny$/, ".out"), "utf8");
  for (const mode of [refMode, ...MODES]) {
    test(`${p} (${mode.name})`, async () => {
      assert.equal(outcomeText(await mode.run(source, path)), expected);
    });
  }
}
