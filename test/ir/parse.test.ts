// Tests of the text form's parser errors: each broken input is rejected with `file:line:col: message`
// pointing at the offending token; plus forward references, which are not errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ParseError, parseProgram } from "../../src/ir/parse.ts";
import { verifyProgram } from "../../src/ir/verify.ts";

/** [input, line, col, message] */
const BROKEN: [string, number, number, string][] = [
  ["graph f -> i32 {\nstart():\n  return 1\n", 4, 1, "end of input inside graph 'f' (missing '}')"],
  [
    "graph f -> i32 {\nstart():\n  %x: i32 = int_add 1, 2\n}\n",
    4,
    1,
    "block 'start' has no exit (end it with jump, branch, switch, return or raise)",
  ],
  ["graph f -> i32 {\nstart():\n  %x: i32 = int_frob 1, 2\n  return %x\n}\n", 3, 13, "unknown op 'int_frob'"],
  ["graph f -> i32 {\nstart():\n  return %y\n}\n", 3, 11, "unknown variable %y in graph 'f'"],
  ["graph f -> i32 {\nstart():\n  jump nowhere()\n}\n", 3, 8, "unknown block 'nowhere' in graph 'f'"],
  ["graph f -> i32 {\nstart(%a: i32, %a: i32):\n  return %a\n}\n", 2, 17, "variable %a is defined twice in graph 'f' (first at line 2)"],
  ["graph f -> Foo {\nstart():\n  return null\n}\n", 1, 12, "unknown type 'Foo'"],
  [
    "graph f -> i32 {\nstart():\n  return 3000000000\n}\n",
    3,
    10,
    "integer 3000000000 does not fit in i32 (write 3000000000L for an i64, 3000000000.0 for an f64)",
  ],
  ["graph f -> i32 {\nstart():\n  return 1 2\n}\n", 3, 12, "unexpected '2' after the exit (one op or exit per line)"],
  [
    "graph f -> i32 {\nstart():\n  return 1\n  %y: i32 = int_add 1, 2\n}\n",
    4,
    3,
    "expected a block `label(params):` or '}' after the exit of block 'start', found '%'",
  ],
  ["graph f -> i32 {\n}\n", 1, 16, "graph 'f' has no blocks (the first block's params are the graph's params)"],
  ["struct S { a: i32, a: i32 }\n", 1, 20, "field 'a' is declared twice in struct 'S'"],
  ["struct S { a: i32 }\nstruct S { b: i32 }\n", 2, 8, "type 'S' is declared twice (first at line 1)"],
  ['message 1 "x"\n', 1, 9, "message numbers must count up from 0 without gaps: expected 0, found 1"],
  ["entry nope\n", 1, 7, "entry 'nope' is not a graph of the program"],
  ["graph f -> i32 {\nstart():\n  %x: i32 = int_add<S> 1, 2\n  return %x\n}\n", 3, 20, "op int_add takes no static argument <...>"],
  [
    "graph f -> i32 {\nstart():\n  %x = int_add 1, 2\n  return %x\n}\n",
    3,
    6,
    "expected ':' after %x (a definition gives its type: %x: i32), found '='",
  ],
  [
    "graph f -> i32 {\nstart():\n  %x: i32 = same_as @g\n  return %x\n}\n",
    3,
    21,
    "unknown graph 'g' in @g (to refer to a graph declared elsewhere, give its type: fn(...) -> T @name)",
  ],
  [
    "array Code = i32\ngraph f -> i32 {\nstart():\n  %x: Code = same_as Code #k\n  return 0\n}\n",
    4,
    28,
    "unknown object #k (objects are passed to the parser in opts.objects)",
  ],
  [
    "graph f -> i32 [fast] {\nstart():\n  return 0\n}\n",
    1,
    17,
    "unknown graph flag 'fast' (flags: elidable, dontLookInside, unrollSafe, portal)",
  ],
  [
    "graph f -> i32 {\nstart():\n  switch 1, 0: a(), b()\na():\n  return 0\n}\n",
    3,
    21,
    "expected a case value (an i32) or default, found 'b'",
  ],
  ["frobnicate\n", 1, 1, "expected a declaration (struct, array, host, global, driver, message, entry, graph), found 'frobnicate'"],
  ['graph f -> i32 {\nstart():\n  return "abc\n}\n', 3, 10, "unterminated string"],
  ["graph f -> i32 {\nstart():\n  return 1 ? 2\n}\n", 3, 12, "unexpected character '?'"],
  ["global g: mut u8 = 0\n", 1, 15, "'u8' is not allowed here (u8 is for array items, mut for fields, array items and globals)"],
  [
    "struct S { a: i32 }\ngraph f -> i32 {\nstart(%y: S):\n  %x: i32 = getfield<S> %y\n  return 0\n}\n",
    4,
    22,
    "getfield needs <Struct.field>, found <S>",
  ],
  [
    "graph f -> i32 {\nstart():\n  branch true, a(), b()\na():\n  return 0\nb():\n  return 1\na():\n  return 2\n}\n",
    8,
    1,
    "block 'a' is defined twice in graph 'f'",
  ],
  [
    "graph f -> i32 {\nstart():\n  return 1\n}\ngraph f -> i32 {\nstart():\n  return 2\n}\n",
    5,
    7,
    "graph 'f' is declared twice (first at line 1)",
  ],
];

