// Cleanup of a residual graph after specialization: drop unreachable blocks, merge a block into
// its only predecessor when that one jumps to it, route links around empty forwarding blocks, fold
// scalar ops whose operands became constant (and branches on constants), simplify a few patterns
// interpreters produce (`int_is_true(cast_bool_to_int c)` is `c`, `x + 0` is `x`...), remove block
// parameters nobody needs and ops whose results nobody uses (pure ops, and reads the specializer
// knows cannot fail). Residual graphs use dominance SSA, so uses are counted globally. The passes
// repeat until none finds anything; a pass is not run again while no change since its last
// fruitless run can have given it something to do (`CANNOT_ENABLE`).

import type { Block, Graph, Link, Op, Program, Value, Var } from "../ir/graph.ts";
import { arrayDef, exitLinks, exitOperands, forEachLink, reachableBlocks } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import type { ScalarOpName } from "../ir/ops.ts";
import { evalScalar, isPure, SCALAR_OPS, ScalarError } from "../ir/ops.ts";
import { STD_HOSTS } from "../ir/hosts.ts";
import { BOOL, I32 } from "../ir/types.ts";
import { constKey } from "./abstract.ts";
import { hoistLoopChecks } from "./loopchecks.ts";
import { closeCountedLoops } from "./loopfinal.ts";
import { carryLoopItems } from "./loopitems.ts";
import { LoopCache } from "./loops.ts";
import { mergeRangeChecks } from "./rangechecks.ts";
import { decideByValueRanges } from "./valueranges.ts";
import { chase, substituteIn } from "./substitute.ts";
import { VarNumbers } from "./varnumbers.ts";

/** The passes `cleanup` runs; `reach` is `reachableBlocks` (dropping blocks and ordering them). */
type Pass = "reach" | "merge" | "thread" | "simplify" | "dead" | "ranges" | "decide" | "loads" | "checks" | "items" | "final";

/**
 * For each pass, the passes that its changes can never give something to do once they had
 * nothing: changes to ops and their operands leave the control flow (`merge`, `reach`) as it
 * was; `simplify` looks at ops, their definitions and branch conditions only, so fewer blocks or
 * ops, or other links, give it nothing new; `dead`, `reach` and `merge` leave nothing for a
 * second run; a merged block came right after its predecessor in depth-first order, so `merge`
 * keeps that order. `reach` only drops blocks, so no link goes to a forwarder that none went to
 * (`thread`). A merge makes a forwarder only of a predecessor that was one (no link goes to it once
 * `thread` had nothing to do), and replaces the merged block's params, all needed once `dead` had
 * nothing to do, by the values passed to them: they are needed as the params were.
 */
const CANNOT_ENABLE: Record<Pass, readonly Pass[]> = {
  reach: ["reach", "simplify", "thread"],
  merge: ["merge", "reach", "thread", "dead"],
  thread: ["simplify"],
  simplify: [],
  dead: ["dead", "simplify", "merge", "reach"],
  ranges: [],
  decide: [],
  loads: ["merge", "reach"],
  checks: [],
  items: [],
  final: [],
};

/**
 * The passes whose changes leave the number of links into each remaining block as it was: ops,
 * params and link arguments only (`simplify` unless it folds a branch), and merging a block into
 * its only predecessor, which then has the merged block's links; `reach` counts them itself.
 */
const KEEP_COUNTS: readonly Pass[] = ["reach", "merge", "simplify", "dead", "loads"];

const PASSES: readonly Pass[] = ["reach", "merge", "thread", "simplify", "dead", "ranges", "decide", "loads", "checks", "items", "final"];

