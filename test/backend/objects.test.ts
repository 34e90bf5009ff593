// Objects, arrays, globals, function references and host calls in translated code, compared with
// L3: a struct hierarchy with ref_test/ref_cast, u8/f64/i64/bool/reference arrays, arraycopy,
// globals of every type, call_ref through fields, globals and constants, host output captured with
// MemoryIO; typed arrays marshalled in and copied back; L3 running on the translated heap
// (WasmHeap); the hidden JIT slot; and every LL op appears in some compiled test program here.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { OTHER_OPS } from "../../src/ir/ops.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { HIDDEN_SLOT, compileProgram, instantiateProgramSync } from "../../src/backend/wasm/index.ts";
import { agree, load, outcome, translate } from "./util.ts";

const PROGRAM = `
struct Shape { kind: i32, area: mut f64 }
struct Rect : Shape { w: f64, h: f64 }
struct Square : Rect { side: f64 }
struct Circle : Shape { r: f64, scale: mut fn(f64) -> f64 }
array Shapes = mut Shape
array Uint8Array = mut u8
array F = mut f64
array L = mut i64
array Bools = mut bool
array Int32Array = mut i32
array Code = i32
host printInt(i32) -> void
host printChar(i32) -> void
host printFloat(f64) -> void
host printBytes(Uint8Array, i32, i32) -> void
global counter: mut i32 = 0
global hook: mut fn(i32) -> i32 = null
global big: mut i64 = 5L
global ratio: f64 = 2.5
global flag: mut bool = false
global last: mut Shape = null
global dflt: mut fn(i32) -> i32 = @double
driver d greens(pc, code) reds(acc)

graph make -> Shape {
start(%k: i32):
  %c: bool = int_eq %k, 0
  branch %c, rect(), other(%k)
rect():
  %r: Rect = new<Rect> 1, 0.0, 2.0, 3.0
  return %r
other(%k1: i32):
  %c1: bool = int_eq %k1, 1
  branch %c1, square(), circle(%k1)
square():
  %s: Square = new<Square> 2, 0.0, 4.0, 4.0, 4.0
  return %s
circle(%k2: i32):
  %f: f64 = cast_int_to_float %k2
  %ci: Circle = new<Circle> 3, 0.0, %f, @half
  return %ci
}

graph half -> f64 {
start(%x: f64):
  %y: f64 = float_mul %x, 0.5
  return %y
}

graph classify -> i32 {
start(%k: i32):
  %s: Shape = call<make> %k
  %isq: bool = ref_test<Square> %s
  branch %isq, sq(%s), notsq(%s)
sq(%s1: Shape):
  %q: Square = ref_cast<Square> %s1
  %side: f64 = getfield<Square.side> %q
  %w: f64 = getfield<Rect.w> %q
  %t: f64 = float_add %side, %w
  %ti: i32 = cast_float_to_int %t
  %r100: i32 = int_add %ti, 100
  return %r100
notsq(%s2: Shape):
  %isr: bool = ref_test<Rect> %s2
  branch %isr, rc(%s2), ci(%s2)
rc(%s3: Shape):
  %r: Rect = ref_cast<Rect> %s3
  %h: f64 = getfield<Rect.h> %r
  %hi: i32 = cast_float_to_int %h
  return %hi
ci(%s4: Shape):
  %isc: bool = ref_test<Circle> %s4
  %c: Circle = ref_cast<Circle> %s4
  %sc: fn(f64) -> f64 = getfield<Circle.scale> %c
  %rad: f64 = getfield<Circle.r> %c
  %v: f64 = call_ref %sc, %rad
  setfield<Shape.area> %c, %v
  %a: f64 = getfield<Shape.area> %c
  %ai: i32 = cast_float_to_int %a
  %kind: i32 = getfield<Shape.kind> %c
  %x: i32 = int_mul %kind, 1000
  %y: i32 = int_add %x, %ai
  %bi: i32 = cast_bool_to_int %isc
  %z: i32 = int_add %y, %bi
  return %z
}

graph total -> f64 {
start(%n: i32):
  %arr: Shapes = newarray<Shapes> %n
  jump fill(0, %arr)
fill(%i: i32, %a: Shapes):
  %d: bool = int_ge %i, %n
  branch %d, sum(0, 0.0, %a), fill1(%i, %a)
fill1(%i1: i32, %a1: Shapes):
  %k: i32 = int_mod %i1, 3
  %s: Shape = call<make> %k
  %fi: f64 = cast_int_to_float %i1
  setfield<Shape.area> %s, %fi
  setitem<Shapes> %a1, %i1, %s
  setglobal<last> %s
  %i2: i32 = int_add %i1, 1
  jump fill(%i2, %a1)
sum(%j: i32, %acc: f64, %a2: Shapes):
  %len: i32 = arraylen<Shapes> %a2
  %e: bool = int_ge %j, %len
  branch %e, out(%acc), sum1(%j, %acc, %a2)
sum1(%j1: i32, %acc1: f64, %a3: Shapes):
  %s1: Shape = getitem<Shapes> %a3, %j1
  %ar: f64 = getfield<Shape.area> %s1
  %acc2: f64 = float_add %acc1, %ar
  %j2: i32 = int_add %j1, 1
  jump sum(%j2, %acc2, %a3)
out(%res: f64):
  return %res
}

graph bytes -> i32 {
start(%n: i32):
  %b: Uint8Array = newarray<Uint8Array> %n
  jump loop(0)
loop(%i: i32):
  %d: bool = int_ge %i, %n
  branch %d, done(0, 0), body(%i)
body(%i1: i32):
  %v: i32 = int_mul %i1, 37
  %c: i32 = int_add %v, 65
  setitem<Uint8Array> %b, %i1, %c
  %i2: i32 = int_add %i1, 1
  jump loop(%i2)
done(%j: i32, %s: i32):
  %len: i32 = arraylen<Uint8Array> %b
  %e: bool = int_ge %j, %len
  branch %e, fin(%s), more(%j, %s)
more(%j1: i32, %s1: i32):
  %x: i32 = getitem<Uint8Array> %b, %j1
  %s2: i32 = int_add %s1, %x
  %j2: i32 = int_add %j1, 1
  jump done(%j2, %s2)
fin(%s3: i32):
  call_host<printBytes> %b, 0, %n
  call_host<printChar> 10
  call_host<printInt> %s3
  %init: Uint8Array = newarray_init<Uint8Array> 72, 105, 266
  call_host<printBytes> %init, 0, 3
  call_host<printFloat> 0.1
  arraycopy<Uint8Array> %b, 0, %b, 1, 3
  arraycopy<Uint8Array> %b, 2, %b, 0, 3
  call_host<printBytes> %b, 0, %n
  return %s3
}

graph globals -> i32 {
start(%x: i32):
  %c: i32 = getglobal<counter>
  %c1: i32 = int_add %c, %x
  setglobal<counter> %c1
  %g: i64 = getglobal<big>
  %g1: i64 = llong_mul %g, 3L
  setglobal<big> %g1
  %f: bool = getglobal<flag>
  %nf: bool = bool_not %f
  setglobal<flag> %nf
  %r: f64 = getglobal<ratio>
  %ri: i32 = cast_float_to_int %r
  %h: fn(i32) -> i32 = getglobal<hook>
  %hn: bool = ref_is_null %h
  branch %hn, nohook(%c1, %ri), withhook(%h, %c1, %ri)
nohook(%v: i32, %ri1: i32):
  %dd: fn(i32) -> i32 = getglobal<dflt>
  %w: i32 = call_ref %dd, %v
  %w1: i32 = int_add %w, %ri1
  return %w1
withhook(%h1: fn(i32) -> i32, %v1: i32, %ri2: i32):
  %w2: i32 = call_ref %h1, %v1
  return %w2
}

graph double -> i32 {
start(%x: i32):
  %y: i32 = int_add %x, %x
  return %y
}
graph square -> i32 {
start(%x: i32):
  %y: i32 = int_mul %x, %x
  return %y
}
graph sethook -> void {
start(%k: i32):
  %c: bool = int_eq %k, 0
  branch %c, a(), b()
a():
  setglobal<hook> @square
  return
b():
  setglobal<hook> fn(i32) -> i32 null
  return
}

graph misc -> i64 {
start(%b: bool, %n: i64):
  %arr: Bools = newarray_init<Bools> %b, true, false
  %x: bool = getitem<Bools> %arr, 0
  %arr2: Bools = same_as %arr
  %eq: bool = ref_eq %arr, %arr2
  %other: Bools = newarray<Bools> 1
  %ne: bool = ref_eq %arr, %other
  %nul: bool = ref_is_null %other
  %nn: bool = ref_eq %other, null
  %p: i64 = promote %n
  assert_green %p
  %ic: bool = is_constant %p
  %l: L = newarray<L> 2
  setitem<L> %l, 1, %p
  %y: i64 = getitem<L> %l, 1
  %t0: i64 = cast_int_to_llong 1
  %t1: i64 = llong_add %y, %t0
  %xb: i32 = cast_bool_to_int %x
  %eqb: i32 = cast_bool_to_int %eq
  %neb: i32 = cast_bool_to_int %ne
  %nulb: i32 = cast_bool_to_int %nul
  %icb: i32 = cast_bool_to_int %ic
  %nnb: i32 = cast_bool_to_int %nn
  %s1: i32 = int_mul %xb, 100000
  %s2: i32 = int_mul %eqb, 10000
  %s3: i32 = int_mul %neb, 1000
  %s4: i32 = int_mul %nulb, 100
  %s5: i32 = int_mul %icb, 10
  %a1: i32 = int_add %s1, %s2
  %a2: i32 = int_add %a1, %s3
  %a3: i32 = int_add %a2, %s4
  %a4: i32 = int_add %a3, %s5
  %a5: i32 = int_add %a4, %nnb
  %w: i64 = cast_int_to_llong %a5
  %m: i64 = llong_mul %t1, 1000000L
  %r: i64 = llong_add %m, %w
  return %r
}

graph floats -> f64 {
start(%a: F):
  %n: i32 = arraylen<F> %a
  jump loop(0, 0.0)
loop(%i: i32, %s: f64):
  %d: bool = int_ge %i, %n
  branch %d, out(%s), body(%i, %s)
body(%i1: i32, %s1: f64):
  %x: f64 = getitem<F> %a, %i1
  %s2: f64 = float_add %s1, %x
  %y: f64 = float_mul %x, 2.0
  setitem<F> %a, %i1, %y
  %i2: i32 = int_add %i1, 1
  jump loop(%i2, %s2)
out(%r: f64):
  return %r
}

graph inc -> i32 {
start(%a: Int32Array, %code: Code):
  %n: i32 = arraylen<Int32Array> %a
  jump loop(0, 0)
loop(%pc: i32, %acc: i32):
  jit_merge_point<d> %pc, %code, %acc
  %d: bool = int_ge %pc, %n
  branch %d, out(%acc), body(%pc, %acc)
body(%i: i32, %acc1: i32):
  %x: i32 = getitem<Int32Array> %a, %i
  %k: i32 = getitem<Code> %code, %i
  %y: i32 = int_add %x, %k
  setitem<Int32Array> %a, %i, %y
  %acc2: i32 = int_add %acc1, %y
  %i2: i32 = int_add %i, 1
  can_enter_jit<d> %i2, %code, %acc2
  jump loop(%i2, %acc2)
out(%r: i32):
  return %r
}

graph areaOf -> f64 {
start(%s: Shape):
  %a: f64 = getfield<Shape.area> %s
  %k: i32 = getfield<Shape.kind> %s
  %kf: f64 = cast_int_to_float %k
  %r: f64 = float_add %a, %kf
  return %r
}

graph makeRect -> Shape {
start(%w: f64):
  %r: Rect = new<Rect>
  jump up(%r, %w)
up(%s: Shape, %w1: f64):
  setfield<Shape.area> %s, %w1
  return %s
}
`;

