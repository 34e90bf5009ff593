// SSA construction for the front end, over block parameters (Braun et al., "Simple and Efficient
// Construction of Static Single Assignment Form", CC 2013). Source variables are written and read
// by key; a read in a block that does not define the variable adds a block parameter, whose
// arguments every incoming link supplies (at once if the block is sealed — all its predecessors
// known — or when it is sealed). `finish` then removes unreachable blocks and parameters that
// receive one value only, so the graphs read as if written by hand.

import type { GraphBuilder } from "../ir/builder.ts";
import { boolc, constant, f64c, i32c, i64c, link, newVar, nullc } from "../ir/builder.ts";
import type { Block, Exit, Graph, Link, Value, Var } from "../ir/graph.ts";
import { exitLinks, reachableBlocks } from "../ir/graph.ts";
import type { LLType } from "../ir/types.ts";
import { typeEq } from "../ir/types.ts";

/** The zero value of a type (what a variable holds on a path where it was never assigned). */
export function zeroConst(t: LLType): Value {
  switch (t.kind) {
    case "i32":
      return i32c(0);
    case "f64":
      return f64c(0);
    case "i64":
      return i64c(0n);
    case "bool":
      return boolc(false);
    case "ref":
    case "fn":
      return constant(t, null);
    default:
      return nullc();
  }
}

interface Pred {
  readonly from: Block;
  readonly link: Link;
}

interface VarInfo {
  readonly name: string;
  readonly type: LLType;
}

export class SSABuilder {
  readonly gb: GraphBuilder;
  private readonly vars = new Map<object, VarInfo>();
  private readonly defs = new Map<Block, Map<object, Value>>();
  private readonly sealed = new Set<Block>();
  private readonly preds = new Map<Block, Pred[]>();
  /** Parameters added to unsealed blocks, completed when the block is sealed. */
  private readonly incomplete = new Map<Block, { key: object; param: Var }[]>();
  private labelCount = new Map<string, number>();

  constructor(gb: GraphBuilder) {
    this.gb = gb;
    const start = gb.graph.blocks[0] as Block;
    this.sealed.add(start);
  }

  get graph(): Graph {
    return this.gb.graph;
  }

  get cur(): Block {
    return this.gb.current;
  }

  /** Declare a source variable (its LL type and a readable name). */
  declare(key: object, name: string, type: LLType): void {
    this.vars.set(key, { name, type });
  }

  typeOf(key: object): LLType | undefined {
    return this.vars.get(key)?.type;
  }

  /** A new, unsealed block with the given explicit parameters (links to it pass them first). */
  block(label: string, params: { name: string; type: LLType }[] = []): Block {
    const n = (this.labelCount.get(label) ?? 0) + 1;
    this.labelCount.set(label, n);
    return this.gb.block(n === 1 ? label : `${label}${n}`, params);
  }

  /** Continue emitting in block `b`. */
  at(b: Block): void {
    this.gb.at(b);
  }

  /** Is the current block closed (its exit set)? Then nothing more may be emitted in it. */
  get closed(): boolean {
    return this.cur.exit.kind !== "none";
  }

  write(key: object, v: Value): void {
    // an op's result written to a variable takes the variable's name (a readability hint)
    if (v.kind === "var" && v.name === "v") v.name = this.info(key).name;
    this.writeIn(this.cur, key, v);
  }

  read(key: object): Value {
    return this.readIn(this.cur, key);
  }

  private writeIn(b: Block, key: object, v: Value): void {
    let m = this.defs.get(b);
    if (!m) {
      m = new Map();
      this.defs.set(b, m);
    }
    m.set(key, v);
  }

  private info(key: object): VarInfo {
    const i = this.vars.get(key);
    if (!i) throw new Error("SSA: read of an undeclared variable");
    return i;
  }

  private readIn(b: Block, key: object): Value {
    const d = this.defs.get(b)?.get(key);
    if (d) return d;
    const info = this.info(key);
    let v: Value;
    if (!this.sealed.has(b)) {
      const p = newVar(info.type, info.name);
      b.params.push(p);
      let inc = this.incomplete.get(b);
      if (!inc) {
        inc = [];
        this.incomplete.set(b, inc);
      }
      inc.push({ key, param: p });
      v = p;
    } else {
      const preds = this.preds.get(b) ?? [];
      if (preds.length === 0) v = zeroConst(info.type);
      else if (preds.length === 1) v = this.readIn((preds[0] as Pred).from, key);
      else {
        const p = newVar(info.type, info.name);
        b.params.push(p);
        this.writeIn(b, key, p);
        for (const pr of preds) pr.link.args.push(this.readIn(pr.from, key));
        v = p;
      }
    }
    this.writeIn(b, key, v);
    return v;
  }

  /** All predecessors of `b` are known: complete its parameters. */
  seal(b: Block): void {
    if (this.sealed.has(b)) return;
    const preds = this.preds.get(b) ?? [];
    for (const { key } of this.incomplete.get(b) ?? []) {
      for (const pr of preds) pr.link.args.push(this.readIn(pr.from, key));
    }
    this.incomplete.delete(b);
    this.sealed.add(b);
  }

  /** Close the current block with an exit; registers its links as predecessors of their targets. */
  close(exit: Exit): void {
    const from = this.cur;
    if (from.exit.kind !== "none") throw new Error("SSA: block closed twice");
    from.exit = exit;
    for (const l of exitLinks(exit)) {
      if (this.sealed.has(l.target)) throw new Error(`SSA: new predecessor of sealed block '${l.target.label}'`);
      let ps = this.preds.get(l.target);
      if (!ps) {
        ps = [];
        this.preds.set(l.target, ps);
      }
      ps.push({ from, link: l });
    }
  }

