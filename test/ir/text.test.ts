// Tests of the text form: print → parse → print is the identity for the fixture graphs, for
// programs made with the builder (all kinds of declarations and constants) and for every op.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { constant, declareArray, declareStruct, f64c, GraphBuilder, i32c, i64c, link, type newVar } from "../../src/ir/builder.ts";
import type { Const, Program } from "../../src/ir/graph.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { declareStdHosts } from "../../src/ir/hosts.ts";
import { OTHER_OPS, SCALAR_OPS, type ScalarOpName, scalarInfo } from "../../src/ir/ops.ts";
import { parseProgram, parseType } from "../../src/ir/parse.ts";
import { printF64, printGraph, printProgram, printType } from "../../src/ir/print.ts";
import { BOOL, F64, fnType, I32, I64, NULL_T, ref, U8, VOID } from "../../src/ir/types.ts";
import { verifyProgram } from "../../src/ir/verify.ts";

const GRAPHS = new URL("./graphs/", import.meta.url);

function roundTrip(p: Program, opts: Parameters<typeof printProgram>[1] = {}, parseObjects?: Map<string, unknown>): string {
  const a = printProgram(p, opts);
  const b = printProgram(parseProgram(a, "<round-trip>", parseObjects ? { objects: parseObjects } : {}), opts);
  assert.equal(b, a);
  return a;
}

/** The fixture without its comments and blank lines before the first declaration. */
function stripComments(text: string): string {
  return text
    .split("\n")
    .filter((l) => !l.startsWith(";"))
    .join("\n")
    .replace(/^\n+/, "");
}

describe("fixtures", () => {
  const files = readdirSync(GRAPHS).filter((f) => f.endsWith(".ll"));
  test("there are fixtures", () => assert.ok(files.length >= 3));
  for (const f of files) {
    test(`${f}: parses, verifies, prints back as written and round-trips`, () => {
      const text = readFileSync(new URL(f, GRAPHS), "utf8");
      const p = parseProgram(text, f);
      assert.deepEqual(verifyProgram(p).map(String), []);
      assert.equal(roundTrip(p), stripComments(text));
    });
  }
});

function richProgram(): { p: Program; obj: object } {
  const p = newProgram();
  declareStdHosts(p);
  declareStruct(p, "Base", [{ name: "tag", type: I32, mutable: false }]);
  declareStruct(
    p,
    "Frame",
    [
      { name: "pc", type: I32, mutable: true },
      { name: "stack", type: ref("Stack"), mutable: false },
    ],
    "Base",
  );
  (p.types.get("Frame") as { virtualizable?: string[] }).virtualizable = ["pc", "stack[*]"];
  declareArray(p, "Stack", I32, true);
  declareArray(p, "Code", I32, false);
  declareArray(p, "Bytes", U8, false);
  declareArray(p, "Fns", fnType([I32], I32), true);
  declareStruct(p, "i32", [{ name: "mut", type: F64, mutable: true }]); // names that are keywords get quoted
  p.globals.set("counter", { name: "counter", type: I64, mutable: true, init: i64c(-(2n ** 63n)) });
  p.globals.set("frame0", { name: "frame0", type: ref("Frame"), mutable: false, init: constant(ref("Frame"), null) });
  p.drivers.set("vm", { name: "vm", greens: ["pc", "code"], reds: ["frame"], virtualizables: ["frame"] });
  p.messages.push("division by zero", 'a "quoted" message\nwith a newline');
  p.entries.push("Frame.run");

  const obj = { some: "heap object" };
  const g = new GraphBuilder(
    p,
    "Frame.run",
    [
      { name: "self", type: ref("Frame") },
      { name: "code", type: ref("Code") },
    ],
    F64,
    {
      portal: true,
      unrollSafe: true,
    },
  );
  const [self, code] = g.params as [ReturnType<typeof newVar>, ReturnType<typeof newVar>];
  const consts: Const[] = [
    f64c(-0),
    f64c(Number.NaN),
    f64c(Infinity),
    f64c(-Infinity),
    f64c(5e-324),
    f64c(1.7976931348623157e308),
    f64c(0.1),
    f64c(1e21),
    f64c(123456789012345680000),
    f64c(2),
  ];
  let acc = g.val("float_add", [consts[0] as Const, consts[1] as Const], {}, "x");
  for (const c of consts.slice(2)) acc = g.val("float_add", [acc, c], {}, "x"); // many vars named x: x, x.1, ...
  const weird = g.val("int_add", [i32c(-2147483648), i32c(2147483647)], {}, "a b");
  const dotted = g.val("int_add", [weird, i32c(0)], {}, "x.1"); // collides with a generated name
  g.op("setfield", [self, dotted], { type: "Frame", field: "pc" });
  g.op("jit_merge_point", [dotted, code, self], { callee: "vm" });
  const f = g.val("same_as", [constant(fnType([ref("Frame"), ref("Code")], F64), { fn: "Frame.run" })], {}, "f");
  const o = g.val("same_as", [constant(ref("Code"), { obj })], {}, "o");
  const isNull = g.val("ref_is_null", [o], {}, "n");
  const nul = g.val("same_as", [constant(NULL_T, null)], {}, "nul");
  const typedNull = g.val("same_as", [constant(ref("Code"), null)], {}, "tn");
  const exit = g.block("exit", [{ name: "r", type: F64 }]);
  const other = g.block("exit", [{ name: "r", type: F64 }]); // duplicate label: printed as exit.1
  const loopB = g.block("loop");
  g.branch(isNull, link(exit, [acc]), link(other, [f64c(1.5)]));
  g.at(exit);
  g.op("call_ref", [f, self, typedNull]);
  g.ret(exit.params[0] as ReturnType<typeof newVar>);
  g.at(other).jump(loopB);
  g.at(loopB);
  g.op("call_host", [i32c(1)], { callee: "printInt" });
  g.switch(i32c(3), [{ value: -1, link: link(loopB) }], link(exit, [f64c(0)]));
  void nul;
  const h = new GraphBuilder(p, "raiser", [], VOID, { elidable: true, dontLookInside: true });
  h.raise(i32c(0));
  return { p, obj };
}

