// Splitting the portal at its merge point. The JIT needs a graph that starts exactly at the
// interpreter's jit_merge_point with the greens and reds as parameters: compiled code is entered
// there and, when it leaves, continues the interpreter there (a tail call with the new greens and
// reds). `splitPortal` makes that graph (`<portal>$loop`) from a copy of the portal and rewrites
// the portal to run up to the merge point and then call it. RPython imposes the same rule: every
// variable live at the merge point must be listed among the greens or the reds.

import { cloneGraph, substitute } from "../ir/clone.ts";
import type { Block, DriverDef, Graph, Op, Program, Value, Var } from "../ir/graph.ts";
import { exitLinks, exitOperands, locToString, reachableBlocks } from "../ir/graph.ts";
import { newVar } from "../ir/builder.ts";

export class PortalError extends Error {}

export interface PortalSplit {
  /** The original portal, now calling `loop` when it reaches the merge point. */
  portal: Graph;
  /** Starts at the merge point; params: one per distinct merge-point operand variable. */
  loop: Graph;
  driver: DriverDef;
}

function findMergePoint(g: Graph): { block: Block; index: number }[] {
  const out: { block: Block; index: number }[] = [];
  for (const b of reachableBlocks(g)) {
    b.ops.forEach((o, index) => {
      if (o.op === "jit_merge_point") out.push({ block: b, index });
    });
  }
  return out;
}

/** Split `portalName` at its jit_merge_point (see the file comment). Mutates the program. */
export function splitPortal(p: Program, portalName: string): PortalSplit {
  const portal = p.graphs.get(portalName);
  if (!portal) throw new PortalError(`no graph '${portalName}'`);
  const mps = findMergePoint(portal);
  if (mps.length !== 1) throw new PortalError(`graph '${portalName}' must hold exactly one jit_merge_point, it holds ${mps.length}`);
  const mpOp = (mps[0] as { block: Block; index: number }).block.ops[(mps[0] as { index: number }).index] as Op;
  const driver = p.drivers.get(mpOp.attrs.callee ?? "");
  if (!driver) throw new PortalError(`jit_merge_point in '${portalName}' names an unknown driver`);
  const names = [...driver.greens, ...driver.reds];

  const copy = cloneGraph(portal, `${portalName}$loop`);
  const loop = copy.graph;
  const { block: origB, index } = mps[0] as { block: Block; index: number };
  const B = copy.blocks.get(origB) as Block;
  const mp = B.ops[index] as Op;

  // Distinct operand variables, each with the driver's name for it.
  const operandVars: Var[] = [];
  const nameOf = new Map<Var, string>();
  mp.args.forEach((a, i) => {
    if (a.kind === "var" && !nameOf.has(a)) {
      operandVars.push(a);
      nameOf.set(a, names[i] ?? a.name);
    }
  });

  // B2: the merge point and everything after it.
  const b2Params = operandVars.map((v) => newVar(v.type, nameOf.get(v)));
  const toB2 = new Map<Var, Value>(operandVars.map((v, i) => [v, b2Params[i] as Var]));
  const B2: Block = { label: `${B.label}.mp`, params: b2Params, ops: B.ops.slice(index), exit: B.exit };
  B.ops = B.ops.slice(0, index);
  B.exit = { kind: "jump", link: { target: B2, args: [...operandVars] } };
  const startParams = operandVars.map((v) => newVar(v.type, nameOf.get(v)));
  const S: Block = { label: "entry", params: startParams, ops: [], exit: { kind: "jump", link: { target: B2, args: [...startParams] } } };
  loop.blocks = [S, ...loop.blocks.filter((b) => b !== B), B, B2];

  // Uses of operand variables after the merge point read B2's params. In B itself only variables
  // defined outside B are replaced (B is dominated by B2 in the new graph).
  const definedInB = new Set<Var>(B.params);
  for (const o of B.ops) if (o.result) definedInB.add(o.result);
  substitute(
    loop.blocks.filter((b) => b !== B && b !== S),
    toB2,
  );
  substitute([B], new Map([...toB2].filter(([v]) => !definedInB.has(v))));
  loop.blocks = reachableBlocks(loop);

  // Every variable used must now be defined in the loop graph: else it was live across the merge
  // point without being green or red.
  const defined = new Set<Var>();
  for (const b of loop.blocks) {
    for (const v of b.params) defined.add(v);
    for (const o of b.ops) if (o.result) defined.add(o.result);
  }
  // Variables defined before the merge point in its block do not reach past it either.
  const missing = new Map<string, Var>();
  for (const b of loop.blocks) {
    const check = (v: Value) => v.kind === "var" && (!defined.has(v) || (b !== B && definedInB.has(v))) && missing.set(v.name, v);
    for (const o of b.ops) o.args.forEach(check);
    exitOperands(b.exit).forEach(check);
    for (const l of exitLinks(b.exit)) l.args.forEach(check);
  }
  if (missing.size > 0) {
    const where = mpOp.loc ? `${locToString(mpOp.loc)}: ` : "";
    throw new PortalError(
      `${where}value${missing.size > 1 ? "s" : ""} ${[...missing.keys()].map((n) => `'${n}'`).join(", ")} ` +
        `live across the merge point of '${portalName}' but neither green nor red: pass ${missing.size > 1 ? "them" : "it"} to mergePoint (as reds), or recompute after it`,
    );
  }
  loop.flags = { ...portal.flags, portal: true };
  p.graphs.set(loop.name, loop);

  // The portal: run up to the merge point, then continue in the loop graph.
  const result = portal.result.kind === "void" ? null : newVar(portal.result, "r");
  const origOperands = [...new Set(mpOp.args.filter((a): a is Var => a.kind === "var"))];
  const call: Op = { op: "call", args: origOperands, result, attrs: { callee: loop.name } };
  if (mpOp.loc) call.loc = mpOp.loc;
  origB.ops = [...origB.ops.slice(0, index), call];
  origB.exit = { kind: "return", value: result };
  portal.blocks = reachableBlocks(portal);
  return { portal, loop, driver };
}
