// Tests of the verifier: broken graphs (written in the text form, plus a few only the builder can
// make) are each rejected with a message naming the problem and its place (graph, block, op).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { boolc, constant, GraphBuilder, i32c, link, type newVar } from "../../src/ir/builder.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { I32 } from "../../src/ir/types.ts";
import { assertValid, VerifyError, VerifyIssue, verifyGraph, verifyProgram } from "../../src/ir/verify.ts";

const DECLS = `struct S { a: mut i32, r: S }
struct T : S { b: f64 }
array A = mut i32
host printInt(i32) -> void
global k: i32 = 1
driver d greens(pc) reds(s)
`;

/** factorial with `rec`'s body replaced */
const fact = (rec: string): string =>
  `graph fact -> i32 {\nstart(%n: i32):\n  %c: bool = int_le %n, 1\n  branch %c, base(), rec(%n)\nbase():\n  return 1\nrec(%n1: i32):\n${rec}}\n`;
const f = (result: string, body: string): string => `graph f -> ${result} {\n${body}}\n`;

/** [what is broken, program text (after DECLS), expected issues] */
const BROKEN: [string, string, string[]][] = [
  [
    "operand type",
    fact("  %m: i32 = int_sub %n1, 1\n  %r: i32 = call<fact> %m\n  %p: i32 = int_mul %n1, 1.5\n  return %p\n"),
    ["graph 'fact', block 'rec', op 2 (int_mul): operand 1 (1.5) is f64, expected i32"],
  ],
  [
    "result type of a call",
    fact("  %m: i32 = int_sub %n1, 1\n  %r: f64 = call<fact> %m\n  return 0\n"),
    ["graph 'fact', block 'rec', op 1 (call): result %r is declared f64, but call produces i32"],
  ],
  [
    "result type of a scalar op",
    fact("  %m: bool = int_sub %n1, 1\n  return 0\n"),
    ["graph 'fact', block 'rec', op 0 (int_sub): result %m is declared bool, but int_sub produces i32"],
  ],
  [
    "call arity",
    fact("  %r: i32 = call<fact> %n1, 2\n  return %r\n"),
    ["graph 'fact', block 'rec', op 0 (call): graph 'fact' takes 1 argument, got 2"],
  ],
  [
    "unknown callee",
    fact("  %r: i32 = call<nosuch> %n1\n  return %r\n"),
    ["graph 'fact', block 'rec', op 0 (call): unknown graph 'nosuch'"],
  ],
  ["return type", fact("  return %c\n"), ["graph 'fact', block 'rec', exit: returns %c of type bool, expected i32"]],
  ["return without a value", fact("  return\n"), ["graph 'fact', block 'rec', exit: returns no value, but graph 'fact' returns i32"]],
  [
    "return a value from a void graph",
    f("void", "start(%s: S):\n  return %s\n"),
    ["graph 'f', block 'start', exit: returns %s, but graph 'f' returns void"],
  ],
  [
    "void op defining a value",
    f("void", "start(%s: S):\n  %x: i32 = setfield<S.a> %s, 1\n  return\n"),
    ["graph 'f', block 'start', op 0 (setfield): defines %x, but setfield produces no value"],
  ],
  [
    "unknown field",
    f("i32", "start(%s: S):\n  %x: i32 = getfield<S.b> %s\n  return %x\n"),
    ["graph 'f', block 'start', op 0 (getfield): struct 'S' has no field 'b'"],
  ],
  [
    "inherited fields are found; a parent is not a child",
    f(
      "i32",
      "start(%t: T):\n  %x: f64 = getfield<T.b> %t\n  %y: i32 = getfield<T.a> %t\n  %z: S = getfield<T.r> %t\n  %w: T = getfield<T.r> %t\n  return %y\n",
    ),
    ["graph 'f', block 'start', op 3 (getfield): result %w is declared T, but getfield produces S"],
  ],
  [
    "use not dominated by its definition",
    f("i32", "start(%c: bool):\n  branch %c, a(), b()\na():\n  %x: i32 = same_as 1\n  jump j()\nb():\n  jump j()\nj():\n  return %x\n"),
    ["graph 'f', block 'j', exit: uses %x, whose definition (op 0 of block 'a') does not dominate this use"],
  ],
  [
    "use before definition in a block",
    f("i32", "start():\n  %y: i32 = int_add %x, 1\n  %x: i32 = same_as 1\n  return %y\n"),
    ["graph 'f', block 'start', op 0 (int_add): uses %x before its definition (op 1)"],
  ],
  [
    "link argument count",
    f("i32", "start():\n  jump b(1, 2)\nb(%x: i32):\n  return %x\n"),
    ["graph 'f', block 'start', exit: link to 'b' passes 2 arguments, but the block has 1 parameter"],
  ],
  [
    "link argument type",
    f("i32", "start():\n  jump b(1.0)\nb(%x: i32):\n  return %x\n"),
    ["graph 'f', block 'start', exit: link to 'b': argument 0 (1.0) is f64, but parameter %x is i32"],
  ],
  [
    "branch condition",
    f("i32", "start(%x: i32):\n  branch %x, a(), a()\na():\n  return 0\n"),
    ["graph 'f', block 'start', exit: branch condition %x is i32, expected bool"],
  ],
  [
    "switch value",
    f("i32", "start(%x: f64):\n  switch %x, 0: a(), default: a()\na():\n  return 0\n"),
    ["graph 'f', block 'start', exit: switch value %x is f64, expected i32"],
  ],
  [
    "switch cases",
    f("i32", "start(%x: i32):\n  switch %x, 1: a(), 1: a(), default: a()\na():\n  return 0\n"),
    ["graph 'f', block 'start', exit: switch case value 1 appears twice"],
  ],
  [
    "reachable block without exit",
    f("i32", "start():\n  jump a()\na():\n  none\nunreached():\n  none\n"),
    ["graph 'f', block 'a', exit: block has no exit (it must end in jump, branch, switch, return or raise)"],
  ],
  [
    "unknown JIT driver",
    f("void", "start(%s: S):\n  jit_merge_point<nod> 0, %s\n  return\n"),
    ["graph 'f', block 'start', op 0 (jit_merge_point): unknown JIT driver 'nod'"],
  ],
  [
    "merge point operands",
    f("void", "start(%s: S):\n  jit_merge_point<d> 0\n  return\n"),
    ["graph 'f', block 'start', op 0 (jit_merge_point): jit_merge_point<d> takes 2 operands (greens then reds), got 1"],
  ],
  [
    "immutable global",
    f("void", "start():\n  setglobal<k> 2\n  return\n"),
    ["graph 'f', block 'start', op 0 (setglobal): global 'k' is immutable"],
  ],
  [
    "host argument type",
    f("void", "start():\n  call_host<printInt> true\n  return\n"),
    ["graph 'f', block 'start', op 0 (call_host): operand 0 (true) is bool, expected i32"],
  ],
  [
    "array index type",
    f("i32", "start(%a: A):\n  %x: i32 = getitem<A> %a, 1L\n  return %x\n"),
    ["graph 'f', block 'start', op 0 (getitem): operand 1 (1L) is i64, expected i32"],
  ],
  [
    "reference op on a scalar",
    f("bool", "start(%a: i32):\n  %x: bool = ref_is_null %a\n  return %x\n"),
    ["graph 'f', block 'start', op 0 (ref_is_null): operand 0 (%a) is i32, expected a reference"],
  ],
  [
    "new with some fields",
    f("S", "start():\n  %x: S = new<S> 1\n  return %x\n"),
    ["graph 'f', block 'start', op 0 (new): new<S> takes no operands or one per field (2), got 1"],
  ],
  [
    "call_ref on a scalar",
    f("i32", "start(%x: i32):\n  %y: i32 = call_ref %x, 1\n  return %y\n"),
    ["graph 'f', block 'start', op 0 (call_ref): first operand must be a function reference, not i32"],
  ],
  [
    "function constant of the wrong type",
    f("i32", "start():\n  %h: fn(f64) -> i32 = same_as fn(f64) -> i32 @f\n  %y: i32 = call_ref %h, 1.0\n  return %y\n"),
    ["graph 'f', block 'start', op 0 (same_as): @f has type fn() -> i32, not fn(f64) -> i32"],
  ],
  [
    "downcast needs ref_cast",
    f("i32", "start(%s: S):\n  %t: T = ref_cast<T> %s\n  %u: T = same_as %s\n  return 0\n"),
    ["graph 'f', block 'start', op 1 (same_as): result %u is declared T, but same_as produces S"],
  ],
  [
    "declarations",
    "struct V { pc: i32 } virtualizable(sp)\ndriver e greens(pc) reds(pc, f) virtualizables(g)\nglobal z: S = S null\nglobal y: i32 = true\n",
    [
      "struct 'V': virtualizable 'sp' names no field of the struct",
      "global 'y': initial value has type bool, expected i32",
      "driver 'e': 'pc' is both green and red",
      "driver 'e': virtualizable 'g' is not one of the reds",
    ],
  ],
  [
    "several problems in one graph are all reported",
    f("i32", "start(%x: i32):\n  %y: i32 = int_add %x, true\n  %z: i32 = float_add %y, 1.0\n  branch %z, a(), a()\na():\n  return 1.5\n"),
    [
      "graph 'f', block 'start', op 0 (int_add): operand 1 (true) is bool, expected i32",
      "graph 'f', block 'start', op 1 (float_add): operand 0 (%y) is i32, expected f64",
      "graph 'f', block 'start', op 1 (float_add): result %z is declared i32, but float_add produces f64",
      "graph 'f', block 'start', exit: branch condition %z is i32, expected bool",
      "graph 'f', block 'a', exit: returns 1.5 of type f64, expected i32",
    ],
  ],
];

