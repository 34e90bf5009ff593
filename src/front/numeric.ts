// Numbers: the integer rules that make translated code agree bit for bit with the interpreter run
// as plain TypeScript. In JavaScript every number is a double; an i32 stays exact only if each
// result is brought back into range. So:
//  - i32 `+`, `-` (and `-x`, and `*` by a small constant) must sit under `| 0`: `(a + b - c) | 0`
//    is exact in doubles and then wrapped, which is exactly int_add/int_sub modulo 2^32; the front
//    end checks that the chain cannot exceed 2^53 in magnitude;
//  - `Math.imul(a, b)` for i32 products, `idiv`/`imod` from the hints for division and remainder;
//  - bitwise operators and shifts are i32 (f64 operands are converted by ToInt32, as in JS);
//    `x >>> n` is an f64 (the unsigned value), `(x >>> n) | 0` an i32;
//  - `x | 0` on an f64 truncates it (cast_float_to_int); an i32 widens to f64 implicitly (exact);
//  - f64 arithmetic is plain. Constants are typed where they are used (i32 if integral).

import type ts from "typescript";
import { f64c, i32c } from "../ir/builder.ts";
import type { Value } from "../ir/graph.ts";
import type { ScalarOpName } from "../ir/ops.ts";
import type { LLType } from "../ir/types.ts";
import { typeToString } from "../ir/types.ts";
import { isI32 } from "./consts.ts";
import { excerpt } from "./diagnostics.ts";
import type { FnLowerer } from "./lower.ts";

/** An operand before typing: a value, or a constant number whose type is decided by its use. */
export type Operand =
  | { readonly kind: "value"; readonly v: Value; readonly node: ts.Node }
  | { readonly kind: "num"; readonly n: number; readonly node: ts.Node };

export function opType(o: Operand): LLType | "num" {
  return o.kind === "num" ? "num" : o.v.type;
}

/** Does this operand fit an i32 operation? */
function isIntLike(o: Operand): boolean {
  return o.kind === "num" ? isI32(o.n) : o.v.type.kind === "i32";
}

function isNumeric(o: Operand): boolean {
  return o.kind === "num" || o.v.type.kind === "i32" || o.v.type.kind === "f64";
}

/** A constant number as a value of type `expected` (i32 if integral and no type is asked). */
export function materialize(fl: FnLowerer, n: number, expected: LLType | undefined, node: ts.Node): Value {
  if (expected?.kind === "f64") return f64c(n);
  if (expected?.kind === "i32") {
    if (!isI32(n)) throw fl.report.error(node, `the constant ${n} is not an i32`, "use an integer in [-2^31, 2^31), or an f64");
    return i32c(n);
  }
  return isI32(n) ? i32c(n) : f64c(n);
}

export function toF64(fl: FnLowerer, o: Operand): Value {
  if (o.kind === "num") return f64c(o.n);
  if (o.v.type.kind === "f64") return o.v;
  if (o.v.type.kind === "i32") return fl.val("cast_int_to_float", [o.v], {}, o.node);
  throw notNumber(fl, o);
}

export function toI32(fl: FnLowerer, o: Operand): Value {
  if (o.kind === "num") {
    if (!isI32(o.n)) throw fl.report.error(o.node, `the constant ${o.n} is not an i32`);
    return i32c(o.n);
  }
  if (o.v.type.kind === "i32") return o.v;
  throw notNumber(fl, o);
}

/** ToInt32 of a number, as JavaScript's bitwise operators apply it. */
export function toI32Bits(fl: FnLowerer, o: Operand): Value {
  if (o.kind === "num") return i32c(o.n | 0);
  if (o.v.type.kind === "i32") return o.v;
  if (o.v.type.kind === "f64") return fl.val("cast_float_to_int", [o.v], {}, o.node);
  throw notNumber(fl, o);
}

function notNumber(fl: FnLowerer, o: Operand) {
  const t = o.kind === "num" ? "number" : typeToString(o.v.type);
  return fl.report.error(
    o.node,
    `'${excerpt(o.node)}' is a ${t}, not a number`,
    t === "bool" ? "write `c ? 1 : 0` to turn a bool into an i32" : undefined,
  );
}

const FLOAT_OPS: Record<string, ScalarOpName> = { "+": "float_add", "-": "float_sub", "*": "float_mul", "/": "float_div" };

/** `a op b` for op in + - * / % outside a `| 0` (in a `| 0` see `wrapped`). */
export function arith(fl: FnLowerer, op: string, l: Operand, r: Operand, expected: LLType | undefined, node: ts.Node): Value {
  if (!isNumeric(l)) throw notNumber(fl, l);
  if (!isNumeric(r)) throw notNumber(fl, r);
  const float = !isIntLike(l) || !isIntLike(r) || expected?.kind === "f64";
  if (float) {
    if (op === "%") throw fl.report.error(node, "`%` on f64 is not supported yet", "use imod(a, b) on i32 values");
    const a = toF64(fl, l);
    const b = toF64(fl, r);
    return fl.val(FLOAT_OPS[op] as ScalarOpName, [a, b], {}, node);
  }
  const text = excerpt(node);
  switch (op) {
    case "+":
    case "-":
      throw fl.report.error(
        node,
        `i32 \`${op}\` can leave the i32 range: '${text}'`,
        `wrap it: \`(${text}) | 0\` (or make the result an f64: \`const x: f64 = ${text}\`)`,
      );
    case "*":
      throw fl.report.error(node, `i32 \`*\` is not exact in doubles: '${text}'`, "use Math.imul(a, b) for the wrapped i32 product");
    case "/":
      throw fl.report.error(
        node,
        `\`/\` on i32 values: '${text}'`,
        "use idiv(a, b) for integer division (or `(a / k) | 0` with a constant k), or make an operand an f64",
      );
    default:
      throw fl.report.error(node, `\`%\` on i32 values: '${text}'`, "use imod(a, b) (or `(a % k) | 0` with a constant k)");
  }
}

