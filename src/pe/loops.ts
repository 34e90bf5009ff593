// Natural loops of a residual graph, for the cleanup's loop passes (loopchecks.ts, loopitems.ts):
// blocks in reverse postorder, immediate dominators and loop bodies, computed on arrays indexed by
// the blocks' reverse-postorder numbers. `LoopCache` keeps the last answer with the successors of
// every block it saw, and gives it again while those are the same (loops depend on nothing else).
// `DefSites` says where each variable is defined, for the loops' questions about their values;
// `incomingLinks` and `overlaps` serve both passes' rounds.

import type { Block, Link, Op, Var } from "../ir/graph.ts";
import { exitLinks } from "../ir/graph.ts";
import { VarNumbers } from "./varnumbers.ts";

export interface Loop {
  readonly header: Block;
  readonly body: Set<Block>;
}

/** What `findLoops` answers; not to be changed by its users (the cache hands it out again). */
export interface LoopForest {
  /** The blocks reachable from the start, in reverse postorder (of a depth-first walk taking each block's links in order). */
  readonly rpo: readonly Block[];
  /** Each block's number in `rpo`. */
  readonly num: ReadonlyMap<Block, number>;
  /** Natural loops (one per header), smallest first; loops of equal size in the order their first back edge comes in `rpo`. */
  readonly loops: readonly Loop[];
  /** The successors of the blocks of `rpo`, in order (what the answer was computed from). */
  readonly succs: readonly Block[];
}

/** The number of links leaving `b`. */
function linkCount(b: Block): number {
  const e = b.exit;
  return e.kind === "jump" ? 1 : e.kind === "branch" ? 2 : e.kind === "switch" ? e.cases.length + 1 : 0;
}

/** The i-th link leaving `b` (`exitLinks(b.exit)[i]`). */
function linkAt(b: Block, i: number): Link {
  const e = b.exit;
  if (e.kind === "jump") return e.link;
  if (e.kind === "branch") return i === 0 ? e.ifTrue : e.ifFalse;
  if (e.kind === "switch") return i < e.cases.length ? (e.cases[i] as { link: Link }).link : e.default;
  throw new Error("linkAt: a block without links");
}

/** The reachable blocks, immediate dominators and natural loops of the graph that starts at `start`. */
export function findLoops(start: Block): LoopForest {
  // depth-first walk, postorder (the order `dominators` in src/ir/dominators.ts uses); `num`
  // marks the blocks seen, and gets their numbers once the walk is over
  const post: Block[] = [];
  const num = new Map<Block, number>([[start, -1]]);
  const stackB: Block[] = [start];
  const stackI: number[] = [0];
  while (stackB.length > 0) {
    const top = stackB.length - 1;
    const b = stackB[top] as Block;
    const i = stackI[top] as number;
    if (i < linkCount(b)) {
      stackI[top] = i + 1;
      const t = linkAt(b, i).target;
      if (!num.has(t)) {
        num.set(t, -1);
        stackB.push(t);
        stackI.push(0);
      }
    } else {
      stackB.pop();
      stackI.pop();
      post.push(b);
    }
  }
  const n = post.length;
  const rpo = post.reverse();
  for (let i = 0; i < n; i++) num.set(rpo[i] as Block, i);
  // successors (flat, those of block i from succStart[i]) and predecessors (the same), by number;
  // plain arrays of small integers (cheaper to make than typed arrays at these sizes)
  const succs: Block[] = [];
  const succNum: number[] = [];
  const succStart: number[] = [];
  const predStart: number[] = [0];
  for (let i = 0; i < n; i++) predStart.push(0);
  for (let i = 0; i < n; i++) {
    succStart.push(succs.length);
    const b = rpo[i] as Block;
    const m = linkCount(b);
    for (let j = 0; j < m; j++) {
      const t = linkAt(b, j).target;
      const k = num.get(t) as number;
      succs.push(t);
      succNum.push(k);
      predStart[k + 1] = (predStart[k + 1] as number) + 1;
    }
  }
  succStart.push(succs.length);
  for (let i = 0; i < n; i++) predStart[i + 1] = (predStart[i + 1] as number) + (predStart[i] as number);
  const predFill = predStart.slice(0, n);
  const preds: number[] = [];
  for (let j = 0; j < succs.length; j++) preds.push(0);
  for (let i = 0; i < n; i++)
    for (let j = succStart[i] as number; j < (succStart[i + 1] as number); j++) {
      const k = succNum[j] as number;
      preds[predFill[k] as number] = i;
      predFill[k] = (predFill[k] as number) + 1;
    }
  // immediate dominators by number (Cooper, Harvey & Kennedy; -1: not yet known); the dominator
  // tree is unique, so this is the tree `dominators` finds
  const idom: number[] = [0];
  for (let i = 1; i < n; i++) idom.push(-1);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 1; i < n; i++) {
      let d = -1;
      for (let j = predStart[i] as number; j < (predStart[i + 1] as number); j++) {
        const p = preds[j] as number;
        if (idom[p] === -1) continue;
        if (d === -1) d = p;
        else {
          let a = p;
          let b = d;
          while (a !== b) {
            while (a > b) a = idom[a] as number;
            while (b > a) b = idom[b] as number;
          }
          d = a;
        }
      }
      if (d !== -1 && idom[i] !== d) {
        idom[i] = d;
        changed = true;
      }
    }
  }
  const dominates = (h: number, b: number): boolean => {
    let x = b;
    while (x > h) x = idom[x] as number;
    return x === h;
  };
  // natural loops: for each back edge b -> h (h dominates b), the blocks that reach b without
  // passing h
  const bodies = new Map<Block, Set<Block>>();
  for (let i = 0; i < n; i++) {
    for (let j = succStart[i] as number; j < (succStart[i + 1] as number); j++) {
      const k = succNum[j] as number;
      if (k > i || !dominates(k, i)) continue;
      const h = rpo[k] as Block;
      let body = bodies.get(h);
      if (!body) {
        body = new Set<Block>([h]);
        bodies.set(h, body);
      }
      const work = [i];
      while (work.length > 0) {
        const x = work.pop() as number;
        const xb = rpo[x] as Block;
        if (body.has(xb)) continue;
        body.add(xb);
        for (let q = predStart[x] as number; q < (predStart[x + 1] as number); q++) work.push(preds[q] as number);
      }
    }
  }
  const loops: Loop[] = [];
  for (const [header, body] of bodies) loops.push({ header, body });
  loops.sort((a, b) => a.body.size - b.body.size);
  return { rpo, num, loops, succs };
}

