// The operation catalogue: every LL op's name, operand and result types, effects, and — for scalar
// ops — its semantics as a JS function. L3 and the specializer's constant folding both evaluate
// scalar ops through `evalScalar`, so there is exactly one definition of integer/float semantics.
// Integer ops on i32 wrap modulo 2^32 (two's complement) unless named `_ovf`.

import type { LLType } from "./types.ts";
import { BOOL, F64, I32, I64 } from "./types.ts";

/** Why a scalar op failed; L3 turns this into an LLError carrying graph/block/op. */
export type ScalarFailure = "division by zero" | "integer overflow";

export class ScalarError extends Error {
  readonly reason: ScalarFailure;
  constructor(reason: ScalarFailure) {
    super(reason);
    this.reason = reason;
  }
}

type Sc = number | bigint | boolean;

interface ScalarOpInfo {
  readonly params: readonly LLType[];
  readonly result: LLType;
  /** The op's meaning on JS values (number for i32/f64, bigint for i64, boolean for bool). */
  readonly fn: (...a: never[]) => Sc;
  /** The op can fail (division by zero, overflow): not removable even if its result is unused. */
  readonly canFail?: boolean;
}

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

function ovf(x: number): number {
  if (x < I32_MIN || x > I32_MAX) throw new ScalarError("integer overflow");
  return x;
}
function nonzero<T extends number | bigint>(d: T): T {
  // biome-ignore lint/suspicious/noDoubleEquals: 0 == 0n is the intended check for both kinds
  if (d == 0) throw new ScalarError("division by zero");
  return d;
}
const wrap64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** ToInt32 of an f64 (JS `x | 0`): truncate toward zero, wrap modulo 2^32; NaN and ±Infinity give 0. */
export function f64ToI32(x: number): number {
  return x | 0;
}

const ii = (fn: (a: number, b: number) => number, canFail = false): ScalarOpInfo => ({
  params: [I32, I32],
  result: I32,
  fn: fn as never,
  canFail,
});
const icmp = (fn: (a: number, b: number) => boolean): ScalarOpInfo => ({ params: [I32, I32], result: BOOL, fn: fn as never });
const ll = (fn: (a: bigint, b: bigint) => bigint, canFail = false): ScalarOpInfo => ({
  params: [I64, I64],
  result: I64,
  fn: fn as never,
  canFail,
});
const lcmp = (fn: (a: bigint, b: bigint) => boolean): ScalarOpInfo => ({ params: [I64, I64], result: BOOL, fn: fn as never });
const ff = (fn: (a: number, b: number) => number): ScalarOpInfo => ({ params: [F64, F64], result: F64, fn: fn as never });
const fcmp = (fn: (a: number, b: number) => boolean): ScalarOpInfo => ({ params: [F64, F64], result: BOOL, fn: fn as never });
const f1 = (fn: (a: number) => number): ScalarOpInfo => ({ params: [F64], result: F64, fn: fn as never });
const u32 = (x: number): number => x >>> 0;

