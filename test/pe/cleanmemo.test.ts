// The memo of cleanups (src/pe/cleanmemo.ts): a graph that is the same before cleanup as an
// earlier one gets that one's cleanup, printed exactly as its own cleanup would be; graphs that
// differ in a constant, a safe op, an operand, a callee or a source place do not share it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cloneGraph } from "../../src/ir/clone.ts";
import type { Graph, Op, Program } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { printGraph } from "../../src/ir/print.ts";
import { CleanupMemo } from "../../src/pe/cleanmemo.ts";
import { cleanup } from "../../src/pe/cleanup.ts";
import { loadProgram } from "./util.ts";

const FILES = ["cycle.ll", "loopchecks.ll", "loopfinal.ll", "loopitems.ll", "rangechecks.ll", "svm.ll", "valueranges.ll"];

/** The graph printed without its name line (copies under other names compare equal). */
const body = (p: Program, g: Graph): string => printGraph(p, g).split("\n").slice(1).join("\n");

describe("cleanup memo", () => {
  for (const file of FILES) {
    it(`${file}: a copy of each graph gets the cleanup of the first, printed as its own cleanup`, () => {
      const p = loadProgram(file);
      const memo = new CleanupMemo();
      let n = 0;
      for (const g of [...p.graphs.values()]) {
        const first = cloneGraph(g, `${g.name}.first`).graph;
        const again = cloneGraph(g, `${g.name}.again`).graph;
        const direct = cloneGraph(g, `${g.name}.direct`).graph;
        memo.cleanup(p, first, new Set());
        memo.cleanup(p, again, new Set());
        cleanup(p, direct, new Set());
        assert.equal(body(p, again), body(p, direct), `${g.name}`);
        assert.equal(body(p, first), body(p, direct), `${g.name}`);
        n++;
      }
      assert.equal(memo.stats.hits, n);
      assert.equal(memo.stats.runs, n);
    });
  }

  const SRC = `
array Bytes = mut u8

graph a -> i32 {
start(%x: Bytes, %i: i32):
  %v: i32 = getitem<Bytes> %x, %i
  %w: i32 = int_add %v, 1
  setitem<Bytes> %x, %i, %w
  %v2: i32 = getitem<Bytes> %x, %i
  %c: bool = int_eq %v2, 0
  branch %c, out(), stay()
out():
  %r: i32 = call<a.exit0> %x, %i
  return %r
stay():
  return %v2
}

graph a.exit0 -> i32 {
start(%x: Bytes, %i: i32):
  return %i
}
`;

  /** Graph `a` of SRC, renamed `name` (its exit graph too) and changed by `edit`. */
  function variant(name: string, edit: (text: string) => string = (t) => t): { p: Program; g: Graph } {
    const p = parseProgram(edit(SRC.replaceAll("a.exit0", `${name}.exit0`).replace("graph a ->", `graph ${name} ->`)), "memo.ll");
    return { p, g: p.graphs.get(name) as Graph };
  }

  it("the graph's own exit graphs are named after the graph that takes the cleanup", () => {
    const memo = new CleanupMemo();
    const one = variant("jit1");
    const two = variant("jit2");
    memo.cleanup(one.p, one.g, new Set());
    memo.cleanup(two.p, two.g, new Set());
    assert.equal(memo.stats.hits, 1);
    const callees = two.g.blocks.flatMap((b) => b.ops.filter((o) => o.op === "call").map((o) => o.attrs.callee));
    assert.deepEqual(callees, ["jit2.exit0"]);
    assert.equal(body(two.p, two.g), body(one.p, one.g).replaceAll("jit1.exit0", "jit2.exit0"));
  });

  it("graphs that differ before cleanup do not share it", () => {
    const cases: [string, (t: string) => string][] = [
      ["a constant", (t) => t.replace("int_add %v, 1", "int_add %v, 2")],
      ["an operand", (t) => t.replace("setitem<Bytes> %x, %i, %w", "setitem<Bytes> %x, %i, %v")],
      ["an op", (t) => t.replace("int_eq %v2, 0", "int_ne %v2, 0")],
      [
        "a callee that is not the graph's own",
        (t) => t.replace(/call<[^>]*>/, "call<other.exit0>") + "\ngraph other.exit0 -> i32 {\nstart(%x: Bytes, %i: i32):\n  return 0\n}\n",
      ],
    ];
    for (const [what, edit] of cases) {
      const memo = new CleanupMemo();
      const one = variant("jit1");
      const two = variant("jit2", edit);
      memo.cleanup(one.p, one.g, new Set());
      const direct = variant("jit3", edit);
      cleanup(direct.p, direct.g, new Set());
      memo.cleanup(two.p, two.g, new Set());
      assert.equal(memo.stats.hits, 0, what);
      assert.equal(body(two.p, two.g), body(direct.p, direct.g).replaceAll("jit3.exit0", "jit2.exit0"), what);
    }
  });

  it("nor do graphs that differ in the ops the cleanup may treat as safe, or in source places", () => {
    const memo = new CleanupMemo();
    const one = variant("jit1");
    memo.cleanup(one.p, one.g, new Set());
    const two = variant("jit2");
    const safe = new Set<Op>([two.g.blocks[0]?.ops[0] as Op]);
    memo.cleanup(two.p, two.g, safe);
    assert.equal(memo.stats.hits, 0);
    const three = variant("jit3");
    (three.g.blocks[0]?.ops[1] as Op).loc = { file: "x.ts", line: 1, col: 1 };
    memo.cleanup(three.p, three.g, new Set());
    assert.equal(memo.stats.hits, 0);
    const four = variant("jit4");
    memo.cleanup(four.p, four.g, new Set());
    assert.equal(memo.stats.hits, 1);
  });
});