describe("programs made with the builder", () => {
  test("round trip with every kind of declaration, constant and name", () => {
    const { p, obj } = richProgram();
    const objects = new Map<unknown, string>();
    const text = roundTrip(p, { objects }, new Map([["obj1", obj]]));
    assert.equal(objects.get(obj), "obj1");
    for (const s of [
      'struct "i32" { "mut": mut f64 }',
      "struct Frame : Base { pc: mut i32, stack: Stack } virtualizable(pc, stack[*])",
      "array Bytes = u8",
      "array Fns = mut fn(i32) -> i32",
      "global counter: mut i64 = -9223372036854775808L",
      "global frame0: Frame = Frame null",
      "driver vm greens(pc, code) reds(frame) virtualizables(frame)",
      'message 1 "a \\"quoted\\" message\\nwith a newline"',
      "entry Frame.run",
      "graph Frame.run -> f64 [unrollSafe, portal] {",
      "%x: f64 = float_add -0.0, nan",
      "%x.2: f64 = float_add %x.1, -inf",
      "%x.4: f64 = float_add %x.3, 1.7976931348623157e+308",
      "%x.7: f64 = float_add %x.6, 123456789012345680000.0",
      "%a_b: i32 = int_add -2147483648, 2147483647",
      "%x.1.1: i32 = int_add %a_b, 0",
      "%f: fn(Frame, Code) -> f64 = same_as @Frame.run",
      "%o: Code = same_as Code #obj1",
      "%nul: null = same_as null",
      "%tn: Code = same_as Code null",
      "branch %n, exit(%x.8), exit.1(1.5)",
      "switch 3, -1: loop(), default: exit(0.0)",
      "graph raiser -> void [elidable, dontLookInside] {",
      "raise 0",
    ])
      assert.ok(text.includes(s), `missing: ${s}\n${text}`);
    // the builder made two blocks labelled 'exit'; the printer told them apart
    assert.deepEqual(verifyProgram(p).map(String), ["graph 'Frame.run': block label 'exit' is used by 2 blocks (labels must be unique)"]);
    assert.deepEqual(verifyProgram(parseProgram(text, "<t>", { objects: new Map([["obj1", obj]]) })).map(String), []);
  });

  test("constants keep their exact values", () => {
    const { p, obj } = richProgram();
    const q = parseProgram(printProgram(p), "<t>", { objects: new Map([["obj1", obj]]) });
    const ops = (g: Program) => (g.graphs.get("Frame.run")?.blocks[0]?.ops ?? []).flatMap((o) => o.args.filter((a) => a.kind === "const"));
    const a = ops(p);
    const b = ops(q);
    assert.equal(b.length, a.length);
    a.forEach((c, i) => {
      const d = b[i] as Const;
      assert.deepEqual(d.type, c.type);
      if (typeof c.value === "number") assert.ok(Object.is(d.value, c.value), `${String(c.value)} became ${String(d.value)}`);
      else assert.deepEqual(d.value, c.value);
    });
    assert.equal(q.globals.get("counter")?.init.value, -(2n ** 63n));
  });

  test("f64 literals always read back as f64", () => {
    for (const x of [0, -0, 1, -1, 0.5, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity, -Infinity]) {
      const s = printF64(x);
      assert.match(s, /[.e]|nan|inf/);
      const p = parseProgram(`graph g -> f64 {\nstart():\n  return ${s}\n}\n`);
      const e = p.graphs.get("g")?.blocks[0]?.exit;
      assert.ok(e?.kind === "return" && e.value?.kind === "const");
      assert.ok(Object.is(e.value.value, x), s);
      assert.deepEqual(e.value.type, F64);
    }
  });

  test("source locations print as comments only when asked, and read back", () => {
    const p = parseProgram(readFileSync(new URL("fact.ll", GRAPHS), "utf8"));
    const g = p.graphs.get("fact");
    assert.ok(g);
    g.loc = { file: "fact.ts", line: 1, col: 1 };
    (g.blocks[2]?.ops[1] as { loc?: unknown }).loc = { file: "C:\\src\\fact.ts", line: 3, col: 14 };
    assert.ok(!printGraph(p, g).includes(";"));
    const text = roundTrip(p, { locs: true });
    assert.ok(text.includes("graph fact -> i32 [elidable] { ; @ fact.ts:1:1"));
    assert.ok(text.includes("%r: i32 = call<fact> %m ; @ C:\\src\\fact.ts:3:14"));
    const q = parseProgram(text);
    assert.deepEqual(q.graphs.get("fact")?.blocks[2]?.ops[1]?.loc, { file: "C:\\src\\fact.ts", line: 3, col: 14 });
  });

  test("types print and parse", () => {
    const p = newProgram();
    declareArray(p, "Code", I32, false);
    for (const t of [VOID, BOOL, I32, I64, F64, NULL_T, ref("Code"), fnType([I32, ref("Code")], fnType([], VOID))]) {
      assert.deepEqual(parseType(printType(t), p), t);
    }
    assert.deepEqual(parseType("ref Code", p), ref("Code"));
  });
});

