// Entering compiled code. Every `can_enter_jit<d> greens..., reds...` of a graph becomes a call
// of the host function `__jit_enter_<d>` (which counts, compiles when hot, and answers with the
// compiled function for these greens or null) followed by a tail call of that function with the
// reds. Compiled code does what the portal does from the merge point on and returns the portal's
// result, so the interpreter's frame can be left for good (Wasm `return_call_ref`).

import type { Block, DriverDef, Graph, Op, Program, Var } from "../ir/graph.ts";
import { newVar } from "../ir/builder.ts";
import type { LLType } from "../ir/types.ts";
import { fnType } from "../ir/types.ts";

export function enterHostName(driver: string): string {
  return `__jit_enter_${driver}`;
}

/** The type of compiled code for a driver: the reds in, the portal's result out. */
export function compiledType(redTypes: readonly LLType[], result: LLType): LLType {
  return fnType(redTypes, result);
}

/**
 * Declare the driver's enter host function in the program (params: greens then reds, as typed at
 * `site`; result: a reference to compiled code). Returns the compiled-code function type.
 */
export function declareEnterHost(p: Program, driver: DriverDef, site: Op, result: LLType): LLType {
  const types = site.args.map((a) => a.type);
  const ft = compiledType(types.slice(driver.greens.length), result);
  const name = enterHostName(driver.name);
  if (!p.hosts.has(name)) p.hosts.set(name, { name, params: types, result: ft });
  return ft;
}

/**
 * Rewrite every can_enter_jit in `g` (see the file comment). `portalResult` is the result type of
 * the portal the driver belongs to; `g` must return the same type (it is the portal or a copy of a
 * piece of it). Returns the number of sites rewritten.
 */
export function insertJitEntries(p: Program, g: Graph, portalResult: LLType): number {
  let count = 0;
  // A site in a graph that does not return the portal's result cannot hand over to compiled code.
  if (g.result.kind !== portalResult.kind) return 0;
  for (let bi = 0; bi < g.blocks.length; bi++) {
    const b = g.blocks[bi] as Block;
    const i = b.ops.findIndex((o) => o.op === "can_enter_jit");
    if (i < 0) continue;
    const site = b.ops[i] as Op;
    const driver = p.drivers.get(site.attrs.callee ?? "");
    if (!driver) continue;
    const ft = declareEnterHost(p, driver, site, portalResult);
    const f = newVar(ft, "jitcode");
    const enter: Op = { op: "call_host", args: site.args, result: f, attrs: { callee: enterHostName(driver.name) } };
    const isNull = newVar({ kind: "bool" }, "nojit");
    const test: Op = { op: "ref_is_null", args: [f], result: isNull, attrs: {} };
    if (site.loc) {
      enter.loc = site.loc;
      test.loc = site.loc;
    }
    // The rest of the block (it may hold more sites: handled when the loop reaches it).
    const rest: Block = { label: `${b.label}.nojit`, params: [], ops: b.ops.slice(i + 1), exit: b.exit };
    const reds = site.args.slice(driver.greens.length);
    const r: Var | null = portalResult.kind === "void" ? null : newVar(portalResult, "r");
    const jit: Block = {
      label: `${b.label}.jit`,
      params: [],
      ops: [{ op: "call_ref", args: [f, ...reds], result: r, attrs: {} }],
      exit: { kind: "return", value: r },
    };
    b.ops = [...b.ops.slice(0, i), enter, test];
    b.exit = { kind: "branch", cond: isNull, ifTrue: { target: rest, args: [] }, ifFalse: { target: jit, args: [] } };
    g.blocks.splice(bi + 1, 0, rest, jit);
    count++;
  }
  return count;
}