export function cleanup(p: Program, g: Graph, safeOps: ReadonlySet<Op>): void {
  // A pass that finds nothing to do leaves the graph as it is, and each pass depends only on the
  // graph: one that found nothing is not run again (it would find nothing again) until a pass
  // has made a change that may give it something to do.
  const idle = new Set<Pass>();
  // passes that this change in particular cannot give something to do (besides CANNOT_ENABLE)
  let spare: readonly Pass[] = [];
  // the number of links into each block from the blocks of `g.blocks` (`predCounts`), counted by
  // the reachable-block walk and kept while the passes that run change no link's target
  let counts: Map<Block, number> | null = null;
  let keepsCounts = false;
  const preds = (): Map<Block, number> => {
    counts ??= predCounts(g);
    return counts;
  };
  const run = (name: Pass, pass: () => boolean): boolean => {
    if (idle.has(name)) return false;
    spare = [];
    keepsCounts = KEEP_COUNTS.includes(name);
    const changed = pass();
    if (changed && !keepsCounts) counts = null;
    if (changed) {
      const keep = CANNOT_ENABLE[name];
      for (const q of PASSES) if (!keep.includes(q) && !spare.includes(q)) idle.delete(q);
      if (keep.includes(name) || spare.includes(name)) idle.add(name);
    } else idle.add(name);
    return changed;
  };
  const reach = (): void => {
    run("reach", () => {
      const { blocks, seen, links } = reachAndCount(g);
      counts = links;
      if (blocks.length === g.blocks.length && blocks.every((b, i) => b === g.blocks[i])) return false;
      // dropping blocks whose ops and exits use only what they define themselves leaves every
      // other value as needed as it was
      if (idle.has("dead") && dropsOnlySelfContained(g.blocks, seen)) spare = ["dead"];
      g.blocks = blocks;
      return true;
    });
  };
  const merge = (): boolean => run("merge", () => mergeChains(g, preds()));
  // simplify without folding a branch leaves the control flow as it was
  const simp = (): boolean =>
    run("simplify", () => {
      const flow = { folded: false, forwarders: false };
      const changed = simplify(p, g, flow);
      if (flow.folded) keepsCounts = false;
      spare = flow.folded ? (flow.forwarders ? [] : ["thread"]) : flow.forwarders ? ["merge", "reach"] : ["merge", "reach", "thread"];
      return changed;
    });
  // forwarding sees every definition before its uses, and what it removes taught it nothing on
  // the way, so a second run finds nothing unless an op it made repeats another one
  const loads = (): boolean =>
    run("loads", () => {
      const flow = { made: [] as Op[] };
      const changed = forwardLoads(p, g, preds(), flow);
      if (madeOpsAreNew(g, flow.made)) spare = ["loads"];
      return changed;
    });
  // removing ops and params makes no new forwarder unless it empties a block
  const dead = (): boolean =>
    run("dead", () => {
      const flow = { forwarders: false };
      const changed = removeDead(g, safeOps, flow);
      if (!flow.forwarders) spare = ["thread"];
      return changed;
    });
  for (let round = 0; round < 12; round++) {
    reach();
    const a = merge();
    const b = run("thread", () => threadForwarders(g));
    const c = simp();
    const d = dead();
    if (!a && !b && !c && !d) break;
  }
  reach();
  // chains of checks raising the same guest error become one range check
  if (run("ranges", () => mergeRangeChecks(g, preds()))) {
    merge();
    simp();
    dead();
    reach();
  }
  // checks that earlier checks on the same path decide become jumps
  if (run("decide", () => decideByValueRanges(g))) {
    reach();
    merge();
    simp();
    dead();
    reach();
  }
  for (let round = 0; round < 6; round++) {
    const a = loads();
    const c = simp();
    const d = dead();
    if (!a && !c && !d) break;
  }
  // invariant checks out of loops, then loop-carried items once the loops are clean, then one
  // more round for what that exposes
  // both loop passes find the loops of the same control flow, the links into each block and where
  // variables are defined when the first changes nothing (else the ops may have changed too)
  let loops = new LoopCache();
  if (run("checks", () => hoistLoopChecks(g, loops))) {
    merge();
    simp();
    dead();
    loops = new LoopCache();
  }
  if (run("items", () => carryLoopItems(p, g, loops))) {
    loads();
    simp();
    dead();
  }
  // counted loops whose only work is stepping their parameters run their last iteration only
  if (run("final", () => closeCountedLoops(p, g))) {
    reach();
    merge();
    simp();
    dead();
  }
  sparseArrays(p, g);
}

/**
 * Whether no op of `made` (masks `v & 255` made by forwardLoads) can be computed twice: no other
 * `int_and` in the graph masks the same value first.
 */
function madeOpsAreNew(g: Graph, made: readonly Op[]): boolean {
  if (made.length === 0) return true;
  const masked = new Set<Value>();
  for (const o of made) {
    const v = o.args[0] as Value;
    if (masked.has(v)) return false;
    masked.add(v);
  }
  const mine = new Set<Op>(made);
  for (const b of g.blocks) for (const o of b.ops) if (o.op === "int_and" && !mine.has(o) && masked.has(o.args[0] as Value)) return false;
  return true;
}

/** Whether the blocks of `before` not in `kept` use only the values they define (params and op results). */
function dropsOnlySelfContained(before: readonly Block[], kept: ReadonlySet<Block>): boolean {
  const dropped = before.filter((b) => !kept.has(b));
  const own = new Set<Var>();
  for (const b of dropped) {
    for (const v of b.params) own.add(v);
    for (const o of b.ops) if (o.result) own.add(o.result);
  }
  const local = (v: Value): boolean => v.kind === "const" || own.has(v);
  for (const b of dropped) {
    for (const o of b.ops) if (!o.args.every(local)) return false;
    if (!exitOperands(b.exit).every(local)) return false;
    for (const l of exitLinks(b.exit)) if (!l.args.every(local)) return false;
  }
  return true;
}

/** An array item: the array, and the index as a base plus a constant offset. */
interface ItemPlace {
  readonly arr: string;
  readonly base: string;
  readonly off: number;
}

/** Two places of the same array type that may be the same item (different arrays may be one object). */
function mayAlias(a: ItemPlace, b: ItemPlace): boolean {
  return a.arr !== b.arr || a.base !== b.base || a.off === b.off;
}

function samePlace(a: ItemPlace, b: ItemPlace): boolean {
  return a.arr === b.arr && a.base === b.base && a.off === b.off;
}

/**
 * String-keyed facts along a path, with an undo log so that a depth-first walk can return to an
 * earlier point without copying. Field facts (a field of an object) are kept apart, by field, as
 * writes and calls forget them.
 */
class ScopedKnown {
  private readonly other = new Map<string, Value>();
  private readonly fields = new Map<string, Map<string, Value>>();
  // the log, one entry per change: the map, the key, and the value it had
  private readonly logMap: Map<string, Value>[] = [];
  private readonly logKey: string[] = [];
  private readonly logPrev: (Value | undefined)[] = [];

  get(key: string): Value | undefined {
    return this.other.get(key);
  }

  set(key: string, v: Value): void {
    this.put(this.other, key, v);
  }

  /** What field `name` of the object with key `obj` holds. */
  getField(name: string, obj: string): Value | undefined {
    return this.fields.get(name)?.get(obj);
  }

