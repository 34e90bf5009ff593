// Structured control flow from an LL graph's CFG (the "stackifier"). Three steps:
//  1. the flow graph: one node per reachable block, a synthetic entry node, edges in exit order;
//  2. irreducible control flow made reducible: every strongly connected region with several
//     entries gets a dispatch node (a switch on a label variable that each entering edge sets),
//     which becomes the region's only entry; applied recursively inside loops (skipped when
//     every retreating edge already goes to a dominator: the graph is reducible);
//  3. Ramsey's "Beyond Relooper" (ICFP 2022): one walk over the dominator tree. A node's children
//     that are merge nodes (two or more forward in-edges) follow it in nested `block`s, outermost
//     the latest in reverse postorder; a loop header wraps its code in `loop`; an edge is a `br` to
//     a loop (backward) or to the block a merge node follows, otherwise the target's subtree is
//     placed inline. Every path through the output ends in a control transfer (br, return,
//     unreachable), so an `if` never needs an `else`: the other arm simply follows it.
// Block parameters are written on edges ("edge" nodes: parallel moves, done by the lowering).

import type { Block, Exit, Link, Var } from "../../ir/graph.ts";
import type { Graph } from "../../ir/graph.ts";
import { newVar } from "../../ir/builder.ts";
import { I32 } from "../../ir/types.ts";
import { BackendError } from "./types.ts";

export interface FlowNode {
  readonly id: number;
  readonly kind: "entry" | "block" | "dispatch";
  readonly block: Block | null;
  /** Dispatch nodes: the label variable their switch reads. */
  readonly label: Var | null;
  /** Out-edges in exit order (dispatch nodes: one per entry, label value = index). */
  out: FlowEdge[];
  in: FlowEdge[];
}

export interface FlowEdge {
  /** Number of the edge in its flow graph (0 .. FlowGraph.edges - 1). */
  readonly id: number;
  readonly from: FlowNode;
  to: FlowNode;
  /** The LL link whose arguments are moved into `final`'s block parameters; null: no arguments. */
  readonly link: Link | null;
  /** The block node whose parameters this edge defines (null for the out-edges of a dispatch node). */
  readonly final: FlowNode | null;
  /** Label variables (of dispatch nodes on the way to `final`) this edge sets (replaced, not changed, when one is added). */
  labels: readonly { readonly label: Var; readonly value: number }[];
}

export interface FlowGraph {
  readonly graph: Graph;
  readonly entry: FlowNode;
  readonly nodes: FlowNode[];
  readonly byBlock: Map<Block, FlowNode>;
  /** Number of dispatch nodes added for irreducible regions. */
  dispatches: number;
  /** Number of edges (their ids are 0 .. edges - 1). */
  edges: number;
  /** The analysis of the graph as built, when it was reducible (structure() reuses it). */
  info: FlowInfo | null;
}

/**
 * The edges of a node that has none yet (shared and frozen: a node's first edge replaces it with
 * an array of its own, made at the size of one, through addOut and addIn).
 */
const NO_EDGES: FlowEdge[] = Object.freeze([]) as unknown as FlowEdge[];

function addOut(n: FlowNode, e: FlowEdge): void {
  if (n.out === NO_EDGES) n.out = [e];
  else n.out.push(e);
}

function addIn(n: FlowNode, e: FlowEdge): void {
  if (n.in === NO_EDGES) n.in = [e];
  else n.in.push(e);
}

/** The labels of an edge that sets none (shared). */
const NO_LABELS: FlowEdge["labels"] = [];

