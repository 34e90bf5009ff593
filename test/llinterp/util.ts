// Helpers for L3 tests: build one-op graphs and small programs with the builder, run them on L3.

import type { OpAttrs, Program, Value } from "../../src/ir/graph.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { GraphBuilder } from "../../src/ir/builder.ts";
import type { OpName } from "../../src/ir/ops.ts";
import type { LLType } from "../../src/ir/types.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";

/** A program with graph `f(params) = op(params)`, run on L3 with `args`. */
export function runOp(op: OpName, types: LLType[], args: LLValue[], attrs: OpAttrs = {}, p: Program = newProgram()): LLValue {
  const b = new GraphBuilder(
    p,
    "f",
    types.map((t, i) => ({ name: `a${i}`, type: t })),
    { kind: "void" },
  );
  const r = b.op(op, b.params as Value[], attrs);
  b.graph.result = r ? r.type : { kind: "void" };
  b.ret(r);
  return new L3(p).call("f", args);
}

/** The LLError thrown by fn (fails the test if there is none). */
export function llError(fn: () => unknown): LLError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LLError) return e;
    throw new Error(`expected an LLError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error("expected an LLError, but nothing was thrown");
}
