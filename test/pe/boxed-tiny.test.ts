// The specializer on a variant of the tiny interpreter that boxes its integers
// (test/pe/fixtures/boxed.ts, lowered by the front end): the residual loops allocate no box, read
// no box and touch no frame array; the output is the interpreter's.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { assemble } from "../../examples/tiny/asm.ts";
import { lowerInterpreter } from "../../src/front/index.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { Graph, Var } from "../../src/ir/graph.ts";
import { graphParams } from "../../src/ir/graph.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { probeMergePoint, specialize } from "../../src/pe/index.ts";
import { main } from "./fixtures/boxed.ts";
import { loopBlocks, opsIn } from "./util.ts";

const program = lowerInterpreter(fileURLToPath(new URL("./fixtures/boxed.ts", import.meta.url)));
const DIR = fileURLToPath(new URL("../../examples/tiny/programs/", import.meta.url));

describe("boxed tiny interpreter", () => {
  for (const file of ["sum.tiny", "nested.tiny"]) {
    it(`${file}: boxes stay virtual in the residual loops`, () => {
      const asm = assemble(readFileSync(DIR + file, "utf8"), file);
      const io0 = new MemoryIO();
      withHostIO(io0, () => main(asm.code));
      const p = { ...program, graphs: new Map(program.graphs) };
      const heap = new JSHeap(p);
      const args = [heap.fromJS(asm.code, (graphParams(p.graphs.get("main") as Graph)[0] as Var).type)];
      const st = probeMergePoint(p, "main", args, () => true, { heap });
      assert.ok(st);
      const r = specialize(p, st.portal, st.greens, { heap, reds: st.reds });
      assertValid(p);
      const loop = loopBlocks(r.graph);
      assert.ok(loop.length > 0, "a residual loop");
      const frameArrays = new Set(
        opsIn(r.graph.blocks).flatMap((o) => (o.op === "getfield" && o.attrs.type === "Frame" && o.result ? [o.result] : [])),
      );
      const bad = opsIn(loop).filter(
        (o) =>
          (o.op === "new" && o.attrs.type === "Box") ||
          (o.op === "getfield" && o.attrs.type === "Box") ||
          (["getitem", "setitem"].includes(o.op) && o.args[0]?.kind === "var" && frameArrays.has(o.args[0])),
      );
      assert.deepEqual(bad, []);
      const io = new MemoryIO();
      withHostIO(io, () => new L3(p, { heap }).call(r.graph.name, st.reds));
      assert.equal(io.text(), io0.text());
      assert.equal(io.text(), readFileSync(DIR + file.replace(/\.tiny$/, ".out"), "utf8"));
    });
  }
});
