// Substituting values for variables in residual blocks, in place: the cleanup passes replace a
// variable by what it stands for (copies, folded values, carried items) with it.

import type { Block, Value, Var } from "../ir/graph.ts";
import { exitLinks } from "../ir/graph.ts";

/** Replace, in place, each use of a variable in `sub` by what it stands for (following chains). */
export function substituteIn(blocks: Iterable<Block>, sub: Map<Var, Value>): void {
  if (sub.size === 0) return;
  const res = (v: Value): Value => chase(sub, v);
  for (const b of blocks) {
    for (const o of b.ops) for (let i = 0; i < o.args.length; i++) o.args[i] = res(o.args[i] as Value);
    const e = b.exit;
    if (e.kind === "branch") e.cond = res(e.cond);
    else if (e.kind === "switch") e.value = res(e.value);
    else if ((e.kind === "return" && e.value) || e.kind === "raise") e.value = res(e.value as Value);
    for (const l of exitLinks(e)) for (let i = 0; i < l.args.length; i++) l.args[i] = res(l.args[i] as Value);
  }
}

/** The value `v` stands for after the substitutions in `sub` (chains of any length; each var on the way then maps to it directly). */
export function chase(sub: Map<Var, Value>, v: Value): Value {
  let x = v;
  // at most sub.size steps: a cycle (which substitutions never make) cannot hang
  for (let n = 0; x.kind === "var" && n <= sub.size; n++) {
    const next = sub.get(x);
    if (next === undefined) break;
    x = next;
  }
  for (let y = v; y.kind === "var" && y !== x; ) {
    const next = sub.get(y);
    if (next === undefined || next === x) break;
    sub.set(y, x);
    y = next;
  }
  return x;
}
