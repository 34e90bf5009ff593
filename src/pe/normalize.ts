// Normalized copies of interpreter graphs, the form the specializer and the resume code work on:
// every jit_merge_point is the first op of its block, the start block has no predecessors, and
// every block is block-local (it uses only its own parameters and op results: whatever is live
// into a block is passed along the links). A state of the specializer at a block entry is then
// just the values of the block's parameters. Also computed here: liveness at any point, loop
// headers, and which loop headers the specializer shares residual blocks at.

import type { Block, Exit, Graph, Link, Op, Program, Value, Var } from "../ir/graph.ts";
import { exitLinks, exitOperands } from "../ir/graph.ts";
import { newVar } from "../ir/builder.ts";

export interface NGraph {
  /** The interpreter graph's name (the original, in the program). */
  readonly name: string;
  readonly orig: Graph;
  /** The normalized copy (not part of the program). */
  readonly graph: Graph;
  readonly byLabel: ReadonlyMap<string, Block>;
  /** Blocks that are the target of a retreating edge (every cycle goes through one). */
  readonly loopHeaders: ReadonlySet<Block>;
  /** Blocks whose first op is a jit_merge_point. */
  readonly mergeBlocks: ReadonlySet<Block>;
  /** Loop headers where residual blocks are shared: all of them, except loops that go through a merge point. */
  readonly sharingHeaders: ReadonlySet<Block>;
  /** Predecessors (each once per link). */
  readonly preds: ReadonlyMap<Block, Block[]>;
  /** Where each block's ops come from in the original graph: its block label and the index of the first op. */
  readonly origin: ReadonlyMap<Block, { readonly label: string; readonly offset: number }>;
}

/** The variables live just before op `i` of block `b` (i = ops.length: before the exit), params first, then op results, in order. */
export function liveAt(b: Block, i: number): Var[] {
  const defined = new Set<Var>();
  for (let k = i; k < b.ops.length; k++) {
    const r = (b.ops[k] as Op).result;
    if (r) defined.add(r);
  }
  const used = new Set<Var>();
  const use = (v: Value): void => {
    if (v.kind === "var" && !defined.has(v)) used.add(v);
  };
  for (let k = i; k < b.ops.length; k++) for (const a of (b.ops[k] as Op).args) use(a);
  for (const v of exitOperands(b.exit)) use(v);
  for (const l of exitLinks(b.exit)) for (const a of l.args) use(a);
  const out: Var[] = [];
  for (const p of b.params) if (used.has(p)) out.push(p);
  for (let k = 0; k < i && k < b.ops.length; k++) {
    const r = (b.ops[k] as Op).result;
    if (r && used.has(r)) out.push(r);
  }
  return out;
}

const liveCache = new WeakMap<Block, (readonly Var[] | undefined)[]>();

/** `liveAt` for a block of a normalized graph (never changed once built): computed once per point. */
export function liveAtPoint(b: Block, i: number): readonly Var[] {
  let m = liveCache.get(b);
  if (!m) {
    m = [];
    liveCache.set(b, m);
  }
  let vs = m[i];
  if (!vs) {
    vs = liveAt(b, i);
    m[i] = vs;
  }
  return vs;
}

const cache = new WeakMap<Graph, NGraph>();

/** The normalized copy of `g` (cached per graph object). */
export function normalize(_p: Program, g: Graph): NGraph {
  let n = cache.get(g);
  if (!n) {
    n = build(g);
    cache.set(g, n);
  }
  return n;
}

interface RawBlock {
  label: string;
  orig: string;
  offset: number;
  params: Var[];
  ops: Op[];
  exit: Exit;
}