// ---- `expr | 0`: wrapped integer chains ---------------------------------------------------------

/** A chain of + - (and negation, abs, multiplication by a constant) under `| 0`. */
export type Chain =
  | { readonly kind: "leaf"; readonly o: Operand }
  | { readonly kind: "add" | "sub"; readonly a: Chain; readonly b: Chain; readonly node: ts.Node }
  | { readonly kind: "neg" | "abs"; readonly a: Chain; readonly node: ts.Node }
  | { readonly kind: "mulk"; readonly a: Chain; readonly k: number; readonly node: ts.Node };

function leaves(c: Chain, out: Operand[] = []): Operand[] {
  if (c.kind === "leaf") out.push(c.o);
  else {
    leaves(c.a, out);
    if (c.kind === "add" || c.kind === "sub") leaves(c.b, out);
  }
  return out;
}

/** Largest magnitude the exact (double) value of the chain can have, when every leaf is an i32. */
function bound(c: Chain): number {
  switch (c.kind) {
    case "leaf":
      return c.o.kind === "num" ? Math.abs(c.o.n) : 2 ** 31;
    case "add":
    case "sub":
      return bound(c.a) + bound(c.b);
    case "neg":
    case "abs":
      return bound(c.a);
    case "mulk":
      return bound(c.a) * Math.abs(c.k);
  }
}

/** The i32 value of `chain | 0`. */
export function wrapChain(fl: FnLowerer, c: Chain, node: ts.Node): Value {
  if (c.kind === "leaf") return toI32Bits(fl, c.o);
  const ls = leaves(c);
  for (const l of ls) if (!isNumeric(l)) throw notNumber(fl, l);
  if (ls.every(isIntLike) && (c.kind !== "mulk" || isI32(c.k))) {
    if (bound(c) > 2 ** 53)
      throw fl.report.error(
        node,
        `'${excerpt(node)}' may not be exact in doubles before \`| 0\``,
        "split it, or use Math.imul for products",
      );
    return emitInt(fl, c);
  }
  return fl.val("cast_float_to_int", [emitFloat(fl, c)], {}, node);
}

function emitInt(fl: FnLowerer, c: Chain): Value {
  switch (c.kind) {
    case "leaf":
      return toI32(fl, c.o);
    case "add":
    case "sub": {
      const a = emitInt(fl, c.a);
      const b = emitInt(fl, c.b);
      return fl.val(c.kind === "add" ? "int_add" : "int_sub", [a, b], {}, c.node);
    }
    case "neg":
      return fl.val("int_neg", [emitInt(fl, c.a)], {}, c.node);
    case "abs":
      return fl.val("int_abs", [emitInt(fl, c.a)], {}, c.node);
    case "mulk":
      return fl.val("int_mul", [emitInt(fl, c.a), i32c(c.k)], {}, c.node);
  }
}

function emitFloat(fl: FnLowerer, c: Chain): Value {
  switch (c.kind) {
    case "leaf":
      return toF64(fl, c.o);
    case "add":
    case "sub": {
      const a = emitFloat(fl, c.a);
      const b = emitFloat(fl, c.b);
      return fl.val(c.kind === "add" ? "float_add" : "float_sub", [a, b], {}, c.node);
    }
    case "neg":
      return fl.val("float_neg", [emitFloat(fl, c.a)], {}, c.node);
    case "abs":
      return fl.val("float_abs", [emitFloat(fl, c.a)], {}, c.node);
    case "mulk":
      return fl.val("float_mul", [emitFloat(fl, c.a), f64c(c.k)], {}, c.node);
  }
}

// ---- comparisons ------------------------------------------------------------------------------

const INT_CMP: Record<string, ScalarOpName> = {
  "<": "int_lt",
  "<=": "int_le",
  ">": "int_gt",
  ">=": "int_ge",
  "===": "int_eq",
  "!==": "int_ne",
};
const FLOAT_CMP: Record<string, ScalarOpName> = {
  "<": "float_lt",
  "<=": "float_le",
  ">": "float_gt",
  ">=": "float_ge",
  "===": "float_eq",
  "!==": "float_ne",
};

/** `a op b` for a numeric comparison; returns a bool. */
export function compareNumbers(fl: FnLowerer, op: string, l: Operand, r: Operand, node: ts.Node): Value {
  if (!isNumeric(l)) throw notNumber(fl, l);
  if (!isNumeric(r)) throw notNumber(fl, r);
  if (isIntLike(l) && isIntLike(r)) return fl.val(INT_CMP[op] as ScalarOpName, [toI32(fl, l), toI32(fl, r)], {}, node);
  return fl.val(FLOAT_CMP[op] as ScalarOpName, [toF64(fl, l), toF64(fl, r)], {}, node);
}

// ---- bitwise ----------------------------------------------------------------------------------

const BIT_OPS: Record<string, ScalarOpName> = {
  "&": "int_and",
  "|": "int_or",
  "^": "int_xor",
  "<<": "int_shl",
  ">>": "int_shr",
  ">>>": "int_ushr",
};

/** `a op b` for a bitwise operator or shift: i32 (`>>>` gives the unsigned value as an f64). */
export function bitwise(fl: FnLowerer, op: string, l: Operand, r: Operand, node: ts.Node, wrappedUshr = false): Value {
  const a = toI32Bits(fl, l);
  const b = toI32Bits(fl, r);
  const v = fl.val(BIT_OPS[op] as ScalarOpName, [a, b], {}, node);
  if (op === ">>>" && !wrappedUshr) return fl.val("cast_uint_to_float", [v], {}, node);
  return v;
}
