// The specializer on the Brainfuck interpreter (examples/bf, lowered by the front end): each
// program is specialized at its first merge point and its residual graph runs the whole program;
// output (with the program's input) and guest errors are the interpreter's. The residual loops
// read no program character and do no dispatch.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { target } from "../../examples/bf/interp.ts";
import { lowerInterpreter } from "../../src/front/index.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { Graph, Var } from "../../src/ir/graph.ts";
import { graphParams } from "../../src/ir/graph.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { probeMergePoint, specialize } from "../../src/pe/index.ts";
import { loopBlocks, opsIn } from "./util.ts";

const program = lowerInterpreter(fileURLToPath(new URL("../../examples/bf/interp.ts", import.meta.url)));
const DIR = fileURLToPath(new URL("../../examples/bf/programs/", import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".b") && !f.startsWith("err_brackets"))
  .sort();

describe("bf: Brainfuck programs specialized", () => {
  for (const file of FILES) {
    it(file, () => {
      const base = file.replace(/\.b$/, "");
      const input = existsSync(`${DIR}${base}.in`) ? readFileSync(`${DIR}${base}.in`) : new Uint8Array(0);
      const expected = readFileSync(`${DIR}${base}.out`, "utf8");
      const p = { ...program, graphs: new Map(program.graphs) };
      const heap = new JSHeap(p);
      const params = graphParams(p.graphs.get("main") as Graph);
      const args = target.prepare(readFileSync(DIR + file, "utf8"), file).map((a, i) => heap.fromJS(a, (params[i] as Var).type));
      const st = probeMergePoint(p, "main", args, () => true, { heap });
      assert.ok(st);
      const r = specialize(p, st.portal, st.greens, { heap, reds: st.reds });
      assertValid(p);
      const io = new MemoryIO(input);
      let error = "";
      try {
        withHostIO(io, () => new L3(p, { heap }).call(r.graph.name, st.reds));
      } catch (e) {
        if (!(e instanceof LLError && e.kind === "guest")) throw e;
        error = `error: ${e.message}\n`;
      }
      assert.equal(io.text() + error, expected);
      const loop = opsIn(loopBlocks(r.graph));
      assert.deepEqual(
        loop.filter((o) => o.op === "getitem" && o.attrs.type !== "Uint8Array"),
        [],
        "no reads of the program or the bracket map in loops",
      );
      assert.ok(!loopBlocks(r.graph).some((b) => b.exit.kind === "switch"), "no dispatch in loops");
    });
  }
});