const p = load(PROGRAM, "objects.ll");

test("struct hierarchy: new, getfield/setfield on inherited fields, ref_test, ref_cast, call_ref through a field", () => {
  const tm = translate(p);
  for (const k of [0, 1, 2, 5, 9]) agree(p, tm, "classify", [k]);
  for (const n of [0, 1, 7, 30]) agree(p, tm, "total", [n]);
});

test("u8 arrays, arraycopy with overlap, newarray_init and host output agree with L3", () => {
  const tm = translate(p);
  for (const n of [4, 9]) {
    const a = new MemoryIO();
    const b = new MemoryIO();
    const x = withHostIO(a, () => outcome(() => tm.call("bytes", [n])));
    const y = withHostIO(b, () => outcome(() => new L3(p).callJS("bytes", [n])));
    assert.deepEqual(x, y);
    assert.equal(a.text(), b.text());
    assert.ok(a.text().includes("Hi\n") && a.text().includes("0.1\n"), a.text());
  }
});

test("globals of every type, function references in globals, fn constants", () => {
  const tm = translate(p);
  const l3 = new L3(p);
  for (const x of [1, 2, 3]) agree(p, tm, "globals", [x], l3);
  agree(p, tm, "sethook", [0], l3);
  for (const x of [4, 5]) agree(p, tm, "globals", [x], l3);
  agree(p, tm, "sethook", [1], l3);
  agree(p, tm, "globals", [6], l3);
  assert.equal(tm.getGlobal("counter"), l3.getGlobal("counter"));
  assert.equal(tm.getGlobal("big"), l3.getGlobal("big"));
  assert.equal(tm.getGlobal("flag"), l3.getGlobal("flag"));
  // Globals set from outside: a function reference by graph name.
  tm.setGlobal("hook", { fn: "double" });
  assert.equal(tm.call("globals", [0]), 2 * (tm.getGlobal("counter") as number));
  assert.deepEqual(tm.getGlobal("hook"), { fn: "double" });
});