/** Build the flow graph of a graph's reachable blocks, and make it reducible. */
export function buildFlow(g: Graph): FlowGraph {
  const start = g.blocks[0];
  if (!start) throw new BackendError(`graph '${g.name}' has no blocks`);
  const nodes: FlowNode[] = [];
  const mk = (kind: FlowNode["kind"], block: Block | null, label: Var | null): FlowNode => {
    const n: FlowNode = { id: nodes.length, kind, block, label, out: NO_EDGES, in: NO_EDGES };
    nodes.push(n);
    return n;
  };
  const entry = mk("entry", null, null);
  const byBlock = new Map<Block, FlowNode>();
  // (a Set pays for itself only in larger graphs)
  const inGraph = g.blocks.length > 16 ? new Set(g.blocks) : null;
  const work: Block[] = [start];
  byBlock.set(start, mk("block", start, null));
  while (work.length > 0) {
    const b = work.pop() as Block;
    const e = b.exit;
    if (e.kind === "none") throw new BackendError(`graph '${g.name}', block '${b.label}' has no exit`);
    for (let i = 0, nl = linkCount(e); i < nl; i++) {
      const l = linkAt(e, i);
      if (!byBlock.has(l.target)) {
        if (inGraph ? !inGraph.has(l.target) : !g.blocks.includes(l.target))
          throw new BackendError(`graph '${g.name}', block '${b.label}': link to block '${l.target.label}', which is not in this graph`);
        byBlock.set(l.target, mk("block", l.target, null));
        work.push(l.target);
      }
    }
  }
  let edges = 0;
  const addEdge = (from: FlowNode, to: FlowNode, link: Link | null, final: FlowNode | null): void => {
    const e: FlowEdge = { id: edges++, from, to, link, final, labels: NO_LABELS };
    addOut(from, e);
    addIn(to, e);
  };
  const startNode = byBlock.get(start) as FlowNode;
  addEdge(entry, startNode, null, startNode);
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k] as FlowNode;
    if (n.kind !== "block") continue;
    const e = (n.block as Block).exit;
    for (let i = 0, nl = linkCount(e); i < nl; i++) {
      const l = linkAt(e, i);
      const t = byBlock.get(l.target) as FlowNode;
      addEdge(n, t, l, t);
    }
  }
  const fg: FlowGraph = { graph: g, entry, nodes, byBlock, dispatches: 0, edges, info: null };
  // A reducible graph (every retreating edge goes to a dominator of its source) has a single entry
  // into every loop, so makeReducible would add nothing: its analysis is kept for structure().
  const info = analyze(fg);
  if (isReducible(info)) fg.info = info;
  else makeReducible(fg, mk);
  return fg;
}

/** Number of links leaving a block (exitLinks' length, without making the array). */
function linkCount(e: Exit): number {
  switch (e.kind) {
    case "jump":
      return 1;
    case "branch":
      return 2;
    case "switch":
      return e.cases.length + 1;
    default:
      return 0;
  }
}

/** Link `i` of an exit, in exitLinks' order. */
function linkAt(e: Exit, i: number): Link {
  switch (e.kind) {
    case "jump":
      return e.link;
    case "branch":
      return i === 0 ? e.ifTrue : e.ifFalse;
    case "switch":
      return i < e.cases.length ? (e.cases[i] as { link: Link }).link : e.default;
    default:
      throw new BackendError("internal: an exit without links has no link");
  }
}

/** Does every edge to a node no later in reverse postorder go to a dominator of its source? */
function isReducible(info: FlowInfo): boolean {
  const { rpo, order } = info;
  for (let i = 0; i < order.length; i++) {
    const n = order[i] as FlowNode;
    for (let j = 0; j < n.out.length; j++) {
      const t = (n.out[j] as FlowEdge).to;
      if ((rpo[t.id] as number) <= i && !dominates(info, t, n)) return false;
    }
  }
  return true;
}

// ---- irreducible regions ----------------------------------------------------------------------

/**
 * Strongly connected components of the subgraph induced by the nodes marked `mark` in
 * `region` (by node id), iterative Tarjan. `index`, `low` and `onStack` are scratch arrays by
 * node id (index must be -1 for the region's nodes).
 */
