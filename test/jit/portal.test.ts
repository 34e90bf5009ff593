// splitPortal: the loop graph starts at the merge point, the rewritten portal calls it, and both
// compute what the original portal did; values live across the merge point must be green or red.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { PortalError, splitPortal } from "../../src/jit/portal.ts";

const stackvm = readFileSync(new URL("../ir/graphs/stackvm.ll", import.meta.url), "utf8");

test("stackvm: split portal runs like the original", () => {
  const p = parseProgram(stackvm, "stackvm.ll");
  const split = splitPortal(p, "run");
  assertValid(p);
  assert.equal(split.loop.blocks[0]?.params.length, 3);
  assert.equal(split.loop.blocks[1]?.ops[0]?.op, "jit_merge_point");
  assert.ok(!split.portal.blocks.some((b) => b.ops.some((o) => o.op === "jit_merge_point")));
  const l3 = new L3(p);
  const run = (code: number[]): LLValue => l3.callJS("run", [Int32Array.from(code)]) as LLValue;
  assert.equal(run([1, 1, 1, 5, 6, 10, 4, 6, 1, 1, 3, 5, 7, 4, 8, 0]), 120);
  assert.equal(run([1, 2, 1, 3, 2, 1, 4, 4, 0]), 20);
});

test("a value live across the merge point that is neither green nor red is rejected", () => {
  const src = `
array Code = i32
driver d greens(pc) reds(acc)
graph f -> i32 [portal] {
start(%n: i32):
  jump loop(0, 0)
loop(%pc: i32, %acc: i32):
  jit_merge_point<d> %pc, %acc
  %c: bool = int_lt %pc, %n
  branch %c, body(%pc, %acc), done(%acc)
body(%p: i32, %a: i32):
  %a1: i32 = int_add %a, %p
  %p1: i32 = int_add %p, 1
  jump loop(%p1, %a1)
done(%r: i32):
  return %r
}`;
  const p = parseProgram(src, "f.ll");
  assert.throws(
    () => splitPortal(p, "f"),
    (e: unknown) => e instanceof PortalError && /'n' live across the merge point/.test(e.message),
  );
});
