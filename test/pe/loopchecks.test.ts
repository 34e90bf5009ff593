// The cleanup that moves loop-invariant checks out of residual loops (src/pe/loopchecks.ts): LL
// graphs (graphs/loopchecks.ll) are cleaned up in a copy, checked for the checks left in their
// loops, and run on L3 against the original around the values that fail (results and errors must
// agree).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Block, Graph } from "../../src/ir/graph.ts";
import { arrayDef } from "../../src/ir/graph.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { loopBlocks, withCleanedUpCopies } from "./util.ts";

const p = withCleanedUpCopies("loopchecks.ll");
const isCheck = (b: Block): boolean =>
  b.exit.kind === "branch" && [b.exit.ifTrue.target, b.exit.ifFalse.target].some((t) => t.ops.length === 0 && t.exit.kind === "raise");
/** Checks in the graph's loops, and outside them. */
function checks(name: string): { inLoop: number; outside: number } {
  const g = p.graphs.get(name) as Graph;
  const loop = new Set(loopBlocks(g));
  const all = g.blocks.filter(isCheck);
  const inLoop = all.filter((b) => loop.has(b)).length;
  return { inLoop, outside: all.length - inLoop };
}

function run(graph: string, x: number): string {
  const heap = new JSHeap(p);
  const l3 = new L3(p, { heap });
  const def = arrayDef(p, "Bytes");
  if (!def) throw new Error("no Bytes");
  const arr = heap.newArray(def, 1) as Uint8Array;
  try {
    return String(l3.call(graph, [x, arr] as LLValue[]));
  } catch (e) {
    if (!(e instanceof LLError)) throw e;
    return `failed: ${e.reason}`;
  }
}

function agree(name: string): void {
  for (const x of [-1, 0, 1, 2, 97, 98, 99, 100, 101, 102, 103]) assert.equal(run(`${name}.opt`, x), run(name, x), `${name}(${x})`);
}

describe("loop-invariant checks", () => {
  it("move to a pre-header, in their order, past heap reads and writes: the loop keeps none", () => {
    assert.deepEqual(checks("inv"), { inLoop: 2, outside: 0 });
    assert.deepEqual(checks("inv.opt"), { inLoop: 0, outside: 2 });
    agree("inv");
  });

  it("stay behind a varying check that raises another error", () => {
    assert.deepEqual(checks("varying.opt"), { inLoop: 3, outside: 0 });
    agree("varying");
  });

  it("move past a varying check that raises the same error", () => {
    assert.deepEqual(checks("same.opt"), { inLoop: 1, outside: 1 });
    agree("same");
  });

  it("stay when an ordinary branch comes before them", () => {
    assert.deepEqual(checks("after_branch.opt"), { inLoop: 1, outside: 0 });
    agree("after_branch");
  });
});