function build(g: Graph): NGraph {
  // 1. a structural copy (same vars), with unique labels
  const map = new Map<Block, RawBlock>();
  const labels = new Set<string>();
  const unique = (base: string): string => {
    let l = base;
    for (let k = 1; labels.has(l); k++) l = `${base}_${k}`;
    labels.add(l);
    return l;
  };
  const raws: RawBlock[] = [];
  for (const b of g.blocks) {
    const r: RawBlock = { label: unique(b.label), orig: b.label, offset: 0, params: b.params, ops: b.ops.slice(), exit: b.exit };
    map.set(b, r);
    raws.push(r);
  }
  const target = (b: Block): RawBlock => map.get(b) as RawBlock;
  const copyLink = (l: Link): { target: RawBlock; args: Value[] } => ({ target: target(l.target), args: l.args });
  type RawExit =
    | { kind: "jump"; link: { target: RawBlock; args: Value[] } }
    | { kind: "branch"; cond: Value; ifTrue: { target: RawBlock; args: Value[] }; ifFalse: { target: RawBlock; args: Value[] } }
    | {
        kind: "switch";
        value: Value;
        cases: { value: number; link: { target: RawBlock; args: Value[] } }[];
        default: { target: RawBlock; args: Value[] };
      }
    | { kind: "return"; value: Value | null }
    | { kind: "raise"; value: Value }
    | { kind: "none" };
  const rexit = new Map<RawBlock, RawExit>();
  const copyExit = (e: Exit): RawExit => {
    switch (e.kind) {
      case "jump":
        return { kind: "jump", link: copyLink(e.link) };
      case "branch":
        return { kind: "branch", cond: e.cond, ifTrue: copyLink(e.ifTrue), ifFalse: copyLink(e.ifFalse) };
      case "switch":
        return {
          kind: "switch",
          value: e.value,
          cases: e.cases.map((c) => ({ value: c.value, link: copyLink(c.link) })),
          default: copyLink(e.default),
        };
      default:
        return e;
    }
  };
  for (const b of g.blocks) rexit.set(target(b), copyExit(b.exit));

  // 2. split blocks so that each jit_merge_point starts its block
  for (let bi = 0; bi < raws.length; bi++) {
    const r = raws[bi] as RawBlock;
    const k = r.ops.findIndex((o, i) => i > 0 && o.op === "jit_merge_point");
    if (k < 0) continue;
    const rest: RawBlock = {
      label: unique(`${r.label}_mp`),
      orig: r.orig,
      offset: r.offset + k,
      params: [],
      ops: r.ops.slice(k),
      exit: r.exit,
    };
    raws.splice(bi + 1, 0, rest);
    rexit.set(rest, rexit.get(r) as RawExit);
    r.ops = r.ops.slice(0, k);
    rexit.set(r, { kind: "jump", link: { target: rest, args: [] } });
  }

  const rawLinks = (r: RawBlock): { target: RawBlock; args: Value[] }[] => {
    const e = rexit.get(r) as RawExit;
    switch (e.kind) {
      case "jump":
        return [e.link];
      case "branch":
        return [e.ifTrue, e.ifFalse];
      case "switch":
        return [...e.cases.map((c) => c.link), e.default];
      default:
        return [];
    }
  };
  const rawOperands = (r: RawBlock): Value[] => {
    const e = rexit.get(r) as RawExit;
    if (e.kind === "branch") return [e.cond];
    if (e.kind === "switch") return [e.value];
    if (e.kind === "return") return e.value ? [e.value] : [];
    if (e.kind === "raise") return [e.value];
    return [];
  };

  // 3. the start block must have no predecessors
  const start0 = raws[0];
  if (start0 && raws.some((r) => rawLinks(r).some((l) => l.target === start0))) {
    const params = start0.params.map((p) => newVar(p.type, p.name));
    const entry: RawBlock = {
      label: unique(`${start0.label}_entry`),
      orig: start0.orig,
      offset: 0,
      params,
      ops: [],
      exit: { kind: "none" },
    };
    rexit.set(entry, { kind: "jump", link: { target: start0, args: params } });
    raws.unshift(entry);
  }

  // 4. liveness over the raw blocks (dominance SSA allowed in the input)
  const defs = new Map<RawBlock, Set<Var>>();
  const ueUses = new Map<RawBlock, Set<Var>>();
  for (const r of raws) {
    const d = new Set<Var>(r.params);
    const u = new Set<Var>();
    const use = (v: Value): void => {
      if (v.kind === "var" && !d.has(v)) u.add(v);
    };
    for (const o of r.ops) {
      for (const a of o.args) use(a);
      if (o.result) d.add(o.result);
    }
    for (const v of rawOperands(r)) use(v);
    for (const l of rawLinks(r)) for (const a of l.args) use(a);
    defs.set(r, d);
    ueUses.set(r, u);
  }
  const liveIn = new Map<RawBlock, Set<Var>>();
  for (const r of raws) liveIn.set(r, new Set(ueUses.get(r)));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = raws.length - 1; i >= 0; i--) {
      const r = raws[i] as RawBlock;
      const li = liveIn.get(r) as Set<Var>;
      const d = defs.get(r) as Set<Var>;
      for (const l of rawLinks(r))
        for (const v of liveIn.get(l.target) as Set<Var>)
          if (!d.has(v) && !li.has(v)) {
            li.add(v);
            changed = true;
          }
    }
  }

  // 5. block-local copy with fresh variables
  const extra = new Map<RawBlock, Var[]>();
  for (const r of raws)
    extra.set(
      r,
      [...(liveIn.get(r) as Set<Var>)].sort((a, b) => a.id - b.id),
    );
  const blocks = new Map<RawBlock, Block>();
  const renames = new Map<RawBlock, Map<Var, Var>>();
  for (const r of raws) {
    const ren = new Map<Var, Var>();
    const fresh = (v: Var): Var => {
      const nv = newVar(v.type, v.name);
      ren.set(v, nv);
      return nv;
    };
    const params = [...r.params.map(fresh), ...(extra.get(r) as Var[]).map(fresh)];
    const ops: Op[] = [];
    const val = (v: Value): Value => (v.kind === "var" ? (ren.get(v) ?? v) : v);
    for (const o of r.ops) {
      const args = o.args.map(val);
      const result = o.result ? fresh(o.result) : null;
      ops.push({ op: o.op, args, result, attrs: o.attrs, ...(o.loc ? { loc: o.loc } : {}) });
    }
    renames.set(r, ren);
    blocks.set(r, { label: r.label, params, ops, exit: { kind: "none" } });
  }
  for (const r of raws) {
    const ren = renames.get(r) as Map<Var, Var>;
    const val = (v: Value): Value => (v.kind === "var" ? (ren.get(v) ?? v) : v);
    const link = (l: { target: RawBlock; args: Value[] }): Link => ({
      target: blocks.get(l.target) as Block,
      args: [...l.args.map(val), ...(extra.get(l.target) as Var[]).map(val)],
    });
    const e = rexit.get(r) as RawExit;
    let ne: Exit;
    switch (e.kind) {
      case "jump":
        ne = { kind: "jump", link: link(e.link) };
        break;
      case "branch":
        ne = { kind: "branch", cond: val(e.cond), ifTrue: link(e.ifTrue), ifFalse: link(e.ifFalse) };
        break;
      case "switch":
        ne = {
          kind: "switch",
          value: val(e.value),
          cases: e.cases.map((c) => ({ value: c.value, link: link(c.link) })),
          default: link(e.default),
        };
        break;
      case "return":
        ne = { kind: "return", value: e.value ? val(e.value) : null };
        break;
      case "raise":
        ne = { kind: "raise", value: val(e.value) };
        break;
      default:
        ne = e;
    }
    (blocks.get(r) as Block).exit = ne;
  }
  const ng: Graph = {
    name: g.name,
    blocks: raws.map((r) => blocks.get(r) as Block),
    result: g.result,
    flags: g.flags,
    ...(g.loc ? { loc: g.loc } : {}),
  };
  const origin = new Map<Block, { label: string; offset: number }>();
  for (const r of raws) origin.set(blocks.get(r) as Block, { label: r.orig, offset: r.offset });
  return analyze(g, ng, origin);
}

