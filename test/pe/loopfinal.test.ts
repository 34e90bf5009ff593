// The cleanup that runs a counted loop's last iteration only (src/pe/loopfinal.ts): LL graphs
// (graphs/loopfinal.ll) are cleaned up in a copy, checked for the loops left, and run on L3
// against the original for every counter start 0..255 (and values outside a byte).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph } from "../../src/ir/graph.ts";
import { arrayDef } from "../../src/ir/graph.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { loopBlocks, withCleanedUpCopies } from "./util.ts";

const p = withCleanedUpCopies("loopfinal.ll");

function loops(name: string): number {
  return loopBlocks(p.graphs.get(name) as Graph).length;
}

function run(graph: string, x: number, y: number): string {
  const heap = new JSHeap(p);
  const l3 = new L3(p, { heap });
  const def = arrayDef(p, "Bytes");
  if (!def) throw new Error("no Bytes");
  const arr = heap.newArray(def, 2) as Uint8Array;
  return `${String(l3.call(graph, [x, y, arr] as LLValue[]))} [${arr.join(",")}]`;
}

const XS = [...Array.from({ length: 256 }, (_, i) => i), -1, -255, 256, 257, 1000, 0x7fffffff, -0x80000000];

function agree(name: string): void {
  for (const x of XS) for (const y of [0, 9, 200, -7]) assert.equal(run(`${name}.opt`, x, y), run(name, x, y), `${name}(${x}, ${y})`);
}

describe("counted loops in closed form", () => {
  it("a counter down to 0 with parameters stepped by constants, masked or not: no loop is left", () => {
    assert.ok(loops("down") > 0);
    assert.equal(loops("down.opt"), 0);
    agree("down");
  });

  it("a counter up to 0 mod 256 from a byte array item, the loop going on on the false side", () => {
    assert.equal(loops("up.opt"), 0);
    agree("up");
  });

  it("Brainfuck's [->+<] in memory: carried as loop items, then closed", () => {
    assert.equal(loops("moveadd.opt"), 0);
    agree("moveadd");
  });

  it("loops that are not counted stay: a counter stepping by 2, a first value not known to be a byte, a write in the body", () => {
    for (const name of ["by2", "rawstart", "effect"]) {
      assert.ok(loops(`${name}.opt`) > 0, `${name} keeps its loop`);
      agree(name);
    }
  });
});
