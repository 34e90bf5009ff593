// How the front end lowers the JIT hints (test/front/fixtures/hints.ts): the driver declaration,
// merge point operands in greens-then-reds order, the portal flag, JSDoc tags as graph flags,
// the virtualizable declaration, readonly fields, promote/isConstant, fail and source locations.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { lowerInterpreter } from "../../src/front/index.ts";
import type { Graph, Op, Program } from "../../src/ir/graph.ts";
import { structDef } from "../../src/ir/graph.ts";
import { assertValid } from "../../src/ir/verify.ts";

const p: Program = lowerInterpreter(join(import.meta.dirname, "fixtures/hints.ts"));

function graph(name: string): Graph {
  const g = p.graphs.get(name);
  assert.ok(g, `no graph '${name}' (graphs: ${[...p.graphs.keys()].join(", ")})`);
  return g;
}

function ops(g: Graph, name: string): Op[] {
  return g.blocks.flatMap((b) => b.ops.filter((o) => o.op === name));
}

test("the program is valid and closed: only what main reaches is translated", () => {
  assertValid(p);
  assert.deepEqual(p.entries, ["main"]);
  assert.deepEqual([...p.graphs.keys()].sort(), [
    "Frame.constructor",
    "Frame.pop",
    "Frame.push",
    "main",
    "pushMany",
    "report",
    "run",
    "square",
  ]);
});

test("the driver keeps its greens, reds and virtualizables", () => {
  assert.deepEqual(p.drivers.get("driver"), { name: "driver", greens: ["pc", "code"], reds: ["frame"], virtualizables: ["frame"] });
});

test("mergePoint becomes jit_merge_point with greens then reds, in a portal graph", () => {
  const run = graph("run");
  assert.equal(run.flags.portal, true);
  const [mp, ...more] = ops(run, "jit_merge_point");
  assert.ok(mp);
  assert.equal(more.length, 0);
  assert.equal(mp.attrs.callee, "driver");
  assert.deepEqual(
    mp.args.map((a) => (a.kind === "var" ? a.name : String(a.value))),
    ["pc", "code", "frame"],
  );
  assert.equal(mp.loc?.line, 60);
  const [cej] = ops(run, "can_enter_jit");
  assert.ok(cej);
  assert.equal(cej.args.length, 3);
  assert.equal(graph("main").flags.portal, undefined);
});

test("JSDoc tags become graph flags", () => {
  assert.deepEqual(graph("square").flags, { elidable: true });
  assert.deepEqual(graph("report").flags, { dontLookInside: true });
  assert.deepEqual(graph("pushMany").flags, { unrollSafe: true });
});

test("@virtualizable and readonly fields are declared on the struct", () => {
  const s = structDef(p, "Frame");
  assert.ok(s);
  assert.deepEqual(s.virtualizable, ["sp", "stack[*]"]);
  assert.deepEqual(
    s.fields.map((f) => [f.name, f.mutable]),
    [
      ["sp", true],
      ["stack", false],
    ],
  );
  const code = p.types.get("ImmutableInt32Array");
  assert.ok(code?.kind === "array" && !code.mutable && code.item.kind === "i32");
});

test("promote, isConstant and fail", () => {
  const run = graph("run");
  assert.equal(ops(run, "promote").length, 1);
  assert.equal(ops(run, "is_constant").length, 1);
  const raised = run.blocks.flatMap((b) => (b.exit.kind === "raise" && b.exit.value.kind === "const" ? [b.exit.value.value] : []));
  assert.deepEqual(
    raised.map((k) => p.messages[k as number]),
    ["bad opcode"],
  );
});

test("ops carry their source location", () => {
  for (const g of p.graphs.values()) {
    for (const b of g.blocks)
      for (const o of b.ops) assert.ok(o.loc?.file.endsWith("fixtures/hints.ts"), `${g.name}: ${o.op} has no location`);
  }
});
