// The public Brainfuck benchmark programs of ../shared/anchors/bf (read in place, never copied into
// the project), each compared byte for byte with its .out file, in every mode that runs it within
// seconds (Mode.anchors). UNFOLD_BF_ALL=1 runs every anchor in every mode (minutes);
// UNFOLD_ANCHORS=<dir> points to another copy of the anchors folder.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MODES, outcomeBytes } from "./modes.ts";

const DIR = process.env.UNFOLD_ANCHORS ?? join(import.meta.dirname, "../../../shared/anchors/bf");
const ALL = process.env.UNFOLD_BF_ALL === "1";
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

if (!existsSync(DIR)) {
  test("anchor programs", { skip: `the anchors folder ${DIR} is absent (set UNFOLD_ANCHORS to its place)` }, () => {});
} else {
  const available = readdirSync(DIR)
    .filter((f) => f.endsWith(".b") && existsSync(join(DIR, f.replace(/\.b$/, ".out"))))
    .map((f) => f.replace(/\.b$/, ""))
    .sort();
  test("the anchors every mode runs are present", () => {
    for (const mode of MODES)
      for (const a of mode.anchors) assert.ok(available.includes(a), `${a}.b (run by ${mode.name}) is missing in ${DIR}`);
  });
  for (const name of available) {
    const source = readFileSync(join(DIR, `${name}.b`), "utf8");
    const expected = readFileSync(join(DIR, `${name}.out`));
    for (const mode of MODES) {
      const skip = ALL || mode.anchors.includes(name) ? false : `too slow for ${mode.name} in a test (UNFOLD_BF_ALL=1 runs it)`;
      test(`${name}.b (${mode.name})`, { skip }, async () => {
        assert.equal(latin1(await outcomeBytes(mode, source, `${name}.b`, new Uint8Array(0))), latin1(expected));
      });
    }
  }
}
