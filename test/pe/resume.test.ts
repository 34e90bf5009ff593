// Resuming after exits from JS (resumeExit): each exit graph of a residual graph is swapped for one
// that hands its leaves to the host and stops; resumeExit then rebuilds the state (virtual boxes,
// written-back frame items) through the heap and runs the continuation graphs. The output before
// the exit plus the output after it, and the result, must be the interpreter's.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newVar } from "../../src/ir/builder.ts";
import type { Program } from "../../src/ir/graph.ts";
import type { ArrayDef, StructDef } from "../../src/ir/types.ts";
import { ref } from "../../src/ir/types.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { HeapRef, LLValue } from "../../src/llinterp/heap.ts";
import type { HostImpl } from "../../src/llinterp/hosts.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import type { ExitInfo } from "../../src/pe/index.ts";
import { resumeExit, specializeAt } from "../../src/pe/index.ts";
import { loadProgram } from "./util.ts";

const [HALT, PUSH, ADD, LT, JNZ, JMP, GET, SET, PRINT] = [0, 1, 2, 4, 5, 6, 7, 8, 9];
// biome-ignore format: one instruction per line
const SUM = (n: number): number[] => [
  PUSH, 0, SET, 0, PUSH, 0, SET, 1, GET, 0, PUSH, n, LT, JNZ, 17, JMP, 33,
  GET, 1, GET, 0, ADD, SET, 1, GET, 0, PUSH, 1, ADD, SET, 0, JMP, 8,
  GET, 1, PRINT, GET, 1, HALT,
];

class Stop extends Error {}

/** Make every exit graph of the program call host `capture` with its leaves and stop the run. */
function captureExits(p: Program, exits: readonly ExitInfo[], seen: { exit: ExitInfo; leaves: LLValue[] }[]): Map<string, HostImpl> {
  const hosts = defaultHosts();
  for (const e of exits) {
    const name = `capture.${e.index}`;
    p.hosts.set(name, { name, params: [...e.leafTypes], result: { kind: "void" } });
    hosts.set(name, (_h, args) => {
      seen.push({ exit: e, leaves: args });
      throw new Stop();
    });
    const params = e.leafTypes.map((t, i) => newVar(t, `l${i}`));
    const g = p.graphs.get(e.graph);
    if (!g) throw new Error(`no exit graph ${e.graph}`);
    g.blocks = [
      {
        label: "exit",
        params,
        ops: [{ op: "call_host", args: params, result: null, attrs: { callee: name } }],
        exit: { kind: "return", value: { kind: "const", type: { kind: "i32" }, value: 0 } },
      },
    ];
  }
  return hosts;
}

describe("resumeExit", () => {
  it("rebuilds virtuals and write-backs from JS and finishes the run like the interpreter", () => {
    let resumed = 0;
    let rebuilt = 0;
    for (const budget of [12, 20, 30, 45, 60]) {
      const p = loadProgram("svm_boxed.ll");
      const heap = new JSHeap(p);
      const stack = p.types.get("Stack") as ArrayDef;
      const frame = (): HeapRef =>
        heap.newStruct(p.types.get("Frame") as StructDef, [heap.newArray(stack, 16), heap.newArray(stack, 4)]) as HeapRef;
      const code = heap.fromJS(new Int32Array(SUM(25)), ref("Code")) as HeapRef;
      const io0 = new MemoryIO();
      const expected = withHostIO(io0, () => new L3(p, { heap }).call("run", [code, 0, frame()]));
      const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame()], budget });
      const seen: { exit: ExitInfo; leaves: LLValue[] }[] = [];
      const l3 = new L3(p, { heap, hosts: captureExits(p, r.exits, seen) });
      const io = new MemoryIO();
      let result: LLValue;
      try {
        result = withHostIO(io, () => l3.call(r.graph.name, [frame()]));
      } catch {
        const s = seen[0];
        assert.ok(s, `budget ${budget}: the run stopped at an exit`);
        const l3b = new L3(p, { heap });
        result = withHostIO(io, () => resumeExit(p, { heap, call: (g, a) => l3b.call(g, a) }, s.exit, s.leaves));
        resumed++;
        if (s.exit.virtuals.length > 0 && s.exit.writebacks.length > 0) rebuilt++;
      }
      assert.equal(result, expected, `budget ${budget}`);
      assert.equal(io.text(), io0.text(), `budget ${budget}`);
    }
    assert.ok(resumed > 0, "some runs left through an exit");
    assert.ok(rebuilt > 0, "some of those exits rebuilt boxes and wrote frame items back");
  });
});
