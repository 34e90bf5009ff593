// TypeScript types → LL types. Annotations are read syntactically, because `i32` and `f64` are
// both `number` to the checker: the alias names from the hints module decide. Scalars: i32, f64,
// bool (or `boolean`). References: classes (structs), `C | null`, Int32Array / Float64Array /
// Uint8Array (mutable LL arrays of those names), the hints' Immutable*Array interfaces (arrays of
// those names with immutable items), `Array<T>` / `T[]` of references ("Array<T>") and their
// readonly forms ("ReadonlyArray<T>", immutable items). Anything else is reported with advice.

import ts from "typescript";
import type { ItemType, LLType } from "../ir/types.ts";
import { BOOL, F64, I32, ref, U8, VOID } from "../ir/types.ts";
import { excerpt } from "./diagnostics.ts";
import { isLibDeclaration } from "./tsprogram.ts";
import type { World } from "./world.ts";

/** Where a type is written, for messages. */
export type TypeUse = "parameter" | "result" | "field" | "local" | "global" | "element" | "type argument";

const TYPED_ARRAYS: Record<string, { item: ItemType; mutable: boolean }> = {
  Int32Array: { item: I32, mutable: true },
  Float64Array: { item: F64, mutable: true },
  Uint8Array: { item: U8, mutable: true },
  ImmutableInt32Array: { item: I32, mutable: false },
  ImmutableFloat64Array: { item: F64, mutable: false },
  ImmutableUint8Array: { item: U8, mutable: false },
};

/** Declare an array type in the LL program (if new) and return a reference to it. */
export function arrayType(w: World, name: string, item: ItemType, mutable: boolean): LLType {
  if (!w.ll.types.has(name)) w.ll.types.set(name, { kind: "array", name, item, mutable });
  return ref(name);
}

/** The LL type of the typed array (or Immutable* interface) called `name`, or undefined. */
export function typedArrayType(w: World, name: string): LLType | undefined {
  const t = TYPED_ARRAYS[name];
  return t ? arrayType(w, name, t.item, t.mutable) : undefined;
}

/** The LL type written by a type annotation; reports and throws Rejected when it is outside the subset. */
export function typeFromNode(w: World, node: ts.TypeNode, use: TypeUse, seen: Set<ts.Node> = new Set()): LLType {
  const K = ts.SyntaxKind;
  switch (node.kind) {
    case K.NumberKeyword:
      throw w.report.error(node, "a plain `number` type", "use i32 (32-bit integer) or f64 (double) from the hints module");
    case K.BooleanKeyword:
      return BOOL;
    case K.VoidKeyword:
      if (use === "result") return VOID;
      break;
    case K.StringKeyword:
      throw w.report.error(
        node,
        "strings are not supported yet",
        "use a Uint8Array of bytes (the only string allowed is the literal of fail())",
      );
    case K.AnyKeyword:
    case K.UnknownKeyword:
      throw w.report.error(node, `the type '${node.getText()}' is not allowed in translated code`, "write the precise type");
    case K.BigIntKeyword:
      throw w.report.error(node, "bigint is not supported", "use i32 or f64");
    case K.ParenthesizedType:
      return typeFromNode(w, (node as ts.ParenthesizedTypeNode).type, use, seen);
  }
  if (ts.isUnionTypeNode(node)) return unionType(w, node, use, seen);
  if (ts.isArrayTypeNode(node)) return arrayOf(w, node.elementType, false, seen);
  if (ts.isTypeOperatorNode(node) && node.operator === K.ReadonlyKeyword && ts.isArrayTypeNode(node.type))
    return arrayOf(w, node.type.elementType, true, seen);
  if (ts.isTypeReferenceNode(node)) return referenceType(w, node, use, seen);
  if (ts.isFunctionTypeNode(node))
    throw w.report.error(
      node,
      "function types are not supported yet (no closures or function values)",
      "call the function directly, or dispatch with a switch",
    );
  if (ts.isTupleTypeNode(node)) throw w.report.error(node, "tuple types are not supported", "use a class with one field per item");
  if (ts.isTypeLiteralNode(node)) throw w.report.error(node, "object literal types are not supported", "declare a class");
  throw w.report.error(node, `the type '${excerpt(node)}' is not in the subset`, "use i32, f64, bool, a class, a typed array or Array<C>");
}

function unionType(w: World, node: ts.UnionTypeNode, use: TypeUse, seen: Set<ts.Node>): LLType {
  const isNull = (t: ts.TypeNode) => ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword;
  const rest = node.types.filter((t) => !isNull(t));
  if (rest.length === 1 && rest.length < node.types.length) {
    const t = typeFromNode(w, rest[0] as ts.TypeNode, use, seen);
    if (t.kind === "ref") return t;
    throw w.report.error(node, `'${excerpt(node)}': only references (classes, arrays) can be null`, "use a sentinel value instead of null");
  }
  if (node.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword))
    throw w.report.error(node, "`undefined` is not supported", "use `C | null` for an optional reference");
  throw w.report.error(
    node,
    `union types other than 'C | null' are not supported: '${excerpt(node)}'`,
    "use one type (a class hierarchy for variants)",
  );
}

