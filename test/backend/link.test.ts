// Linking: a module compiled at run time (as the JIT will) declares the translated module's rec
// group and imports the functions and globals it uses (and only the runtime and host functions it
// may call). It reads and writes objects made by the
// first module, makes objects the first module reads, calls base graphs, uses heap objects as
// constants, is called back by base code through a function reference in a global and through the
// shared table, and may use signatures the base program never had.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Graph } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { BackendError, compileLinkedModule, instantiateProgramSync } from "../../src/backend/wasm/index.ts";
import { load } from "./util.ts";

const BASE = `
struct Point { x: mut i32, y: mut i32 }
struct Point3 : Point { z: mut i32 }
array Pts = mut Point
global hook: mut fn(Point) -> i32 = null
global total: mut i32 = 0

graph mk -> Point {
start(%x: i32, %y: i32):
  %p: Point = new<Point> %x, %y
  return %p
}
graph callHook -> i32 {
start(%p: Point):
  %h: fn(Point) -> i32 = getglobal<hook>
  %r: i32 = call_ref %h, %p
  %t: i32 = getglobal<total>
  %t1: i32 = int_add %t, %r
  setglobal<total> %t1
  return %r
}
graph getX -> i32 {
start(%p: Point):
  %x: i32 = getfield<Point.x> %p
  return %x
}
`;

const LINKED = `
graph bump -> i32 {
start(%p: Point, %d: i32):
  %x: i32 = getfield<Point.x> %p
  %x1: i32 = int_add %x, %d
  setfield<Point.x> %p, %x1
  %y: i32 = getfield<Point.y> %p
  %t: i32 = getglobal<total>
  %t1: i32 = int_add %t, 1000
  setglobal<total> %t1
  return %y
}
graph bump1 -> i32 {
start(%p: Point):
  %r: i32 = call<bump> %p, 1
  %x: i32 = call<getX> %p
  %s: i32 = int_add %r, %x
  return %s
}
graph mkLinked -> Point {
start(%x: i32):
  %a: Point = call<mk> %x, %x
  %b: Point3 = new<Point3> 7, 8, %x
  %ay: i32 = getfield<Point.y> %a
  setfield<Point.y> %b, %ay
  return %b
}
graph useConst -> i32 {
start(%d: i32):
  %x: i32 = getfield<Point.x> Point #origin
  %x1: i32 = int_add %x, %d
  setfield<Point.x> Point #origin, %x1
  return %x1
}
graph twoTypes -> i32 {
start():
  %z: i32 = getfield<Point3.z> Point3 #p3
  %x: i32 = call<getX> Point #p3
  %s: i32 = int_add %z, %x
  return %s
}
graph odd -> bool {
start(%a: f64, %p: Point, %c: i64):
  %x: i32 = getfield<Point.x> %p
  %xf: f64 = cast_int_to_float %x
  %g: bool = float_gt %a, %xf
  return %g
}
graph ptr -> fn(i32, i32) -> Point {
start():
  return @mk
}
`;