/** One graph using every op of the catalogue (scalar ops generated from their signatures). */
function everyOpProgram(): string {
  const sample: Record<string, string> = { i32: "7", i64: "7L", f64: "2.5", bool: "true" };
  const scalar = (Object.keys(SCALAR_OPS) as ScalarOpName[]).map((name) => {
    const info = scalarInfo(name);
    return `  %${name}: ${printType(info.result)} = ${name} ${info.params.map((t) => sample[t.kind]).join(", ")}`;
  });
  return `struct Base { tag: i32 }
struct Obj : Base { x: mut i32, next: Obj }
array Arr = mut i32
array Bytes = mut u8

host printInt(i32) -> void

global g: mut i32 = 0

driver d greens(pc) reds(o)

graph other -> i32 {
start(%a: i32):
  return %a
}

graph all -> i32 {
start(%o: Obj, %arr: Arr):
${scalar.join("\n")}
  %same: i32 = same_as 1
  %new0: Obj = new<Obj>
  %new3: Obj = new<Obj> 1, 2, null
  %gf: i32 = getfield<Obj.x> %o
  setfield<Obj.x> %o, 3
  %gb: i32 = getfield<Obj.tag> %o
  %na: Arr = newarray<Arr> 10
  %ni: Arr = newarray_init<Arr> 1, 2, 3
  %gi: i32 = getitem<Arr> %arr, 0
  setitem<Arr> %arr, 0, 5
  %len: i32 = arraylen<Arr> %arr
  arraycopy<Arr> %arr, 0, %na, 1, 2
  %bytes: Bytes = newarray<Bytes> 4
  %byte: i32 = getitem<Bytes> %bytes, 0
  %isnull: bool = ref_is_null %o
  %eq: bool = ref_eq %o, %new0
  %test: bool = ref_test<Obj> %o
  %cast: Obj = ref_cast<Obj> %o
  %call: i32 = call<other> 1
  %cref: i32 = call_ref @other, 2
  call_host<printInt> %call
  %gg: i32 = getglobal<g>
  setglobal<g> %gg
  jit_merge_point<d> 0, %o
  can_enter_jit<d> 0, %o
  %prom: i32 = promote %gi
  assert_green %prom
  %isc: bool = is_constant %prom
  return %len
}
`;
}

describe("every op", () => {
  test("prints, parses and verifies", () => {
    const text = everyOpProgram();
    const p = parseProgram(text, "every-op.ll");
    assert.deepEqual(verifyProgram(p).map(String), []);
    assert.equal(printProgram(p), text);
    const used = new Set(p.graphs.get("all")?.blocks[0]?.ops.map((o) => o.op));
    for (const name of [...Object.keys(SCALAR_OPS), ...OTHER_OPS]) assert.ok(used.has(name as never), `op ${name} not covered`);
  });
});
