// Every way a program can fail on L3 surfaces as an LLError with its kind, a message naming the
// graph, block and op (and source location), and the call stack; guest errors carry exactly the
// guest's message. formatError prints them the way every mode does.

import assert from "node:assert/strict";
import { test } from "node:test";
import { declareArray, declareHost, declareStruct, GraphBuilder, i32c, newVar, nullc } from "../../src/ir/builder.ts";
import type { Program, Value } from "../../src/ir/graph.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { fnType, I32, ref, VOID } from "../../src/ir/types.ts";
import { GuestError } from "../../src/hints/index.ts";
import { formatError, L3 } from "../../src/llinterp/interp.ts";
import { llError } from "./util.ts";

function withArrays(): Program {
  const p = newProgram();
  declareArray(p, "Ints", I32);
  declareStruct(p, "Box", [{ name: "v", type: I32, mutable: true }]);
  return p;
}

test("index out of bounds names graph, block, op and source location", () => {
  const p = withArrays();
  const b = new GraphBuilder(p, "run", [{ name: "i", type: I32 }], I32);
  const loop = b.block("loop", [{ name: "j", type: I32 }]);
  b.jump(loop, [b.params[0] as Value]);
  b.at(loop);
  const arr = b.val("newarray", [i32c(4)], { type: "Ints" });
  const j = loop.params[0] as Value;
  const k = b.val("int_add", [j, i32c(0)]);
  b.val("int_add", [k, i32c(1)]);
  b.loc = { file: "interp.ts", line: 12, col: 5 };
  const v = b.val("getitem", [arr, k], { type: "Ints" });
  b.ret(v);
  const l3 = new L3(p);
  const e = llError(() => l3.call("run", [7]));
  assert.equal(e.kind, "bounds");
  assert.equal(e.message, "index 7 out of bounds for array of length 4 in graph 'run', block 'loop', op 3 (getitem) at interp.ts:12:5");
  assert.equal(e.reason, "index 7 out of bounds for array of length 4");
  assert.deepEqual([e.graph, e.block, e.opIndex, e.op], ["run", "loop", 3, "getitem"]);
  assert.deepEqual(e.loc, { file: "interp.ts", line: 12, col: 5 });
  assert.equal(llError(() => l3.call("run", [-1])).reason, "index -1 out of bounds for array of length 4");
  assert.equal(l3.call("run", [3]), 0);
});

test("setitem out of bounds, negative array length", () => {
  const p = withArrays();
  const b = new GraphBuilder(p, "f", [{ name: "n", type: I32 }], VOID);
  const arr = b.val("newarray", [b.params[0] as Value], { type: "Ints" });
  b.op("setitem", [arr, i32c(2), i32c(1)], { type: "Ints" });
  b.ret();
  const l3 = new L3(p);
  const e1 = llError(() => l3.call("f", [2]));
  assert.equal(e1.message, "index 2 out of bounds for array of length 2 in graph 'f', block 'start', op 1 (setitem)");
  const e2 = llError(() => l3.call("f", [-3]));
  assert.equal(e2.kind, "negative length");
  assert.equal(e2.message, "negative array length -3 in graph 'f', block 'start', op 0 (newarray)");
});

test("null references in field, item, length, copy and call_ref ops", () => {
  const p = withArrays();
  const cases: [string, (b: GraphBuilder) => void, string][] = [
    ["getfield", (b) => b.op("getfield", [nullc()], { type: "Box", field: "v" }), "null reference (reading field 'Box.v')"],
    ["setfield", (b) => b.op("setfield", [nullc(), i32c(1)], { type: "Box", field: "v" }), "null reference (writing field 'Box.v')"],
    ["getitem", (b) => b.op("getitem", [nullc(), i32c(0)], { type: "Ints" }), "null reference (reading an item of 'Ints')"],
    ["setitem", (b) => b.op("setitem", [nullc(), i32c(0), i32c(0)], { type: "Ints" }), "null reference (writing an item of 'Ints')"],
    ["arraylen", (b) => b.op("arraylen", [nullc()], { type: "Ints" }), "null reference (length of 'Ints')"],
    [
      "arraycopy",
      (b) => b.op("arraycopy", [nullc(), i32c(0), nullc(), i32c(0), i32c(0)], { type: "Ints" }),
      "null reference (arraycopy source of 'Ints')",
    ],
    ["call_ref", (b) => b.op("call_ref", [{ kind: "const", type: fnType([], VOID), value: null }]), "null reference (call_ref)"],
  ];
  for (const [op, emit, reason] of cases) {
    const b = new GraphBuilder(p, `null_${op}`, [], VOID);
    emit(b);
    b.ret();
    const e = llError(() => new L3(p).call(`null_${op}`, []));
    assert.equal(e.kind, "null reference", op);
    assert.equal(e.message, `${reason} in graph 'null_${op}', block 'start', op 0 (${op})`);
  }
});