  jump(target: Block, args: Value[] = []): void {
    this.close({ kind: "jump", link: link(target, args) });
  }

  branch(cond: Value, ifTrue: Block, ifFalse: Block, trueArgs: Value[] = [], falseArgs: Value[] = []): void {
    this.close({ kind: "branch", cond, ifTrue: link(ifTrue, trueArgs), ifFalse: link(ifFalse, falseArgs) });
  }

  /** Start a fresh block that nothing jumps to (code after return, break...); it is removed by finish(). */
  dead(): void {
    const b = this.block("dead");
    this.sealed.add(b);
    this.at(b);
  }

  /**
   * Finish the graph: drop unreachable blocks and remove parameters that always receive the same
   * value (or themselves), replacing them by that value.
   */
  finish(): void {
    for (const b of this.gb.graph.blocks) this.seal(b);
    const g = this.gb.graph;
    const live = new Set(reachableBlocks(g));
    g.blocks = g.blocks.filter((b) => live.has(b));
    removeTrivialParams(g);
    skipForwarders(g);
    mergeStraightLines(g);
    g.blocks = reversePostorder(g);
  }
}

/** Replace block parameters that receive a single value on every incoming link (ignoring themselves). */
function removeTrivialParams(g: Graph): void {
  const start = g.blocks[0];
  for (;;) {
    const incoming = new Map<Block, Link[]>();
    for (const b of g.blocks) {
      for (const l of exitLinks(b.exit)) {
        const ls = incoming.get(l.target);
        if (ls) ls.push(l);
        else incoming.set(l.target, [l]);
      }
    }
    const subst = new Map<Var, Value>();
    const find = (v: Value): Value => {
      let x = v;
      while (x.kind === "var" && subst.has(x)) x = subst.get(x) as Value;
      return x;
    };
    for (const b of g.blocks) {
      if (b === start) continue;
      const links = incoming.get(b) ?? [];
      const keep: boolean[] = [];
      b.params.forEach((p, i) => {
        let only: Value | null = null;
        let trivial = true;
        for (const l of links) {
          const a = find(l.args[i] as Value);
          if (a === p || (only !== null && sameValue(a, only))) continue;
          if (only === null) only = a;
          else {
            trivial = false;
            break;
          }
        }
        if (trivial && only !== null) {
          subst.set(p, only);
          keep.push(false);
        } else keep.push(true);
      });
      if (keep.every((k) => k)) continue;
      b.params = b.params.filter((_, i) => keep[i]);
      for (const l of links) l.args = l.args.filter((_, i) => keep[i]);
    }
    if (subst.size === 0) return;
    const sub = (v: Value): Value => find(v);
    for (const b of g.blocks) {
      for (const o of b.ops) for (let j = 0; j < o.args.length; j++) o.args[j] = sub(o.args[j] as Value);
      const e = b.exit;
      for (const l of exitLinks(e)) l.args = l.args.map(sub);
      if (e.kind === "branch") e.cond = sub(e.cond);
      else if (e.kind === "switch") e.value = sub(e.value);
      else if (e.kind === "return" && e.value) e.value = sub(e.value);
      else if (e.kind === "raise") e.value = sub(e.value);
    }
  }
}

/** Links to a block that only jumps on (no params, no ops) go straight to its target. */
function skipForwarders(g: Graph): void {
  const start = g.blocks[0];
  const forward = (b: Block): Link | null =>
    b !== start && b.params.length === 0 && b.ops.length === 0 && b.exit.kind === "jump" && b.exit.link.target !== b ? b.exit.link : null;
  for (const b of g.blocks) {
    for (const l of exitLinks(b.exit)) {
      const seen = new Set<Block>();
      for (let f = forward(l.target); f && !seen.has(l.target); f = forward(l.target)) {
        seen.add(l.target);
        l.target = f.target;
        l.args = [...f.args];
      }
    }
  }
}

/** A block whose only predecessor jumps to it unconditionally is appended to that predecessor. */
function mergeStraightLines(g: Graph): void {
  const live = reachableBlocks(g);
  const count = new Map<Block, number>();
  for (const b of live) for (const l of exitLinks(b.exit)) count.set(l.target, (count.get(l.target) ?? 0) + 1);
  const start = g.blocks[0];
  for (const p of live) {
    for (;;) {
      const e = p.exit;
      if (e.kind !== "jump") break;
      const b = e.link.target;
      if (b === p || b === start || count.get(b) !== 1 || b.params.length !== 0) break;
      p.ops.push(...b.ops);
      p.exit = b.exit;
      b.ops = [];
      b.exit = { kind: "none" };
    }
  }
}

/** The reachable blocks in reverse postorder (start first; a block before its successors except along back edges). */
function reversePostorder(g: Graph): Block[] {
  const start = g.blocks[0];
  if (!start) return [];
  const post: Block[] = [];
  const seen = new Set<Block>([start]);
  // successors are visited last-first, so that the first successor comes first in the order
  const succ = (b: Block): Link[] => exitLinks(b.exit).reverse();
  const stack: { b: Block; links: Link[]; i: number }[] = [{ b: start, links: succ(start), i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    const l = top.links[top.i++];
    if (!l) {
      post.push(top.b);
      stack.pop();
      continue;
    }
    if (seen.has(l.target)) continue;
    seen.add(l.target);
    stack.push({ b: l.target, links: succ(l.target), i: 0 });
  }
  return post.reverse();
}

function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind !== "const" || b.kind !== "const" || !typeEq(a.type, b.type)) return false;
  return Object.is(a.value, b.value);
}
