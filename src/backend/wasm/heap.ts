// WasmHeap: the Heap interface of src/llinterp/heap.ts over a translated module's exported
// accessors, so that L3 and the specializer can allocate, read and write objects that live in the
// Wasm GC heap (JS sees them only as opaque references). It also converts values between their
// LL form (booleans, {fn} references) and their Wasm form (i32 0/1, Wasm functions), and copies
// typed arrays in and out of Wasm arrays.

import type { FnRef, Heap, HeapRef, LLValue } from "../../llinterp/heap.ts";
import type { ArrayDef, ItemType, StructDef } from "../../ir/types.ts";
import { EXPORT } from "./module.ts";
import type { Layout } from "./types.ts";
import { BackendError, HIDDEN_SLOT } from "./types.ts";

// biome-ignore lint/complexity/noBannedTypes: Wasm exported functions are plain JS functions
type Fn = Function;
type Exports = Record<string, unknown>;

interface FieldAccess {
  readonly get: (o: unknown) => unknown;
  readonly set: (o: unknown, v: unknown) => void;
  readonly type: ItemType;
}

interface ArrayAccess {
  readonly make: (n: number) => unknown;
  readonly get: (a: unknown, i: number) => unknown;
  readonly set: (a: unknown, i: number, v: unknown) => void;
  readonly len: (a: unknown) => number;
  readonly item: ItemType;
}

function isFnRef(v: unknown): v is FnRef {
  return typeof v === "object" && v !== null && typeof (v as { fn?: unknown }).fn === "string";
}

/** Zero value of a type in its Wasm form. */
function wasmZero(t: ItemType): unknown {
  switch (t.kind) {
    case "i64":
      return 0n;
    case "i32":
    case "f64":
    case "bool":
    case "u8":
      return 0;
    default:
      return null;
  }
}

export class WasmHeap implements Heap {
  readonly layout: Layout;
  private readonly exports: Exports;
  private readonly fields = new Map<string, Map<string, FieldAccess>>();
  private readonly arrays = new Map<string, ArrayAccess>();
  private readonly fnByName = new Map<string, Fn>();
  private readonly nameByFn = new Map<unknown, string>();
  private readonly fnRefs = new Map<string, FnRef>();
  private readonly typeIdFn: (o: unknown) => number;

  constructor(layout: Layout, exports: Exports) {
    this.layout = layout;
    this.exports = exports;
    this.typeIdFn = this.exp(EXPORT.typeId) as (o: unknown) => number;
  }

  private exp(name: string): Fn {
    const f = this.exports[name];
    if (typeof f !== "function") throw new BackendError(`the translated module has no export '${name}'`);
    return f;
  }

  /** Make graph functions known (for converting {fn} references both ways). */
  registerFunctions(names: Iterable<string>, exports: Exports): void {
    for (const n of names) {
      const f = exports[n];
      if (typeof f !== "function") throw new BackendError(`module has no function export '${n}'`);
      this.fnByName.set(n, f);
      this.nameByFn.set(f, n);
    }
  }

  /** The Wasm function for graph `name` (to call it, or to install it in the table). */
  functionOf(name: string): Fn {
    const f = this.fnByName.get(name);
    if (!f) throw new BackendError(`no compiled function for graph '${name}'`);
    return f;
  }

  /** The graph name of a Wasm function seen from JS, or null. */
  fnName(f: unknown): string | null {
    return this.nameByFn.get(f) ?? null;
  }

  fnRef(name: string): FnRef {
    let r = this.fnRefs.get(name);
    if (!r) {
      r = { fn: name };
      this.fnRefs.set(name, r);
    }
    return r;
  }

  /** An LL value in its Wasm form, for a slot of type `t`. */
  toWasm(v: LLValue, t: ItemType): unknown {
    switch (t.kind) {
      case "bool":
        return v ? 1 : 0;
      case "fn":
        if (v === null) return null;
        if (!isFnRef(v)) throw new BackendError(`expected a function reference, got ${typeof v}`);
        return this.functionOf(v.fn);
      default:
        return v;
    }
  }

  /** A Wasm value (from a slot of type `t`) in its LL form. */
  fromWasm(v: unknown, t: ItemType): LLValue {
    switch (t.kind) {
      case "bool":
        return v !== 0;
      case "fn": {
        if (v === null) return null;
        const n = this.nameByFn.get(v);
        if (n === undefined) throw new BackendError("a function reference to a function that is not registered with the heap");
        return this.fnRef(n);
      }
      default:
        return v as LLValue;
    }
  }