test("arraycopy ranges are checked", () => {
  const p = withArrays();
  const b = new GraphBuilder(
    p,
    "cp",
    [
      { name: "sp", type: I32 },
      { name: "dp", type: I32 },
      { name: "n", type: I32 },
    ],
    VOID,
  );
  const a = b.val("newarray", [i32c(4)], { type: "Ints" });
  const [sp, dp, n] = b.params as [Value, Value, Value];
  b.op("arraycopy", [a, sp, a, dp, n], { type: "Ints" });
  b.ret();
  const l3 = new L3(p);
  assert.equal(llError(() => l3.call("cp", [2, 0, 3])).reason, "arraycopy source range [2, 5) out of bounds for array of length 4");
  assert.equal(llError(() => l3.call("cp", [0, -1, 1])).reason, "arraycopy destination range [-1, 0) out of bounds for array of length 4");
  assert.equal(llError(() => l3.call("cp", [0, 0, -1])).reason, "arraycopy of negative length -1");
  assert.equal(l3.call("cp", [0, 0, 4]), null);
});

test("guest errors: a raised message index reaching the top is the guest's message, through calls", () => {
  const p = newProgram();
  p.messages.push("stack underflow", "division by zero");
  const inner = new GraphBuilder(p, "check", [{ name: "d", type: I32 }], I32);
  const bad = inner.block("bad");
  const ok = inner.block("ok");
  inner.branch(inner.val("int_eq", [inner.params[0] as Value, i32c(0)]), { target: bad, args: [] }, { target: ok, args: [] });
  inner.at(bad).raise(i32c(1));
  inner.at(ok).ret(inner.params[0] as Value);
  const outer = new GraphBuilder(p, "main", [{ name: "d", type: I32 }], I32);
  outer.ret(outer.val("call", [outer.params[0] as Value], { callee: "check" }));
  const l3 = new L3(p);
  assert.equal(l3.call("main", [3]), 3);
  const e = llError(() => l3.call("main", [0]));
  assert.equal(e.kind, "guest");
  assert.equal(e.message, "division by zero");
  assert.equal(e.value, 1);
  assert.deepEqual(
    e.callStack.map((f) => [f.graph, f.block, f.op]),
    [
      ["check", "bad", "raise"],
      ["main", "start", "call"],
    ],
  );
  assert.equal(formatError(e), "error: division by zero");
  assert.equal(formatError(new GuestError("division by zero")), "error: division by zero");
});

test("a raise of any other value is an unhandled raise", () => {
  const p = newProgram();
  p.messages.push("only one");
  const b = new GraphBuilder(p, "f", [{ name: "x", type: I32 }], VOID);
  b.raise(b.params[0] as Value);
  const e = llError(() => new L3(p).call("f", [5]));
  assert.equal(e.kind, "raise");
  assert.equal(e.message, "unhandled raise of 5 in graph 'f', block 'start', exit (raise)");
  assert.equal(e.value, 5);
});

test("unknown graph, host function and global", () => {
  const p = newProgram();
  declareHost(p, "beep", [], VOID);
  // the callee disappears after the graph was built
  new GraphBuilder(p, "helper", [], VOID).ret();
  const g1 = new GraphBuilder(p, "callsMissing", [], VOID);
  g1.op("call", [], { callee: "helper" });
  g1.ret();
  p.graphs.delete("helper");
  const g2 = new GraphBuilder(p, "beeps", [], VOID);
  g2.op("call_host", [], { callee: "beep" });
  g2.ret();
  const g3 = new GraphBuilder(p, "fnMissing", [], VOID);
  g3.op("call_ref", [{ kind: "const", type: fnType([], VOID), value: { fn: "nowhere" } }]);
  g3.ret();
  const g4 = new GraphBuilder(p, "noGlobal", [], VOID);
  g4.current.ops.push({ op: "getglobal", args: [], result: newVar(I32), attrs: { callee: "counter" } });
  g4.ret();
  const g5 = new GraphBuilder(p, "noHost", [], VOID);
  g5.current.ops.push({ op: "call_host", args: [], result: null, attrs: { callee: "nope" } });
  g5.ret();
  const l3 = new L3(p);
  const check = (graph: string, kind: string, message: string) => {
    const e = llError(() => l3.call(graph, []));
    assert.equal(e.kind, kind, graph);
    assert.equal(e.message, message);
  };
  check("callsMissing", "unknown graph", "unknown graph 'helper' in graph 'callsMissing', block 'start', op 0 (call)");
  check("fnMissing", "unknown graph", "unknown graph 'nowhere' in graph 'fnMissing', block 'start', op 0 (call_ref)");
  check("beeps", "unknown host", "no implementation given for host function 'beep' in graph 'beeps', block 'start', op 0 (call_host)");
  check("noHost", "unknown host", "unknown host function 'nope' in graph 'noHost', block 'start', op 0 (call_host)");
  check("noGlobal", "unknown global", "unknown global 'counter' in graph 'noGlobal', block 'start', op 0 (getglobal)");
  const top = llError(() => l3.call("missing", []));
  assert.equal(top.kind, "unknown graph");
  assert.equal(top.message, "unknown graph 'missing'");
  assert.equal(llError(() => l3.call("beeps", [1])).message, "graph 'beeps' takes 0 arguments, got 1");
});

