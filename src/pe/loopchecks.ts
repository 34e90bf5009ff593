// Loop-invariant checks in residual loops. A check is a branch whose one side only raises a
// constant (a guest error: the run ends there). When its condition is computed by pure ops from
// values that do not change around the loop, and the loop's header reaches it on a straight path
// (through other checks, pure ops and heap reads and writes, nothing observable: no calls), its
// outcome is decided in the first iteration: it moves to a new pre-header, and the loop keeps the
// side that goes on. Checks move in their order; past a check that stays (its condition varies),
// only checks raising the same error move. Heap writes the hoisted check now precedes are not
// seen by anyone, as the guest error ends the run; a heap access on the way that would trap (an
// index out of bounds: a bug of the interpreter, not a guest error) is passed as if it could not.
// Part of the residual graph's cleanup
// (`cleanup.ts`); it runs before loop items are carried (loopitems.ts), which carries the items
// the header accesses before anything that may fail.

import type { Block, Const, Exit, Graph, Link, Op, Value, Var } from "../ir/graph.ts";
import { reachableBlocks } from "../ir/graph.ts";
import { newVar } from "../ir/builder.ts";
import { isPure } from "../ir/ops.ts";
import { constKey } from "./abstract.ts";
import type { DefSites, Incoming, Loop } from "./loops.ts";
import { LoopCache, overlaps } from "./loops.ts";

/** Ops a straight path may pass: heap reads and writes (unseen once a guest error ends the run). */
const HEAP_OPS = new Set(["getitem", "setitem", "getfield", "setfield", "arraylen"]);

/** Move the invariant checks of residual loops to pre-headers; true if any moved. */
export function hoistLoopChecks(g: Graph, cache: LoopCache = new LoopCache()): boolean {
  let changed = false;
  // loops that overlap one changed in a pass wait for the next (their blocks changed)
  for (let n = 0; n < 8; n++) {
    const start = g.blocks[0];
    if (!start) break;
    const forest = cache.of(start);
    const { loops } = forest;
    const touched = new Set<Block>();
    const added: Block[] = [];
    // made when first needed: the links into each block and where variables are defined (in the
    // blocks of `rpo`, as they were before this pass changed anything: what a loop that overlaps
    // no changed one sees of its own blocks is the same), and the labels in use
    let incoming: Map<Block, Incoming[]> | null = null;
    let sites: DefSites | null = null;
    let used: Set<string> | null = null;
    const labels = (): Set<string> => {
      used ??= new Set(g.blocks.map((b) => b.label));
      return used;
    };
    let waiting = false;
    for (const loop of loops) {
      if (overlaps(loop.body, touched)) {
        waiting = true;
        continue;
      }
      if (loop.header === start) continue; // as hoistLoop would find
      incoming ??= cache.incomingOf(forest);
      sites ??= cache.sitesOf(forest);
      if (hoistLoop(loop, incoming, sites, labels, added)) for (const b of loop.body) touched.add(b);
    }
    if (touched.size === 0) break;
    g.blocks = reachableBlocks(g);
    changed = true;
    // a loop changed has nothing more to move (its walk stops where it stopped, past the checks
    // that are now jumps), and one that did not overlap it saw its own blocks as they are: only
    // the loops that waited are worth another look
    if (!waiting) break;
  }
  return changed;
}

/** The constant a block raises, if that is all it does (no params, no ops). */
function raisedConst(b: Block): Const | null {
  if (b.params.length > 0 || b.ops.length > 0 || b.exit.kind !== "raise" || b.exit.value.kind !== "const") return null;
  return b.exit.value;
}

interface Check {
  readonly block: Block;
  readonly cond: Value;
  /** The raise side is the true side. */
  readonly raisesIfTrue: boolean;
  readonly raise: Link;
  readonly go: Link;
}

/** A check on the header's straight path: the branch that `hoistLoop`'s walk would consider, before it asks whether its condition varies. */
function raiseSide(e: Exit): { raise: Link; go: Link; err: Const; raisesIfTrue: boolean } | null {
  if (e.kind !== "branch") return null;
  const t = raisedConst(e.ifTrue.target);
  const f = raisedConst(e.ifFalse.target);
  const err = t ?? f;
  if (err === null || (t !== null && f !== null)) return null;
  return t !== null
    ? { raise: e.ifTrue, go: e.ifFalse, err, raisesIfTrue: true }
    : { raise: e.ifFalse, go: e.ifTrue, err, raisesIfTrue: false };
}

/**
 * Whether the walk of `hoistLoop` from the header can meet a check at all: the same walk without
 * the questions about values (those only end it sooner), so a loop with no check on its path is
 * left before its variables are collected.
 */
