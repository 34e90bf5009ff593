// Graphs written as numbers (src/ir/codes.ts): a copy with other variables and block names is
// written alike; any change to what the graph does (an operand, a link's target or argument, a
// switch case, an op's place, a type) is written differently.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cloneGraph } from "../../src/ir/clone.ts";
import { CodeTable, CodeWriter, type GraphCoding, writeGraph } from "../../src/ir/codes.ts";
import type { Graph } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";

const SRC = `
graph f -> i32 {
start(%a: i32, %b: i32):
  %s: i32 = int_sub %a, %b
  %c: bool = int_lt %s, 10
  branch %c, small(%s), big(%a)
small(%x: i32):
  switch %x, 1: one(), 2: two(), default: big(%x)
one():
  return 1
two():
  return %b
big(%y: i32):
  %z: i32 = int_mul %y, 3
  return %z
}
`;

const CODING: GraphCoding = {
  constant: (w, c) => w.put2(w.type(c.type), w.str(String(c.value))),
  callee: (w, name) => w.str(name),
};

function codes(w: CodeWriter, g: Graph): Int32Array {
  w.start();
  writeGraph(w, g, CODING);
  return w.codes();
}

const graph = (src: string): Graph => parseProgram(src, "codes.ll").graphs.get("f") as Graph;

describe("graphs written as numbers", () => {
  it("a copy (other variables, other labels) is written alike and found in a table", () => {
    const w = new CodeWriter();
    const g = graph(SRC);
    const copy = cloneGraph(g, "g").graph;
    for (const b of copy.blocks) b.label = `${b.label}_copy`;
    const table = new CodeTable<string>();
    table.set(codes(w, g), "f");
    assert.deepEqual(codes(w, copy), codes(w, g));
    assert.equal(table.get(codes(w, copy)), "f");
  });

  it("any change to what the graph does is written differently", () => {
    const changes: [string, string, string][] = [
      ["swapped operands", "int_sub %a, %b", "int_sub %b, %a"],
      ["another constant", "int_lt %s, 10", "int_lt %s, 11"],
      ["another link target", "branch %c, small(%s), big(%a)", "branch %c, big(%s), small(%a)"],
      ["another link argument", "big(%a)\nsmall", "big(%s)\nsmall"],
      ["another switch case", "2: two()", "3: two()"],
      ["another op", "int_mul %y, 3", "int_add %y, 3"],
      ["another result", "return %b", "return %a"],
    ];
    const w = new CodeWriter();
    const table = new CodeTable<string>();
    table.set(codes(w, graph(SRC)), "original");
    for (const [what, from, to] of changes) {
      assert.ok(SRC.includes(from), what);
      const changed = codes(w, graph(SRC.replace(from, to)));
      assert.equal(table.get(changed), undefined, what);
      table.set(changed, what);
    }
    const placed = graph(SRC);
    const op = placed.blocks[0]?.ops[0];
    assert.ok(op);
    op.loc = { file: "x.ts", line: 3, col: 4 };
    assert.equal(table.get(codes(w, placed)), undefined, "a source place");
  });
});