  private field(struct: string, field: string): FieldAccess {
    let m = this.fields.get(struct);
    if (!m) {
      m = new Map();
      this.fields.set(struct, m);
    }
    let f = m.get(field);
    if (!f) {
      const s = this.layout.struct(struct);
      let owner: string;
      let type: ItemType;
      if (field === HIDDEN_SLOT && s.hiddenSlot) {
        owner = rootName(this.layout, struct);
        type = { kind: "i32" };
      } else {
        const fl = this.layout.field(struct, field);
        owner = fl.owner;
        type = fl.type;
      }
      f = {
        get: this.exp(EXPORT.getField(owner, field)) as FieldAccess["get"],
        set: this.exp(EXPORT.setField(owner, field)) as FieldAccess["set"],
        type,
      };
      m.set(field, f);
    }
    return f;
  }

  private array(name: string): ArrayAccess {
    let a = this.arrays.get(name);
    if (!a) {
      const al = this.layout.array(name);
      a = {
        make: this.exp(EXPORT.newArray(name)) as ArrayAccess["make"],
        get: this.exp(EXPORT.getItem(name)) as ArrayAccess["get"],
        set: this.exp(EXPORT.setItem(name)) as ArrayAccess["set"],
        len: this.exp(EXPORT.length(name)) as ArrayAccess["len"],
        item: al.item,
      };
      this.arrays.set(name, a);
    }
    return a;
  }

  newStruct(def: StructDef, init?: readonly LLValue[]): HeapRef {
    const s = this.layout.struct(def.name);
    const make = this.exp(EXPORT.newStruct(def.name)) as (...a: unknown[]) => HeapRef;
    const args = s.fields.map((f, i) => (init ? this.toWasm(init[i] as LLValue, f.type) : wasmZero(f.type)));
    return make(...args);
  }

  newArray(def: ArrayDef, length: number): HeapRef {
    return this.array(def.name).make(length) as HeapRef;
  }

  getField(obj: HeapRef, struct: string, field: string): LLValue {
    const f = this.field(struct, field);
    return this.fromWasm(f.get(obj), f.type);
  }

  setField(obj: HeapRef, struct: string, field: string, v: LLValue): void {
    const f = this.field(struct, field);
    f.set(obj, this.toWasm(v, f.type));
  }

  getItem(arr: HeapRef, array: string, index: number): LLValue {
    const a = this.array(array);
    return this.fromWasm(a.get(arr, index), a.item);
  }

  setItem(arr: HeapRef, array: string, index: number, v: LLValue): void {
    const a = this.array(array);
    a.set(arr, index, this.toWasm(v, a.item));
  }

  length(arr: HeapRef, array: string): number {
    return this.array(array).len(arr);
  }

  typeName(obj: HeapRef): string {
    const id = this.typeIdFn(obj);
    const n = this.layout.typeIdOrder[id];
    if (n === undefined) throw new BackendError("object is not of a type of this program");
    return n;
  }

  typeNameById(id: number): string {
    return this.layout.typeIdOrder[id] ?? "?";
  }

  /** A new Wasm array of type `array` holding a copy of `items` (numbers, or LL values for other item types). */
  arrayFrom(array: string, items: ArrayLike<unknown>): HeapRef {
    const a = this.array(array);
    const r = a.make(items.length);
    const conv = a.item.kind === "bool" || a.item.kind === "fn";
    for (let i = 0; i < items.length; i++) {
      const v = items[i];
      a.set(r, i, conv ? this.toWasm(v as LLValue, a.item) : v);
    }
    return r as HeapRef;
  }

  /** Copy a Wasm array's items into `into` (a typed array or array of the same length), or into a new one. */
  arrayTo(arr: HeapRef, array: string, into?: { length: number; [i: number]: unknown }): unknown {
    const a = this.array(array);
    const n = a.len(arr);
    const out =
      into ??
      (a.item.kind === "i32"
        ? new Int32Array(n)
        : a.item.kind === "f64"
          ? new Float64Array(n)
          : a.item.kind === "u8"
            ? new Uint8Array(n)
            : new Array<LLValue>(n));
    const conv = a.item.kind === "bool" || a.item.kind === "fn";
    for (let i = 0; i < n; i++) {
      const v = a.get(arr, i);
      (out as { [i: number]: unknown })[i] = conv ? this.fromWasm(v, a.item) : v;
    }
    return out;
  }
}

function rootName(layout: Layout, struct: string): string {
  let cur = struct;
  for (;;) {
    const t = layout.program.types.get(cur);
    if (t?.kind !== "struct" || t.parent === null) return cur;
    cur = t.parent;
  }
}
