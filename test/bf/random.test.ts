// Random differential test: seeded random Brainfuck programs (balanced brackets, comments mixed in)
// run in every mode and by the reference evaluator (ref.ts); outputs and guest errors must agree.
// Programs the reference does not finish within its step limit are set aside. Slow modes run on a
// share of the programs (Mode.every). Another seed, or every program in every mode:
//   UNFOLD_SEED=1234 node --test test/bf/random.test.ts
//   UNFOLD_RANDOM_FULL=1 node --test test/bf/random.test.ts

import assert from "node:assert/strict";
import { test } from "node:test";
import { MODES } from "./modes.ts";
import { runRef } from "./ref.ts";

const SEED = Number(process.env.UNFOLD_SEED ?? 7);
const COUNT = 400;
const MAX_STEPS = 20000;
const FULL = process.env.UNFOLD_RANDOM_FULL === "1";

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random program: runs of the same command (what the optimizing variant folds), loops, clears, comments. */
function genProgram(r: () => number, depth: number): string {
  let s = "";
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const k = r();
    const run = (c: string) => c.repeat(1 + Math.floor(r() * (r() < 0.2 ? 300 : 5)));
    if (k < 0.25) s += run(r() < 0.5 ? "+" : "-");
    else if (k < 0.45) s += run(r() < 0.7 ? ">" : "<");
    else if (k < 0.55) s += ".";
    else if (k < 0.6) s += ",";
    else if (k < 0.65) s += r() < 0.5 ? "[-]" : "[+]";
    else if (k < 0.7) s += " x\n";
    else if (k < 0.85 && depth < 3) s += `[${genProgram(r, depth + 1)}]`;
    else s += run("+");
  }
  return s;
}

test(`${COUNT} random programs agree with the reference in every mode (seed ${SEED})`, async () => {
  const r = rng(SEED);
  let compared = 0;
  for (let i = 0; i < COUNT; i++) {
    const source = genProgram(r, 0);
    const input = Uint8Array.from({ length: Math.floor(r() * 6) }, () => Math.floor(r() * 256));
    const ref = runRef(source, input, MAX_STEPS);
    if (!ref.finished) continue;
    compared++;
    for (const mode of MODES) {
      if (!FULL && i % (mode.every ?? 1) !== 0) continue;
      const o = await mode.run(source, `random${i}.b`, input);
      const what = `program ${i} (seed ${SEED}) in ${mode.name}: ${JSON.stringify(source)}`;
      assert.equal(o.error, ref.error, `${what}: guest error`);
      assert.deepEqual(Buffer.from(o.output), Buffer.from(ref.output), `${what}: output`);
    }
  }
  assert.ok(compared >= COUNT / 2, `only ${compared} of ${COUNT} programs finished within the step limit`);
});