function sccs(
  nodes: readonly FlowNode[],
  region: Int32Array,
  mark: number,
  index: Int32Array,
  low: Int32Array,
  onStack: Uint8Array,
): FlowNode[][] {
  const stack: FlowNode[] = [];
  const out: FlowNode[][] = [];
  const inSet = (w: FlowNode) => w.id < region.length && region[w.id] === mark;
  let counter = 0;
  for (const root of nodes) {
    if ((index[root.id] as number) >= 0) continue;
    const call: { n: FlowNode; i: number }[] = [{ n: root, i: 0 }];
    index[root.id] = counter;
    low[root.id] = counter++;
    stack.push(root);
    onStack[root.id] = 1;
    while (call.length > 0) {
      const top = call[call.length - 1] as { n: FlowNode; i: number };
      const n = top.n;
      if (top.i < n.out.length) {
        const w = (n.out[top.i++] as FlowEdge).to;
        if (!inSet(w)) continue;
        if ((index[w.id] as number) < 0) {
          index[w.id] = counter;
          low[w.id] = counter++;
          stack.push(w);
          onStack[w.id] = 1;
          call.push({ n: w, i: 0 });
        } else if (onStack[w.id]) low[n.id] = Math.min(low[n.id] as number, index[w.id] as number);
        continue;
      }
      call.pop();
      const parent = call[call.length - 1];
      if (parent) low[parent.n.id] = Math.min(low[parent.n.id] as number, low[n.id] as number);
      if (low[n.id] === index[n.id]) {
        const comp: FlowNode[] = [];
        let w: FlowNode;
        do {
          w = stack.pop() as FlowNode;
          onStack[w.id] = 0;
          comp.push(w);
        } while (w !== n);
        out.push(comp);
      }
    }
  }
  return out;
}

function makeReducible(fg: FlowGraph, mk: (kind: FlowNode["kind"], block: Block | null, label: Var | null) => FlowNode): void {
  // Regions are marked in `region` (by node id) with a fresh number each; nodes added (dispatch
  // nodes) get ids beyond the arrays, which count as outside every region being searched.
  const size = fg.nodes.length;
  const region = new Int32Array(size);
  const index = new Int32Array(size);
  const low = new Int32Array(size);
  const onStack = new Uint8Array(size);
  let marks = 0;
  const fix = (nodes: FlowNode[]): void => {
    const mark = ++marks;
    for (const n of nodes)
      if (n.id < size) {
        region[n.id] = mark;
        index[n.id] = -1;
      }
    const comps = sccs(
      nodes.filter((n) => n.id < size),
      region,
      mark,
      index,
      low,
      onStack,
    );
    for (const comp of comps) {
      const c = comp[0] as FlowNode;
      const cyclic = comp.length > 1 || c.out.some((e) => e.to === c);
      if (!cyclic) continue;
      const compSet = new Set(comp);
      const entries = comp.filter((n) => n.in.some((e) => !compSet.has(e.from))).sort((a, b) => a.id - b.id);
      let header: FlowNode;
      if (entries.length === 1) header = entries[0] as FlowNode;
      else {
        // Several entries: route every edge into an entry through a dispatch node.
        const label = newVar(I32, "label");
        const d = mk("dispatch", null, label);
        fg.dispatches++;
        entries.forEach((en, k) => {
          for (const e of en.in) {
            e.to = d;
            e.labels = [...e.labels, { label, value: k }];
            addIn(d, e);
          }
          en.in = NO_EDGES;
        });
        for (const en of entries) {
          const e: FlowEdge = { id: fg.edges++, from: d, to: en, link: null, final: null, labels: NO_LABELS };
          addOut(d, e);
          addIn(en, e);
        }
        header = d;
        comp.push(d);
      }
      fix(comp.filter((n) => n !== header));
    }
  };
  fix(fg.nodes.slice());
}

// ---- orders and dominators --------------------------------------------------------------------

export interface FlowInfo {
  /** Reverse postorder number of each node, by node id (-1: unreachable). */
  readonly rpo: Int32Array;
  readonly order: FlowNode[];
  /** Immediate dominator of each reachable node, by node id (the entry's is itself). */
  readonly idom: (FlowNode | undefined)[];
  /** Dominator-tree children of each reachable node, by node id (undefined: none). */
  readonly children: (FlowNode[] | undefined)[];
}

