// Scalar ops on L3: wrapping i32 and i64 arithmetic, division rules, shifts, overflow-checked ops,
// comparisons, floats and conversions, each run as a one-op graph.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ScalarOpName } from "../../src/ir/ops.ts";
import { scalarInfo } from "../../src/ir/ops.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { llError, runOp } from "./util.ts";

const MIN = -2147483648;
const MAX = 2147483647;
const L_MIN = -(2n ** 63n);
const L_MAX = 2n ** 63n - 1n;

function run(op: ScalarOpName, ...args: LLValue[]): LLValue {
  return runOp(op, [...scalarInfo(op).params], args);
}

const cases: [ScalarOpName, LLValue[], LLValue][] = [
  // i32 wrapping arithmetic
  ["int_add", [MAX, 1], MIN],
  ["int_add", [-5, 3], -2],
  ["int_sub", [MIN, 1], MAX],
  ["int_mul", [MAX, 2], -2],
  ["int_mul", [65536, 65536], 0],
  ["int_mul", [-7, 6], -42],
  ["int_div", [7, 2], 3],
  ["int_div", [-7, 2], -3],
  ["int_div", [7, -2], -3],
  ["int_div", [MIN, -1], MIN],
  ["int_mod", [7, 2], 1],
  ["int_mod", [-7, 2], -1],
  ["int_mod", [7, -2], 1],
  ["int_mod", [MIN, -1], 0],
  ["int_and", [12, 10], 8],
  ["int_or", [12, 10], 14],
  ["int_xor", [12, 10], 6],
  ["int_shl", [1, 31], MIN],
  ["int_shl", [1, 33], 2],
  ["int_shl", [1, -1], MIN],
  ["int_shr", [-8, 1], -4],
  ["int_shr", [MIN, 31], -1],
  ["int_shr", [16, 36], 1],
  ["int_ushr", [-1, 28], 15],
  ["int_ushr", [-1, 0], -1],
  ["int_ushr", [MIN, 31], 1],
  ["int_neg", [5], -5],
  ["int_neg", [MIN], MIN],
  ["int_invert", [0], -1],
  ["int_abs", [-9], 9],
  ["int_abs", [MIN], MIN],
  ["int_min", [-3, 2], -3],
  ["int_max", [-3, 2], 2],
  // overflow-checked arithmetic that stays in range
  ["int_add_ovf", [MAX - 1, 1], MAX],
  ["int_sub_ovf", [MIN + 1, 1], MIN],
  ["int_mul_ovf", [-65536, 32768], MIN],
  ["int_mul_ovf", [46340, 46340], 2147395600],
  ["int_neg_ovf", [MAX], -MAX],
  // comparisons
  ["int_eq", [3, 3], true],
  ["int_ne", [3, 3], false],
  ["int_lt", [-1, 0], true],
  ["int_le", [0, 0], true],
  ["int_gt", [MIN, MAX], false],
  ["int_ge", [MAX, MIN], true],
  ["uint_lt", [-1, 0], false],
  ["uint_lt", [0, -1], true],
  ["uint_le", [MIN, MIN], true],
  ["uint_gt", [MIN, MAX], true],
  ["uint_ge", [1, -1], false],
  ["int_is_true", [0], false],
  ["int_is_true", [-4], true],
  // i64
  ["llong_add", [L_MAX, 1n], L_MIN],
  ["llong_sub", [L_MIN, 1n], L_MAX],
  ["llong_mul", [2n ** 32n, 2n ** 32n], 0n],
  ["llong_div", [-7n, 2n], -3n],
  ["llong_div", [L_MIN, -1n], L_MIN],
  ["llong_mod", [-7n, 2n], -1n],
  ["llong_and", [12n, 10n], 8n],
  ["llong_or", [12n, 10n], 14n],
  ["llong_xor", [12n, 10n], 6n],
  ["llong_shl", [1n, 63n], L_MIN],
  ["llong_shl", [1n, 65n], 2n],
  ["llong_shr", [-8n, 1n], -4n],
  ["llong_shr", [L_MIN, 127n], -1n],
  ["llong_neg", [L_MIN], L_MIN],
  ["llong_eq", [5n, 5n], true],
  ["llong_ne", [5n, 5n], false],
  ["llong_lt", [L_MIN, 0n], true],
  ["llong_le", [1n, 0n], false],
  ["llong_gt", [1n, 0n], true],
  ["llong_ge", [0n, 0n], true],
  // f64
  ["float_add", [0.1, 0.2], 0.1 + 0.2],
  ["float_sub", [1, 3], -2],
  ["float_mul", [1e308, 10], Number.POSITIVE_INFINITY],
  ["float_div", [1, 0], Number.POSITIVE_INFINITY],
  ["float_div", [-1, 0], Number.NEGATIVE_INFINITY],
  ["float_div", [0, 0], Number.NaN],
  ["float_min", [-0, 0], -0],
  ["float_max", [1, Number.NaN], Number.NaN],
  ["float_neg", [0], -0],
  ["float_abs", [-2.5], 2.5],
  ["float_sqrt", [2], Math.SQRT2],
  ["float_sqrt", [-1], Number.NaN],
  ["float_floor", [-2.5], -3],
  ["float_ceil", [-2.5], -2],
  ["float_trunc", [-2.5], -2],
  ["float_eq", [Number.NaN, Number.NaN], false],
  ["float_ne", [Number.NaN, Number.NaN], true],
  ["float_lt", [-0, 0], false],
  ["float_le", [-0, 0], true],
  ["float_gt", [Number.POSITIVE_INFINITY, 1e308], true],
  ["float_ge", [Number.NaN, 0], false],
  // bool
  ["bool_not", [true], false],
  ["bool_eq", [false, false], true],
  ["bool_ne", [true, false], true],
  // conversions
  ["cast_int_to_float", [MIN], -2147483648],
  ["cast_uint_to_float", [-1], 4294967295],
  ["cast_uint_to_float", [MIN], 2147483648],
  ["cast_float_to_int", [3.9], 3],
  ["cast_float_to_int", [-3.9], -3],
  ["cast_float_to_int", [Number.NaN], 0],
  ["cast_float_to_int", [Number.POSITIVE_INFINITY], 0],
  ["cast_float_to_int", [Number.NEGATIVE_INFINITY], 0],
  ["cast_float_to_int", [2147483648], MIN],
  ["cast_float_to_int", [4294967296 + 5.5], 5],
  ["cast_float_to_int", [1e20], 1661992960],
  ["cast_int_to_llong", [-1], -1n],
  ["cast_llong_to_int", [2n ** 32n + 7n], 7],
  ["cast_llong_to_int", [2n ** 31n], MIN],
  ["cast_llong_to_int", [-1n], -1],
  ["cast_llong_to_float", [2n ** 53n + 1n], 2 ** 53],
  ["cast_bool_to_int", [true], 1],
  ["cast_bool_to_int", [false], 0],
];