test("a host function that throws", () => {
  const p = newProgram();
  declareHost(p, "boom", [I32], VOID);
  declareHost(p, "guesty", [], VOID);
  const b = new GraphBuilder(p, "f", [], VOID);
  b.op("call_host", [i32c(3)], { callee: "boom" });
  b.ret();
  const g = new GraphBuilder(p, "g", [], VOID);
  g.op("call_host", [], { callee: "guesty" });
  g.ret();
  const hosts = new Map([
    [
      "boom",
      (_h: unknown, a: unknown[]) => {
        throw new Error(`bad ${a[0]}`);
      },
    ],
    [
      "guesty",
      () => {
        throw new GuestError("out of input");
      },
    ],
  ]);
  const l3 = new L3(p, { hosts });
  const e = llError(() => l3.call("f", []));
  assert.equal(e.kind, "host");
  assert.equal(e.message, "host function 'boom' failed: bad 3 in graph 'f', block 'start', op 0 (call_host)");
  const e2 = llError(() => l3.call("g", []));
  assert.equal(e2.kind, "guest");
  assert.equal(e2.message, "out of input");
});

function spinner(p: Program): void {
  const b = new GraphBuilder(p, "spin", [], VOID);
  const loop = b.block("loop", [{ name: "i", type: I32 }]);
  b.jump(loop, [i32c(0)]);
  b.at(loop);
  const i = b.val("int_add", [loop.params[0] as Value, i32c(1)]);
  b.jump(loop, [i]);
}

test("step limit", () => {
  const p = newProgram();
  spinner(p);
  const l3 = new L3(p, { maxSteps: 1000 });
  const e = llError(() => l3.call("spin", []));
  assert.equal(e.kind, "step limit");
  assert.equal(e.message, "step limit of 1000 exceeded in graph 'spin', block 'loop', op 0 (int_add)");
  assert.ok(l3.steps > 1000);
});

test("unbounded recursion is a stack overflow at maxDepth, not a JS RangeError", () => {
  const p = newProgram();
  const b = new GraphBuilder(p, "down", [{ name: "n", type: I32 }], I32);
  const r = b.val("call", [b.val("int_add", [b.params[0] as Value, i32c(1)])], { callee: "down" });
  b.ret(r);
  const e = llError(() => new L3(p, { maxDepth: 500 }).call("down", [0]));
  assert.equal(e.kind, "stack overflow");
  assert.equal(e.message, "stack overflow (more than 500 nested calls) in graph 'down', block 'start', op 1 (call)");
  assert.equal(e.callStack.length, 501);
  const text = formatError(e);
  assert.ok(text.startsWith(`${e.message}\n  called from graph 'down', block 'start', op 1 (call)\n`.replace(/^/, "error: ")));
  assert.ok(text.endsWith("\n  ... 480 more frames"));
  assert.equal(llError(() => new L3(p).call("down", [0])).kind, "stack overflow");
});

test("malformed graphs: undefined variable, wrong link arity, missing exit", () => {
  const p = newProgram();
  const b = new GraphBuilder(p, "undef", [], I32);
  const ghost = newVar(I32, "ghost");
  b.ret(b.val("int_add", [ghost, i32c(1)]));
  const c = new GraphBuilder(p, "arity", [], VOID);
  const t = c.block("t", [{ name: "x", type: I32 }]);
  c.jump(t, []);
  c.at(t).ret();
  new GraphBuilder(p, "open", [], VOID);
  const l3 = new L3(p);
  const e1 = llError(() => l3.call("undef", []));
  assert.equal(e1.kind, "malformed");
  assert.match(
    e1.message,
    /^variable 'ghost' \(id \d+\) is used but defined nowhere in graph 'undef' in graph 'undef', block 'start', op 0 \(int_add\)$/,
  );
  const e2 = llError(() => l3.call("arity", []));
  assert.equal(e2.message, "link to block 't' passes 0 arguments for 1 parameters in graph 'arity', block 'start', exit (jump)");
  assert.equal(llError(() => l3.call("open", [])).message, "block 'start' has no exit in graph 'open', block 'start', exit (none)");
});

test("formatError of other errors", () => {
  assert.match(formatError(new TypeError("x is undefined")), /^internal error: TypeError: x is undefined/);
  assert.equal(formatError("boom"), "error: boom");
  const p = newProgram();
  declareStruct(p, "S", [{ name: "a", type: ref("S"), mutable: true }]);
  const b = new GraphBuilder(p, "f", [], VOID);
  b.op("getfield", [nullc()], { type: "S", field: "a" });
  b.ret();
  const g = new GraphBuilder(p, "g", [], VOID);
  g.op("call", [], { callee: "f" });
  g.ret();
  assert.equal(
    formatError(llError(() => new L3(p).call("g", []))),
    "error: null reference (reading field 'S.a') in graph 'f', block 'start', op 0 (getfield)\n  called from graph 'g', block 'start', op 0 (call)",
  );
});
