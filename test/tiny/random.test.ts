// The random-program differential test: at least 500 generated tiny programs run in every mode
// (test/tiny/modes.ts) must print the same bytes and end in the same guest error as the reference
// evaluator. The seeds are fixed; set UNFOLD_SEED=<n> to test another 500, and
// UNFOLD_RANDOM_COUNT=<n> to change how many. Slow modes (the JIT's) run on a share of the programs
// (Mode.every); UNFOLD_RANDOM_FULL=1 runs every mode on every program. A mismatch names its seed
// and writes the program to a file, to be rerun with `node examples/tiny/run.ts <file>` or
// `node bin/unfold.js run --mode=<mode> examples/tiny/interp.ts <file>`.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateProgram } from "./gen.ts";
import { MODES, type Outcome, outcomeText, refMode } from "./modes.ts";

const BASE_SEED = process.env.UNFOLD_SEED === undefined ? 1 : Number(process.env.UNFOLD_SEED);
const COUNT = process.env.UNFOLD_RANDOM_COUNT === undefined ? 500 : Number(process.env.UNFOLD_RANDOM_COUNT);
if (!Number.isInteger(BASE_SEED) || !Number.isInteger(COUNT) || COUNT < 1) {
  throw new Error("UNFOLD_SEED and UNFOLD_RANDOM_COUNT must be integers (the count at least 1)");
}

interface Case {
  seed: number;
  source: string;
  path: string;
  expected: Outcome;
}

const cases: Case[] = [];
for (let i = 0; i < COUNT; i++) {
  const seed = (BASE_SEED + i) >>> 0;
  const path = `random-${seed}.tiny`;
  const source = generateProgram(seed);
  cases.push({ seed, source, path, expected: await refMode.run(source, path) });
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.error === b.error && Buffer.from(a.output).equals(Buffer.from(b.output));
}

/** Write a failing program where a person can rerun it; returns the file name. */
function keep(c: Case): string {
  const dir = join(tmpdir(), "unfold-tiny-failures");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, c.path);
  writeFileSync(file, c.source);
  return file;
}

test(`generator: ${COUNT} programs from seed ${BASE_SEED}, deterministic, a mix of normal ends and guest errors`, () => {
  assert.equal(generateProgram(BASE_SEED), cases[0]?.source, "the same seed gives the same program");
  const errors = cases.filter((c) => c.expected.error !== null).length;
  if (COUNT >= 100) {
    assert.ok(errors > 0, "some programs end in a guest error");
    assert.ok(errors < COUNT / 3, `most programs end normally (${errors} of ${COUNT} failed)`);
    assert.ok(cases.filter((c) => c.expected.output.length > 0).length > COUNT / 2, "most programs print something");
  }
});

const FULL = process.env.UNFOLD_RANDOM_FULL === "1";

for (const mode of MODES) {
  const every = FULL ? 1 : (mode.every ?? 1);
  const mine = cases.filter((_, i) => i % every === 0);
  test(`${mine.length} random programs agree: ${mode.name} vs ref`, async () => {
    const failures: string[] = [];
    for (const c of mine) {
      let got: Outcome;
      try {
        got = await mode.run(c.source, c.path);
      } catch (e) {
        failures.push(`seed ${c.seed}: ${mode.name} threw ${(e as Error).stack ?? e} (program: ${keep(c)})`);
        if (failures.length >= 5) break;
        continue;
      }
      if (!sameOutcome(got, c.expected)) {
        const diff = `--- ref\n${outcomeText(c.expected)}--- ${mode.name}\n${outcomeText(got)}`;
        failures.push(`seed ${c.seed}: outputs differ (program: ${keep(c)})\n${diff}`);
        if (failures.length >= 5) break;
      }
    }
    assert.equal(failures.length, 0, failures.join("\n\n"));
  });
}
