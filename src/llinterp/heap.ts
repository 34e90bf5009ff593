// The heap interface L3 runs on: allocate structs and arrays, read and write fields and items,
// ask an object's type. L3's own heap keeps plain JS objects; a translated Wasm module's heap
// implements the same interface through its exported accessors, so L3 and the specializer can
// work on either.

import type { ArrayDef, StructDef } from "../ir/types.ts";

/** A run-time value of an LL graph on L3: i32/f64 as number, i64 as bigint, bool as boolean,
 *  references as HeapRef or null, function references as { fn: graph name }. */
export type LLValue = number | bigint | boolean | null | HeapRef | FnRef;

/** An opaque reference to a heap object (what it is depends on the heap). */
export type HeapRef = object;

export interface FnRef {
  readonly fn: string;
}

export interface Heap {
  /** A new struct; `init` holds one value per field in allFields order, or is absent for zero/false/null fields. */
  newStruct(def: StructDef, init?: readonly LLValue[]): HeapRef;
  /** A new array of `length` zero/false/null items. */
  newArray(def: ArrayDef, length: number): HeapRef;
  getField(obj: HeapRef, struct: string, field: string): LLValue;
  setField(obj: HeapRef, struct: string, field: string, v: LLValue): void;
  /** Index is checked by the caller (L3) against `length`. */
  getItem(arr: HeapRef, array: string, index: number): LLValue;
  setItem(arr: HeapRef, array: string, index: number, v: LLValue): void;
  length(arr: HeapRef, array: string): number;
  /** The struct or array type name the object was created with. */
  typeName(obj: HeapRef): string;
}
