// Objects on L3: structs with inheritance, ref_test/ref_cast, arrays of every item kind, arraycopy,
// and marshalling of host values (typed arrays shared, plain arrays copied). Program-level tests run
// on the JSHeap (L3's fast path) and on a heap seen only through the Heap interface.

import assert from "node:assert/strict";
import { test } from "node:test";
import { boolc, declareArray, declareStruct, f64c, GraphBuilder, i32c, i64c, nullc } from "../../src/ir/builder.ts";
import type { Program, Value } from "../../src/ir/graph.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { BOOL, F64, I32, I64, type LLType, ref, U8 } from "../../src/ir/types.ts";
import type { ArrayDef, StructDef } from "../../src/ir/types.ts";
import type { Heap, HeapRef, LLValue } from "../../src/llinterp/heap.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { JSHeap, JSStruct, MarshalError } from "../../src/llinterp/js-heap.ts";
import { llError } from "./util.ts";

/** A heap that L3 can only use through the Heap interface (it is not a JSHeap). */
class OpaqueHeap implements Heap {
  readonly inner: JSHeap;
  constructor(p: Program) {
    this.inner = new JSHeap(p);
  }
  newStruct(def: StructDef, init?: readonly LLValue[]): HeapRef {
    return this.inner.newStruct(def, init);
  }
  newArray(def: ArrayDef, length: number): HeapRef {
    return this.inner.newArray(def, length);
  }
  getField(obj: HeapRef, struct: string, field: string): LLValue {
    return this.inner.getField(obj, struct, field);
  }
  setField(obj: HeapRef, struct: string, field: string, v: LLValue): void {
    this.inner.setField(obj, struct, field, v);
  }
  getItem(arr: HeapRef, array: string, index: number): LLValue {
    return this.inner.getItem(arr, array, index);
  }
  setItem(arr: HeapRef, array: string, index: number, v: LLValue): void {
    this.inner.setItem(arr, array, index, v);
  }
  length(arr: HeapRef, array: string): number {
    return this.inner.length(arr, array);
  }
  typeName(obj: HeapRef): string {
    return this.inner.typeName(obj);
  }
}

const heaps: [string, (p: Program) => Heap][] = [
  ["JSHeap", (p) => new JSHeap(p)],
  ["opaque heap", (p) => new OpaqueHeap(p)],
];

function animals(): Program {
  const p = newProgram();
  declareStruct(p, "Animal", [{ name: "legs", type: I32, mutable: true }]);
  declareStruct(p, "Dog", [{ name: "good", type: BOOL, mutable: true }], "Animal");
  declareStruct(p, "Cat", [{ name: "lives", type: I32, mutable: false }], "Animal");
  declareStruct(p, "Kitten", [{ name: "age", type: F64, mutable: true }], "Cat");
  declareArray(p, "Ints", I32);
  return p;
}

/** Close the builder's graph returning an Ints array of the given i32/bool values. */
function returnInts(b: GraphBuilder, vals: Value[]): void {
  const ints = vals.map((v) => (v.type.kind === "bool" ? b.val("cast_bool_to_int", [v]) : v));
  b.graph.result = ref("Ints");
  b.ret(b.val("newarray_init", ints, { type: "Ints" }));
}

