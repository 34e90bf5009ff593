// Accepted code: every fixture interpreter in test/front/fixtures is lowered by the front end and
// run on L3; its output, result and error must be exactly those of the same code run untranslated.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { bothWays } from "./harness.ts";

const DIR = join(import.meta.dirname, "fixtures");

for (const f of readdirSync(DIR)
  .filter((f) => f.endsWith(".ts"))
  .sort()) {
  test(`${f}: L3 on the lowered graphs agrees with the untranslated run`, async () => {
    const { untranslated, llinterp } = await bothWays(join(DIR, f));
    assert.ok(untranslated.output.length > 0, "the fixture prints something");
    assert.equal(llinterp.output, untranslated.output);
    assert.equal(llinterp.error, untranslated.error);
    assert.equal(llinterp.result, untranslated.result);
  });
}