  setField(name: string, obj: string, v: Value): void {
    let m = this.fields.get(name);
    if (!m) {
      m = new Map();
      this.fields.set(name, m);
    }
    this.put(m, obj, v);
  }

  private put(m: Map<string, Value>, k: string, v: Value): void {
    this.logMap.push(m);
    this.logKey.push(k);
    this.logPrev.push(m.get(k));
    m.set(k, v);
  }

  forgetField(name: string): void {
    const m = this.fields.get(name);
    if (!m || m.size === 0) return;
    for (const [k, v] of m) {
      this.logMap.push(m);
      this.logKey.push(k);
      this.logPrev.push(v);
    }
    m.clear();
  }

  forgetFields(): void {
    for (const name of this.fields.keys()) this.forgetField(name);
  }

  mark(): number {
    return this.logKey.length;
  }

  undo(mark: number): void {
    while (this.logKey.length > mark) {
      const m = this.logMap.pop() as Map<string, Value>;
      const k = this.logKey.pop() as string;
      const prev = this.logPrev.pop();
      if (prev === undefined) m.delete(k);
      else m.set(k, prev);
    }
  }
}

/**
 * The ops that define variables, for the ops a pass looks through: an array indexed by `id - lo`
 * over the ids of those the graph has at the start when they are nearly contiguous (as the ids
 * the specializer gives one graph's variables are), a map for the others.
 */
class Defs {
  private readonly lo: number;
  private readonly table: (Op | undefined)[];
  private readonly more = new Map<Var, Op>();

  constructor(g: Graph, wanted: (name: Op["op"]) => boolean) {
    const found: Op[] = [];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const b of g.blocks) {
      const ops = b.ops;
      for (let j = 0; j < ops.length; j++) {
        const o = ops[j] as Op;
        const r = o.result;
        if (r === null || !wanted(o.op)) continue;
        found.push(o);
        if (r.id < lo) lo = r.id;
        if (r.id > hi) hi = r.id;
      }
    }
    const dense = found.length > 0 && hi - lo < 4 * found.length + 1024;
    this.lo = dense ? lo : 0;
    this.table = dense ? new Array(hi - lo + 1) : [];
    for (const o of found) this.set(o.result as Var, o);
  }

  get(v: Var): Op | undefined {
    const i = v.id - this.lo;
    if (i >= 0 && i < this.table.length) return this.table[i];
    return this.more.size === 0 ? undefined : this.more.get(v);
  }

  set(v: Var, o: Op): void {
    const i = v.id - this.lo;
    if (i >= 0 && i < this.table.length) this.table[i] = o;
    else this.more.set(v, o);
  }
}

function addOrSub(name: Op["op"]): boolean {
  return name === "int_add" || name === "int_sub";
}

/**
 * Load forwarding over extended basic blocks (a block with one predecessor continues what its
 * predecessor knows): a read of a field, item or length already read or written on the way is
 * replaced by that value (a byte array's item by the value stored `& 255`). Writes forget what
 * they may alias: the same field name of any object; items of the same array type, except items
 * of the same array at an index that differs by a constant (`x+1` is not `x`). Calls forget
 * everything but lengths, except calls of the standard host functions, which write no LL object.
 * The same pure op on the same operands is computed once. Within a block, a store overwritten
 * before anything could read it is removed.
 */