for (const [heapName, mk] of heaps) {
  test(`structs: zero init, fields through parents, ref_test and ref_cast (${heapName})`, () => {
    const p = animals();
    const b = new GraphBuilder(p, "zoo", [], I32);
    const d = b.val("new", [], { type: "Dog" });
    b.op("setfield", [d, i32c(4)], { type: "Animal", field: "legs" });
    const legs = b.val("getfield", [d], { type: "Dog", field: "legs" });
    const good = b.val("getfield", [d], { type: "Dog", field: "good" });
    const k = b.val("new", [i32c(4), i32c(9), f64c(0.5)], { type: "Kitten" });
    const asAnimal = b.val("ref_cast", [k], { type: "Animal" });
    const asCat = b.val("ref_cast", [asAnimal], { type: "Cat" });
    const lives = b.val("getfield", [asCat], { type: "Cat", field: "lives" });
    const age = b.val("getfield", [k], { type: "Kitten", field: "age" });
    const ageInt = b.val("cast_float_to_int", [b.val("float_mul", [age, f64c(10)])]);
    const tests = [
      b.val("ref_test", [d], { type: "Dog" }),
      b.val("ref_test", [d], { type: "Animal" }),
      b.val("ref_test", [d], { type: "Cat" }),
      b.val("ref_test", [k], { type: "Cat" }),
      b.val("ref_test", [asAnimal], { type: "Kitten" }),
      b.val("ref_test", [nullc()], { type: "Animal" }),
      b.val("ref_is_null", [nullc()]),
      b.val("ref_is_null", [d]),
      b.val("ref_eq", [k, asCat]),
      b.val("ref_eq", [d, asCat]),
    ];
    const nullCast = b.val("ref_cast", [nullc()], { type: "Dog" });
    returnInts(b, [legs, good, lives, ageInt, ...tests, b.val("ref_is_null", [nullCast])]);
    const l3 = new L3(p, { heap: mk(p) });
    const out = l3.call("zoo", []) as Int32Array;
    assert.deepEqual([...out], [4, 0, 9, 5, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]);
  });

  test(`ref_cast to an unrelated struct fails (${heapName})`, () => {
    const p = animals();
    const b = new GraphBuilder(p, "bad", [], { kind: "void" });
    const d = b.val("new", [], { type: "Dog" });
    b.op("ref_cast", [d], { type: "Cat" });
    b.ret();
    const e = llError(() => new L3(p, { heap: mk(p) }).call("bad", []));
    assert.equal(e.kind, "cast");
    assert.equal(e.message, "cannot cast an object of type 'Dog' to 'Cat' in graph 'bad', block 'start', op 1 (ref_cast)");
  });

  test(`arrays of every item kind (${heapName})`, () => {
    const p = newProgram();
    declareArray(p, "Ints", I32);
    declareArray(p, "Floats", F64);
    declareArray(p, "Bytes", U8);
    declareArray(p, "Bools", BOOL);
    declareArray(p, "Longs", I64);
    declareArray(p, "Rows", ref("Ints"));
    const b = new GraphBuilder(p, "arrs", [], ref("Rows"));
    const bytes = b.val("newarray", [i32c(3)], { type: "Bytes" });
    b.op("setitem", [bytes, i32c(0), i32c(300)], { type: "Bytes" });
    b.op("setitem", [bytes, i32c(1), i32c(-1)], { type: "Bytes" });
    const fl = b.val("newarray", [i32c(2)], { type: "Floats" });
    b.op("setitem", [fl, i32c(1), f64c(2.5)], { type: "Floats" });
    const bo = b.val("newarray", [i32c(2)], { type: "Bools" });
    b.op("setitem", [bo, i32c(0), boolc(true)], { type: "Bools" });
    const lo = b.val("newarray_init", [i64c(2n ** 40n), i64c(-1n)], { type: "Longs" });
    const row = b.val(
      "newarray_init",
      [
        b.val("getitem", [bytes, i32c(0)], { type: "Bytes" }),
        b.val("getitem", [bytes, i32c(1)], { type: "Bytes" }),
        b.val("getitem", [bytes, i32c(2)], { type: "Bytes" }),
        b.val("cast_float_to_int", [b.val("getitem", [fl, i32c(1)], { type: "Floats" })]),
        b.val("cast_float_to_int", [b.val("getitem", [fl, i32c(0)], { type: "Floats" })]),
        b.val("cast_bool_to_int", [b.val("getitem", [bo, i32c(0)], { type: "Bools" })]),
        b.val("cast_bool_to_int", [b.val("getitem", [bo, i32c(1)], { type: "Bools" })]),
        b.val("cast_llong_to_int", [b.val("llong_shr", [b.val("getitem", [lo, i32c(0)], { type: "Longs" }), i64c(20n)])]),
        b.val("cast_llong_to_int", [b.val("getitem", [lo, i32c(1)], { type: "Longs" })]),
        b.val("arraylen", [lo], { type: "Longs" }),
      ],
      { type: "Ints" },
    );
    const rows = b.val("newarray", [i32c(2)], { type: "Rows" });
    b.op("setitem", [rows, i32c(0), row], { type: "Rows" });
    b.ret(rows);
    const heap = mk(p);
    const rs = new L3(p, { heap }).call("arrs", []) as HeapRef;
    assert.equal(heap.length(rs, "Rows"), 2);
    assert.equal(heap.getItem(rs, "Rows", 1), null);
    const r0 = heap.getItem(rs, "Rows", 0) as HeapRef;
    const items = Array.from({ length: heap.length(r0, "Ints") }, (_, i) => heap.getItem(r0, "Ints", i));
    assert.deepEqual(items, [44, 255, 0, 2, 0, 1, 0, 1 << 20, -1, 2]);
    assert.equal(heap.typeName(r0), "Ints");
  });

  test(`arraycopy: between arrays and overlapping within one (${heapName})`, () => {
    const p = newProgram();
    declareArray(p, "Ints", I32);
    declareArray(p, "Objs", ref("Ints"));
    const b = new GraphBuilder(p, "copy", [], ref("Ints"));
    const vals = [1, 2, 3, 4, 5, 6].map(i32c);
    const a = b.val("newarray_init", vals, { type: "Ints" });
    const c = b.val("newarray", [i32c(6)], { type: "Ints" });
    b.op("arraycopy", [a, i32c(1), c, i32c(0), i32c(3)], { type: "Ints" }); // c = 2 3 4 0 0 0
    b.op("arraycopy", [a, i32c(0), a, i32c(2), i32c(4)], { type: "Ints" }); // a = 1 2 1 2 3 4
    b.op("arraycopy", [c, i32c(1), c, i32c(0), i32c(2)], { type: "Ints" }); // c = 3 4 4 0 0 0
    b.op("arraycopy", [a, i32c(0), a, i32c(0), i32c(0)], { type: "Ints" });
    const o = b.val("newarray_init", [a, c], { type: "Objs" });
    const o2 = b.val("newarray", [i32c(3)], { type: "Objs" });
    b.op("arraycopy", [o, i32c(0), o2, i32c(1), i32c(2)], { type: "Objs" });
    const cc = b.val("getitem", [o2, i32c(2)], { type: "Objs" });
    b.op("setitem", [cc, i32c(5), b.val("arraylen", [o2], { type: "Objs" })], { type: "Ints" });
    const joined = b.val("newarray", [i32c(12)], { type: "Ints" });
    b.op("arraycopy", [a, i32c(0), joined, i32c(0), i32c(6)], { type: "Ints" });
    b.op("arraycopy", [c, i32c(0), joined, i32c(6), i32c(6)], { type: "Ints" });
    b.ret(joined);
    const heap = mk(p);
    const j = new L3(p, { heap }).call("copy", []) as HeapRef;
    const items = Array.from({ length: 12 }, (_, i) => heap.getItem(j, "Ints", i));
    assert.deepEqual(items, [1, 2, 1, 2, 3, 4, 3, 4, 4, 0, 0, 3]);
  });
}