function mayHaveCheck(h: Block, body: ReadonlySet<Block>, preds: (b: Block) => number): boolean {
  for (let b = h; ; ) {
    for (const o of b.ops) if (!isPure(o.op) && !HEAP_OPS.has(o.op)) return false;
    const e = b.exit;
    let next: Link;
    if (e.kind === "jump") next = e.link;
    else {
      const c = raiseSide(e);
      return c !== null && c.raise.args.length === 0;
    }
    const to = next.target;
    if (to === h || !body.has(to) || preds(to) !== 1 || next.args.length > 0) return false;
    b = to;
  }
}

function hoistLoop(
  loop: Loop,
  incoming: ReadonlyMap<Block, readonly Incoming[]>,
  sites: DefSites,
  labels: () => Set<string>,
  added: Block[],
): boolean {
  const { header: h, body } = loop;
  const backLinks: Link[] = [];
  const entryLinks: Link[] = [];
  for (const i of incoming.get(h) ?? []) (body.has(i.from) ? backLinks : entryLinks).push(i.link);
  if (entryLinks.length === 0) return false;
  const preds = (b: Block): number => incoming.get(b)?.length ?? 0;
  if (!mayHaveCheck(h, body, preds)) return false;
  // entered elsewhere than the header
  for (const x of body) if (x !== h) for (const i of incoming.get(x) ?? []) if (!body.has(i.from)) return false;
  const inLoop = (v: Var): boolean => {
    const b = sites.block(v);
    return b !== undefined && body.has(b);
  };
  const invariantParam = new Set<Var>(h.params.filter((v, i) => backLinks.every((l) => l.args[i] === v)));
  // values the same in every iteration: defined outside, header params passed back unchanged, and
  // pure ops of the path on such values (`chain`, in order: the pre-header computes them again)
  const inv = new Set<Var>();
  const invariant = (v: Value): boolean => v.kind === "const" || !inLoop(v) || invariantParam.has(v) || inv.has(v);
  const chain: Op[] = [];
  const checks: Check[] = [];
  let staying: Const | null = null; // the error of the first check that stays
  let b = h;
  walk: for (;;) {
    for (const o of b.ops) {
      if (isPure(o.op)) {
        if (o.result && o.args.every(invariant)) {
          inv.add(o.result);
          chain.push(o);
        }
      } else if (!HEAP_OPS.has(o.op)) break walk;
    }
    const e: Exit = b.exit;
    let next: Link;
    if (e.kind === "jump") next = e.link;
    else if (e.kind === "branch") {
      const c = raiseSide(e);
      if (c === null) break;
      const { raise, err } = c;
      next = c.go;
      if (raise.args.length > 0) break;
      const sameError = staying === null || constKey(staying) === constKey(err);
      if (!sameError) break;
      if (invariant(e.cond)) checks.push({ block: b, cond: e.cond, raisesIfTrue: c.raisesIfTrue, raise, go: next });
      else staying ??= err;
    } else break;
    const to = next.target;
    if (to === h || !body.has(to) || preds(to) !== 1 || next.args.length > 0) break;
    b = to;
  }
  if (checks.length === 0) return false;
  // the pre-header: the header's params, the chain again on them, the checks in order, then the header
  const map = new Map<Var, Value>();
  const params = h.params.map((v) => {
    const c = newVar(v.type, v.name);
    map.set(v, c);
    return c;
  });
  const at = (v: Value): Value => (v.kind === "var" ? (map.get(v) ?? v) : v);
  const used = labels();
  let label = `${h.label}.chk`;
  for (let i = 0; used.has(label); i++) label = `${h.label}.chk${i}`;
  used.add(label);
  const pre: Block = { label, params, ops: [], exit: { kind: "jump", link: { target: h, args: [...params] } } };
  for (const o of chain) {
    const r = newVar((o.result as Var).type, (o.result as Var).name);
    map.set(o.result as Var, r);
    const c: Op = { op: o.op, args: o.args.map(at), result: r, attrs: { ...o.attrs } };
    if (o.loc) c.loc = o.loc;
    pre.ops.push(c);
  }
  let cur = pre;
  checks.forEach((c, k) => {
    const go: Block = { label: `${label}.${k}`, params: [], ops: [], exit: cur.exit };
    used.add(go.label);
    const raise: Link = { target: c.raise.target, args: [] };
    const on: Link = { target: go, args: [] };
    cur.exit = c.raisesIfTrue
      ? { kind: "branch", cond: at(c.cond), ifTrue: raise, ifFalse: on }
      : { kind: "branch", cond: at(c.cond), ifTrue: on, ifFalse: raise };
    added.push(cur);
    cur = go;
    // in the loop the check always passes
    c.block.exit = { kind: "jump", link: c.go };
  });
  added.push(cur);
  for (const l of entryLinks) l.target = pre;
  return true;
}
