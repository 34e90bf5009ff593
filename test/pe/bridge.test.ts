// Bridges: the continuation of an exit specialized from the exit's own state and linked in place
// of the exit graph. A promote exit grows a case for the new value; budget exits get their
// continuations compiled; results stay the interpreter's.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import type { Program } from "../../src/ir/graph.ts";
import type { ArrayDef, StructDef } from "../../src/ir/types.ts";
import { ref } from "../../src/ir/types.ts";
import type { HeapRef } from "../../src/llinterp/heap.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import type { JSHeap } from "../../src/llinterp/js-heap.ts";
import { linkBridge, PEError, specializeAt, specializeExit } from "../../src/pe/index.ts";
import { findOps, loadProgram, run, setup, verify } from "./util.ts";

const [HALT, PUSH, ADD, LT, JNZ, JMP, GET, SET, PRINT, MULK] = [0, 1, 2, 4, 5, 6, 7, 8, 9, 13];

function svmFrame(p: Program, heap: JSHeap, locals: number[] = []): HeapRef {
  const f = heap.newStruct(p.types.get("Frame") as StructDef, [
    heap.fromJS(new Int32Array(16), ref("Stack")),
    heap.fromJS(new Int32Array(4), ref("Stack")),
  ]) as HeapRef;
  const lo = heap.getField(f, "Frame", "locals") as HeapRef;
  locals.forEach((x, i) => {
    heap.setItem(lo, "Stack", i, x);
  });
  return f;
}

describe("bridges", () => {
  it("grow a promote by a case for the value seen at its exit", () => {
    const p = loadProgram("svm.ll");
    const { heap } = setup(p);
    const code = heap.fromJS(new Int32Array([GET, 0, MULK, PRINT, PUSH, 0, HALT]), ref("Code")) as HeapRef;
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [svmFrame(p, heap, [5, 3])], promote: () => 3 });
    const k = r.exits.findIndex((e) => e.reason === "promote");
    assert.ok(k >= 0);
    const bridge = specializeExit(p, r, k, { heap, promote: () => 4 });
    linkBridge(p, r.exits[k] as NonNullable<(typeof r.exits)[number]>, bridge);
    verify(p);
    assert.ok(
      findOps(bridge.graph, "int_mul").some((o) => o.args.some((a) => a.kind === "const" && a.value === 4)),
      "the bridge multiplies by 4",
    );
    const l3 = new L3(p, { heap });
    assert.deepEqual(run(l3, r.graph.name, [svmFrame(p, heap, [5, 3])]), { result: "0", output: "15\n" });
    assert.deepEqual(run(l3, r.graph.name, [svmFrame(p, heap, [5, 4])]), { result: "0", output: "20\n" });
    assert.deepEqual(run(l3, r.graph.name, [svmFrame(p, heap, [5, 6])]), { result: "0", output: "30\n" });
    assert.throws(
      () =>
        specializeExit(
          p,
          r,
          r.exits.findIndex((e) => e.reason === "guard"),
          { heap },
        ),
      (e) => e instanceof PEError && /is an entry guard/.test(e.message),
    );
  });

  it("compile the continuations of budget exits, with virtual boxes and frame items in their state", () => {
    // biome-ignore format: one instruction per line
    const SUM = [
      PUSH, 0, SET, 0, PUSH, 0, SET, 1, GET, 0, PUSH, 30, LT, JNZ, 17, JMP, 33,
      GET, 1, GET, 0, ADD, SET, 1, GET, 0, PUSH, 1, ADD, SET, 0, JMP, 8,
      GET, 1, PRINT, GET, 1, HALT,
    ];
    for (const budget of [15, 25, 40]) {
      const p = loadProgram("svm_boxed.ll");
      const { heap } = setup(p);
      const stack = p.types.get("Stack") as ArrayDef;
      const frame = (): HeapRef =>
        heap.newStruct(p.types.get("Frame") as StructDef, [heap.newArray(stack, 16), heap.newArray(stack, 4)]) as HeapRef;
      const code = heap.fromJS(new Int32Array(SUM), ref("Code")) as HeapRef;
      const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame()], budget });
      let bridged = 0;
      r.exits.forEach((e, i) => {
        if (e.reason !== "budget" && e.reason !== "merge") return;
        linkBridge(p, e, specializeExit(p, r, i, { heap }));
        bridged++;
      });
      assert.ok(bridged > 0, `budget ${budget}: some exits were bridged`);
      verify(p);
      const l3 = new L3(p, { heap });
      assert.deepEqual(run(l3, r.graph.name, [frame()]), run(l3, "run", [code, 0, frame()]), `budget ${budget}`);
    }
  });

  it("bridge every exit of the tiny programs' residual graphs, and the programs still agree", async () => {
    const { runSpecialized } = await import("./tiny.ts");
    const dir = fileURLToPath(new URL("../../examples/tiny/programs/", import.meta.url));
    let bridges = 0;
    for (const file of ["fact.tiny", "sum.tiny", "err_divzero.tiny", "nested.tiny"]) {
      const expected = readFileSync(dir + file.replace(/\.tiny$/, ".out"), "utf8");
      const got = runSpecialized(readFileSync(dir + file, "utf8"), file, { budget: 40 }, { bridges: true });
      assert.equal(got.text, expected, file);
      bridges += got.bridges;
    }
    assert.ok(bridges > 0, "some exits were bridged");
  });
});