describe("the verifier rejects broken graphs", () => {
  test("the declarations alone are valid", () => {
    assert.deepEqual(verifyProgram(parseProgram(DECLS)).map(String), []);
  });
  for (const [what, text, expected] of BROKEN) {
    test(what, () => {
      const p = parseProgram(DECLS + text, `${what}.ll`);
      assert.deepEqual(verifyProgram(p).map(String), expected);
      assert.throws(
        () => assertValid(p),
        (e: unknown) => e instanceof VerifyError && e.issues.length === expected.length && expected.every((m) => e.message.includes(m)),
      );
    });
  }
});

describe("problems only the builder can make", () => {
  test("a variable of another graph, defined twice, a link outside the graph, duplicate labels", () => {
    const p = newProgram();
    const other = new GraphBuilder(p, "other", [{ name: "y", type: I32 }], I32);
    other.ret(other.params[0] as ReturnType<typeof newVar>);
    const g = new GraphBuilder(p, "g", [{ name: "x", type: I32 }], I32);
    const x = g.params[0] as ReturnType<typeof newVar>;
    const v = g.val("int_add", [x, other.params[0] as ReturnType<typeof newVar>], {}, "v");
    g.current.ops.push({ op: "int_add", args: [x, x], result: v, attrs: {} }); // defines %v again
    const b1 = g.block("b");
    const b2 = g.block("b");
    g.branch(boolc(true), link(b1), link(other.graph.blocks[0] as never, [i32c(1)]));
    g.at(b1).ret(v);
    g.at(b2).ret(constant(I32, 300000000000));
    assert.deepEqual(verifyGraph(p, g.graph).map(String), [
      "graph 'g': block label 'b' is used by 2 blocks (labels must be unique)",
      "graph 'g', block 'start', op 1 (int_add): %v is defined twice (first in block 'start' by op 0)",
      "graph 'g', block 'start', op 0 (int_add): uses %y, a variable of graph 'other'",
      "graph 'g', block 'start', exit: jumps to block 'start.1', which is not a block of graph 'g'",
      "graph 'g', block 'b.1', exit: constant 300000000000 is not a valid i32",
    ]);
  });

  test("an issue prints its source location when the op has one", () => {
    const p = parseProgram(`graph f -> i32 {\nstart():\n  %x: i32 = int_add 1, 2.0 ; @ interp.ts:12:5\n  return %x\n}\n`);
    const [issue] = verifyProgram(p);
    assert.ok(issue instanceof VerifyIssue);
    assert.equal(String(issue), "interp.ts:12:5: graph 'f', block 'start', op 0 (int_add): operand 1 (2.0) is f64, expected i32");
    assert.deepEqual([issue.graph, issue.block, issue.op, issue.opName], ["f", "start", 0, "int_add"]);
  });
});