export function analyze(fg: FlowGraph): FlowInfo {
  const nNodes = fg.nodes.length;
  const post: FlowNode[] = [];
  const seen = new Uint8Array(nNodes);
  seen[fg.entry.id] = 1;
  // depth-first: the nodes on the path, and the next out-edge of each (a node is on it at most once)
  const stack: FlowNode[] = [fg.entry];
  const next = new Int32Array(nNodes + 1);
  while (stack.length > 0) {
    const d = stack.length - 1;
    const top = stack[d] as FlowNode;
    const i = next[d] as number;
    if (i < top.out.length) {
      next[d] = i + 1;
      const w = (top.out[i] as FlowEdge).to;
      if (!seen[w.id]) {
        seen[w.id] = 1;
        stack.push(w);
        next[d + 1] = 0;
      }
    } else {
      post.push(top);
      stack.pop();
    }
  }
  const order = post.reverse();
  const rpo = new Int32Array(nNodes).fill(-1);
  for (let i = 0; i < order.length; i++) rpo[(order[i] as FlowNode).id] = i;
  // Cooper, Harvey, Kennedy: "A Simple, Fast Dominance Algorithm".
  const idom: (FlowNode | undefined)[] = new Array(nNodes);
  idom[fg.entry.id] = fg.entry;
  const intersect = (a: FlowNode, b: FlowNode): FlowNode => {
    while (a !== b) {
      while ((rpo[a.id] as number) > (rpo[b.id] as number)) a = idom[a.id] as FlowNode;
      while ((rpo[b.id] as number) > (rpo[a.id] as number)) b = idom[b.id] as FlowNode;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 1; i < order.length; i++) {
      const n = order[i] as FlowNode;
      let d: FlowNode | undefined;
      for (const e of n.in) {
        if ((rpo[e.from.id] as number) < 0 || idom[e.from.id] === undefined) continue;
        d = d === undefined ? e.from : intersect(e.from, d);
      }
      if (d !== undefined && idom[n.id] !== d) {
        idom[n.id] = d;
        changed = true;
      }
    }
  }
  const children: (FlowNode[] | undefined)[] = new Array(nNodes);
  for (let i = 0; i < order.length; i++) {
    const n = order[i] as FlowNode;
    if (n === fg.entry) continue;
    const p = (idom[n.id] as FlowNode).id;
    const list = children[p];
    if (list) list.push(n);
    else children[p] = [n];
  }
  return { rpo, order, idom, children };
}

function dominates(info: FlowInfo, a: FlowNode, b: FlowNode): boolean {
  let x = b;
  for (;;) {
    if (x === a) return true;
    const up = info.idom[x.id] as FlowNode;
    if (up === x) return false;
    x = up;
  }
}

// ---- the structured program -------------------------------------------------------------------

/** Structured code: what the lowering emits, in order. `depth` fields are Wasm relative label depths. */
export type SNode =
  | { readonly k: "block"; readonly body: SNode[] }
  | { readonly k: "loop"; readonly body: SNode[] }
  /** The node's ops (nothing for entry and dispatch nodes). */
  | { readonly k: "code"; readonly node: FlowNode }
  /** The edge's parallel moves (block parameters, labels). */
  | { readonly k: "edge"; readonly edge: FlowEdge }
  | { readonly k: "br"; readonly depth: number }
  /** if (the node's branch condition, negated or not) { body } — body never falls through. */
  | { readonly k: "if"; readonly node: FlowNode; readonly negate: boolean; readonly body: SNode[] }
  | { readonly k: "br_if"; readonly node: FlowNode; readonly negate: boolean; readonly depth: number }
  /** br_table on (switch value or dispatch label) - min. */
  | { readonly k: "br_table"; readonly node: FlowNode; readonly min: number; readonly depths: number[]; readonly dflt: number }
  /** if (switch value is one of values) { body } */
  | { readonly k: "case_if"; readonly node: FlowNode; readonly values: readonly number[]; readonly body: SNode[] }
  | { readonly k: "return"; readonly node: FlowNode }
  | { readonly k: "raise"; readonly node: FlowNode };