function forwardLoads(p: Program, g: Graph, preds: ReadonlyMap<Block, number>, flow: { made: Op[] }): boolean {
  // the definitions `index` looks through
  const defs = new Defs(g, addOrSub);
  const sub = new Map<Var, Value>();
  const key = (v: Value): string | null => {
    if (v.kind === "var") return `v${v.id}`;
    const c = v.value;
    if (typeof c === "number" || typeof c === "boolean" || typeof c === "bigint") return `c${String(c)}`;
    if (c !== null && typeof c === "object" && "obj" in c) return `#${constKey(v)}`;
    return null;
  };
  const index = (v: Value, depth = 0): { base: string; off: number } | null => {
    if (v.kind === "const") return typeof v.value === "number" ? { base: "", off: v.value } : null;
    const d = defs.get(v);
    const c = d?.args[1];
    if (d && depth < 8 && (d.op === "int_add" || d.op === "int_sub") && c?.kind === "const" && typeof c.value === "number") {
      const inner = index(d.args[0] as Value, depth + 1);
      if (inner) return { base: inner.base, off: (inner.off + (d.op === "int_add" ? c.value : -c.value)) | 0 };
    }
    return { base: `v${v.id}`, off: 0 };
  };
  const place = (arr: Value | undefined, ix: Value | undefined): ItemPlace | null => {
    const a = arr ? key(arr) : null;
    const i = ix ? index(ix) : null;
    return a === null || i === null ? null : { arr: a, base: i.base, off: i.off };
  };
  const forget = (m: Map<string, unknown>, prefix: string): void => {
    for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
  };
  const isByte = (type: string | undefined): boolean => arrayDef(p, type ?? "")?.item.kind === "u8";
  type Items = Map<string, (ItemPlace & { value: Value })[]>;
  // a block's successors share its map, and each copies it before changing it (the copy shares
  // the lists: a list is copied before it is changed by a block that did not make it)
  let changed = false;
  const start = g.blocks[0];
  if (!start) return false;
  // what is known along the current path of the extended basic block: one map, undone on the way back
  const known = new ScopedKnown();
  const roots: Block[] = [start];
  const done = new Set<Block>();
  // forward within the block's ops
  // what one block's scan keeps track of, emptied when the next starts (scans do not overlap):
  // the item lists it made, stores not read since (a later store to the same place makes them
  // dead), and the stores found dead
  const own = new Set<unknown[]>();
  const unreadFields = new Map<string, Op>();
  const unreadItems = new Map<string, (ItemPlace & { op: Op })[]>();
  const dead = new Set<Op>();
  // (clearing an empty map would make it a new table)
  const observeAll = (): void => {
    if (unreadFields.size > 0) unreadFields.clear();
    if (unreadItems.size > 0) unreadItems.clear();
  };
  const scan = (b: Block, from: Items): Items => {
    let items = from;
    const write = (): Items => {
      if (items === from) items = new Map(from);
      return items;
    };
    if (own.size > 0) own.clear();
    observeAll();
    if (dead.size > 0) dead.clear();
    // the block's ops are copied only once one goes or another takes its place
    const ops = b.ops;
    let kept: Op[] | null = null;
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j] as Op;
      if (sub.size > 0) for (let i = 0; i < o.args.length; i++) o.args[i] = chase(sub, o.args[i] as Value);
      const a0 = o.args[0];
      const a1 = o.args[1];
      const a2 = o.args[2];
      const type = o.attrs.type ?? "";
      if (o.result && pure(o.op)) {
        // the same pure op on the same operands computes the same value
        // (`p:<op>:<type>:<operand keys, by commas>`, made in one piece for up to two operands)
        let k: string | null;
        const n = o.args.length;
        const k0 = n > 0 ? key(a0 as Value) : "";
        if (n <= 1) k = k0 === null ? null : `p:${o.op}:${type}:${k0}`;
        else if (n === 2) {
          const k1 = key(a1 as Value);
          k = k0 === null || k1 === null ? null : `p:${o.op}:${type}:${k0},${k1}`;
        } else {
          k = `p:${o.op}:${type}:`;
          for (let i = 0; i < n; i++) {
            const ka = key(o.args[i] as Value);
            if (ka === null) {
              k = null;
              break;
            }
            k = i === 0 ? k + ka : `${k},${ka}`;
          }
        }
        if (k !== null) {
          const seen = known.get(k);
          if (seen) {
            sub.set(o.result, seen);
            changed = true;
            kept ??= ops.slice(0, j);
            continue;
          }
          known.set(k, o.result);
        }
      }
      switch (o.op) {
        case "getfield":
        case "arraylen": {
          const ok = a0 ? key(a0) : null;
          const field = o.op === "getfield" ? String(o.attrs.field) : null;
          const seen = ok === null ? undefined : field !== null ? known.getField(field, ok) : known.get(`len:${ok}`);
          if (seen && o.result) {
            sub.set(o.result, seen);
            changed = true;
            kept ??= ops.slice(0, j);
            continue;
          }
          if (field !== null) forget(unreadFields, `${field}:`);
          if (ok !== null && o.result) {
            if (field !== null) known.setField(field, ok, o.result);
            else known.set(`len:${ok}`, o.result);
          }
          break;
        }
        case "getitem": {
          const pl = place(a0, a1);
          const list = items.get(type) ?? [];
          const seen = pl ? list.find((e) => samePlace(e, pl)) : undefined;
          if (seen && o.result) {
            changed = true;
            const v = seen.value;
            if (isByte(type) && v !== o.result) {
              if (v.kind === "const") sub.set(o.result, constant(I32, (v.value as number) & 255));
              else {
                const n: Op = {
                  op: "int_and",
                  args: [v, constant(I32, 255)],
                  result: o.result,
                  attrs: {},
                  ...(o.loc ? { loc: o.loc } : {}),
                };
                kept ??= ops.slice(0, j);
                kept.push(n);
                flow.made.push(n);
              }
            } else sub.set(o.result, v);
            kept ??= ops.slice(0, j);
            continue;
          }
          const unread = unreadItems.get(type);
          if (unread) unreadItems.set(type, pl ? unread.filter((e) => !mayAlias(e, pl)) : []);
          if (pl && o.result) {
            const mine = own.has(list) ? list : list.slice();
            own.add(mine);
            mine.push({ ...pl, value: o.result });
            write().set(type, mine);
          }
          break;
        }
        case "setfield": {
          known.forgetField(o.attrs.field ?? "");
          const ok = a0 ? key(a0) : null;
          if (ok !== null && a1) {
            known.setField(String(o.attrs.field), ok, a1);
            const k = `${o.attrs.field}:${ok}`;
            const before = unreadFields.get(k);
            if (before) {
              dead.add(before);
              changed = true;
            }
            unreadFields.set(k, o);
          }
          break;
        }
        case "setitem": {
          const pl = place(a0, a1);
          const list = (items.get(type) ?? []).filter((e) => pl !== null && !mayAlias(e, pl));
          if (pl && a2) list.push({ ...pl, value: a2 });
          own.add(list);
          write().set(type, list);
          const unread = unreadItems.get(type) ?? [];
          if (pl) {
            const before = unread.find((e) => samePlace(e, pl));
            if (before) {
              dead.add(before.op);
              changed = true;
            }
            unreadItems.set(type, [...unread.filter((e) => !samePlace(e, pl)), { ...pl, op: o }]);
          }
          break;
        }
        case "arraycopy":
          if (items.has(type)) write().delete(type);
          observeAll();
          break;
        case "call":
        case "call_ref":
          known.forgetFields();
          items = new Map();
          observeAll();
          break;
        case "call_host":
          if (!Object.hasOwn(STD_HOSTS, o.attrs.callee ?? "")) {
            known.forgetFields();
            items = new Map();
          }
          observeAll();
          break;
      }
      kept?.push(o);
    }
    const now = kept ?? ops;
    b.ops = dead.size > 0 ? now.filter((o) => !dead.has(o)) : now;
    return items;
  };
  const visit = (b: Block, items: Items): void => {
    done.add(b);
    const mark = known.mark();
    const after = b.ops.length > 0 ? scan(b, items) : items;
    // the targets of exitLinks(b.exit), in order: a block with one predecessor continues what it
    // knows; others start afresh
    const e = b.exit;
    if (e.kind === "jump") follow(e.link.target, after);
    else if (e.kind === "branch") {
      follow(e.ifTrue.target, after);
      follow(e.ifFalse.target, after);
    } else if (e.kind === "switch") {
      for (const c of e.cases) follow(c.link.target, after);
      follow(e.default.target, after);
    }
    known.undo(mark);
  };
  const follow = (t: Block, after: Items): void => {
    if (done.has(t)) return;
    if (preds.get(t) === 1 && t !== start) visit(t, after);
    else roots.push(t);
  };
  while (roots.length > 0) {
    const b = roots.pop() as Block;
    if (!done.has(b)) visit(b, new Map());
  }
  substituteIn(g.blocks, sub);
  return changed;
}