function arrayOf(w: World, elem: ts.TypeNode, readonly: boolean, seen: Set<ts.Node>): LLType {
  const t = typeFromNode(w, elem, "element", seen);
  if (t.kind !== "ref") {
    const alt = t.kind === "i32" ? "Int32Array" : t.kind === "f64" ? "Float64Array" : "Uint8Array (0 and 1)";
    throw w.report.error(elem, `arrays of ${t.kind} must be typed arrays`, `use ${alt}`);
  }
  const name = `${readonly ? "ReadonlyArray" : "Array"}<${t.name}>`;
  return arrayType(w, name, t, !readonly);
}

function referenceType(w: World, node: ts.TypeReferenceNode, use: TypeUse, seen: Set<ts.Node>): LLType {
  const sym = w.resolve(node.typeName);
  const name = node.typeName.getText();
  if (!sym) throw w.report.error(node, `cannot resolve the type '${name}'`);
  const hint = w.hintName(sym);
  if (hint !== undefined) {
    if (hint === "i32") return I32;
    if (hint === "f64") return F64;
    if (hint === "bool") return BOOL;
    const ta = typedArrayType(w, hint);
    if (ta) return ta;
    throw w.report.error(node, `'${hint}' from the hints module is not a value type of translated code`);
  }
  const d = w.decl(sym) ?? sym.declarations?.[0];
  if (d && isLibDeclaration(d)) {
    if (TYPED_ARRAYS[sym.name]?.mutable) return typedArrayType(w, sym.name) as LLType;
    if (sym.name === "Array" || sym.name === "ReadonlyArray") {
      const arg = node.typeArguments?.[0];
      if (!arg) throw w.report.error(node, `${sym.name} needs an element type`, `write ${sym.name}<C>`);
      return arrayOf(w, arg, sym.name === "ReadonlyArray", seen);
    }
    if (sym.name === "Boolean" || sym.name === "Number" || sym.name === "String")
      throw w.report.error(node, `the wrapper type '${sym.name}' is not supported`, "use bool, i32 or f64");
    throw w.report.error(
      node,
      `the library type '${sym.name}' is not supported in translated code`,
      "use i32, f64, bool, classes, typed arrays or Array<C>",
    );
  }
  if (d && ts.isTypeAliasDeclaration(d)) {
    if (seen.has(d)) throw w.report.error(node, `the type alias '${name}' refers to itself`);
    seen.add(d);
    return typeFromNode(w, d.type, use, seen);
  }
  if (d && ts.isClassDeclaration(d)) {
    if (node.typeArguments) throw w.report.error(node, "generic classes are not supported", "write the class for the concrete type");
    return ref(w.classInfo(d).name);
  }
  if (d && ts.isInterfaceDeclaration(d))
    throw w.report.error(node, `interfaces are not supported as value types ('${name}')`, "declare a class");
  if (d && ts.isEnumDeclaration(d)) throw w.report.error(node, "enums are not supported", "use module-level `const` numbers");
  if (d && ts.isTypeParameterDeclaration(d))
    throw w.report.error(node, "generic type parameters are not supported", "write the concrete type");
  throw w.report.error(node, `the type '${name}' is not in the subset`, "use i32, f64, bool, a class, a typed array or Array<C>");
}

/**
 * The LL type of a type the checker inferred (used where no annotation is written: results of
 * functions without a return type). Numbers are ambiguous (i32 or f64) and must be annotated.
 */
export function typeFromTsType(w: World, t: ts.Type | undefined, at: ts.Node, use: TypeUse): LLType {
  if (!t) throw w.report.error(at, `cannot infer the ${use} type`, "annotate it");
  const F = ts.TypeFlags;
  if (t.flags & (F.Void | F.Undefined) && use === "result") return VOID;
  if (t.flags & F.BooleanLike) return BOOL;
  if (t.flags & F.NumberLike) throw w.report.error(at, `the ${use} type is a number: i32 or f64?`, "annotate it, e.g. `): i32`");
  if (t.isUnion()) {
    const rest = t.types.filter((x) => !(x.flags & F.Null));
    if (rest.length === 1 && rest.length < t.types.length) {
      const r = typeFromTsType(w, rest[0], at, use);
      if (r.kind === "ref") return r;
    }
    if (t.types.every((x) => x.flags & F.BooleanLike)) return BOOL;
    throw w.report.error(at, `the inferred ${use} type '${w.checker.typeToString(t)}' is not in the subset`, "annotate it");
  }
  const sym = t.getSymbol() ?? t.aliasSymbol;
  if (sym) {
    const hint = w.hintName(sym);
    const ta = hint !== undefined ? typedArrayType(w, hint) : undefined;
    if (ta) return ta;
    const d = w.decl(sym) ?? sym.declarations?.[0];
    if (d && isLibDeclaration(d)) {
      if (TYPED_ARRAYS[sym.name]?.mutable) return typedArrayType(w, sym.name) as LLType;
    }
    if (d && ts.isClassDeclaration(d)) return ref(w.classInfo(d).name);
  }
  throw w.report.error(at, `the inferred ${use} type '${w.checker.typeToString(t)}' is not in the subset`, "annotate it");
}
