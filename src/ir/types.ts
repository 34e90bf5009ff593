// Low-level types of LL graphs: scalars, references to structs and arrays, function references,
// and the type declarations (structs, arrays, host functions, globals) a Program holds.

/** A low-level type. References are always nullable (a null reference is a defined value). */
export type LLType =
  | { readonly kind: "void" }
  | { readonly kind: "bool" }
  | { readonly kind: "i32" }
  | { readonly kind: "i64" }
  | { readonly kind: "f64" }
  /** Reference to a struct or array type declared in the Program, by name. */
  | { readonly kind: "ref"; readonly name: string }
  /** Reference to a function (a graph) with this signature. */
  | { readonly kind: "fn"; readonly params: readonly LLType[]; readonly result: LLType }
  /** The type of the constant `null`: assignable to every ref and fn type. */
  | { readonly kind: "null" };

export const VOID: LLType = { kind: "void" };
export const BOOL: LLType = { kind: "bool" };
export const I32: LLType = { kind: "i32" };
export const I64: LLType = { kind: "i64" };
export const F64: LLType = { kind: "f64" };
export const NULL_T: LLType = { kind: "null" };

/**
 * The hidden i32 field of the structs that are greens of a JIT driver: the Wasm backend adds it
 * (index 0 of the hierarchy's root, 0 when an object is made), and `getfield`/`setfield` of this
 * name read and write it in translated code (the JIT's entry cache numbers green objects in it,
 * for its hash). It is not one of the struct's declared fields; L3 has no such field.
 */
export const HIDDEN_SLOT = "__slot";

export function ref(name: string): LLType {
  return { kind: "ref", name };
}

export function fnType(params: readonly LLType[], result: LLType): LLType {
  return { kind: "fn", params, result };
}

/** Storage type of an array item: any value type, or `u8` (packed byte, read as i32 0..255). */
export type ItemType = LLType | { readonly kind: "u8" };

export const U8: ItemType = { kind: "u8" };

export interface FieldDef {
  readonly name: string;
  readonly type: LLType;
  /** Immutable fields are written only by `new` (or by the constructor before the object escapes). */
  readonly mutable: boolean;
}

export interface StructDef {
  readonly kind: "struct";
  readonly name: string;
  /** Single inheritance: the parent's fields come first. */
  readonly parent: string | null;
  /** Own fields, not including the parent's. */
  readonly fields: FieldDef[];
  /**
   * Virtualizable frame: the fields (and `field[*]` for the items of an array field) that compiled
   * code keeps in registers and writes back at exits.
   */
  readonly virtualizable?: readonly string[];
}

export interface ArrayDef {
  readonly kind: "array";
  readonly name: string;
  readonly item: ItemType;
  /** Immutable items are written only when the array is created (newarray_init) or before it escapes. */
  readonly mutable: boolean;
}

export type TypeDef = StructDef | ArrayDef;

/** A function provided by the host (JavaScript), called with `call_host`. */
export interface HostDef {
  readonly name: string;
  readonly params: readonly LLType[];
  readonly result: LLType;
}

export function typeEq(a: LLType, b: LLType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "ref") return a.name === (b as typeof a).name;
  if (a.kind === "fn") {
    const f = b as typeof a;
    return a.params.length === f.params.length && a.params.every((p, i) => typeEq(p, f.params[i] as LLType)) && typeEq(a.result, f.result);
  }
  return true;
}

export function itemTypeEq(a: ItemType, b: ItemType): boolean {
  if (a.kind === "u8" || b.kind === "u8") return a.kind === b.kind;
  return typeEq(a, b);
}

/** The type a value read from an array item has (u8 reads as i32). */
export function itemValueType(t: ItemType): LLType {
  return t.kind === "u8" ? I32 : t;
}

export function isRefLike(t: LLType): boolean {
  return t.kind === "ref" || t.kind === "fn" || t.kind === "null";
}

export function typeToString(t: ItemType): string {
  switch (t.kind) {
    case "ref":
      return t.name;
    case "fn":
      return `fn(${t.params.map(typeToString).join(", ")}) -> ${typeToString(t.result)}`;
    default:
      return t.kind;
  }
}
