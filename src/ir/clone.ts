// Copying LL graphs: a deep copy with fresh variables and blocks (SSA variables belong to one graph),
// and substitution of values inside a graph.

import { newVar } from "./builder.ts";
import type { Block, Exit, Graph, Link, Op, Value, Var } from "./graph.ts";

export interface GraphCopy {
  graph: Graph;
  vars: Map<Var, Var>;
  blocks: Map<Block, Block>;
}

/** A deep copy of `g` named `name`: every block, op and variable is new; constants are shared. */
export function cloneGraph(g: Graph, name: string): GraphCopy {
  const vars = new Map<Var, Var>();
  const blocks = new Map<Block, Block>();
  const v = (x: Var): Var => {
    let y = vars.get(x);
    if (!y) {
      y = newVar(x.type, x.name);
      vars.set(x, y);
    }
    return y;
  };
  const val = (x: Value): Value => (x.kind === "var" ? v(x) : x);
  for (const b of g.blocks) blocks.set(b, { label: b.label, params: b.params.map(v), ops: [], exit: { kind: "none" } });
  const lk = (l: Link): Link => ({ target: blocks.get(l.target) as Block, args: l.args.map(val) });
  for (const b of g.blocks) {
    const nb = blocks.get(b) as Block;
    nb.ops = b.ops.map((o): Op => {
      const c: Op = { op: o.op, args: o.args.map(val), result: o.result ? v(o.result) : null, attrs: { ...o.attrs } };
      if (o.loc) c.loc = o.loc;
      return c;
    });
    nb.exit = mapExit(b.exit, val, lk);
  }
  const graph: Graph = { name, blocks: g.blocks.map((b) => blocks.get(b) as Block), result: g.result, flags: { ...g.flags } };
  if (g.loc) graph.loc = g.loc;
  return { graph, vars, blocks };
}

/** The same exit with its operands mapped by `val` and its links by `lk`. */
export function mapExit(e: Exit, val: (x: Value) => Value, lk: (l: Link) => Link): Exit {
  switch (e.kind) {
    case "jump":
      return { kind: "jump", link: lk(e.link) };
    case "branch":
      return { kind: "branch", cond: val(e.cond), ifTrue: lk(e.ifTrue), ifFalse: lk(e.ifFalse) };
    case "switch":
      return {
        kind: "switch",
        value: val(e.value),
        cases: e.cases.map((c) => ({ value: c.value, link: lk(c.link) })),
        default: lk(e.default),
      };
    case "return":
      return { kind: "return", value: e.value ? val(e.value) : null };
    case "raise":
      return { kind: "raise", value: val(e.value) };
    case "none":
      return e;
  }
}

/** Replace uses of variables by values in the given blocks (ops' operands, exits, link arguments). */
export function substitute(blocks: Iterable<Block>, map: ReadonlyMap<Var, Value>): void {
  const val = (x: Value): Value => (x.kind === "var" ? (map.get(x) ?? x) : x);
  const lk = (l: Link): Link => ({ target: l.target, args: l.args.map(val) });
  for (const b of blocks) {
    for (let i = 0; i < b.ops.length; i++) {
      const o = b.ops[i] as Op;
      if (o.args.some((a) => a.kind === "var" && map.has(a))) b.ops[i] = { ...o, args: o.args.map(val) };
    }
    b.exit = mapExit(b.exit, val, lk);
  }
}
