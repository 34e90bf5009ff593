// The cleanup that carries loop-invariant array items in block parameters (src/pe/loopitems.ts):
// LL loops (graphs/loopitems.ll) are cleaned up in a copy, checked for what is left in the loop, and
// run on L3 against the original on fresh arrays (results, array contents and failures must agree).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph } from "../../src/ir/graph.ts";
import { arrayDef } from "../../src/ir/graph.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { findOps, loopBlocks, withCleanedUpCopies } from "./util.ts";

const p = withCleanedUpCopies("loopitems.ll");
const opt = (name: string): Graph => p.graphs.get(`${name}.opt`) as Graph;

type Arg = number | { type: string; items: number[] } | "same";

/** Run `graph` on fresh arrays; the result (or failure) and the arrays' contents afterwards. */
function runOn(graph: string, args: readonly Arg[]): string {
  const heap = new JSHeap(p);
  const l3 = new L3(p, { heap });
  const arrays: Int32Array[] | Uint8Array[] = [];
  const vals: LLValue[] = [];
  for (const a of args) {
    if (typeof a === "number") vals.push(a);
    else if (a === "same") vals.push(vals[vals.length - 1] as LLValue);
    else {
      const def = arrayDef(p, a.type);
      assert.ok(def);
      const arr = heap.newArray(def, a.items.length) as Int32Array;
      arr.set(a.items);
      (arrays as Int32Array[]).push(arr);
      vals.push(arr);
    }
  }
  let result: string;
  try {
    result = String(l3.call(graph, vals));
  } catch (e) {
    if (!(e instanceof LLError)) throw e;
    result = `failed: ${e.reason}`;
  }
  return `${result} ${arrays.map((a) => `[${[...a].join(",")}]`).join(" ")}`;
}

/**
 * The original and the cleaned-up graph agree on these arguments; returns what they did. After a
 * failure (which LL code cannot catch: the run is over) only the failure is compared, as a carried
 * item may not have been written back.
 */
function agree(name: string, args: readonly Arg[]): string {
  const want = runOn(name, args);
  const got = runOn(`${name}.opt`, args);
  const failure = (s: string): string => (s.startsWith("failed:") ? s.slice(0, s.indexOf(" [")) : s);
  assert.equal(failure(got), failure(want), `${name}(${JSON.stringify(args)})`);
  return want;
}

const bytes = (...items: number[]): Arg => ({ type: "Bytes", items });
const ints = (...items: number[]): Arg => ({ type: "Ints", items });
const itemOps = (g: Graph): number => findOps(loopBlocks(g), "getitem").length + findOps(loopBlocks(g), "setitem").length;

describe("loop-carried array items", () => {
  it("a byte item decremented to zero is read once and written back once (wrap-around below 0)", () => {
    assert.equal(itemOps(opt("dec")), 0);
    assert.equal(findOps(opt("dec"), "getitem").length, 1);
    assert.equal(findOps(opt("dec"), "setitem").length, 1);
    assert.equal(agree("dec", [bytes(3, 0, 9), 0]), "0 [0,0,9]");
    assert.equal(agree("dec", [bytes(3, 0, 9), 1]), "0 [3,0,9]"); // 256 iterations
    agree("dec", [bytes(3, 0, 9), 3]); // out of bounds on entry: the same failure
    assert.match(runOn("dec.opt", [bytes(1), 5]), /^failed: .*out of bounds/);
  });

  it("two items of one array at i and i+1 are both carried; a loop not entered reads nothing", () => {
    assert.equal(itemOps(opt("move")), 0);
    assert.equal(agree("move", [bytes(0, 5, 250, 1), 1, 1]), "1 [0,0,255,1]");
    assert.equal(agree("move", [bytes(0, 2, 254, 1), 1, 1]), "1 [0,0,0,1]"); // the second item wraps
    assert.equal(agree("move", [bytes(4, 1), 0, 1]), "1 [0,5]");
    // not entered: the out-of-bounds index is never read
    assert.equal(agree("move", [bytes(4, 1), 7, 0]), "2 [4,1]");
    agree("move", [bytes(4, 1), 1, 1]); // a[2] out of bounds inside the loop
  });

  it("reads after a byte store see the truncated value; an exit in the middle writes the item back", () => {
    assert.equal(itemOps(opt("wrap")), 0);
    for (const [n, stop] of [
      [1, -1],
      [5, -1],
      [12, -1],
      [7, 144],
      [3, 44],
    ] as const) {
      agree("wrap", [bytes(0, 200), 1, n, stop]);
      agree("wrap", [bytes(0, 200), 0, n, stop]);
    }
    assert.equal(agree("wrap", [bytes(200), 0, 1, 44]), "44200 [44]");
  });

  it("a link to a block that only raises writes nothing back; the other links out do", () => {
    assert.equal(itemOps(opt("decraise")), 0);
    const raising = opt("decraise").blocks.filter((b) => b.exit.kind === "raise");
    assert.ok(raising.length > 0);
    for (const b of raising) assert.deepEqual(b.ops, [], "no store-back before the raise");
    assert.match(agree("decraise", [bytes(10), 0]), /^failed:/);
    assert.equal(agree("decraise", [bytes(3), 0]), "0 [0]");
  });

  it("an i32 item over several blocks of a loop", () => {
    assert.equal(itemOps(opt("ints")), 0);
    for (const v of [7, 27, -3, 2147483647]) agree("ints", [ints(1, v, 2), 1, 20]);
  });

  it("leaves items alone when another access may be the same item, or a call may touch it", () => {
    assert.equal(findOps(loopBlocks(opt("twoArrays")), "getitem").length, 2);
    agree("twoArrays", [bytes(5, 1), bytes(9, 9), 0]);
    agree("twoArrays", [bytes(5, 1), "same", 0]); // b is a: 5 -1 +2 ... until a[0] wraps to 0
    assert.equal(findOps(loopBlocks(opt("twoIndices")), "getitem").length, 1);
    agree("twoIndices", [bytes(5, 1), 0, 1]);
    agree("twoIndices", [bytes(5, 1), 0, 0]);
    assert.equal(findOps(loopBlocks(opt("withCall")), "getitem").length, 1);
    agree("withCall", [bytes(5, 1), 0]);
    agree("withCall", [bytes(5, 1), 1]);
  });

  it("leaves an item alone when its first access is not on entry to the loop", () => {
    assert.equal(findOps(loopBlocks(opt("whileLoop")), "getitem").length, 1);
    assert.equal(agree("whileLoop", [ints(1, 2), 9, 0]), "0 [1,2]");
    assert.equal(agree("whileLoop", [ints(1, 2), 1, 4]), "4 [1,8]");
  });
});
