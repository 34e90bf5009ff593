// The random-program differential test in the specializer's mode: generated tiny programs
// (test/tiny/gen.ts) run with every guest function specialized (test/pe/tiny.ts: residual code on
// L3, resuming in the interpreter at exits) must print the same bytes and end in the same guest
// error as the reference evaluator. Most are specialized under small budgets, so that exits are
// taken often, and half get a bridge for every exit. UNFOLD_SEED=<n> tests other seeds,
// UNFOLD_PE_RANDOM_COUNT=<n> more of them; a mismatch names its seed and settings and writes the
// program to a file.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateProgram } from "../tiny/gen.ts";
import { outcomeText, refMode } from "../tiny/modes.ts";
import { runSpecialized, tinyProgram } from "./tiny.ts";

const BASE_SEED = process.env.UNFOLD_SEED === undefined ? 1 : Number(process.env.UNFOLD_SEED);
const COUNT = process.env.UNFOLD_PE_RANDOM_COUNT === undefined ? 40 : Number(process.env.UNFOLD_PE_RANDOM_COUNT);
if (!Number.isInteger(BASE_SEED) || !Number.isInteger(COUNT) || COUNT < 1) {
  throw new Error("UNFOLD_SEED and UNFOLD_PE_RANDOM_COUNT must be integers (the count at least 1)");
}
/** Specialization settings, by seed modulo 4: default budget, small budgets, and bridges for every exit. */
const SETTINGS = [{}, { budget: 20 }, { budget: 20, bridges: true }, { budget: 200, bridges: true }] as const;

test(`${COUNT} random tiny programs specialized agree with the reference evaluator`, async () => {
  tinyProgram();
  const failures: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const seed = (BASE_SEED + i) >>> 0;
    const path = `random-${seed}.tiny`;
    const source = generateProgram(seed);
    const expected = outcomeText(await refMode.run(source, path));
    const setting: { budget?: number; bridges?: boolean } = SETTINGS[seed % SETTINGS.length] ?? {};
    const got = runSpecialized(source, path, setting.budget === undefined ? {} : { budget: setting.budget }, {
      bridges: !!setting.bridges,
    }).text;
    if (got !== expected) {
      const dir = join(tmpdir(), "unfold-pe-random");
      mkdirSync(dir, { recursive: true });
      const file = join(dir, path);
      writeFileSync(file, source);
      failures.push(
        `seed ${seed} (${JSON.stringify(setting)}): written to ${file}\n  expected ${JSON.stringify(expected)}\n  got      ${JSON.stringify(got)}`,
      );
      if (failures.length >= 5) break;
    }
  }
  assert.deepEqual(failures, []);
});
