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
import { exitLinks, reachableBlocks } from "../ir/graph.ts";
import { newVar } from "../ir/builder.ts";
import { dominators } from "../ir/dominators.ts";
import { isPure } from "../ir/ops.ts";
import { constKey } from "./abstract.ts";
import { type Loop, naturalLoops } from "./loopitems.ts";

/** Ops a straight path may pass: heap reads and writes (unseen once a guest error ends the run). */
const HEAP_OPS = new Set(["getitem", "setitem", "getfield", "setfield", "arraylen"]);

/** Move the invariant checks of residual loops to pre-headers; true if any moved. */
export function hoistLoopChecks(g: Graph): boolean {
  let changed = false;
  // loops that overlap one changed in a pass wait for the next (their blocks changed)
  for (let n = 0; n < 8; n++) {
    const blocks = reachableBlocks(g);
    if (blocks.length === 0) break;
    const { idom, rpo } = dominators(blocks[0]);
    const touched = new Set<Block>();
    const added: Block[] = [];
    for (const loop of naturalLoops(rpo, idom)) {
      if ([...loop.body].some((b) => touched.has(b))) continue;
      if (hoistLoop(g, loop, rpo, added)) for (const b of loop.body) touched.add(b);
    }
    if (touched.size === 0) break;
    g.blocks = reachableBlocks(g);
    changed = true;
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

function hoistLoop(g: Graph, loop: Loop, rpo: Block[], added: Block[]): boolean {
  const { header: h, body } = loop;
  if (h === g.blocks[0]) return false;
  const inLoop = new Set<Var>();
  const preds = new Map<Block, number>();
  for (const b of body) {
    for (const v of b.params) inLoop.add(v);
    for (const o of b.ops) if (o.result) inLoop.add(o.result);
  }
  const backLinks: Link[] = [];
  const entryLinks: Link[] = [];
  for (const b of [...rpo, ...added]) {
    for (const l of exitLinks(b.exit)) {
      preds.set(l.target, (preds.get(l.target) ?? 0) + 1);
      if (l.target === h) (body.has(b) ? backLinks : entryLinks).push(l);
      else if (body.has(l.target) && !body.has(b)) return false; // entered elsewhere than the header
    }
  }
  if (entryLinks.length === 0) return false;
  const invariantParam = new Set<Var>(h.params.filter((v, i) => backLinks.every((l) => l.args[i] === v)));
  // values the same in every iteration: defined outside, header params passed back unchanged, and
  // pure ops of the path on such values (`chain`, in order: the pre-header computes them again)
  const inv = new Set<Var>();
  const invariant = (v: Value): boolean => v.kind === "const" || !inLoop.has(v) || invariantParam.has(v) || inv.has(v);
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
      const t = raisedConst(e.ifTrue.target);
      const f = raisedConst(e.ifFalse.target);
      const err = t ?? f;
      if (err === null || (t !== null && f !== null)) break;
      const raise = t !== null ? e.ifTrue : e.ifFalse;
      next = t !== null ? e.ifFalse : e.ifTrue;
      if (raise.args.length > 0) break;
      const sameError = staying === null || constKey(staying) === constKey(err);
      if (!sameError) break;
      if (invariant(e.cond)) checks.push({ block: b, cond: e.cond, raisesIfTrue: t !== null, raise, go: next });
      else staying ??= err;
    } else break;
    const to = next.target;
    if (to === h || !body.has(to) || preds.get(to) !== 1 || next.args.length > 0) break;
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
  let label = `${h.label}.chk`;
  for (let i = 0; g.blocks.some((x) => x.label === label) || added.some((x) => x.label === label); i++) label = `${h.label}.chk${i}`;
  const pre: Block = { label, params, ops: [], exit: { kind: "jump", link: { target: h, args: params } } };
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