/** Does a switch become a br_table (true) or a chain of comparisons (false)? */
export function switchIsDense(values: readonly number[]): boolean {
  if (values.length < 3) return false;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min + 1;
  return span <= Math.max(16, 3 * values.length) && span <= 65536;
}

type Frame =
  | { readonly kind: "loop"; readonly node: FlowNode }
  | { readonly kind: "follow"; readonly node: FlowNode }
  | { readonly kind: "plain" };

export interface Structure {
  readonly flow: FlowGraph;
  readonly info: FlowInfo;
  readonly body: SNode[];
}

/** Where structuring continues in place: a node, its enclosing labels and the list its code goes to. */
type Tail = { node: FlowNode; ctx: Frame[]; out: SNode[] } | null;

const NO_NODES: readonly FlowNode[] = [];

/** Structure a flow graph (Ramsey's algorithm). */
export function structure(fg: FlowGraph): Structure {
  const info = fg.info ?? analyze(fg);
  const { rpo } = info;
  const r = (n: FlowNode) => rpo[n.id] as number;
  const nNodes = fg.nodes.length;
  const forwardIn = new Int32Array(nNodes);
  const loopHeaders = new Uint8Array(nNodes);
  for (const n of info.order)
    for (const e of n.out) {
      if (r(e.to) <= r(n)) {
        if (!dominates(info, e.to, n))
          throw new BackendError(`graph '${fg.graph.name}': control flow still irreducible after dispatch insertion (internal error)`);
        loopHeaders[e.to.id] = 1;
      } else forwardIn[e.to.id] = (forwardIn[e.to.id] as number) + 1;
    }
  const isMerge = (n: FlowNode) => (forwardIn[n.id] as number) >= 2;
  // Size of each dominator subtree, to nest the smaller arm of a branch.
  const size = new Int32Array(nNodes);
  for (let i = info.order.length - 1; i >= 0; i--) {
    const n = info.order[i] as FlowNode;
    let s = 1;
    const kids = info.children[n.id] ?? NO_NODES;
    for (let k = 0; k < kids.length; k++) s += size[(kids[k] as FlowNode).id] || 1;
    size[n.id] = s;
  }
  const hasMoves = (e: FlowEdge) => (e.link !== null && e.link.args.length > 0) || e.labels.length > 0;
  const isBackward = (e: FlowEdge) => r(e.to) <= r(e.from);
  /** The edge is just a `br` (no moves, target not placed inline). */
  const isPlainBr = (e: FlowEdge) => !hasMoves(e) && (isBackward(e) || isMerge(e.to));
  const depthOf = (ctx: Frame[], kind: "loop" | "follow", target: FlowNode): number => {
    for (let i = ctx.length - 1; i >= 0; i--) {
      const f = ctx[i] as Frame;
      if (f.kind === kind && f.node === target) return ctx.length - 1 - i;
    }
    throw new BackendError(`graph '${fg.graph.name}': no enclosing label for a branch to ${describeNode(target)} (internal error)`);
  };

  /** Emit the edge into `out`: its moves, then a br, or the target's code inline. */
  const doBranch = (e: FlowEdge, ctx: Frame[], out: SNode[]): FlowNode | null => {
    out.push({ k: "edge", edge: e });
    if (isBackward(e)) out.push({ k: "br", depth: depthOf(ctx, "loop", e.to) });
    else if (isMerge(e.to)) out.push({ k: "br", depth: depthOf(ctx, "follow", e.to) });
    else return e.to; // the caller continues with the target's subtree, in place
    return null;
  };

  /** Emit node x and its dominator subtree into `out`; iterates along inline tails instead of recursing. */
  const doTree = (x0: FlowNode, ctx0: Frame[], out0: SNode[]): void => {
    let x: FlowNode | null = x0;
    let ctx = ctx0;
    let out = out0;
    while (x !== null) {
      const kids = info.children[x.id] ?? NO_NODES;
      let nMerges = 0;
      for (let i = 0; i < kids.length; i++) if (isMerge(kids[i] as FlowNode)) nMerges++;
      const merges = nMerges === 0 ? NO_NODES : kids.filter(isMerge).sort((a, b) => r(b) - r(a));
      if (loopHeaders[x.id]) {
        const body: SNode[] = [];
        out.push({ k: "loop", body });
        out = body;
        ctx = [...ctx, { kind: "loop", node: x }];
      }
      // Merge children: block (block (... x ...) ; y_small) ; y_big — build outside in.
      const after: { node: FlowNode; ctx: Frame[]; out: SNode[] }[] = [];
      for (const y of merges) {
        const body: SNode[] = [];
        out.push({ k: "block", body });
        after.push({ node: y, ctx, out });
        ctx = [...ctx, { kind: "follow", node: y }];
        out = body;
      }
      // Each merge child's code follows its block, in the list that holds the block (outermost last).
      const next = nodeCode(x, ctx, out);
      for (let i = after.length - 1; i >= 0; i--) {
        const a = after[i] as { node: FlowNode; ctx: Frame[]; out: SNode[] };
        doTree(a.node, a.ctx, a.out);
      }
      x = next ? next.node : null;
      if (next) {
        ctx = next.ctx;
        out = next.out;
      }
    }
  };

  /** The node's code and exit; returns the inline successor to continue with (tail position), if any. */
  const tailOf = (e: FlowEdge, c: Frame[], o: SNode[]): Tail => {
    const t = doBranch(e, c, o);
    return t ? { node: t, ctx: c, out: o } : null;
  };
  const arm = (e: FlowEdge, c: Frame[]): SNode[] => {
    const o: SNode[] = [];
    const t = doBranch(e, c, o);
    if (t) doTree(t, c, o);
    return o;
  };
  const nodeCode = (x: FlowNode, ctx: Frame[], out: SNode[]): Tail => {
    out.push({ k: "code", node: x });
    if (x.kind === "entry") return tailOf(x.out[0] as FlowEdge, ctx, out);
    if (x.kind === "dispatch")
      return switchArms(
        x,
        x.out.map((e, i) => ({ value: i, edge: e })),
        null,
        ctx,
        out,
        tailOf,
        arm,
      );
    const exit = (x.block as Block).exit;
    switch (exit.kind) {
      case "return":
        out.push({ k: "return", node: x });
        return null;
      case "raise":
        out.push({ k: "raise", node: x });
        return null;
      case "jump":
        return tailOf(x.out[0] as FlowEdge, ctx, out);
      case "branch": {
        const t = x.out[0] as FlowEdge;
        const f = x.out[1] as FlowEdge;
        if (isPlainBr(t)) {
          out.push({
            k: "br_if",
            node: x,
            negate: false,
            depth: isBackward(t) ? depthOf(ctx, "loop", t.to) : depthOf(ctx, "follow", t.to),
          });
          return tailOf(f, ctx, out);
        }
        if (isPlainBr(f)) {
          out.push({ k: "br_if", node: x, negate: true, depth: isBackward(f) ? depthOf(ctx, "loop", f.to) : depthOf(ctx, "follow", f.to) });
          return tailOf(t, ctx, out);
        }
        // Nest the smaller arm in an `if`; the other follows it.
        const armSize = (e: FlowEdge) => (isBackward(e) || isMerge(e.to) ? 0 : size[e.to.id] || 1);
        const inner = armSize(t) <= armSize(f) ? t : f;
        const outer = inner === t ? f : t;
        out.push({ k: "if", node: x, negate: inner === f, body: arm(inner, [...ctx, { kind: "plain" }]) });
        return tailOf(outer, ctx, out);
      }
      case "switch": {
        const cases = exit.cases.map((c, i) => ({ value: c.value, edge: x.out[i] as FlowEdge }));
        return switchArms(x, cases, x.out[cases.length] as FlowEdge, ctx, out, tailOf, arm);
      }
      default:
        throw new BackendError(`graph '${fg.graph.name}', block '${(x.block as Block).label}': unexpected exit '${exit.kind}'`);
    }
  };

  const switchArms = (
    x: FlowNode,
    cases: { value: number; edge: FlowEdge }[],
    dflt: FlowEdge | null,
    ctx: Frame[],
    out: SNode[],
    tailOf: (e: FlowEdge, c: Frame[], o: SNode[]) => Tail,
    arm: (e: FlowEdge, c: Frame[]) => SNode[],
  ): Tail => {
    // Arms: edges with the same target and the same arguments share one.
    const arms: FlowEdge[] = [];
    const armOf = (e: FlowEdge): number => {
      const k = arms.findIndex((a) => sameMoves(a, e));
      if (k >= 0) return k;
      arms.push(e);
      return arms.length - 1;
    };
    const caseArm = cases.map((c) => armOf(c.edge));
    // The default arm (or, for a dispatch node, the last entry) is placed last, outside the blocks.
    const lastEdge = dflt ?? (cases[cases.length - 1] as { edge: FlowEdge }).edge;
    const dArm = armOf(lastEdge);
    const values = cases.map((c) => c.value);
    if (x.kind === "dispatch" || switchIsDense(values)) {
      // Reorder so that the last arm is dArm: arm i follows block i; arm n-1 follows all.
      const order = arms.map((_, i) => i).filter((i) => i !== dArm);
      order.push(dArm);
      const pos = new Map(order.map((a, i) => [a, i]));
      const n = order.length;
      const min = Math.min(...values);
      const max = Math.max(...values);
      const depths: number[] = new Array(max - min + 1).fill(pos.get(dArm) as number);
      cases.forEach((c, i) => {
        depths[c.value - min] = pos.get(caseArm[i] as number) as number;
      });
      // n nested blocks; block i (i = 0 innermost, the br_table's depth i) is followed by arm i.
      // lists[i + 1] is the list holding block i; arm n - 1 follows the outermost block, in `out`.
      const lists: SNode[][] = [];
      let o = out;
      for (let i = n; i >= 1; i--) {
        const body: SNode[] = [];
        o.push({ k: "block", body });
        lists[i] = o;
        o = body;
      }
      o.push({ k: "br_table", node: x, min, depths, dflt: pos.get(dArm) as number });
      for (let i = 0; i < n - 1; i++) {
        const e = arms[order[i] as number] as FlowEdge;
        const c: Frame[] = [...ctx];
        for (let j = i + 1; j < n; j++) c.push({ kind: "plain" });
        (lists[i + 1] as SNode[]).push(...arm(e, c));
      }
      return tailOf(arms[dArm] as FlowEdge, ctx, out);
    }
    // Sparse: a chain of flat `if`s, one per arm other than the default (its case values or-ed).
    arms.forEach((e, a) => {
      if (a === dArm) return;
      const vals = cases.filter((_, i) => caseArm[i] === a).map((c) => c.value);
      out.push({ k: "case_if", node: x, values: vals, body: arm(e, [...ctx, { kind: "plain" }]) });
    });
    return tailOf(arms[dArm] as FlowEdge, ctx, out);
  };

  const body: SNode[] = [];
  doTree(fg.entry, [], body);
  return { flow: fg, info, body };
}

function sameMoves(a: FlowEdge, b: FlowEdge): boolean {
  if (a === b) return true;
  if (a.to !== b.to || a.final !== b.final || a.labels.length !== b.labels.length) return false;
  if (a.labels.some((l, i) => l.label !== b.labels[i]?.label || l.value !== b.labels[i]?.value)) return false;
  const x = a.link?.args ?? [];
  const y = b.link?.args ?? [];
  if (x.length !== y.length) return false;
  return x.every((v, i) => {
    const w = y[i];
    if (!w) return false;
    if (v === w) return true;
    return v.kind === "const" && w.kind === "const" && v.type.kind === w.type.kind && Object.is(v.value, w.value);
  });
}

export function describeNode(n: FlowNode): string {
  if (n.kind === "entry") return "the entry";
  if (n.kind === "dispatch") return `dispatch node ${n.id}`;
  return `block '${(n.block as Block).label}'`;
}