/** `newarray_init` of a mutable array whose items are mostly zero: `newarray` and stores of the others. */
function sparseArrays(p: Program, g: Graph): void {
  for (const b of g.blocks) {
    // the block's ops are copied only once one changes
    let ops: Op[] | null = null;
    for (let j = 0; j < b.ops.length; j++) {
      const o = b.ops[j] as Op;
      const type = o.attrs.type ?? "";
      if (o.op !== "newarray_init" || !o.result || arrayDef(p, type)?.mutable !== true || nonZeros(o.args) * 2 >= o.args.length) {
        ops?.push(o);
        continue;
      }
      ops ??= b.ops.slice(0, j);
      const arr = o.result;
      ops.push({ op: "newarray", args: [constant(I32, o.args.length)], result: arr, attrs: o.attrs, ...(o.loc ? { loc: o.loc } : {}) });
      o.args.forEach((v, i) => {
        if (!isZero(v)) (ops as Op[]).push({ op: "setitem", args: [arr, constant(I32, i), v], result: null, attrs: { type } });
      });
    }
    if (ops) b.ops = ops;
  }
}

/** A constant zero of its type (0, false, null, 0n; not -0). */
function isZero(v: Value): boolean {
  return v.kind === "const" && (v.value === 0 || v.value === false || v.value === null || v.value === 0n) && !Object.is(v.value, -0);
}

function nonZeros(vs: readonly Value[]): number {
  let n = 0;
  for (const v of vs) if (!isZero(v)) n++;
  return n;
}

/** Whether `simplify` looks at the definitions made by this op (through `byteValue` and `rewrite`). */
function lookedAt(name: string): boolean {
  return name === "int_add" || name === "int_sub" || name === "int_and" || name === "cast_bool_to_int" || name === "bool_not";
}

/** The names of the scalar ops (`isScalarOp`), as a set. */
const SCALAR: ReadonlySet<string> = new Set(Object.keys(SCALAR_OPS));

/** Fold constant scalar ops and branches, and simplify patterns; true if anything changed. */
function simplify(p: Program, g: Graph, flow: { folded: boolean; forwarders: boolean }): boolean {
  // only the definitions of the ops the patterns look at (other lookups find no pattern either)
  const defs = new Defs(g, lookedAt);
  const sub = new Map<Var, Value>();
  const res = (v: Value): Value => {
    return sub.size === 0 ? v : chase(sub, v);
  };
  let changed = false;
  const pending: Op[] = [];
  for (const b of g.blocks) {
    // the block's ops are copied only once one changes
    let kept: Op[] | null = null;
    const ops = b.ops;
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j] as Op;
      if (sub.size > 0) for (let i = 0; i < o.args.length; i++) o.args[i] = chase(sub, o.args[i] as Value);
      if (o.op === "setitem" && arrayDef(p, o.attrs.type ?? "")?.item.kind === "u8") {
        // a byte store keeps the low 8 bits: masks of its value, and masks under a constant addition, go
        // (no closure here: one that captured the loop's variables would cost a context per op)
        const bv = byteValue(o.args[2] as Value, defs);
        let v: Value;
        if ("op" in bv) {
          const t = newVar(I32, "v");
          const n: Op = { op: bv.op, args: bv.args, result: t, attrs: {} };
          kept ??= ops.slice(0, j);
          kept.push(n);
          defs.set(t, n);
          v = t;
        } else v = bv;
        if (v !== o.args[2]) {
          o.args[2] = v;
          changed = true;
        }
      }
      const r = o.result && SCALAR.has(o.op) ? rewrite(o, defs, pending) : null;
      if (r && o.result) {
        kept ??= ops.slice(0, j);
        for (const n of pending) {
          kept.push(n);
          if (n.result) defs.set(n.result, n);
        }
        pending.length = 0;
        if ("op" in r) {
          kept.push(r);
          defs.set(o.result, r);
        } else sub.set(o.result, r);
        changed = true;
        continue;
      }
      kept?.push(o);
    }
    if (kept) b.ops = kept;
    const e = b.exit;
    let folded = false;
    if (e.kind === "branch") {
      e.cond = res(e.cond);
      if (e.cond.kind === "const") {
        b.exit = { kind: "jump", link: e.cond.value ? e.ifTrue : e.ifFalse };
        folded = true;
      }
    } else if (e.kind === "switch") {
      e.value = res(e.value);
      const v = e.value;
      if (v.kind === "const") {
        b.exit = { kind: "jump", link: e.cases.find((c) => c.value === v.value)?.link ?? e.default };
        folded = true;
      }
    }
    if (folded) {
      changed = true;
      flow.folded = true;
    }
    // a block left with no ops before a jump (it may be a forwarder that links go to)
    if ((kept || folded) && b.ops.length === 0 && b.exit.kind === "jump") flow.forwarders = true;
  }
  substituteIn(g.blocks, sub);
  return changed;
}