/** Whether `f` still describes the graph that starts at `start`: same start, and every block of it has the same successors. */
function stillValid(f: LoopForest, start: Block): boolean {
  if (f.rpo[0] !== start) return false;
  let k = 0;
  for (const b of f.rpo) {
    const m = linkCount(b);
    for (let j = 0; j < m; j++) if (f.succs[k++] !== linkAt(b, j).target) return false;
  }
  return k === f.succs.length;
}

/**
 * The last `findLoops` answer, given again while the graph's control flow is the same; and, for
 * that answer, the links into each block and where variables are defined, made when first asked
 * for and given again until the answer changes. Those depend on the ops too: a cache is used only
 * while the ops change with the control flow (the loop passes add blocks whenever they change ops).
 */
export class LoopCache {
  private last: LoopForest | null = null;
  private incoming: Map<Block, Incoming[]> | null = null;
  private sites: DefSites | null = null;

  of(start: Block): LoopForest {
    if (this.last && stillValid(this.last, start)) return this.last;
    this.last = findLoops(start);
    this.incoming = null;
    this.sites = null;
    return this.last;
  }

  /** `incomingLinks(f.rpo)` for the last answer `f`; its user may change it only along with the control flow. */
  incomingOf(f: LoopForest): Map<Block, Incoming[]> {
    if (f !== this.last) return incomingLinks(f.rpo);
    this.incoming ??= incomingLinks(f.rpo);
    return this.incoming;
  }

  /** `new DefSites(f.rpo)` for the last answer `f`. */
  sitesOf(f: LoopForest): DefSites {
    if (f !== this.last) return new DefSites(f.rpo);
    this.sites ??= new DefSites(f.rpo);
    return this.sites;
  }
}

/**
 * Where the variables of some blocks are defined: the block (as a param or an op result), and the
 * op for an op result. Found by id (`id - lo` indexes arrays when the ids are nearly contiguous, as
 * those the specializer gives one graph's variables are; a map otherwise), so that each loop asks
 * whether a value is its own without collecting its variables.
 */
export class DefSites {
  private readonly num: VarNumbers;
  private readonly blockAt: (Block | undefined)[];
  private readonly opAt: (Op | undefined)[];

  constructor(blocks: readonly Block[]) {
    const num = new VarNumbers(blocks);
    this.num = num;
    this.blockAt = new Array(num.size);
    this.opAt = new Array(num.size);
    for (let k = 0; k < blocks.length; k++) {
      const b = blocks[k] as Block;
      const ps = b.params;
      for (let i = 0; i < ps.length; i++) this.blockAt[num.of(ps[i] as Var)] = b;
      const ops = b.ops;
      for (let j = 0; j < ops.length; j++) {
        const o = ops[j] as Op;
        if (o.result !== null) {
          const n = num.of(o.result);
          this.blockAt[n] = b;
          this.opAt[n] = o;
        }
      }
    }
  }

  /** The block that defines `v`, if one of the blocks does. */
  block(v: Var): Block | undefined {
    const i = this.num.of(v);
    return i >= 0 ? this.blockAt[i] : undefined;
  }

  /** The op that defines `v`, if an op of the blocks does. */
  op(v: Var): Op | undefined {
    const i = this.num.of(v);
    return i >= 0 ? this.opAt[i] : undefined;
  }
}

/** Whether a loop's body has a block of `touched` (a loop that overlaps one a pass changed waits for the next round). */
export function overlaps(body: ReadonlySet<Block>, touched: ReadonlySet<Block>): boolean {
  if (touched.size === 0) return false;
  for (const b of body) if (touched.has(b)) return true;
  return false;
}

/** A link into a block, and the block it leaves. */
export interface Incoming {
  readonly from: Block;
  readonly link: Link;
}

/** Record `link` (leaving `from`) among the links into its target. */
export function addIncoming(incoming: Map<Block, Incoming[]>, from: Block, link: Link): void {
  const ls = incoming.get(link.target);
  if (ls) ls.push({ from, link });
  else incoming.set(link.target, [{ from, link }]);
}

/** The links into each block from the blocks of `blocks`. */
export function incomingLinks(blocks: readonly Block[]): Map<Block, Incoming[]> {
  const incoming = new Map<Block, Incoming[]>();
  for (const from of blocks) for (const link of exitLinks(from.exit)) addIncoming(incoming, from, link);
  return incoming;
}