function analyze(orig: Graph, g: Graph, origin: Map<Block, { label: string; offset: number }>): NGraph {
  const byLabel = new Map<string, Block>();
  for (const b of g.blocks) byLabel.set(b.label, b);
  const preds = new Map<Block, Block[]>();
  for (const b of g.blocks) preds.set(b, []);
  for (const b of g.blocks) for (const l of exitLinks(b.exit)) preds.get(l.target)?.push(b);

  // retreating edges by an iterative DFS from the start block
  const loopHeaders = new Set<Block>();
  const backSources = new Map<Block, Block[]>();
  const state = new Map<Block, 1 | 2>();
  const start = g.blocks[0];
  if (start) {
    const stack: { b: Block; i: number }[] = [{ b: start, i: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { b: Block; i: number };
      const links = exitLinks(top.b.exit);
      if (top.i >= links.length) {
        state.set(top.b, 2);
        stack.pop();
        continue;
      }
      const t = (links[top.i++] as Link).target;
      const s = state.get(t);
      if (s === undefined) {
        state.set(t, 1);
        stack.push({ b: t, i: 0 });
      } else if (s === 1) {
        loopHeaders.add(t);
        const arr = backSources.get(t) ?? [];
        arr.push(top.b);
        backSources.set(t, arr);
      }
    }
  }
  const mergeBlocks = new Set<Block>();
  for (const b of g.blocks) if (b.ops[0]?.op === "jit_merge_point") mergeBlocks.add(b);

  // loop bodies: blocks that reach a back-edge source without passing the header
  const sharingHeaders = new Set<Block>();
  for (const h of loopHeaders) {
    const body = new Set<Block>([h]);
    const work = [...(backSources.get(h) ?? [])];
    while (work.length > 0) {
      const b = work.pop() as Block;
      if (body.has(b)) continue;
      body.add(b);
      for (const p of preds.get(b) ?? []) if (state.has(p)) work.push(p);
    }
    let viaMerge = false;
    for (const b of body) if (mergeBlocks.has(b)) viaMerge = true;
    if (!viaMerge) sharingHeaders.add(h);
  }
  return { name: orig.name, orig, graph: g, byLabel, loopHeaders, mergeBlocks, sharingHeaders, preds, origin };
}