test("a module compiled later shares types, heap, globals and table with the translated one", () => {
  const p = load(BASE, "base.ll");
  const tm = instantiateProgramSync(p);
  const origin = tm.call("mk", [100, 200]) as object;
  const p3obj = tm.heap.newStruct(p.types.get("Point3") as never, [1, 2, 30]);
  // Parse the new graphs against the base declarations (as the JIT's residual graphs refer to them).
  const q = parseProgram(`${BASE}\n${LINKED}`, "linked.ll", {
    objects: new Map([
      ["origin", origin],
      ["p3", p3obj],
    ]),
  });
  const graphs = ["bump", "bump1", "mkLinked", "useConst", "twoTypes", "odd", "ptr"].map((n) => q.graphs.get(n) as Graph);
  const linked = tm.link(graphs);
  assert.equal(linked.compiled.linked, true);
  assert.deepEqual(linked.compiled.importedGraphs, ["getX", "mk"]);
  assert.ok(linked.compiled.bytes.length < 2000, `linked module of ${linked.compiled.bytes.length} bytes`);

  // Objects made by the base module, read and written by the linked one.
  const pt = tm.call("mk", [1, 2]) as object;
  assert.equal(tm.call("bump", [pt, 10]), 2);
  assert.equal(tm.call("getX", [pt]), 11);
  // An object made by the linked module (a subclass), read by the base module and through the heap.
  const p3 = tm.call("mkLinked", [5]) as object;
  assert.equal(tm.call("getX", [p3]), 7);
  assert.equal(tm.heap.typeName(p3), "Point3");
  assert.equal(tm.heap.getField(p3, "Point3", "z"), 5);
  assert.equal(tm.heap.getField(p3, "Point", "y"), 5);
  // Heap object constants.
  assert.equal(tm.call("useConst", [1]), 101);
  assert.equal(tm.call("useConst", [1]), 102);
  assert.equal(tm.heap.getField(origin, "Point", "x"), 102);
  // One object used as a constant of two types.
  assert.equal(tm.call("twoTypes", []), 31);
  assert.equal(linked.compiled.objects.length, 3);
  // Base code calls linked code through a function reference in a global.
  tm.setGlobal("hook", { fn: "bump1" });
  const before = tm.getGlobal("total") as number;
  assert.equal(tm.call("callHook", [pt]), 2 + 12);
  assert.equal(tm.getGlobal("total"), before + 1000 + 14);
  // The shared table: install a linked function, call it from JS through the table.
  const slot = tm.install("bump1");
  const f = tm.table.get(slot) as (p: object) => number;
  assert.equal(f(pt), 2 + 13);
  assert.equal(tm.table.length, slot + 1);
  // A signature that is not in the base program's rec group.
  assert.equal(tm.call("odd", [1.5, pt, 3n]), false);
  assert.equal(tm.call("odd", [100.5, pt, 3n]), true);
  // A function reference constant to a base graph, returned to JS and used as an LL value.
  assert.deepEqual(tm.call("ptr", []), { fn: "mk" });
});

test("two linked modules (the second calls the first), and the errors of a linked module name its graphs", () => {
  const p = load(BASE, "base.ll");
  const tm = instantiateProgramSync(p);
  const q = parseProgram(`${BASE}
graph divide -> i32 {
start(%p: Point, %d: i32):
  %x: i32 = getfield<Point.x> %p
  %q: i32 = int_div %x, %d
  return %q
}`);
  tm.link([q.graphs.get("divide") as Graph]);
  const r = parseProgram(`${BASE}
graph twice -> i32 {
start(%p: Point):
  %x: i32 = getfield<Point.x> %p
  %y: i32 = int_mul %x, 2
  %z: i32 = call<divide> %p, 3
  %w: i32 = int_add %y, %z
  return %w
}`);
  tm.link([r.graphs.get("twice") as Graph]);
  const pt = tm.call("mk", [9, 0]) as object;
  assert.equal(tm.call("divide", [pt, 3]), 3);
  assert.equal(tm.call("twice", [pt]), 18 + 3);
  assert.throws(() => tm.call("divide", [pt, 0]), /division by zero in graph 'divide', block 'start', op 1 \(int_div\)/);
  assert.throws(() => tm.call("twice", [null]), /null reference \(reading field 'Point.x'\) in graph 'twice', block 'start', op 0/);
});

test("linking rejects graphs that shadow base graphs or call unknown ones", () => {
  const p = load(BASE, "base.ll");
  const tm = instantiateProgramSync(p);
  const q = parseProgram(`${BASE}
graph stray -> i32 {
start():
  %r: i32 = call<nowhere>
  return %r
}
graph nowhere -> i32 {
start():
  return 1
}`);
  assert.throws(() => compileLinkedModule(tm.compiled, [q.graphs.get("mk") as Graph]), BackendError);
  assert.throws(
    () => compileLinkedModule(tm.compiled, [q.graphs.get("stray") as Graph]),
    /neither in the base module nor among the linked graphs/,
  );
});