/** Scalar ops: pure functions of their operands (some can fail). */
export const SCALAR_OPS = {
  // i32 arithmetic, wrapping
  int_add: ii((a, b) => (a + b) | 0),
  int_sub: ii((a, b) => (a - b) | 0),
  int_mul: ii((a, b) => Math.imul(a, b)),
  /** Truncating division; divisor 0 fails; INT_MIN / -1 wraps to INT_MIN (as JS `(a / b) | 0`). */
  int_div: ii((a, b) => (a / nonzero(b)) | 0, true),
  /** Remainder with the sign of the dividend (JS `a % b`); divisor 0 fails; INT_MIN % -1 is 0. */
  int_mod: ii((a, b) => (a % nonzero(b)) | 0, true),
  int_and: ii((a, b) => a & b),
  int_or: ii((a, b) => a | b),
  int_xor: ii((a, b) => a ^ b),
  /** Shifts use the low 5 bits of the count (as JS and Wasm). */
  int_shl: ii((a, b) => a << b),
  int_shr: ii((a, b) => a >> b),
  /** Logical shift right; the result is the i32 with those bits (JS `(a >>> b) | 0`). */
  int_ushr: ii((a, b) => (a >>> b) | 0),
  int_neg: { params: [I32], result: I32, fn: ((a: number) => -a | 0) as never },
  int_invert: { params: [I32], result: I32, fn: ((a: number) => ~a) as never },
  int_abs: { params: [I32], result: I32, fn: ((a: number) => Math.abs(a) | 0) as never },
  int_min: ii((a, b) => Math.min(a, b)),
  int_max: ii((a, b) => Math.max(a, b)),
  // i32 arithmetic that fails with "integer overflow" instead of wrapping
  int_add_ovf: ii((a, b) => ovf(a + b), true),
  int_sub_ovf: ii((a, b) => ovf(a - b), true),
  int_mul_ovf: ii((a, b) => ovf(Number(BigInt(a) * BigInt(b))), true),
  int_neg_ovf: { params: [I32], result: I32, fn: ((a: number) => ovf(0 - a)) as never, canFail: true },
  // i32 comparisons (signed) and unsigned comparisons
  int_eq: icmp((a, b) => a === b),
  int_ne: icmp((a, b) => a !== b),
  int_lt: icmp((a, b) => a < b),
  int_le: icmp((a, b) => a <= b),
  int_gt: icmp((a, b) => a > b),
  int_ge: icmp((a, b) => a >= b),
  uint_lt: icmp((a, b) => u32(a) < u32(b)),
  uint_le: icmp((a, b) => u32(a) <= u32(b)),
  uint_gt: icmp((a, b) => u32(a) > u32(b)),
  uint_ge: icmp((a, b) => u32(a) >= u32(b)),
  int_is_true: { params: [I32], result: BOOL, fn: ((a: number) => a !== 0) as never },
  // i64 arithmetic, wrapping modulo 2^64
  llong_add: ll((a, b) => wrap64(a + b)),
  llong_sub: ll((a, b) => wrap64(a - b)),
  llong_mul: ll((a, b) => wrap64(a * b)),
  llong_div: ll((a, b) => wrap64(a / nonzero(b)), true),
  llong_mod: ll((a, b) => a % nonzero(b), true),
  llong_and: ll((a, b) => a & b),
  llong_or: ll((a, b) => a | b),
  llong_xor: ll((a, b) => a ^ b),
  /** Shifts use the low 6 bits of the count. */
  llong_shl: ll((a, b) => wrap64(a << (b & 63n))),
  llong_shr: ll((a, b) => a >> (b & 63n)),
  llong_neg: { params: [I64], result: I64, fn: ((a: bigint) => wrap64(-a)) as never },
  llong_eq: lcmp((a, b) => a === b),
  llong_ne: lcmp((a, b) => a !== b),
  llong_lt: lcmp((a, b) => a < b),
  llong_le: lcmp((a, b) => a <= b),
  llong_gt: lcmp((a, b) => a > b),
  llong_ge: lcmp((a, b) => a >= b),
  // f64 (IEEE 754 double, as JS numbers)
  float_add: ff((a, b) => a + b),
  float_sub: ff((a, b) => a - b),
  float_mul: ff((a, b) => a * b),
  float_div: ff((a, b) => a / b),
  float_min: ff((a, b) => Math.min(a, b)),
  float_max: ff((a, b) => Math.max(a, b)),
  float_neg: f1((a) => -a),
  float_abs: f1((a) => Math.abs(a)),
  float_sqrt: f1((a) => Math.sqrt(a)),
  float_floor: f1((a) => Math.floor(a)),
  float_ceil: f1((a) => Math.ceil(a)),
  /** Round toward zero (Math.trunc). */
  float_trunc: f1((a) => Math.trunc(a)),
  float_eq: fcmp((a, b) => a === b),
  float_ne: fcmp((a, b) => a !== b),
  float_lt: fcmp((a, b) => a < b),
  float_le: fcmp((a, b) => a <= b),
  float_gt: fcmp((a, b) => a > b),
  float_ge: fcmp((a, b) => a >= b),
  // bool
  bool_not: { params: [BOOL], result: BOOL, fn: ((a: boolean) => !a) as never },
  bool_eq: { params: [BOOL, BOOL], result: BOOL, fn: ((a: boolean, b: boolean) => a === b) as never },
  bool_ne: { params: [BOOL, BOOL], result: BOOL, fn: ((a: boolean, b: boolean) => a !== b) as never },
  // conversions
  cast_int_to_float: { params: [I32], result: F64, fn: ((a: number) => a) as never },
  /** The i32's bits read as unsigned (JS `a >>> 0`), as f64. */
  cast_uint_to_float: { params: [I32], result: F64, fn: ((a: number) => a >>> 0) as never },
  /** ToInt32 (JS `x | 0`): truncate, wrap modulo 2^32, NaN/Infinity to 0. Exact for |x| < 2^63. */
  cast_float_to_int: { params: [F64], result: I32, fn: f64ToI32 as never },
  cast_int_to_llong: { params: [I32], result: I64, fn: ((a: number) => BigInt(a)) as never },
  /** Keep the low 32 bits. */
  cast_llong_to_int: { params: [I64], result: I32, fn: ((a: bigint) => Number(BigInt.asIntN(32, a))) as never },
  cast_llong_to_float: { params: [I64], result: F64, fn: ((a: bigint) => Number(a)) as never },
  cast_bool_to_int: { params: [BOOL], result: I32, fn: ((a: boolean) => (a ? 1 : 0)) as never },
} as const satisfies Record<string, ScalarOpInfo>;

