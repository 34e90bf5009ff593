// Re-entering the interpreter's loop, for translated code without the JIT. V8 compiles a Wasm
// function first with its baseline compiler (Liftoff) and later, once the function is hot, with
// its optimizing one (TurboFan), but a call already running keeps the code it started with: V8
// has no on-stack replacement for Wasm. An interpreter's dispatch loop is one call that runs the
// whole guest program, so without help it runs baseline code to the end. Here every
// `can_enter_jit` of the portal counts down a global; every REENTER_EVERY backward jumps of the
// guest, the site calls the portal's continuation at its merge point (pe's
// mergePointContinuation: the interpreter from the top of its loop, taking the merge point's live
// variables) in tail position. That call, and the same sites in the continuation, which call it
// again, start with the best code V8 has for it by then. With the JIT, sites are JIT entries
// instead (enter.ts), and compiled code and the continuations that exits call are entered afresh
// all the time.

import type { Block, DriverDef, Graph, Op, Program, Value } from "../ir/graph.ts";
import { i32c } from "../ir/builder.ts";
import { cloneGraph } from "../ir/clone.ts";
import { I32 } from "../ir/types.ts";
import { mergePointContinuation } from "../pe/index.ts";
import { Ops } from "./enter.ts";
import { findPortalAndDriver } from "./runtime.ts";

/** The global counting down to the next re-entry. */
export const REENTER_COUNTDOWN = "__reenter.countdown";

/** Backward jumps of the guest between two re-entries (a re-entry costs about one call). */
export const REENTER_EVERY = 1 << 16;

/**
 * A copy of `p` whose portal re-enters its loop through the continuation at its merge point
 * every `every` `can_enter_jit` sites passed (see the file comment); `p` itself is left as it
 * is. `p` as it is when it has no merge point, or when the continuation does not take the
 * merge point's arguments.
 */
export function withReentry(p: Program, every = REENTER_EVERY): Program {
  const found = findPortalAndDriver(p);
  if (!found) return p;
  const { portal, driver } = found;
  const out: Program = { ...p, graphs: new Map(p.graphs), globals: new Map(p.globals) };
  const contName = mergePointContinuation(out, portal);
  const cont = out.graphs.get(contName);
  const start = cont?.blocks[0];
  const mop = start?.ops[0];
  if (!cont || !start || mop?.op !== "jit_merge_point") return p;
  // the continuation's parameters, as positions among the merge point's (and a site's) arguments
  const order = start.params.map((v) => mop.args.indexOf(v));
  if (order.some((k) => k < 0) || cont.result.kind !== portal.result.kind) return p;
  out.globals.set(REENTER_COUNTDOWN, { name: REENTER_COUNTDOWN, type: I32, mutable: true, init: i32c(every) });
  for (const g of [portal, cont]) {
    const copy = cloneGraph(g, g.name).graph;
    rewriteSites(out, copy, driver, contName, order, every);
    out.graphs.set(g.name, copy);
  }
  return out;
}

/** Replace each of `g`'s can_enter_jit sites of `driver` by the countdown and the re-entry. */
function rewriteSites(p: Program, g: Graph, driver: DriverDef, cont: string, order: readonly number[], every: number): void {
  for (let bi = 0; bi < g.blocks.length; bi++) {
    const b = g.blocks[bi] as Block;
    const i = b.ops.findIndex((o) => o.op === "can_enter_jit" && o.attrs.callee === driver.name);
    if (i < 0) continue;
    const site = b.ops[i] as Op;
    // the rest of the block comes next (it may hold more sites: the loop reaches it)
    const rest: Block = { label: `${b.label}.go`, params: [], ops: b.ops.slice(i + 1), exit: b.exit };
    const again: Block = { label: `${b.label}.reenter`, params: [], ops: [], exit: { kind: "none" } };
    b.ops = b.ops.slice(0, i);
    const e = new Ops(p, site.loc, b);
    const n = e.val("int_sub", [e.val("getglobal", [], { callee: REENTER_COUNTDOWN }, "countdown"), i32c(1)], {}, "countdown");
    e.op("setglobal", [n], { callee: REENTER_COUNTDOWN });
    e.branch(e.val("int_le", [n, i32c(0)], {}, "reenter"), again, rest);
    e.block = again;
    e.op("setglobal", [i32c(every)], { callee: REENTER_COUNTDOWN });
    const r = e.op(
      "call",
      order.map((k) => site.args[k] as Value),
      { callee: cont },
      "r",
    );
    again.exit = { kind: "return", value: r };
    g.blocks.splice(bi + 1, 0, rest, again);
  }
}