test("a linked module imports only what its graphs use, and names the rec group's types only on request", () => {
  const p = load(BASE, "base.ll");
  const tm = instantiateProgramSync(p);
  const q = parseProgram(`${BASE}
graph plain -> i32 {
start(%a: i32):
  %b: i32 = int_add %a, 1
  return %b
}
graph checks -> i32 {
start(%a: i32, %p: Point):
  %t: i32 = getglobal<total>
  %q: i32 = int_div %t, %a
  %c: Point3 = ref_cast<Point3> %p
  %z: i32 = getfield<Point3.z> %c
  %s: i32 = int_add %q, %z
  %n: bool = int_lt %s, 0
  branch %n, neg(%s), pos(%s)
neg(%v: i32):
  raise %v
pos(%w: i32):
  return %w
}`);
  const imports = (bytes: Uint8Array) => WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => `${i.module}.${i.name}`);
  const plain = compileLinkedModule(tm.compiled, [q.graphs.get("plain") as Graph]);
  assert.deepEqual(imports(plain.bytes), []);
  const checks = compileLinkedModule(tm.compiled, [q.graphs.get("checks") as Graph]);
  assert.deepEqual(imports(checks.bytes), ["rt.error", "rt.raise_i32", "base.__typeid", "base.global total"]);
  // Type names: left out by default (nothing reads them at run time), written when asked for.
  const named = compileLinkedModule(tm.compiled, [q.graphs.get("plain") as Graph], { typeNames: true });
  assert.ok(named.bytes.length > plain.bytes.length, `${named.bytes.length} > ${plain.bytes.length}`);
  // Linked and run, the module behaves the same, errors included.
  tm.link([q.graphs.get("checks") as Graph]);
  const p3 = tm.heap.newStruct(p.types.get("Point3") as never, [1, 2, 30]);
  tm.setGlobal("total", 12);
  assert.equal(tm.call("checks", [4, p3]), 33);
  assert.throws(() => tm.call("checks", [0, p3]), /division by zero in graph 'checks'/);
  assert.throws(() => tm.call("checks", [4, tm.call("mk", [1, 2])]), /cannot cast an object of type 'Point' to 'Point3'/);
  tm.setGlobal("total", -400);
  assert.throws(() => tm.call("checks", [4, p3]), /unhandled raise of -70/);
});

test("relink: graphs of the same shape run the template's code with their own lifted constants, objects and names", () => {
  const p = load(BASE, "base.ll");
  const tm = instantiateProgramSync(p);
  // `offset` adds a lifted constant to the sum of a point's x and the x of a constant point
  const shape = (name: string, k: number) =>
    parseProgram(`${BASE}
graph ${name} -> i32 {
start(%p: Point, %q: Point):
  %x: i32 = getfield<Point.x> %p
  %r: i32 = call<add.${name}> %x, ${k}
  return %r
}
graph add.${name} -> i32 {
start(%a: i32, %b: i32):
  %s: i32 = int_add %a, %b
  return %s
}`);
  const lift = (g: Graph) => {
    const o = g.blocks[0]?.ops[1];
    const c = o?.args[1];
    assert.ok(o && c?.kind === "const");
    const fresh = { kind: "const" as const, type: c.type, value: c.value };
    o.args[1] = fresh;
    return fresh;
  };
  const a = shape("a", 100);
  const ga = [a.graphs.get("a") as Graph, a.graphs.get("add.a") as Graph];
  const la = lift(ga[0] as Graph);
  const template = tm.link(ga, { lifted: [la] });
  assert.deepEqual(template.compiled.lifted, [la.type]);
  const b = shape("b", 7);
  const gb = [b.graphs.get("b") as Graph, b.graphs.get("add.b") as Graph];
  const lb = lift(gb[0] as Graph);
  const relinked = tm.relink(template, gb, [lb]);
  assert.equal(relinked.module, template.module);
  const pt = tm.call("mk", [5, 0]) as object;
  assert.equal(tm.call("a", [pt, pt]), 105);
  assert.equal(tm.call("b", [pt, pt]), 12);
  assert.equal(tm.call("add.b", [1, 2]), 3);
  assert.throws(() => tm.relink(template, gb.slice(0, 1), [lb]), /relink: 1 graphs and 1 lifted constants for a module of 2 and 1/);
});