test("bool and i64 values, ref_eq, ref_is_null, JIT hint ops as no-ops", () => {
  const tm = translate(p);
  for (const b of [true, false]) for (const n of [0n, 5n, -(2n ** 62n)]) agree(p, tm, "misc", [b, n]);
});

test("typed arrays are copied in and back out, as L3 shares them", () => {
  const tm = translate(p);
  const a1 = new Float64Array([1.5, 2.5, -1]);
  const a2 = Float64Array.from(a1);
  assert.equal(tm.call("floats", [a1]), new L3(p).callJS("floats", [a2]));
  assert.deepEqual([...a1], [...a2]);
  const x1 = new Int32Array([1, 2, 3, 4]);
  const x2 = Int32Array.from(x1);
  const code = [10, 20, 30, 40];
  assert.equal(tm.call("inc", [x1, code]), new L3(p).callJS("inc", [x2, code]));
  assert.deepEqual([...x1], [...x2]);
  assert.deepEqual([...x1], [11, 22, 33, 44]);
  const bad = outcome(() => tm.call("inc", [new Float64Array(2), code]));
  assert.ok(!bad.ok && bad.kind === "argument", JSON.stringify(bad));
});

test("L3 runs on the translated heap (WasmHeap) and both sides share objects", () => {
  const tm = translate(p);
  const l3 = new L3(p, { heap: tm.heap });
  // An object made by translated code, read by L3 through the heap interface.
  const r = tm.call("makeRect", [2.5]) as object;
  assert.equal(l3.call("areaOf", [r]), 2.5);
  assert.equal(tm.heap.typeName(r), "Rect");
  // L3 on the Wasm heap computes what translated code computes.
  for (const k of [0, 1, 2, 7]) assert.equal(l3.call("classify", [k]), tm.call("classify", [k]));
  assert.equal(l3.call("total", [10]), tm.call("total", [10]));
  // An object made through the heap interface, used by translated code.
  const sq = tm.heap.newStruct(p.types.get("Square") as never, [2, 1.25, 4, 4, 4]);
  assert.equal(tm.callLL("areaOf", [sq]), 3.25);
  assert.equal(tm.heap.getField(sq, "Square", "w"), 4);
  tm.heap.setField(sq, "Square", "area", 10);
  assert.equal(tm.callLL("areaOf", [sq]), 12);
  const ci = tm.call("make", [4]) as object;
  assert.deepEqual(tm.heap.getField(ci, "Circle", "scale"), { fn: "half" });
  tm.heap.setField(ci, "Circle", "scale", { fn: "half" });
  // Arrays through the heap.
  const arr = tm.heap.arrayFrom("Uint8Array", [1, 2, 300]);
  assert.deepEqual([...(tm.heap.arrayTo(arr, "Uint8Array") as Uint8Array)], [1, 2, 44]);
  assert.equal(tm.heap.length(arr, "Uint8Array"), 3);
  assert.equal(tm.heap.typeName(arr), "Uint8Array");
});