test("scalar ops compute their defined results", () => {
  for (const [op, args, expected] of cases) {
    const got = run(op, ...args);
    assert.ok(Object.is(got, expected), `${op}(${args.map(String).join(", ")}) = ${String(got)}, expected ${String(expected)}`);
  }
});

test("every scalar op of the catalogue is covered", async () => {
  const { SCALAR_OPS } = await import("../../src/ir/ops.ts");
  const covered = new Set(cases.map((c) => c[0]));
  const missing = Object.keys(SCALAR_OPS).filter((k) => !covered.has(k as ScalarOpName));
  assert.deepEqual(missing, []);
});

test("division and remainder by zero fail", () => {
  for (const op of ["int_div", "int_mod"] as const) {
    const e = llError(() => run(op, 5, 0));
    assert.equal(e.kind, "division by zero");
    assert.equal(e.message, `division by zero in graph 'f', block 'start', op 0 (${op})`);
  }
  for (const op of ["llong_div", "llong_mod"] as const) assert.equal(llError(() => run(op, 5n, 0n)).kind, "division by zero");
});

test("overflow-checked ops fail out of range", () => {
  const bad: [ScalarOpName, LLValue[]][] = [
    ["int_add_ovf", [MAX, 1]],
    ["int_sub_ovf", [MIN, 1]],
    ["int_mul_ovf", [65536, 32768]],
    ["int_mul_ovf", [46341, 46341]],
    ["int_mul_ovf", [MIN, -1]],
    ["int_neg_ovf", [MIN]],
  ];
  for (const [op, args] of bad) {
    const e = llError(() => run(op, ...args));
    assert.equal(e.kind, "integer overflow", op);
    assert.equal(e.reason, "integer overflow");
    assert.equal(e.op, op);
  }
});
