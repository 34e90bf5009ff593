// The specializer on a stack machine that boxes every value (graphs/svm_boxed.ll): the boxes
// stay virtual, so the residual loop allocates and reads none; they are materialized only where
// they leave the residual code (written back into the frame at exits and returns).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Program } from "../../src/ir/graph.ts";
import type { ArrayDef, StructDef } from "../../src/ir/types.ts";
import { ref } from "../../src/ir/types.ts";
import type { HeapRef } from "../../src/llinterp/heap.ts";
import type { JSHeap } from "../../src/llinterp/js-heap.ts";
import { specializeAt } from "../../src/pe/index.ts";
import { findOps, loadProgram, loopBlocks, opsIn, run, setup, verify } from "./util.ts";

const [HALT, PUSH, ADD, LT, JNZ, JMP, GET, SET, PRINT] = [0, 1, 2, 4, 5, 6, 7, 8, 9];

/** sum of i for i < n, with i and sum in locals 0 and 1 */
// biome-ignore format: one instruction per line
const SUM = (n: number): number[] => [
  PUSH, 0, SET, 0, PUSH, 0, SET, 1,    // 0
  GET, 0, PUSH, n, LT, JNZ, 17,        // 8: i < n ?
  JMP, 33,                             // 15
  GET, 1, GET, 0, ADD, SET, 1,         // 17: sum += i
  GET, 0, PUSH, 1, ADD, SET, 0,        // 24: i += 1
  JMP, 8,                              // 31
  GET, 1, PRINT, GET, 1, HALT,         // 33
];

function frame(p: Program, heap: JSHeap): HeapRef {
  const stack = p.types.get("Stack") as ArrayDef;
  return heap.newStruct(p.types.get("Frame") as StructDef, [heap.newArray(stack, 16), heap.newArray(stack, 4)]) as HeapRef;
}

describe("svm_boxed: boxed values", () => {
  it("keeps the boxes virtual: no allocation, no box read, no stack traffic in the residual loop", () => {
    const p = loadProgram("svm_boxed.ll");
    const { heap, l3 } = setup(p);
    const code = heap.fromJS(new Int32Array(SUM(100)), ref("Code")) as HeapRef;
    const expected = run(l3, "run", [code, 0, frame(p, heap)]);
    assert.deepEqual(expected, { result: "4950", output: "4950\n" });
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)] });
    verify(p);
    const loop = loopBlocks(r.graph);
    assert.ok(loop.length > 0);
    assert.deepEqual(
      opsIn(loop).filter((o) => ["new", "getfield", "getitem", "setitem", "setfield"].includes(o.op)),
      [],
      "the loop is free of boxes and of frame accesses",
    );
    assert.ok(findOps(r.graph, "new", "Box").length > 0, "boxes are materialized when written back after the loop");
    const f = frame(p, heap);
    assert.deepEqual(run(l3, r.graph.name, [f]), expected);
    // the frame holds the same boxed values the interpreter would have left
    const g = frame(p, heap);
    run(l3, "run", [code, 0, g]);
    const lo = (x: HeapRef): number[] =>
      [0, 1].map(
        (i) => heap.getField(heap.getItem(heap.getField(x, "Frame", "locals") as HeapRef, "Stack", i) as HeapRef, "Box", "value") as number,
      );
    assert.deepEqual(lo(f), lo(g));
  });

  it("rebuilds virtual boxes at exits", () => {
    const p = loadProgram("svm_boxed.ll");
    const { heap, l3 } = setup(p);
    const code = heap.fromJS(new Int32Array(SUM(30)), ref("Code")) as HeapRef;
    const expected = run(l3, "run", [code, 0, frame(p, heap)]);
    let rebuilt = 0;
    for (const budget of [1, 12, 20, 30, 50]) {
      const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)], budget });
      verify(p);
      rebuilt += r.exits.filter((e) => e.virtuals.length > 0).length;
      assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), expected, `budget ${budget}`);
    }
    assert.ok(rebuilt > 0, "some exits rebuild virtual boxes");
  });
});
