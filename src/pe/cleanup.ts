// Cleanup of a residual graph after specialization: drop unreachable blocks, merge a block into
// its only predecessor when that one jumps to it, route links around empty forwarding blocks,
// remove block parameters nobody needs and ops whose results nobody uses (pure ops, and reads the
// specializer knows cannot fail). Residual graphs use dominance SSA, so uses are counted globally.

import type { Block, Exit, Graph, Link, Op, Value, Var } from "../ir/graph.ts";
import { exitLinks, reachableBlocks } from "../ir/graph.ts";
import { isPure } from "../ir/ops.ts";

export function cleanup(g: Graph, safeOps: ReadonlySet<Op>): void {
  for (let round = 0; round < 8; round++) {
    g.blocks = reachableBlocks(g);
    const a = mergeChains(g);
    const b = threadForwarders(g);
    const c = removeDead(g, safeOps);
    if (!a && !b && !c) break;
  }
  g.blocks = reachableBlocks(g);
}

function substitute(g: Graph, sub: Map<Var, Value>): void {
  if (sub.size === 0) return;
  const res = (v: Value): Value => {
    let x = v;
    for (let n = 0; x.kind === "var" && sub.has(x) && n < 1000; n++) x = sub.get(x) as Value;
    return x;
  };
  for (const b of g.blocks) {
    for (const o of b.ops) for (let i = 0; i < o.args.length; i++) o.args[i] = res(o.args[i] as Value);
    const e = b.exit;
    if (e.kind === "branch") e.cond = res(e.cond);
    else if (e.kind === "switch") e.value = res(e.value);
    else if ((e.kind === "return" && e.value) || e.kind === "raise") e.value = res(e.value as Value);
    for (const l of exitLinks(e)) for (let i = 0; i < l.args.length; i++) l.args[i] = res(l.args[i] as Value);
  }
}

function predCounts(g: Graph): Map<Block, number> {
  const n = new Map<Block, number>();
  for (const b of g.blocks) for (const l of exitLinks(b.exit)) n.set(l.target, (n.get(l.target) ?? 0) + 1);
  return n;
}

/** Merge B into P when P ends in `jump B(...)` and that is B's only incoming link. */
function mergeChains(g: Graph): boolean {
  const preds = predCounts(g);
  const start = g.blocks[0];
  const sub = new Map<Var, Value>();
  const gone = new Set<Block>();
  let changed = false;
  for (const p of g.blocks) {
    if (gone.has(p)) continue;
    for (;;) {
      const e = p.exit;
      if (e.kind !== "jump") break;
      const b = e.link.target;
      if (b === start || b === p || gone.has(b) || preds.get(b) !== 1) break;
      b.params.forEach((v, i) => {
        sub.set(v, e.link.args[i] as Value);
      });
      p.ops.push(...b.ops);
      p.exit = b.exit;
      gone.add(b);
      changed = true;
    }
  }
  if (changed) {
    g.blocks = g.blocks.filter((b) => !gone.has(b));
    substitute(g, sub);
  }
  return changed;
}

/** Links to a block with no ops that just jumps on go straight to its target. */
function threadForwarders(g: Graph): boolean {
  const start = g.blocks[0];
  let changed = false;
  const forward = (l: Link): void => {
    for (let n = 0; n < 100; n++) {
      const b = l.target;
      if (b === start || b.ops.length > 0 || b.exit.kind !== "jump" || b.exit.link.target === b) return;
      const next = b.exit.link;
      const map = new Map<Var, Value>();
      b.params.forEach((v, i) => {
        map.set(v, l.args[i] as Value);
      });
      l.target = next.target;
      l.args = next.args.map((a) => (a.kind === "var" && map.has(a) ? (map.get(a) as Value) : a));
      changed = true;
    }
  };
  for (const b of g.blocks) for (const l of exitLinks(b.exit)) forward(l);
  return changed;
}

/** Remove block params nobody needs, then ops whose unused results can go. */
function removeDead(g: Graph, safeOps: ReadonlySet<Op>): boolean {
  const needed = new Set<Var>();
  const need = (v: Value): void => {
    if (v.kind === "var") needed.add(v);
  };
  const removable = (o: Op): boolean => o.result !== null && (isPure(o.op) || safeOps.has(o));
  // start block params are the graph's params: always kept
  for (const v of g.blocks[0]?.params ?? []) needed.add(v);
  let grew = true;
  while (grew) {
    const before = needed.size;
    for (const b of g.blocks) {
      for (const o of b.ops) if (!removable(o) || (o.result && needed.has(o.result))) for (const a of o.args) need(a);
      const e = b.exit;
      exitUses(e).forEach(need);
      for (const l of exitLinks(e))
        l.args.forEach((a, i) => {
          if (needed.has(l.target.params[i] as Var)) need(a);
        });
    }
    grew = needed.size !== before;
  }
  let changed = false;
  for (const b of g.blocks) {
    if (b !== g.blocks[0]) {
      const keep = b.params.map((v) => needed.has(v));
      if (keep.some((k) => !k)) {
        changed = true;
        b.params = b.params.filter((_, i) => keep[i]);
        for (const p of g.blocks) for (const l of exitLinks(p.exit)) if (l.target === b) l.args = l.args.filter((_, i) => keep[i]);
      }
    }
    const ops = b.ops.filter((o) => !removable(o) || needed.has(o.result as Var));
    if (ops.length !== b.ops.length) {
      changed = true;
      b.ops = ops;
    }
  }
  return changed;
}

function exitUses(e: Exit): Value[] {
  switch (e.kind) {
    case "branch":
      return [e.cond];
    case "switch":
      return [e.value];
    case "return":
      return e.value ? [e.value] : [];
    case "raise":
      return [e.value];
    default:
      return [];
  }
}
