// Control flow and calls on L3: loops with parallel link moves, switch exits, direct and recursive
// calls, call_ref, globals, JIT hint ops as no-ops, resuming at a block, and host I/O captured with
// MemoryIO exactly as an untranslated run would print it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { boolc, constant, declareArray, declareStruct, f64c, GraphBuilder, i32c, link } from "../../src/ir/builder.ts";
import type { Program, Value } from "../../src/ir/graph.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { BYTES_ARRAY, declareStdHosts } from "../../src/ir/hosts.ts";
import { BOOL, F64, fnType, I32, ref, VOID } from "../../src/ir/types.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";

/** fib(n) by a loop whose link swaps two block parameters: loop(i, a, b) -> loop(i - 1, b, a + b). */
function fibLoop(p: Program): void {
  const b = new GraphBuilder(p, "fib", [{ name: "n", type: I32 }], I32);
  const loop = b.block("loop", [
    { name: "i", type: I32 },
    { name: "a", type: I32 },
    { name: "b", type: I32 },
  ]);
  const done = b.block("done", [{ name: "r", type: I32 }]);
  b.jump(loop, [b.params[0] as Value, i32c(0), i32c(1)]);
  b.at(loop);
  const [i, x, y] = loop.params as [Value, Value, Value];
  const more = b.val("int_gt", [i, i32c(0)]);
  const body = b.block("body");
  b.branch(more, link(body), link(done, [x]));
  b.at(body);
  b.jump(loop, [b.val("int_sub", [i, i32c(1)]), y, b.val("int_add", [x, y])]);
  b.at(done).ret(done.params[0] as Value);
}

test("loops: block parameters are bound from all link arguments at once", () => {
  const p = newProgram();
  fibLoop(p);
  const l3 = new L3(p);
  assert.deepEqual(
    [0, 1, 2, 10, 20].map((n) => l3.call("fib", [n])),
    [0, 1, 1, 55, 6765],
  );
  // a pure swap: loop(k, a, b) -> loop(k - 1, b, a)
  const b = new GraphBuilder(p, "swap", [{ name: "k", type: I32 }], I32);
  const loop = b.block("loop", [
    { name: "k", type: I32 },
    { name: "a", type: I32 },
    { name: "b", type: I32 },
  ]);
  b.jump(loop, [b.params[0] as Value, i32c(1), i32c(2)]);
  b.at(loop);
  const [k, x, y] = loop.params as [Value, Value, Value];
  const body = b.block("body");
  const out = b.block("out");
  b.branch(b.val("int_gt", [k, i32c(0)]), link(body), link(out));
  b.at(body).jump(loop, [b.val("int_sub", [k, i32c(1)]), y, x]);
  b.at(out).ret(b.val("int_add", [b.val("int_mul", [x, i32c(10)]), y]));
  assert.equal(l3.call("swap", [0]), 12);
  assert.equal(l3.call("swap", [1]), 21);
  assert.equal(l3.call("swap", [5]), 21);
});

test("switch exits: dense and sparse cases, default", () => {
  const p = newProgram();
  for (const [name, values] of [
    ["dense", [0, 1, 2, 3]],
    ["sparse", [-1000000, 7, 1 << 30]],
  ] as const) {
    const b = new GraphBuilder(p, name, [{ name: "x", type: I32 }], I32);
    const res = b.block("res", [{ name: "r", type: I32 }]);
    const cases = values.map((v, k) => ({ value: v, link: link(res, [i32c(k + 100)]) }));
    b.switch(b.params[0] as Value, cases, link(res, [i32c(-1)]));
    b.at(res).ret(res.params[0] as Value);
  }
  const l3 = new L3(p);
  assert.deepEqual(
    [0, 1, 2, 3, 4, -1].map((x) => l3.call("dense", [x])),
    [100, 101, 102, 103, -1, -1],
  );
  assert.deepEqual(
    [-1000000, 7, 1 << 30, 8, 0].map((x) => l3.call("sparse", [x])),
    [100, 101, 102, -1, -1],
  );
});

test("recursive calls, deep recursion without the JS stack", () => {
  const p = newProgram();
  const b = new GraphBuilder(p, "fact", [{ name: "n", type: I32 }], I32);
  const base = b.block("base");
  const rec = b.block("rec");
  const n = b.params[0] as Value;
  b.branch(b.val("int_le", [n, i32c(1)]), link(base), link(rec));
  b.at(base).ret(i32c(1));
  b.at(rec);
  const sub = b.val("call", [b.val("int_sub", [n, i32c(1)])], { callee: "fact" });
  b.ret(b.val("int_mul", [n, sub]));
  // depth(n) = n == 0 ? 0 : depth(n - 1) + 1
  const d = new GraphBuilder(p, "depth", [{ name: "n", type: I32 }], I32);
  const z = d.block("z");
  const s = d.block("s");
  d.branch(d.val("int_eq", [d.params[0] as Value, i32c(0)]), link(z), link(s));
  d.at(z).ret(i32c(0));
  d.at(s).ret(d.val("int_add", [d.val("call", [d.val("int_sub", [d.params[0] as Value, i32c(1)])], { callee: "depth" }), i32c(1)]));
  const l3 = new L3(p);
  assert.equal(l3.call("fact", [10]), 3628800);
  assert.equal(l3.call("fact", [13]), Math.imul(479001600, 13));
  assert.equal(l3.call("depth", [50000]), 50000);
});

