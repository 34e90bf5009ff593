// The specializer on the tiny example interpreter (examples/tiny, lowered by the front end): every
// guest program runs with each guest function specialized and prints what the interpreter prints
// (guest errors included); the residual loops read no bytecode, dispatch on no opcode and touch
// neither the operand stack nor the locals arrays.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import type { Graph, Op, Var } from "../../src/ir/graph.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { target } from "../../examples/tiny/interp.ts";
import { parseAt, specializeProgram } from "../../src/pe/index.ts";
import { runSpecialized, tinyProgram } from "./tiny.ts";
import { loopBlocks, opsIn } from "./util.ts";

const DIR = fileURLToPath(new URL("../../examples/tiny/programs/", import.meta.url));
const PROGRAMS = readdirSync(DIR)
  .filter((f) => f.endsWith(".tiny"))
  .sort();

/** Problems in the loops of a residual graph: code reads, switches, frame array accesses. */
export function loopProblems(g: Graph): string[] {
  const frameArrays = new Set<Var>();
  for (const o of opsIn(g.blocks)) if (o.op === "getfield" && o.attrs.type === "Frame" && o.result) frameArrays.add(o.result);
  const out: string[] = [];
  const loop = loopBlocks(g);
  for (const b of loop) if (b.exit.kind === "switch") out.push(`switch in block ${b.label}`);
  for (const o of opsIn(loop) as Op[]) {
    if (o.op === "getitem" && o.attrs.type === "ImmutableInt32Array") out.push("bytecode read");
    if (["getitem", "setitem", "arraylen"].includes(o.op) && o.args[0]?.kind === "var" && frameArrays.has(o.args[0]))
      out.push(`${o.op} on a frame array`);
    if (o.op === "getfield" && o.attrs.type === "Frame") out.push("frame field read");
  }
  return out;
}

describe("tiny: every guest program specialized", () => {
  for (const file of PROGRAMS) {
    it(file, () => {
      const source = readFileSync(DIR + file, "utf8");
      const expected = readFileSync(DIR + file.replace(/\.tiny$/, ".out"), "utf8");
      const r = runSpecialized(source, file);
      assert.equal(r.text, expected);
      assertValid(r.program);
      assert.ok(r.residuals.size > 0, "at least one guest function was specialized");
      for (const [entry, res] of r.residuals) assert.deepEqual(loopProblems(res.graph), [], `function at pc ${entry}`);
    });
  }

  it("has residual loops for the loop programs", () => {
    for (const file of ["sum.tiny", "nested.tiny", "sieve.tiny", "fibiter.tiny"]) {
      const r = runSpecialized(readFileSync(DIR + file, "utf8"), file);
      assert.ok(
        [...r.residuals.values()].some((x) => loopBlocks(x.graph).length > 0),
        `${file} has a residual loop`,
      );
    }
  });

  it("stays correct when the budget cuts specialization short", () => {
    for (const file of ["all.tiny", "fact.tiny", "sum.tiny", "err_divzero.tiny"]) {
      const expected = readFileSync(DIR + file.replace(/\.tiny$/, ".out"), "utf8");
      for (const budget of [1, 30, 120]) {
        const r = runSpecialized(readFileSync(DIR + file, "utf8"), file, { budget });
        assert.equal(r.text, expected, `${file} with budget ${budget}`);
      }
    }
  });
});

describe("unfold specialize (specializeProgram)", () => {
  it("prints the residual graph of a tiny program's main function, and of its loop with --at", () => {
    const file = "sum.tiny";
    const args = target.prepare(readFileSync(DIR + file, "utf8"), file);
    const p = tinyProgram();
    const whole = specializeProgram({ ...p, graphs: new Map(p.graphs) }, args);
    assert.match(
      whole.text,
      /^; residual graph of 'interpret' for code=#code, pc=5, sp=0\n; \d+ ops in \d+ blocks, \d+ exits; \d+ guest instructions, [\d.]+ ops per instruction; budget 4000, used \d+\n/,
    );
    assert.match(whole.text, /^graph pe\.interpret\.1 -> i32 \{$/m);
    assert.match(whole.text, /^; exit 0 \(guard\) pe\.interpret\.1\.exit0: /m);
    const loop = specializeProgram({ ...p, graphs: new Map(p.graphs) }, args, { at: parseAt("pc=9") });
    assert.match(loop.text, /for code=#code, pc=9, sp=0/);
    assert.ok(loopBlocks(loop.residual.graph).length > 0);
    assert.deepEqual(parseAt("12"), { green: "pc", value: 12 });
    assert.throws(() => parseAt("x"), /--at expects a pc \(e\.g\. --at 12\) or a green and its value/);
  });
});
