// Binding-time analysis: which values are green, and the errors for declared greens that depend
// on red values (with the source location of the op and the origin of the red value).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import type { Graph, Program } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { BindingTimes, PEError } from "../../src/pe/index.ts";
import { loadProgram } from "./util.ts";

function analysis(p: Program, portal: string): BindingTimes {
  const g = p.graphs.get(portal) as Graph;
  const mp = g.blocks.flatMap((b) => b.ops).find((o) => o.op === "jit_merge_point");
  return new BindingTimes(p, g, p.drivers.get(mp?.attrs.callee ?? "") as NonNullable<ReturnType<typeof p.drivers.get>>);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PEError) return e.message;
    throw e;
  }
  throw new Error("expected a PEError");
}

/** Names of the green (not red) variables of a context, among those named in `names`. */
function greens(bt: BindingTimes, ctxRed: ReadonlySet<unknown>, g: Graph, names: string[]): string[] {
  void bt;
  const vars = g.blocks.flatMap((b) => [...b.params, ...b.ops.flatMap((o) => (o.result ? [o.result] : []))]);
  return names.filter((n) => vars.some((v) => v.name === n && !ctxRed.has(v)));
}

const LOOPY = `
struct Frame { pc: mut i32, acc: mut i32 }
array Code = i32
array Table = mut i32
driver d greens(code, pc) reds(frame, table) virtualizables(frame)
graph run -> i32 [portal] {
start(%code0: Code, %frame0: Frame, %table0: Table):
  jump loop(%code0, 0, %frame0, %table0)
loop(%code: Code, %pc: i32, %frame: Frame, %table: Table):
  jit_merge_point<d> %code, %pc, %frame, %table ; @ interp.ts:10:5
  %op: i32 = getitem<Code> %code, %pc ; @ interp.ts:11:16
  %n: i32 = call<count> %op ; @ interp.ts:12:16
  %u: i32 = call<countUnrolled> %op ; @ interp.ts:13:16
  %t: i32 = getitem<Table> %table, %op ; @ interp.ts:14:16
  %next: i32 = int_add %pc, %t ; @ interp.ts:15:16
  assert_green %n ; @ interp.ts:16:5
  %c: bool = int_eq %u, 0
  branch %c, loop(%code, %next, %frame, %table), done()
done():
  return %pc
}
graph count -> i32 {
start(%k: i32):
  jump head(0, %k)
head(%i: i32, %k1: i32):
  %more: bool = int_lt %i, %k1
  branch %more, body(), out()
body():
  %i1: i32 = int_add %i, 1
  jump head(%i1, %k1)
out():
  return %i
}
graph countUnrolled -> i32 [unrollSafe] {
start(%k: i32):
  jump head(0, %k)
head(%i: i32, %k1: i32):
  %more: bool = int_lt %i, %k1
  branch %more, body(), out()
body():
  %i1: i32 = int_add %i, 1
  jump head(%i1, %k1)
out():
  return %i
}
`;

describe("binding-time analysis", () => {
  it("finds the stack machine's dispatch values green and its stack values red", () => {
    const p = loadProgram("svm.ll");
    const bt = analysis(p, "run");
    const ctx = bt.portalContext();
    bt.check();
    const g = ctx.ng.graph;
    assert.deepEqual(greens(bt, ctx.red, g, ["code", "pc", "sp", "op", "pc1", "pc2", "k", "t", "gi", "si"]), [
      "code",
      "pc",
      "sp",
      "op",
      "pc1",
      "pc2",
      "k",
      "t",
      "gi",
      "si",
    ]);
    assert.deepEqual(greens(bt, ctx.red, g, ["frame", "st", "lo", "a", "b", "r", "cv", "gv", "xm", "res"]), []);
  });

  it("reports a green that depends on a red value, naming the merge point and the origin", () => {
    const p = parseProgram(readFileSync(fileURLToPath(new URL("../ir/graphs/stackvm.ll", import.meta.url)), "utf8"), "stackvm.ll");
    const msg = errorOf(() => analysis(p, "run").check());
    const lines = msg.split("\n");
    assert.equal(lines.length, 2, "both greens are reported");
    assert.match(lines[0] as string, /^graph 'run', block 'dispatch', op 2 \(jit_merge_point\): the green 'pc' of driver 'vm'/);
    assert.match(lines[0] as string, /getfield<Machine\.pc> \(at graph 'run', block 'dispatch', op 0 \(getfield\)\) uses the red 'm1'/);
    assert.match(lines[1] as string, /the green 'code' of driver 'vm'/);
  });

  it("reports greens that flow from mutable data and assert_green on red values with source locations", () => {
    const p = parseProgram(LOOPY, "loopy.ll");
    const msg = errorOf(() => analysis(p, "run").check());
    assert.match(msg, /^interp\.ts:16:5: assert_green: the value is red: 'count' called \(at interp\.ts:12:16\) returns a red value/m);
    assert.match(
      msg,
      /^interp\.ts:10:5: the green 'pc' of driver 'd' at this jit_merge_point depends on a red value: int_add \(at interp\.ts:15:16\) uses the red 't'; getitem<Table> \(at interp\.ts:14:16\) uses the red 'table'; 'table' is a red of driver 'd'/m,
    );
  });

  it("keeps loop counters red in graphs that are not @unrollSafe, green in those that are", () => {
    const p = parseProgram(LOOPY, "loopy.ll");
    const bt = analysis(p, "run");
    const plain = bt.contextFor(p.graphs.get("count") as Graph, [true]);
    const unrolled = bt.contextFor(p.graphs.get("countUnrolled") as Graph, [true]);
    assert.equal(plain.returnsGreen, false);
    assert.equal(unrolled.returnsGreen, true);
    assert.match(
      bt.explain([...plain.red].find((v) => v.name === "i") as never),
      /changes around a loop in 'count' \(block 'head'\), which is not @unrollSafe/,
    );
  });
});