test("JSHeap representation: typed arrays for i32/f64/u8, plain arrays otherwise, JSStruct", () => {
  const p = animals();
  declareArray(p, "Floats", F64);
  declareArray(p, "Bytes", U8);
  declareArray(p, "Bools", BOOL);
  declareArray(p, "Longs", I64);
  const h = new JSHeap(p);
  const arr = (name: string) => h.newArray(p.types.get(name) as ArrayDef, 2);
  assert.ok(arr("Ints") instanceof Int32Array);
  assert.ok(arr("Floats") instanceof Float64Array);
  assert.ok(arr("Bytes") instanceof Uint8Array);
  assert.deepEqual(arr("Bools"), [false, false]);
  assert.deepEqual(arr("Longs"), [0n, 0n]);
  const k = h.newStruct(p.types.get("Kitten") as StructDef);
  assert.ok(k instanceof JSStruct);
  assert.deepEqual((k as JSStruct).values, [0, 0, 0]);
  assert.equal(h.typeName(k), "Kitten");
  assert.equal(h.typeName(arr("Bytes")), "Bytes");
  assert.equal(h.fieldIndex("Kitten", "age"), 2);
  assert.equal(h.fieldIndex("Cat", "legs"), 0);
});

test("marshalling: typed arrays are shared, plain arrays copied, scalars checked", () => {
  const p = newProgram();
  declareArray(p, "Ints", I32);
  declareArray(p, "Bytes", U8);
  declareArray(p, "Longs", I64);
  // inc(arr, i, by): arr[i] += by; returns arr[i]
  const b = new GraphBuilder(
    p,
    "inc",
    [
      { name: "arr", type: ref("Ints") },
      { name: "i", type: I32 },
      { name: "by", type: I32 },
    ],
    I32,
  );
  const [arr, i, by] = b.params as [Value, Value, Value];
  const v = b.val("int_add", [b.val("getitem", [arr, i], { type: "Ints" }), by]);
  b.op("setitem", [arr, i, v], { type: "Ints" });
  b.ret(v);
  const l3 = new L3(p);
  const shared = new Int32Array([10, 20]);
  assert.equal(l3.callJS("inc", [shared, 1, 5]), 25);
  assert.deepEqual([...shared], [10, 25]);
  const plain = [1, 2, 3];
  assert.equal(l3.callJS("inc", [plain, 0, 1]), 2);
  assert.deepEqual(plain, [1, 2, 3]);

  const h = l3.heap as JSHeap;
  const bytes = new Uint8Array([1, 2]);
  assert.equal(h.fromJS(bytes, ref("Bytes")), bytes);
  assert.equal(h.typeName(bytes), "Bytes");
  assert.deepEqual(h.fromJS([1n, 2], ref("Longs")), [1n, 2n]);
  assert.equal(h.fromJS(7, I64), 7n);
  assert.equal(h.fromJS(null, ref("Ints")), null);
  assert.equal(h.toJS(null, { kind: "void" }), undefined);

  const bad: [unknown, LLType, string][] = [
    [3.5, I32, "x: expected an i32 (an integer in [-2^31, 2^31)), got number 3.5"],
    [2 ** 31, I32, "x: expected an i32 (an integer in [-2^31, 2^31)), got number 2147483648"],
    ["1", F64, 'x: expected an f64 (a number), got string "1"'],
    [1, BOOL, "x: expected a bool (true or false), got number 1"],
    [2n ** 63n, I64, "x: expected an i64 (a bigint in [-2^63, 2^63)), got bigint 9223372036854775808n"],
    [new Float64Array(2), ref("Ints"), "x: expected an array for type 'Ints' (i32 items), got Float64Array"],
    [[1, 2.5], ref("Ints"), "x, item 1: expected an i32 (an integer in [-2^31, 2^31)), got number 2.5"],
    [[256], ref("Bytes"), "x, item 0: expected a byte (0..255), got 256"],
    [{}, ref("Ints"), "x: expected an array for type 'Ints', got object"],
  ];
  for (const [v, t, msg] of bad)
    assert.throws(
      () => h.fromJS(v, t, "x"),
      (e: unknown) => e instanceof MarshalError && e.message === msg,
    );

  const e = llError(() => l3.callJS("inc", [shared, 1.5, 1]));
  assert.equal(e.kind, "argument");
  assert.equal(e.message, "argument 2 of 'inc': expected an i32 (an integer in [-2^31, 2^31)), got number 1.5");
  assert.equal(llError(() => l3.callJS("inc", [shared])).message, "graph 'inc' takes 3 arguments, got 1");
});
