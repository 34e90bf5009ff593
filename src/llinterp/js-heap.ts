// L3's own heap: LL structs and arrays as plain JS objects. A struct is a JSStruct (its type name
// and one value per field, in allFields order); an array is an Int32Array (i32 items), a
// Float64Array (f64), a Uint8Array (u8) or a plain JS array (bool, i64, references), with its LL
// type name kept in a side table. Host typed arrays can be used directly as heap arrays (fromJS),
// so an interpreter's entry graph sees the same bytes the host passed, as it does untranslated.

import type { Program } from "../ir/graph.ts";
import { allFields, arrayDef, isSubStruct, structDef } from "../ir/graph.ts";
import type { ArrayDef, ItemType, LLType, StructDef } from "../ir/types.ts";
import { typeToString } from "../ir/types.ts";
import type { FnRef, Heap, HeapRef, LLValue } from "./heap.ts";

/** A struct object: its type name and its field values in allFields order. */
export class JSStruct {
  readonly type: string;
  readonly values: LLValue[];
  constructor(type: string, values: LLValue[]) {
    this.type = type;
    this.values = values;
  }
}

/** An array object of the JS heap. */
export type JSArray = Int32Array | Float64Array | Uint8Array | LLValue[];

/** The zero value of a field or item type: 0, 0n, false or null. */
export function zeroValue(t: ItemType): LLValue {
  switch (t.kind) {
    case "i32":
    case "f64":
    case "u8":
      return 0;
    case "i64":
      return 0n;
    case "bool":
      return false;
    default:
      return null;
  }
}

/** Thrown by fromJS when a host value does not fit the LL type asked for. */
export class MarshalError extends Error {
  override name = "MarshalError";
}

export function isFnRef(v: unknown): v is FnRef {
  return typeof v === "object" && v !== null && typeof (v as { fn?: unknown }).fn === "string" && !(v instanceof JSStruct);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  if (typeof v === "bigint") return `bigint ${v}n`;
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  if (v instanceof JSStruct) return `struct ${v.type}`;
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return typeof v;
}

export class JSHeap implements Heap {
  readonly program: Program;
  private readonly arrayTypes = new WeakMap<object, string>();
  private readonly fieldIndexes = new Map<string, Map<string, number>>();

  constructor(program: Program) {
    this.program = program;
  }

  newStruct(def: StructDef, init?: readonly LLValue[]): HeapRef {
    if (init) return new JSStruct(def.name, init.slice());
    return new JSStruct(
      def.name,
      allFields(this.program, def.name).map((f) => zeroValue(f.type)),
    );
  }

  newArray(def: ArrayDef, length: number): HeapRef {
    let a: JSArray;
    switch (def.item.kind) {
      case "i32":
        a = new Int32Array(length);
        break;
      case "f64":
        a = new Float64Array(length);
        break;
      case "u8":
        a = new Uint8Array(length);
        break;
      default:
        a = new Array<LLValue>(length).fill(zeroValue(def.item));
    }
    this.arrayTypes.set(a, def.name);
    return a;
  }

  /** The position of `field` in the values of a `struct` object (the same in every subtype). */
  fieldIndex(struct: string, field: string): number {
    let m = this.fieldIndexes.get(struct);
    if (!m) {
      if (!structDef(this.program, struct)) throw new Error(`unknown struct type '${struct}'`);
      m = new Map(allFields(this.program, struct).map((f, i) => [f.name, i]));
      this.fieldIndexes.set(struct, m);
    }
    const i = m.get(field);
    if (i === undefined) throw new Error(`struct '${struct}' has no field '${field}'`);
    return i;
  }

  getField(obj: HeapRef, struct: string, field: string): LLValue {
    return (obj as JSStruct).values[this.fieldIndex(struct, field)] as LLValue;
  }

  setField(obj: HeapRef, struct: string, field: string, v: LLValue): void {
    (obj as JSStruct).values[this.fieldIndex(struct, field)] = v;
  }

  getItem(arr: HeapRef, _array: string, index: number): LLValue {
    return (arr as JSArray)[index] as LLValue;
  }

  setItem(arr: HeapRef, _array: string, index: number, v: LLValue): void {
    (arr as LLValue[])[index] = v;
  }

  length(arr: HeapRef, _array: string): number {
    return (arr as JSArray).length;
  }

  typeName(obj: HeapRef): string {
    if (obj instanceof JSStruct) return obj.type;
    const n = this.arrayTypes.get(obj);
    if (n === undefined) throw new Error(`object is not in this heap (${describe(obj)})`);
    return n;
  }