test("call_ref through function values in constants, fields and globals", () => {
  const p = newProgram();
  const binop = fnType([I32, I32], I32);
  declareStruct(p, "Op", [{ name: "apply", type: binop, mutable: false }]);
  for (const [name, op] of [
    ["add", "int_add"],
    ["mul", "int_mul"],
  ] as const) {
    const g = new GraphBuilder(
      p,
      name,
      [
        { name: "a", type: I32 },
        { name: "b", type: I32 },
      ],
      I32,
    );
    g.ret(g.val(op, g.params as Value[]));
  }
  p.globals.set("current", { name: "current", type: binop, mutable: true, init: constant(binop, { fn: "add" }) });
  const b = new GraphBuilder(p, "main", [], I32);
  const viaConst = b.val("call_ref", [constant(binop, { fn: "mul" }), i32c(6), i32c(7)]);
  const op = b.val("new", [constant(binop, { fn: "mul" })], { type: "Op" });
  const f = b.val("getfield", [op], { type: "Op", field: "apply" });
  const viaField = b.val("call_ref", [f, viaConst, i32c(2)]);
  const g0 = b.val("getglobal", [], { callee: "current" });
  const viaGlobal = b.val("call_ref", [g0, viaField, i32c(16)]);
  b.op("setglobal", [f], { callee: "current" });
  const same = b.val("ref_eq", [b.val("getglobal", [], { callee: "current" }), constant(binop, { fn: "mul" })]);
  const differ = b.val("ref_eq", [g0, f]);
  const r = b.val("int_add", [b.val("int_mul", [viaGlobal, i32c(100)]), b.val("cast_bool_to_int", [same])]);
  b.ret(b.val("int_add", [b.val("int_mul", [r, i32c(10)]), b.val("cast_bool_to_int", [differ])]));
  const l3 = new L3(p);
  assert.equal(l3.call("main", []), (84 + 16) * 1000 + 10);
  assert.deepEqual(l3.getGlobal("current"), { fn: "mul" });
  assert.equal(l3.getGlobal("current"), l3.fnRef("mul"));
});

test("globals start from their declared initial values", () => {
  const p = newProgram();
  p.globals.set("count", { name: "count", type: I32, mutable: true, init: i32c(5) });
  p.globals.set("scale", { name: "scale", type: F64, mutable: false, init: f64c(1.5) });
  p.globals.set("flag", { name: "flag", type: BOOL, mutable: true, init: boolc(true) });
  const b = new GraphBuilder(p, "tick", [], I32);
  const c = b.val("int_add", [b.val("getglobal", [], { callee: "count" }), i32c(1)]);
  b.op("setglobal", [c], { callee: "count" });
  b.ret(c);
  const l3 = new L3(p);
  assert.equal(l3.call("tick", []), 6);
  assert.equal(l3.call("tick", []), 7);
  assert.equal(l3.getGlobal("scale"), 1.5);
  assert.equal(l3.getGlobal("flag"), true);
  l3.setGlobal("count", 100);
  assert.equal(l3.call("tick", []), 101);
  assert.equal(new L3(p).call("tick", []), 6);
});

test("JIT hint ops are no-ops on L3", () => {
  const p = newProgram();
  p.drivers.set("jd", { name: "jd", greens: ["pc"], reds: ["acc"] });
  const b = new GraphBuilder(p, "h", [{ name: "x", type: I32 }], I32);
  const x = b.params[0] as Value;
  b.op("jit_merge_point", [i32c(0), x], { callee: "jd" });
  b.op("can_enter_jit", [i32c(0), x], { callee: "jd" });
  const y = b.val("promote", [x]);
  b.op("assert_green", [y]);
  const c = b.val("is_constant", [i32c(3)]);
  const z = b.val("same_as", [y]);
  b.ret(b.val("int_add", [z, b.val("cast_bool_to_int", [c])]));
  assert.equal(new L3(p).call("h", [41]), 41);
});

test("callFrom resumes a graph at a block with its parameters", () => {
  const p = newProgram();
  fibLoop(p);
  const l3 = new L3(p);
  // loop(3, 5, 8) -> (2, 8, 13) -> (1, 13, 21) -> (0, 21, 34): returns a
  assert.equal(l3.callFrom("fib", "loop", [3, 5, 8]), 21);
  assert.equal(l3.callFrom("fib", "done", [9]), 9);
  assert.throws(() => l3.callFrom("fib", "nowhere", []), /graph 'fib' has no block 'nowhere'/);
  assert.throws(() => l3.callFrom("fib", "loop", [1]), /block 'loop' of graph 'fib' takes 3 arguments, got 1/);
});