test("the hidden JIT slot: structs that are greens get an i32 slot, invisible to LL code", () => {
  const q = load(`
struct Code { ops: Ops }
struct Sub : Code { extra: i32 }
array Ops = i32
driver d greens(code, pc) reds(acc)
graph run -> i32 {
start(%code: Code, %n: i32):
  jump loop(%code, 0, 0)
loop(%c: Code, %pc: i32, %acc: i32):
  jit_merge_point<d> %c, %pc, %acc
  %done: bool = int_ge %pc, %n
  %ops: Ops = getfield<Code.ops> %c
  %pc1: i32 = int_add %pc, 1
  %acc1: i32 = int_add %acc, %pc
  branch %done, out(%acc), loop(%c, %pc1, %acc1)
out(%r: i32):
  return %r
}
graph mk -> Code {
start(%k: i32):
  %o: Ops = newarray<Ops> %k
  %s: Sub = new<Sub> %o, %k
  return %s
}
`);
  const c = compileProgram(q);
  assert.ok(c.layout.struct("Code").hiddenSlot && c.layout.struct("Sub").hiddenSlot);
  assert.equal(c.layout.field("Code", "ops").index, 1);
  const tm = instantiateProgramSync(c);
  const obj = tm.call("mk", [3]) as object;
  assert.equal(tm.heap.getField(obj, "Sub", HIDDEN_SLOT), 0);
  tm.heap.setField(obj, "Code", HIDDEN_SLOT, 42);
  assert.equal(tm.heap.getField(obj, "Sub", HIDDEN_SLOT), 42);
  assert.equal(tm.heap.getField(obj, "Sub", "extra"), 3);
  assert.equal(tm.call("run", [obj, 5]), 10);
  const none = compileProgram(q, { hiddenSlots: "none" });
  assert.ok(!none.layout.struct("Code").hiddenSlot);
});

test("every LL op is compiled by some program of these tests", () => {
  const used = new Set<string>();
  for (const g of p.graphs.values()) for (const b of g.blocks) for (const o of b.ops) used.add(o.op);
  // The remaining ones are covered by errors.test.ts (arraycopy errors...) and ops.test.ts (scalar ops).
  const missing = OTHER_OPS.filter((o) => !used.has(o) && o !== "call_host");
  assert.deepEqual(missing, []);
});
