// Every program in examples/tlr/programs gives its expected output (the .out file beside it) in
// every mode, and the squares and sums of squares come out right for a range of inputs.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { assemble } from "../../examples/tlr/asm.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { translate } from "../../src/vm/translate.ts";
import { MODES, outcomeText } from "./modes.ts";

const DIR = join(import.meta.dirname, "../../examples/tlr/programs");
const programs = readdirSync(DIR)
  .filter((f) => f.endsWith(".tlr"))
  .sort();
const load = (name: string) => assemble(readFileSync(join(DIR, name), "utf8"), name);

test("the program set is complete", () => {
  for (const name of ["square", "sumsq", "all", "err_noregs", "err_register", "err_end"]) {
    assert.ok(programs.includes(`${name}.tlr`), `${name}.tlr is missing`);
  }
  for (const p of programs) assert.ok(existsSync(join(DIR, p.replace(/\.tlr$/, ".out"))), `${p} has no .out file`);
});

for (const p of programs) {
  const a = load(p);
  const expected = readFileSync(join(DIR, p.replace(/\.tlr$/, ".out")), "utf8");
  for (const mode of MODES) {
    test(`${p} (${mode.name})`, () => {
      assert.equal(outcomeText(mode.run(a.code, a.input)), expected);
    });
  }
}

for (const mode of MODES) {
  test(`squares and sums of squares by repeated addition (${mode.name})`, () => {
    const square = load("square.tlr").code;
    for (const n of [0, 1, 2, 3, 7, 12, 100, 46340]) assert.equal(mode.run(square, n).result, n * n, `square of ${n}`);
    assert.equal(mode.run(square, 46341).result, (46341 * 46341) | 0, "the square of 46341 wraps");
    const sumsq = load("sumsq.tlr").code;
    for (const n of [0, 1, 2, 5, 30]) assert.equal(mode.run(sumsq, n).result, (n * (n + 1) * (2 * n + 1)) / 6, `sum of squares to ${n}`);
  });
}

test("the JIT compiles the hot loops of square and sumsq, with no failure", () => {
  for (const [name, input] of [
    ["square.tlr", 3000],
    ["sumsq.tlr", 100],
  ] as const) {
    const vm = translate(join(import.meta.dirname, "../../examples/tlr/interp.ts"), { jit: {} });
    const io = new MemoryIO();
    assert.equal(
      withHostIO(io, () => vm.run([load(name).code, input])),
      name === "square.tlr" ? 9000000 : 338350,
    );
    assert.ok((vm.jit?.stats.compilations ?? 0) >= 1, `${name}: nothing was compiled`);
    assert.equal(vm.jit?.stats.failures, 0, `${name}: a compilation failed`);
  }
});