  /** Is `obj` an object of this heap (a struct, or an array made or registered here)? */
  owns(obj: unknown): boolean {
    return obj instanceof JSStruct || (typeof obj === "object" && obj !== null && this.arrayTypes.has(obj));
  }

  /**
   * Use a JS array or typed array directly as a heap array of type `array` (not copied: writes by
   * either side are seen by the other). The JS kind must match the item type: Int32Array for i32,
   * Float64Array for f64, Uint8Array for u8, a plain array otherwise.
   */
  wrapArray(arr: JSArray, array: string): HeapRef {
    const def = arrayDef(this.program, array);
    if (!def) throw new MarshalError(`unknown array type '${array}'`);
    if (!fitsDirectly(arr, def.item))
      throw new MarshalError(`a ${describe(arr)} cannot be used as array type '${array}' of ${typeToString(def.item)} items`);
    const old = this.arrayTypes.get(arr);
    if (old === undefined) this.arrayTypes.set(arr, array);
    return arr;
  }

  /**
   * Turn a host value into an LL value of type `type` (what a host passes to an entry graph):
   * numbers for i32 (integers in range) and f64, bigint (or an integer number) for i64, booleans
   * for bool, null or heap objects for references; a typed array of the matching kind is used
   * directly as a heap array, a plain JS array is copied into a new one item by item.
   * `what` names the value in error messages (e.g. "argument 2 of 'main'").
   */
  fromJS(value: unknown, type: LLType, what = "value"): LLValue {
    const bad = (expected: string): never => {
      throw new MarshalError(`${what}: expected ${expected}, got ${describe(value)}`);
    };
    switch (type.kind) {
      case "i32":
        if (typeof value !== "number" || !Number.isInteger(value) || value < -2147483648 || value > 2147483647)
          bad("an i32 (an integer in [-2^31, 2^31))");
        return value as number;
      case "f64":
        if (typeof value !== "number") bad("an f64 (a number)");
        return value as number;
      case "i64":
        if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
        if (typeof value !== "bigint" || BigInt.asIntN(64, value) !== value) bad("an i64 (a bigint in [-2^63, 2^63))");
        return value as bigint;
      case "bool":
        if (typeof value !== "boolean") bad("a bool (true or false)");
        return value as boolean;
      case "null":
        if (value !== null) bad("null");
        return null;
      case "fn":
        if (value === null) return null;
        if (!isFnRef(value) || !this.program.graphs.has(value.fn))
          bad(`a function reference {fn: <graph name>} of type ${typeToString(type)}`);
        return value as FnRef;
      case "ref":
        return this.refFromJS(value, type.name, what, bad);
      case "void":
        return bad("no value (void)");
    }
  }

  private refFromJS(value: unknown, name: string, what: string, bad: (expected: string) => never): LLValue {
    if (value === null) return null;
    const t = this.program.types.get(name);
    if (!t) throw new MarshalError(`${what}: unknown type '${name}'`);
    if (t.kind === "struct") {
      if (!(value instanceof JSStruct) || !isSubStruct(this.program, value.type, name)) bad(`a struct of type '${name}' made by this heap`);
      return value as JSStruct;
    }
    if (typeof value !== "object" || value === null || !(Array.isArray(value) || ArrayBuffer.isView(value)))
      bad(`an array for type '${name}'`);
    const arr = value as JSArray;
    if (this.arrayTypes.has(arr)) return arr;
    if (fitsDirectly(arr, t.item) && !Array.isArray(arr)) return this.wrapArray(arr, name);
    if (!Array.isArray(arr)) bad(`an array for type '${name}' (${typeToString(t.item)} items)`);
    // Copy item by item, checking each.
    const item: LLType = t.item.kind === "u8" ? { kind: "i32" } : t.item;
    const out = this.newArray(t, arr.length) as LLValue[];
    for (let i = 0; i < arr.length; i++) {
      const v = this.fromJS(arr[i], item, `${what}, item ${i}`);
      if (t.item.kind === "u8" && ((v as number) < 0 || (v as number) > 255))
        throw new MarshalError(`${what}, item ${i}: expected a byte (0..255), got ${v}`);
      out[i] = v;
    }
    return out;
  }

  /** Turn an LL value into what a host sees: the value itself (arrays stay the heap's typed arrays); void gives undefined. */
  toJS(value: LLValue, type: LLType): unknown {
    return type.kind === "void" ? undefined : value;
  }
}

function fitsDirectly(arr: JSArray, item: ItemType): boolean {
  switch (item.kind) {
    case "i32":
      return arr instanceof Int32Array;
    case "f64":
      return arr instanceof Float64Array;
    case "u8":
      return arr instanceof Uint8Array;
    default:
      return Array.isArray(arr);
  }
}