test("invalidate picks up graphs changed after they ran", () => {
  const p = newProgram();
  const mk = (k: number) => {
    const b = new GraphBuilder(p, "k", [], I32);
    b.ret(i32c(k));
  };
  mk(1);
  const c = new GraphBuilder(p, "callk", [], I32);
  c.ret(c.val("call", [], { callee: "k" }));
  const l3 = new L3(p);
  assert.equal(l3.call("callk", []), 1);
  mk(2);
  l3.invalidate();
  assert.equal(l3.call("callk", []), 2);
});

test("host functions print to the same HostIO as untranslated code", () => {
  const p = newProgram();
  declareStdHosts(p);
  const b = new GraphBuilder(p, "io", [{ name: "msg", type: ref(BYTES_ARRAY) }], I32);
  b.op("call_host", [i32c(-42)], { callee: "printInt" });
  b.op("call_host", [f64c(0.5)], { callee: "printFloat" });
  b.op("call_host", [i32c(65 + 256)], { callee: "printChar" });
  b.op("call_host", [b.params[0] as Value, i32c(1), i32c(4)], { callee: "printBytes" });
  const r1 = b.val("call_host", [], { callee: "readByte" });
  const r2 = b.val("call_host", [], { callee: "readByte" });
  b.op("call_host", [b.val("call_host", [], { callee: "readByte" })], { callee: "printInt" });
  const t = b.val("call_host", [], { callee: "timeMs" });
  b.op("call_host", [b.val("cast_bool_to_int", [b.val("float_ge", [t, f64c(0)])])], { callee: "printInt" });
  b.ret(b.val("int_add", [b.val("int_mul", [r1, i32c(1000)]), r2]));
  const io = new MemoryIO("xy");
  const l3 = new L3(p);
  const r = withHostIO(io, () => l3.callJS("io", [new TextEncoder().encode("<abc>")]));
  assert.equal(r, 120 * 1000 + 121);
  assert.equal(io.text(), "-42\n0.5\nAabc-1\n1\n");
});

test("printBytes reads the bytes through any heap", () => {
  const p = newProgram();
  declareStdHosts(p);
  declareArray(p, "Other", I32);
  const b = new GraphBuilder(p, "hello", [], VOID);
  const bytes = b.val("newarray_init", [72, 105, 33].map(i32c), { type: BYTES_ARRAY });
  b.op("call_host", [bytes, i32c(0), i32c(3)], { callee: "printBytes" });
  b.ret();
  const inner = new JSHeap(p);
  // a heap that is not a JSHeap and keeps bytes in plain arrays
  const plain = {
    newStruct: inner.newStruct.bind(inner),
    newArray: (_d: unknown, n: number) => new Array(n).fill(0),
    getField: inner.getField.bind(inner),
    setField: inner.setField.bind(inner),
    getItem: (a: object, _n: string, i: number) => (a as number[])[i] as number,
    setItem: (a: object, _n: string, i: number, v: unknown) => {
      (a as unknown[])[i] = v;
    },
    length: (a: object) => (a as unknown[]).length,
    typeName: () => BYTES_ARRAY,
  };
  const io = new MemoryIO();
  withHostIO(io, () => new L3(p, { heap: plain }).call("hello", []));
  withHostIO(io, () => new L3(p).call("hello", []));
  assert.equal(io.text(), "Hi!Hi!");
});

test("a guest loop of a million ops runs to completion", () => {
  // sum(n) = 0 + 1 + ... + (n - 1), wrapping; 5 ops per iteration
  const p = newProgram();
  const b = new GraphBuilder(p, "sum", [{ name: "n", type: I32 }], I32);
  const loop = b.block("loop", [
    { name: "i", type: I32 },
    { name: "s", type: I32 },
  ]);
  const body = b.block("body");
  const done = b.block("done");
  b.jump(loop, [i32c(0), i32c(0)]);
  b.at(loop);
  const [i, s] = loop.params as [Value, Value];
  b.branch(b.val("int_lt", [i, b.params[0] as Value]), link(body), link(done));
  b.at(body);
  const s2 = b.val("int_add", [s, b.val("int_and", [i, i32c(0xffff)])]);
  b.jump(loop, [b.val("int_add", [i, i32c(1)]), b.val("int_xor", [s2, i32c(0)])]);
  b.at(done).ret(s);
  const l3 = new L3(p);
  let expected = 0;
  for (let k = 0; k < 200000; k++) expected = (expected + (k & 0xffff)) | 0;
  assert.equal(l3.call("sum", [200000]), expected);
  assert.ok(l3.steps >= 1000000);
});