export type ScalarOpName = keyof typeof SCALAR_OPS;

/**
 * Every other op. Their operand/result types depend on attrs or on the Program; `ir/typing.ts`
 * (the verifier) checks them, L3 gives them meaning:
 *
 * same_as x                       -> copy of x (any type)
 * new<S> [f1, ..., fn]            -> ref S: no operands = every field zero/false/null; else one per field (allFields order)
 * getfield<S.f> obj               -> field value; obj null fails
 * setfield<S.f> obj, v            -> void
 * newarray<A> len                 -> ref A, items zero/false/null; negative len fails
 * newarray_init<A> v1, ..., vn    -> ref A of length n
 * getitem<A> arr, i               -> item (u8 items read as i32 0..255); null or out of bounds fails
 * setitem<A> arr, i, v            -> void (u8 items store v & 255)
 * arraylen<A> arr                 -> i32
 * arraycopy<A> src, srcPos, dst, dstPos, len -> void (overlap-safe, like copyWithin)
 * ref_is_null x                   -> bool
 * ref_eq a, b                     -> bool (identity)
 * ref_test<S> x                   -> bool: x is non-null and its struct is S or inherits from S
 * ref_cast<S> x                   -> ref S: x unchanged; fails unless x is null or a S
 * call<g> args...                 -> g's result
 * call_ref f, args...             -> f's result; f null fails
 * call_host<h> args...            -> h's result
 * getglobal<name>                 -> the global's value
 * setglobal<name> v               -> void
 * jit_merge_point<driver> greens..., reds...   -> void: top of the dispatch loop (no-op on L3)
 * can_enter_jit<driver> greens..., reds...     -> void: at guest backward jumps (no-op on L3)
 * promote x                        -> x; the specializer makes x green by a guard
 * assert_green x                   -> void; the specializer checks that x is green (no-op on L3)
 * is_constant x                    -> bool: false on L3; true in residual code where x is a constant
 */
export const OTHER_OPS = [
  "same_as",
  "new",
  "getfield",
  "setfield",
  "newarray",
  "newarray_init",
  "getitem",
  "setitem",
  "arraylen",
  "arraycopy",
  "ref_is_null",
  "ref_eq",
  "ref_test",
  "ref_cast",
  "call",
  "call_ref",
  "call_host",
  "getglobal",
  "setglobal",
  "jit_merge_point",
  "can_enter_jit",
  "promote",
  "assert_green",
  "is_constant",
] as const;

export type OtherOpName = (typeof OTHER_OPS)[number];
export type OpName = ScalarOpName | OtherOpName;

const OTHER_SET: ReadonlySet<string> = new Set(OTHER_OPS);

export function isScalarOp(name: string): name is ScalarOpName {
  return Object.hasOwn(SCALAR_OPS, name);
}

export function isOpName(name: string): name is OpName {
  return isScalarOp(name) || OTHER_SET.has(name);
}

export function scalarInfo(name: ScalarOpName): ScalarOpInfo {
  return SCALAR_OPS[name];
}

/** Evaluate a scalar op on JS values; throws ScalarError on division by zero or overflow. */
export function evalScalar(name: ScalarOpName, args: readonly Sc[]): Sc {
  return (SCALAR_OPS[name].fn as (...a: Sc[]) => Sc)(...args);
}

/** Ops with no effect besides their result: removable when unused, and foldable on constants. */
export function isPure(name: OpName): boolean {
  if (isScalarOp(name)) return !(SCALAR_OPS[name] as ScalarOpInfo).canFail;
  return name === "same_as" || name === "ref_is_null" || name === "ref_eq" || name === "ref_test";
}

/** Ops that read or write the heap, globals, or call out. */
export const EFFECTFUL_OPS: ReadonlySet<OpName> = new Set<OpName>([
  "setfield",
  "setitem",
  "arraycopy",
  "call",
  "call_ref",
  "call_host",
  "setglobal",
  "jit_merge_point",
  "can_enter_jit",
]);
