// The cleanup that merges chains of checks raising the same guest error (src/pe/rangechecks.ts):
// LL graphs (graphs/rangechecks.ll) are cleaned up in a copy, checked for the checks left, and run
// on L3 against the original around the edges of each range (results and errors must agree).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph } from "../../src/ir/graph.ts";
import { arrayDef } from "../../src/ir/graph.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { withCleanedUpCopies } from "./util.ts";

const p = withCleanedUpCopies("rangechecks.ll");
const opt = (name: string): Graph => p.graphs.get(`${name}.opt`) as Graph;
/** Branches whose true side only raises: the checks left. */
const checks = (g: Graph): number =>
  g.blocks.filter((b) => b.exit.kind === "branch" && b.exit.ifTrue.target.ops.length === 0 && b.exit.ifTrue.target.exit.kind === "raise")
    .length;

function run(graph: string, x: number, withArray: boolean): string {
  const heap = new JSHeap(p);
  const l3 = new L3(p, { heap });
  const args: LLValue[] = [x];
  const def = arrayDef(p, "Bytes");
  const arr = withArray && def ? (heap.newArray(def, 1) as Uint8Array) : null;
  if (arr) args.push(arr);
  try {
    return `${String(l3.call(graph, args))}${arr ? ` [${[...arr].join(",")}]` : ""}`;
  } catch (e) {
    if (!(e instanceof LLError)) throw e;
    return `failed: ${e.reason}`;
  }
}

function agree(name: string, xs: readonly number[], withArray = false): void {
  for (const x of xs) assert.equal(run(`${name}.opt`, x, withArray), run(name, x, withArray), `${name}(${x})`);
}

const AROUND = [-2147483648, -1, 0, 1, 2, 3, 96, 97, 98, 99, 100, 101, 102, 103, 2147483647];

describe("merged range checks", () => {
  it("`>>>`: three checks against one value become one range check, with the same results and errors", () => {
    assert.equal(checks(p.graphs.get("right3") as Graph), 3);
    assert.equal(checks(opt("right3")), 1);
    agree("right3", AROUND);
  });

  it("`<<`: checks of x - k against 0 too", () => {
    assert.equal(checks(opt("left2")), 1);
    agree("left2", AROUND);
  });

  it("leaves the checks alone when the values are not contiguous, when a store comes between, or when the errors differ", () => {
    assert.equal(checks(opt("gap")), 2);
    agree("gap", AROUND);
    assert.equal(checks(opt("store")), 2);
    agree("store", AROUND, true);
    assert.equal(checks(opt("mixed")), 2);
    agree("mixed", AROUND);
  });
});
