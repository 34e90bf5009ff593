// Every scalar op translated to Wasm gives what evalScalar (the one definition of scalar
// semantics, which L3 uses) gives, on edge cases and random inputs; failing ops fail with the same
// error kind. Each op is tested with operands from params (locals), from preceding ops (left on
// the Wasm operand stack) and with a constant second operand.

import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphBuilder, constant } from "../../src/ir/builder.ts";
import { newProgram } from "../../src/ir/graph.ts";
import type { Value } from "../../src/ir/graph.ts";
import type { ScalarOpName } from "../../src/ir/ops.ts";
import { SCALAR_OPS, ScalarError, evalScalar, scalarInfo } from "../../src/ir/ops.ts";
import type { LLType } from "../../src/ir/types.ts";
import { rng, translate } from "./util.ts";

const MIN = -2147483648;
const MAX = 2147483647;
const I32S = [
  0,
  1,
  -1,
  2,
  -2,
  3,
  -3,
  7,
  -7,
  31,
  32,
  33,
  63,
  64,
  255,
  256,
  65535,
  65536,
  46340,
  -46341,
  MAX,
  MIN,
  MAX - 1,
  MIN + 1,
  123456789,
  -987654321,
];
const I64S = [
  0n,
  1n,
  -1n,
  2n,
  -2n,
  7n,
  -7n,
  63n,
  64n,
  65n,
  2n ** 32n,
  -(2n ** 32n) + 1n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2n ** 62n,
  123456789012345n,
  -98765432109876n,
];
const F64S = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  -1.5,
  2.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 31,
  -(2 ** 31),
  2 ** 31 - 0.5,
  2 ** 32,
  2 ** 32 + 3,
  -(2 ** 32) - 7.5,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  2 ** 64 + 2 ** 12,
  1e19,
  -1e19,
  1e300,
  -1e300,
  5e-324,
  4294967295.9,
  -4294967296.5,
  3.7,
  -3.7,
  1 / 3,
];
const BOOLS = [false, true];

function valuesOf(t: LLType, r: () => number): unknown[] {
  switch (t.kind) {
    case "i32":
      return [...I32S, ...Array.from({ length: 6 }, () => ((r() * 2 ** 32) | 0) >> Math.floor(r() * 31))];
    case "i64":
      return [
        ...I64S,
        ...Array.from({ length: 4 }, () => BigInt.asIntN(64, BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 32)))),
      ];
    case "f64":
      return [...F64S, ...Array.from({ length: 8 }, () => (r() - 0.5) * 2 ** Math.floor(r() * 140 - 20))];
    case "bool":
      return BOOLS;
    default:
      throw new Error(`no values for ${t.kind}`);
  }
}

function expected(op: ScalarOpName, args: unknown[]): { ok: true; value: unknown } | { ok: false; kind: string } {
  try {
    return { ok: true, value: evalScalar(op, args as never[]) };
  } catch (e) {
    if (e instanceof ScalarError) return { ok: false, kind: e.reason };
    throw e;
  }
}

// One program: for each op, `loc_op(a, b)` (operands in locals), `stk_op(a, b)` (operands made by
// same_as just before: on the stack), and for binary ops `k<i>_op(a)` with a constant second operand.
const p = newProgram();
const ops = Object.keys(SCALAR_OPS) as ScalarOpName[];
const KS = [0, 1, -1, 2, 5, MIN];
for (const op of ops) {
  const info = scalarInfo(op);
  const params = info.params.map((t, i) => ({ name: `a${i}`, type: t }));
  let b = new GraphBuilder(p, `loc_${op}`, params, info.result);
  b.ret(b.val(op, b.params as Value[]));
  b = new GraphBuilder(p, `stk_${op}`, params, info.result);
  const copies = b.params.map((v) => b.val("same_as", [v]));
  b.ret(b.val(op, copies));
  if (info.params.length === 2 && info.params[1]?.kind === "i32")
    KS.forEach((k, i) => {
      const g = new GraphBuilder(p, `k${i}_${op}`, [params[0] as { name: string; type: LLType }], info.result);
      g.ret(g.val(op, [g.params[0] as Value, constant(info.params[1] as LLType, k)]));
    });
}
const tm = translate(p);

for (const op of ops) {
  test(`scalar op ${op}`, () => {
    const info = scalarInfo(op);
    const r = rng(op.length * 7919 + op.charCodeAt(0));
    const domains = info.params.map((t) => valuesOf(t, r));
    const tuples: unknown[][] = domains.length === 1 ? (domains[0] as unknown[]).map((x) => [x]) : [];
    if (domains.length === 2) for (const x of domains[0] as unknown[]) for (const y of domains[1] as unknown[]) tuples.push([x, y]);
    const toWasm = (v: unknown) => v;
    for (const args of tuples) {
      const want = expected(op, args);
      const graphs = [`loc_${op}`, `stk_${op}`];
      for (const g of graphs) {
        const what = `${g}(${args.map(String).join(", ")})`;
        try {
          const got = tm.call(g, args.map(toWasm));
          assert.ok(want.ok, `${what}: expected ${want.ok ? "" : want.kind}, got ${String(got)}`);
          assert.ok(Object.is(got, want.value), `${what}: got ${String(got)}, expected ${String(want.value)}`);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          assert.ok(!want.ok, `${what}: unexpected error ${String(e)}`);
          assert.equal((e as { kind?: string }).kind, want.kind, what);
        }
      }
    }
    if (info.params.length === 2 && info.params[1]?.kind === "i32")
      KS.forEach((k, i) => {
        for (const x of domains[0] as unknown[]) {
          const want = expected(op, [x, k]);
          const what = `k${i}_${op}(${String(x)}) with ${k}`;
          try {
            const got = tm.call(`k${i}_${op}`, [x]);
            assert.ok(
              want.ok && Object.is(got, want.value),
              `${what}: got ${String(got)}, expected ${want.ok ? String(want.value) : want.kind}`,
            );
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e;
            assert.ok(!want.ok, `${what}: unexpected error ${String(e)}`);
            assert.equal((e as { kind?: string }).kind, want.kind, what);
          }
        }
      });
  });
}

test("cast_float_to_int is ToInt32 on many random doubles of every magnitude", () => {
  const r = rng(12345);
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 20000; i++) {
    view.setUint32(0, (r() * 2 ** 32) >>> 0);
    view.setUint32(4, (r() * 2 ** 32) >>> 0);
    const x = view.getFloat64(0);
    assert.equal(tm.call("loc_cast_float_to_int", [x]), x | 0, `ToInt32(${x})`);
  }
});
