// Liveness of SSA variables in an LL graph: which variables are live on entry to each block and
// after each op. A variable is live where a later use can read it (block params are defined at
// block entry; link arguments are uses at the end of their block).

import type { Block, Graph, Var } from "./graph.ts";
import { exitLinks, exitOperands, reachableBlocks } from "./graph.ts";

export interface Liveness {
  /** Variables live at the start of the block, not counting its own params. */
  liveIn: Map<Block, Set<Var>>;
  /** Variables live at the end of the block (read by its exit or live into a successor). */
  liveOut: Map<Block, Set<Var>>;
}

function usesOfExit(b: Block): Var[] {
  const out: Var[] = [];
  for (const v of exitOperands(b.exit)) if (v.kind === "var") out.push(v);
  for (const l of exitLinks(b.exit)) for (const a of l.args) if (a.kind === "var") out.push(a);
  return out;
}

export function computeLiveness(g: Graph): Liveness {
  const blocks = reachableBlocks(g);
  const liveIn = new Map<Block, Set<Var>>();
  const liveOut = new Map<Block, Set<Var>>();
  for (const b of blocks) {
    liveIn.set(b, new Set());
    liveOut.set(b, new Set());
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i] as Block;
      const out = liveOut.get(b) as Set<Var>;
      for (const l of exitLinks(b.exit)) for (const v of liveIn.get(l.target) ?? []) out.add(v);
      const live = liveBefore(b, 0, out);
      for (const p of b.params) live.delete(p);
      const cur = liveIn.get(b) as Set<Var>;
      if (live.size !== cur.size || [...live].some((v) => !cur.has(v))) {
        liveIn.set(b, live);
        changed = true;
      }
    }
  }
  return { liveIn, liveOut };
}

/**
 * Variables live just before op `index` of block `b` (index = b.ops.length: before the exit),
 * given the variables live at the block's end.
 */
export function liveBefore(b: Block, index: number, liveAtEnd: ReadonlySet<Var>): Set<Var> {
  const live = new Set(liveAtEnd);
  for (const v of usesOfExit(b)) live.add(v);
  for (let i = b.ops.length - 1; i >= index; i--) {
    const op = b.ops[i];
    if (!op) continue;
    if (op.result) live.delete(op.result);
    for (const a of op.args) if (a.kind === "var") live.add(a);
  }
  return live;
}

/** Variables live just after op `index` of block `b`. */
export function liveAfter(lv: Liveness, b: Block, index: number): Set<Var> {
  return liveBefore(b, index + 1, lv.liveOut.get(b) ?? new Set());
}