/** A mask of the low k bits (2^k - 1, k >= 1)? */
function lowMask(v: Value | undefined): number | null {
  if (v?.kind !== "const" || typeof v.value !== "number") return null;
  const m = v.value;
  return m > 0 && (m & (m + 1)) === 0 ? m : null;
}

/** The value to store into a byte array instead of `v` (same low 8 bits), or the op to make for it. */
function byteValue(v: Value, defs: Defs): Value | { op: "int_add" | "int_sub"; args: Value[] } {
  const d = v.kind === "var" ? defs.get(v) : undefined;
  if (!d) return v;
  const a = d.args[0];
  const b = d.args[1];
  const m = lowMask(b);
  if (d.op === "int_and" && m !== null && m >= 255) return a as Value;
  if ((d.op === "int_add" || d.op === "int_sub") && b?.kind === "const") {
    const inner = a?.kind === "var" ? defs.get(a) : undefined;
    const im = inner?.op === "int_and" ? lowMask(inner.args[1]) : null;
    if (inner && im !== null && im >= 255) return { op: d.op, args: [inner.args[0] as Value, b] };
  }
  return v;
}

function allConst(vs: readonly Value[]): boolean {
  for (const v of vs) if (v.kind !== "const") return false;
  return true;
}

function i32(k: number): Value {
  return constant(I32, k);
}

function isK(x: Value | undefined, k: number): boolean {
  return x?.kind === "const" && x.value === k;
}

function same(x: Value | undefined, y: Value | undefined): boolean {
  return x !== undefined && x.kind === "var" && x === y;
}

/** The operand of `cast_bool_to_int` that defines `x`, if one does. */
function boolOf(defs: Defs, x: Value | undefined): Value | undefined {
  const d = x?.kind === "var" ? defs.get(x) : undefined;
  return d?.op === "cast_bool_to_int" ? d.args[0] : undefined;
}

function def(defs: Defs, x: Value | undefined): Op | undefined {
  return x?.kind === "var" ? defs.get(x) : undefined;
}

/** An op computing `o`'s result in another way. */
function mk(o: Op, op: "int_add" | "int_sub" | "int_and", args: Value[]): Op {
  return o.loc ? { op, args, result: o.result, attrs: {}, loc: o.loc } : { op, args, result: o.result, attrs: {} };
}

/** A replacement for scalar op `o`: a value (the op goes away) or a simpler op with the same result. */
function rewrite(o: Op, defs: Defs, pending: Op[]): Value | Op | null {
  const a = o.args[0];
  const b = o.args[1];
  if (allConst(o.args)) {
    try {
      const v = evalScalar(
        o.op as ScalarOpName,
        o.args.map((x) => (x as { value: number | bigint | boolean }).value),
      );
      return constant((o.result as Var).type, v);
    } catch (e) {
      if (!(e instanceof ScalarError)) throw e;
      return null;
    }
  }
  // (x + c1) + c2 is x + (c1 + c2), and the same with subtractions
  if ((o.op === "int_add" || o.op === "int_sub") && b?.kind === "const" && typeof b.value === "number") {
    const d = def(defs, a);
    const c1 = d?.args[1];
    if (d && (d.op === "int_add" || d.op === "int_sub") && c1?.kind === "const" && typeof c1.value === "number") {
      const k = ((d.op === "int_add" ? c1.value : -c1.value) + (o.op === "int_add" ? b.value : -b.value)) | 0;
      return mk(o, "int_add", [d.args[0] as Value, i32(k)]);
    }
  }
  // ((a & m) +- c) & m is (a +- c) & m, and (a & m) & m is a & m, for a low-bit mask m
  if (o.op === "int_and") {
    const m = lowMask(b);
    const d = def(defs, a);
    if (m !== null && d) {
      if (d.op === "int_and" && lowMask(d.args[1]) !== null && (lowMask(d.args[1]) as number) >= m)
        return mk(o, "int_and", [d.args[0] as Value, i32(m)]);
      const inner = def(defs, d.args[0]);
      const im = inner?.op === "int_and" ? lowMask(inner.args[1]) : null;
      if ((d.op === "int_add" || d.op === "int_sub") && d.args[1]?.kind === "const" && inner && im !== null && im >= m) {
        const t = newVar(I32, "v");
        pending.push({ op: d.op, args: [inner.args[0] as Value, d.args[1] as Value], result: t, attrs: {} });
        return mk(o, "int_and", [t, i32(m)]);
      }
    }
  }
  switch (o.op) {
    case "int_add":
    case "int_or":
    case "int_xor":
      if (isK(b, 0)) return a as Value;
      if (isK(a, 0)) return b as Value;
      if (same(a, b)) return o.op === "int_xor" ? i32(0) : o.op === "int_or" ? (a as Value) : null;
      return null;
    case "int_sub":
      if (isK(b, 0)) return a as Value;
      return same(a, b) ? i32(0) : null;
    case "int_mul":
      if (isK(b, 1)) return a as Value;
      if (isK(a, 1)) return b as Value;
      return isK(a, 0) || isK(b, 0) ? i32(0) : null;
    case "int_and":
      if (isK(b, -1) || same(a, b)) return a as Value;
      if (isK(a, -1)) return b as Value;
      return isK(a, 0) || isK(b, 0) ? i32(0) : null;
    case "int_shl":
    case "int_shr":
    case "int_ushr":
      return isK(b, 0) ? (a as Value) : null;
    case "int_is_true":
      return boolOf(defs, a) ?? null;
    case "int_eq":
    case "int_ne": {
      if (same(a, b)) return constant(BOOL, o.op === "int_eq");
      const c = boolOf(defs, a) ?? boolOf(defs, b);
      if (!c) return null;
      const other = boolOf(defs, a) ? b : a;
      // (bool as int) compared with 0 or 1
      const truth = isK(other, 0) ? o.op === "int_ne" : isK(other, 1) ? o.op === "int_eq" : null;
      if (truth === null) return null;
      return truth ? c : { op: "bool_not", args: [c], result: o.result, attrs: {}, ...(o.loc ? { loc: o.loc } : {}) };
    }
    case "bool_not": {
      const d = a?.kind === "var" ? defs.get(a) : undefined;
      return d?.op === "bool_not" ? (d.args[0] as Value) : null;
    }
    case "bool_eq":
      if (a?.kind === "const" && a.value === true) return b as Value;
      if (b?.kind === "const" && b.value === true) return a as Value;
      return null;
    default:
      return null;
  }
}