describe("parse errors", () => {
  for (const [text, line, col, message] of BROKEN) {
    test(message, () => {
      assert.throws(
        () => parseProgram(text, "t.ll"),
        (e: unknown) => {
          assert.ok(e instanceof ParseError, String(e));
          assert.equal(e.message, `t.ll:${line}:${col}: ${message}`);
          assert.deepEqual([e.file, e.line, e.col, e.reason], ["t.ll", line, col, message]);
          return true;
        },
      );
    });
  }
  test("the default file name is <input>", () => {
    assert.throws(() => parseProgram("oops"), /^ParseError: <input>:1:1: /);
  });
});

describe("forward references and conveniences", () => {
  test("types, graphs, blocks and variables may be used before their declaration", () => {
    const p = parseProgram(`graph main -> i32 {
start():
  %f: Frame = new<Frame> 5
  jump next(%f)
later():
  return %v
next(%g: Frame):
  %v: i32 = call<get> %g
  %h: fn(Frame) -> i32 = same_as @get
  jump later()
}

graph get -> i32 {
start(%f: Frame):
  %x: i32 = getfield<Frame.x> %f
  return %x
}

struct Frame { x: mut i32 }
entry main
`);
    assert.deepEqual(verifyProgram(p).map(String), []);
    assert.deepEqual(p.entries, ["main"]);
  });

  test("`ref T` is a synonym of `T`; link arguments may be left out; i64 and typed constants", () => {
    const p = parseProgram(`array Code = i32
graph f -> i64 {
start(%c: ref Code):
  jump b
b():
  %x: i64 = llong_add i64 1, -5L
  return %x
}
`);
    assert.deepEqual(verifyProgram(p).map(String), []);
    const ops = p.graphs.get("f")?.blocks[1]?.ops[0];
    assert.deepEqual(
      ops?.args.map((a) => (a.kind === "const" ? a.value : null)),
      [1n, -5n],
    );
  });

  test("parsing into an existing program", () => {
    const base = parseProgram("array Code = i32\n");
    const p = parseProgram("graph len -> i32 {\nstart(%c: Code):\n  %n: i32 = arraylen<Code> %c\n  return %n\n}\n", "more.ll", {
      into: base,
    });
    assert.equal(p, base);
    assert.deepEqual(verifyProgram(p).map(String), []);
    assert.throws(
      () => parseProgram("array Code = i32\n", "again.ll", { into: base }),
      /again.ll:1:7: type 'Code' already exists in the program/,
    );
  });
});
