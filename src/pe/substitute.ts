// Substituting values for variables in residual blocks, in place: the cleanup passes replace a
// variable by what it stands for (copies, folded values, carried items) with it.

import type { Block, Op, Value, Var } from "../ir/graph.ts";

/** Replace, in place, each use of a variable in `sub` by what it stands for (following chains). */
export function substituteIn(blocks: Iterable<Block>, sub: Map<Var, Value>): void {
  if (sub.size === 0) return;
  const res = (v: Value): Value => (v.kind === "var" && sub.has(v) ? chase(sub, v) : v);
  const resAll = (vs: Value[]): void => {
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i] as Value;
      if (v.kind !== "var") continue;
      // one lookup when what `v` stands for stands for nothing else (as most do)
      const x = sub.get(v);
      if (x !== undefined) vs[i] = x.kind === "var" && sub.has(x) ? chase(sub, v) : x;
    }
  };
  for (const b of blocks) {
    const ops = b.ops;
    for (let j = 0; j < ops.length; j++) resAll((ops[j] as Op).args);
    const e = b.exit;
    switch (e.kind) {
      case "jump":
        resAll(e.link.args);
        break;
      case "branch":
        e.cond = res(e.cond);
        resAll(e.ifTrue.args);
        resAll(e.ifFalse.args);
        break;
      case "switch":
        e.value = res(e.value);
        for (const c of e.cases) resAll(c.link.args);
        resAll(e.default.args);
        break;
      case "return":
        if (e.value) e.value = res(e.value);
        break;
      case "raise":
        e.value = res(e.value);
        break;
    }
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