/** The number of links into each block. */
function predCounts(g: Graph): Map<Block, number> {
  const n = new Map<Block, number>();
  for (const b of g.blocks) {
    const e = b.exit;
    if (e.kind === "jump") n.set(e.link.target, (n.get(e.link.target) ?? 0) + 1);
    else if (e.kind === "branch") {
      n.set(e.ifTrue.target, (n.get(e.ifTrue.target) ?? 0) + 1);
      n.set(e.ifFalse.target, (n.get(e.ifFalse.target) ?? 0) + 1);
    } else if (e.kind === "switch") {
      for (const c of e.cases) n.set(c.link.target, (n.get(c.link.target) ?? 0) + 1);
      n.set(e.default.target, (n.get(e.default.target) ?? 0) + 1);
    }
  }
  return n;
}

/**
 * Blocks reachable from the start block, in depth-first preorder (`reachableBlocks`), the set of
 * them, and the number of links into each from them (`predCounts` once they are the graph's blocks).
 */
function reachAndCount(g: Graph): { blocks: Block[]; seen: Set<Block>; links: Map<Block, number> } {
  const seen = new Set<Block>();
  const links = new Map<Block, number>();
  return { blocks: reachableBlocks(g, links, seen), seen, links };
}

/** Merge B into P when P ends in `jump B(...)` and that is B's only incoming link (`preds`: the links into each block). */
function mergeChains(g: Graph, preds: ReadonlyMap<Block, number>): boolean {
  const blocks = g.blocks;
  const start = blocks[0];
  const sub = new Map<Var, Value>();
  // the blocks merged, made with the first
  let gone: Set<Block> | null = null;
  for (let k = 0; k < blocks.length; k++) {
    const p = blocks[k] as Block;
    if (gone?.has(p)) continue;
    for (;;) {
      const e = p.exit;
      if (e.kind !== "jump") break;
      const b = e.link.target;
      if (b === start || b === p || preds.get(b) !== 1 || gone?.has(b)) break;
      const ps = b.params;
      const args = e.link.args;
      for (let i = 0; i < ps.length; i++) sub.set(ps[i] as Var, args[i] as Value);
      const ops = b.ops;
      const into = p.ops;
      for (let j = 0; j < ops.length; j++) into.push(ops[j] as Op);
      p.exit = b.exit;
      gone ??= new Set();
      gone.add(b);
    }
  }
  if (gone === null) return false;
  const merged = gone;
  g.blocks = blocks.filter((b) => !merged.has(b));
  substituteIn(g.blocks, sub);
  return true;
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
  for (const b of g.blocks) forEachLink(b.exit, forward);
  return changed;
}

const PURE = new Map<string, boolean>();

/** `isPure`, remembered per op name. */
function pure(name: Op["op"]): boolean {
  let r = PURE.get(name);
  if (r === undefined) {
    r = isPure(name);
    PURE.set(name, r);
  }
  return r;
}

let opTable: (Op | undefined)[] = [];

/** A table of at least `n` ops, shared by the passes (none holds one while another runs); the first `n` are undefined. */
function scratchOps(n: number): (Op | undefined)[] {
  if (opTable.length < n) opTable = new Array(Math.max(n, 2 * opTable.length));
  else opTable.fill(undefined, 0, n);
  return opTable;
}

let bytes = new Uint8Array(1024);
let stack = new Int32Array(1024);

/** A stack of at least `n` ints, shared by the passes (none holds one while another runs); its contents are left as they were. */
function scratchStack(n: number): Int32Array {
  if (stack.length < n) stack = new Int32Array(Math.max(n, 2 * stack.length));
  return stack;
}

/** A table of at least `n` bytes, shared by the passes (none holds one while another runs); the first `n` are 0. */
function scratchBytes(n: number): Uint8Array {
  if (bytes.length < n) bytes = new Uint8Array(Math.max(n, 2 * bytes.length));
  else bytes.fill(0, 0, n);
  return bytes;
}

/** The values passed to block parameters (`removeDead`): lists linked through `passNext`, by parameter from `passHead` (-1 ends them). */
const passVal: Value[] = [];
const passNext: number[] = [];
let heads = new Int32Array(1024);

/** A table of at least `n` ints, as `scratchStack` (another one), the first `n` of them -1. */
function scratchHeads(n: number): Int32Array {
  if (heads.length < n) heads = new Int32Array(Math.max(n, 2 * heads.length));
  heads.fill(-1, 0, n);
  return heads;
}

/**
 * Remove block params nobody needs, then ops whose unused results can go. Tables indexed by the
 * variables' numbers (`VarNumbers`) say where each one comes from and whether it is needed.
 * `flow.forwarders` tells whether a block was left with no ops before a jump.
 */
function removeDead(g: Graph, safeOps: ReadonlySet<Op>, flow: { forwarders: boolean }): boolean {
  const blocks = g.blocks;
  const start = blocks[0];
  const num = new VarNumbers(blocks);
  const n = num.size;
  if (n === 0) return false; // nothing defined: no param or op result to remove
  // what each variable needs once it is needed: the operands of the removable op that defines it,
  // the values passed to it along every link when it is a block parameter (SSA: one or the other)
  const originOp = scratchOps(n);
  const passHead = scratchHeads(n);
  passVal.length = 0;
  passNext.length = 0;
  const needed = scratchBytes(n);
  // variables needed whose own needs are not followed yet (each comes once: at most n)
  const work = scratchStack(n);
  let top = 0;
  // variables the graph does not define have no origin: nothing follows from them
  const need = (v: Value): void => {
    if (v.kind !== "var") return;
    const i = num.of(v);
    if (i >= 0 && needed[i] === 0) {
      needed[i] = 1;
      work[top++] = i;
    }
  };
  const addLink = (l: Link): void => {
    const ps = l.target.params;
    if (ps.length === 0) return;
    const args = l.args;
    for (let i = 0; i < ps.length; i++) {
      const k = num.of(ps[i] as Var);
      if (k < 0) continue; // a block that is not the graph's
      passVal.push(args[i] as Value);
      passNext.push(passHead[k] as number);
      passHead[k] = passVal.length - 1;
    }
  };
  // start block params are the graph's params: always kept
  for (const v of start?.params ?? []) need(v);
  for (const b of blocks) {
    const ops = b.ops;
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j] as Op;
      if (o.result !== null && (pure(o.op) || safeOps.has(o))) originOp[num.of(o.result)] = o;
      else {
        const args = o.args;
        for (let i = 0; i < args.length; i++) need(args[i] as Value);
      }
    }
    const e = b.exit;
    switch (e.kind) {
      case "jump":
        addLink(e.link);
        break;
      case "branch":
        need(e.cond);
        addLink(e.ifTrue);
        addLink(e.ifFalse);
        break;
      case "switch":
        need(e.value);
        for (const c of e.cases) addLink(c.link);
        addLink(e.default);
        break;
      case "return":
        if (e.value) need(e.value);
        break;
      case "raise":
        need(e.value);
        break;
    }
  }
  while (top > 0) {
    const k = work[--top] as number;
    const d = originOp[k];
    if (d !== undefined) {
      const args = d.args;
      for (let i = 0; i < args.length; i++) need(args[i] as Value);
      continue;
    }
    for (let x = passHead[k] as number; x >= 0; x = passNext[x] as number) need(passVal[x] as Value);
  }
  let changed = false;
  // the params kept of the blocks that drop some, for the links into them
  let kept: Map<Block, boolean[]> | null = null;
  for (const b of blocks) {
    const ps = b.params;
    if (b !== start) {
      let dropped = false;
      for (let i = 0; i < ps.length; i++) if (needed[num.of(ps[i] as Var)] === 0) dropped = true;
      if (dropped) {
        changed = true;
        const keep = ps.map((v) => needed[num.of(v)] === 1);
        b.params = ps.filter((_, i) => keep[i]);
        kept ??= new Map();
        kept.set(b, keep);
      }
    }
    // an op goes when its result is unneeded and it is the removable op that defines it
    const ops = b.ops;
    let left: Op[] | null = null;
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j] as Op;
      const r = o.result;
      if (r !== null) {
        const k = num.of(r);
        if (needed[k] === 0 && originOp[k] === o) {
          left ??= ops.slice(0, j);
          changed = true;
          continue;
        }
      }
      left?.push(o);
    }
    if (left) {
      b.ops = left;
      if (left.length === 0 && b.exit.kind === "jump") flow.forwarders = true;
    }
  }
  if (kept !== null) {
    const keepOf = kept;
    const cut = (l: Link): void => {
      const keep = keepOf.get(l.target);
      if (keep) l.args = l.args.filter((_, i) => keep[i]);
    };
    for (const b of blocks) forEachLink(b.exit, cut);
  }
  // the shared tables keep no ops or values of this graph alive
  originOp.fill(undefined, 0, n);
  passVal.length = 0;
  return changed;
}
