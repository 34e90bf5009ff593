// Cleanup of a residual graph after specialization: drop unreachable blocks, merge a block into
// its only predecessor when that one jumps to it, route links around empty forwarding blocks, fold
// scalar ops whose operands became constant (and branches on constants), simplify a few patterns
// interpreters produce (`int_is_true(cast_bool_to_int c)` is `c`, `x + 0` is `x`...), remove block
// parameters nobody needs and ops whose results nobody uses (pure ops, and reads the specializer
// knows cannot fail). Residual graphs use dominance SSA, so uses are counted globally.

import type { Block, Graph, Link, Op, Program, Value, Var } from "../ir/graph.ts";
import { arrayDef, exitLinks, exitOperands, reachableBlocks } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import type { ScalarOpName } from "../ir/ops.ts";
import { evalScalar, isPure, isScalarOp, ScalarError } from "../ir/ops.ts";
import { STD_HOSTS } from "../ir/hosts.ts";
import { BOOL, I32 } from "../ir/types.ts";
import { constKey } from "./abstract.ts";
import { hoistLoopChecks } from "./loopchecks.ts";
import { carryLoopItems } from "./loopitems.ts";
import { mergeRangeChecks } from "./rangechecks.ts";
import { chase, substituteIn } from "./substitute.ts";

export function cleanup(p: Program, g: Graph, safeOps: ReadonlySet<Op>): void {
  for (let round = 0; round < 12; round++) {
    g.blocks = reachableBlocks(g);
    const a = mergeChains(g);
    const b = threadForwarders(g);
    const c = simplify(p, g);
    const d = removeDead(g, safeOps);
    if (!a && !b && !c && !d) break;
  }
  g.blocks = reachableBlocks(g);
  // chains of checks raising the same guest error become one range check
  if (mergeRangeChecks(g)) {
    mergeChains(g);
    simplify(p, g);
    removeDead(g, safeOps);
    g.blocks = reachableBlocks(g);
  }
  for (let round = 0; round < 6; round++) {
    const a = forwardLoads(p, g);
    const c = simplify(p, g);
    const d = removeDead(g, safeOps);
    if (!a && !c && !d) break;
  }
  // invariant checks out of loops, then loop-carried items once the loops are clean, then one
  // more round for what that exposes
  if (hoistLoopChecks(g)) {
    mergeChains(g);
    simplify(p, g);
    removeDead(g, safeOps);
  }
  if (carryLoopItems(p, g)) {
    forwardLoads(p, g);
    simplify(p, g);
    removeDead(g, safeOps);
  }
  sparseArrays(p, g);
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
 * earlier point without copying. Field facts (`f:<field>:<object>`) are kept apart, by field, as
 * writes and calls forget them.
 */
class ScopedKnown {
  private readonly other = new Map<string, Value>();
  private readonly fields = new Map<string, Map<string, Value>>();
  private readonly log: { m: Map<string, Value>; k: string; prev: Value | undefined }[] = [];

  private fieldMap(key: string): Map<string, Value> | null {
    if (!key.startsWith("f:")) return null;
    const name = key.slice(2, key.indexOf(":", 2));
    let m = this.fields.get(name);
    if (!m) {
      m = new Map();
      this.fields.set(name, m);
    }
    return m;
  }

  get(key: string): Value | undefined {
    return (this.fieldMap(key) ?? this.other).get(key);
  }

  set(key: string, v: Value): void {
    const m = this.fieldMap(key) ?? this.other;
    this.log.push({ m, k: key, prev: m.get(key) });
    m.set(key, v);
  }

  forgetField(name: string): void {
    const m = this.fields.get(name);
    if (!m) return;
    for (const [k, v] of m) this.log.push({ m, k, prev: v });
    m.clear();
  }

  forgetFields(): void {
    for (const name of this.fields.keys()) this.forgetField(name);
  }

  mark(): number {
    return this.log.length;
  }

  undo(mark: number): void {
    while (this.log.length > mark) {
      const e = this.log.pop() as { m: Map<string, Value>; k: string; prev: Value | undefined };
      if (e.prev === undefined) e.m.delete(e.k);
      else e.m.set(e.k, e.prev);
    }
  }
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
function forwardLoads(p: Program, g: Graph): boolean {
  const preds = predCounts(g);
  const defs = new Map<Var, Op>();
  for (const b of g.blocks) for (const o of b.ops) if (o.result) defs.set(o.result, o);
  const sub = new Map<Var, Value>();
  const res = (v: Value): Value => {
    return chase(sub, v);
  };
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
  // a block's successors get a copy of its map, sharing the lists: a list is copied before it is
  // changed by a block that did not make it
  const copyItems = (m: Items): Items => new Map(m);
  let changed = false;
  const start = g.blocks[0];
  if (!start) return false;
  // what is known along the current path of the extended basic block: one map, undone on the way back
  const known = new ScopedKnown();
  const roots: Block[] = [start];
  const done = new Set<Block>();
  const visit = (b: Block, items: Items): void => {
    done.add(b);
    const mark = known.mark();
    const own = new Set<unknown[]>();
    const kept: Op[] = [];
    // stores not read since: a later store to the same place makes them dead
    const unreadFields = new Map<string, Op>();
    const unreadItems = new Map<string, (ItemPlace & { op: Op })[]>();
    const dead = new Set<Op>();
    const observeAll = (): void => {
      unreadFields.clear();
      unreadItems.clear();
    };
    for (const o of b.ops) {
      for (let i = 0; i < o.args.length; i++) o.args[i] = res(o.args[i] as Value);
      const [a0, a1, a2] = o.args;
      const ok = a0 ? key(a0) : null;
      const type = o.attrs.type ?? "";
      if (o.result && isPure(o.op)) {
        // the same pure op on the same operands computes the same value
        const ks = o.args.map(key);
        if (ks.every((k) => k !== null)) {
          const k = `p:${o.op}:${type}:${ks.join(",")}`;
          const seen = known.get(k);
          if (seen) {
            sub.set(o.result, seen);
            changed = true;
            continue;
          }
          known.set(k, o.result);
        }
      }
      switch (o.op) {
        case "getfield":
        case "arraylen": {
          const k = ok === null ? null : o.op === "getfield" ? `f:${o.attrs.field}:${ok}` : `len:${ok}`;
          const seen = k === null ? undefined : known.get(k);
          if (seen && o.result) {
            sub.set(o.result, seen);
            changed = true;
            continue;
          }
          if (o.op === "getfield") forget(unreadFields, `${o.attrs.field}:`);
          if (k !== null && o.result) known.set(k, o.result);
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
              else
                kept.push({ op: "int_and", args: [v, constant(I32, 255)], result: o.result, attrs: {}, ...(o.loc ? { loc: o.loc } : {}) });
            } else sub.set(o.result, v);
            continue;
          }
          const unread = unreadItems.get(type);
          if (unread) unreadItems.set(type, pl ? unread.filter((e) => !mayAlias(e, pl)) : []);
          if (pl && o.result) {
            const mine = own.has(list) ? list : list.slice();
            own.add(mine);
            mine.push({ ...pl, value: o.result });
            items.set(type, mine);
          }
          break;
        }
        case "setfield": {
          known.forgetField(o.attrs.field ?? "");
          if (ok !== null && a1) {
            known.set(`f:${o.attrs.field}:${ok}`, a1);
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
          items.set(type, list);
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
          items.delete(type);
          observeAll();
          break;
        case "call":
        case "call_ref":
          known.forgetFields();
          items.clear();
          observeAll();
          break;
        case "call_host":
          if (!Object.hasOwn(STD_HOSTS, o.attrs.callee ?? "")) {
            known.forgetFields();
            items.clear();
          }
          observeAll();
          break;
      }
      kept.push(o);
    }
    b.ops = dead.size > 0 ? kept.filter((o) => !dead.has(o)) : kept;
    for (const l of exitLinks(b.exit)) {
      const t = l.target;
      if (done.has(t)) continue;
      // a block with one predecessor continues what it knows; others start afresh
      if (preds.get(t) === 1 && t !== start) visit(t, copyItems(items));
      else roots.push(t);
    }
    known.undo(mark);
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
    const ops: Op[] = [];
    for (const o of b.ops) {
      const type = o.attrs.type ?? "";
      const zero = (v: Value): boolean =>
        v.kind === "const" && (v.value === 0 || v.value === false || v.value === null || v.value === 0n) && !Object.is(v.value, -0);
      const nonZero = o.args.filter((v) => !zero(v)).length;
      if (o.op !== "newarray_init" || !o.result || arrayDef(p, type)?.mutable !== true || nonZero * 2 >= o.args.length) {
        ops.push(o);
        continue;
      }
      const arr = o.result;
      ops.push({ op: "newarray", args: [constant(I32, o.args.length)], result: arr, attrs: o.attrs, ...(o.loc ? { loc: o.loc } : {}) });
      o.args.forEach((v, i) => {
        if (!zero(v)) ops.push({ op: "setitem", args: [arr, constant(I32, i), v], result: null, attrs: { type } });
      });
    }
    b.ops = ops;
  }
}

/** Fold constant scalar ops and branches, and simplify patterns; true if anything changed. */
function simplify(p: Program, g: Graph): boolean {
  const defs = new Map<Var, Op>();
  for (const b of g.blocks) for (const o of b.ops) if (o.result) defs.set(o.result, o);
  const sub = new Map<Var, Value>();
  const res = (v: Value): Value => {
    return chase(sub, v);
  };
  let changed = false;
  const i32 = (k: number): Value => constant(I32, k);
  for (const b of g.blocks) {
    const kept: Op[] = [];
    for (const o of b.ops) {
      for (let i = 0; i < o.args.length; i++) o.args[i] = res(o.args[i] as Value);
      if (o.op === "setitem" && arrayDef(p, o.attrs.type ?? "")?.item.kind === "u8") {
        // a byte store keeps the low 8 bits: masks of its value, and masks under a constant addition, go
        const v = byteValue(o.args[2] as Value, defs, (op, args) => {
          const t = newVar(I32, "v");
          const n: Op = { op, args, result: t, attrs: {} };
          kept.push(n);
          defs.set(t, n);
          return t;
        });
        if (v !== o.args[2]) {
          o.args[2] = v;
          changed = true;
        }
      }
      const pending: Op[] = [];
      const r = o.result && isScalarOp(o.op) ? rewrite(o, defs, i32, pending) : null;
      if (r && o.result) {
        for (const n of pending) {
          kept.push(n);
          if (n.result) defs.set(n.result, n);
        }
        if ("op" in r) {
          kept.push(r);
          defs.set(o.result, r);
        } else sub.set(o.result, r);
        changed = true;
        continue;
      }
      kept.push(o);
    }
    b.ops = kept;
    const e = b.exit;
    if (e.kind === "branch") {
      e.cond = res(e.cond);
      if (e.cond.kind === "const") {
        b.exit = { kind: "jump", link: e.cond.value ? e.ifTrue : e.ifFalse };
        changed = true;
      }
    } else if (e.kind === "switch") {
      e.value = res(e.value);
      const v = e.value;
      if (v.kind === "const") {
        b.exit = { kind: "jump", link: e.cases.find((c) => c.value === v.value)?.link ?? e.default };
        changed = true;
      }
    }
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

/** The value to store into a byte array instead of `v` (same low 8 bits), making ops with `make` if needed. */
function byteValue(v: Value, defs: Map<Var, Op>, make: (op: "int_add" | "int_sub", args: Value[]) => Var): Value {
  const d = v.kind === "var" ? defs.get(v) : undefined;
  if (!d) return v;
  const [a, b] = d.args;
  const m = lowMask(b);
  if (d.op === "int_and" && m !== null && m >= 255) return a as Value;
  if ((d.op === "int_add" || d.op === "int_sub") && b?.kind === "const") {
    const inner = a?.kind === "var" ? defs.get(a) : undefined;
    const im = inner?.op === "int_and" ? lowMask(inner.args[1]) : null;
    if (inner && im !== null && im >= 255) return make(d.op, [inner.args[0] as Value, b]);
  }
  return v;
}

/** A replacement for scalar op `o`: a value (the op goes away) or a simpler op with the same result. */
function rewrite(o: Op, defs: Map<Var, Op>, i32: (k: number) => Value, pending: Op[]): Value | Op | null {
  const [a, b] = o.args;
  if (o.args.every((x) => x.kind === "const")) {
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
  const isK = (x: Value | undefined, k: number): boolean => x?.kind === "const" && x.value === k;
  const same = (x: Value | undefined, y: Value | undefined): boolean => x !== undefined && x.kind === "var" && x === y;
  const boolOf = (x: Value | undefined): Value | undefined => {
    const d = x?.kind === "var" ? defs.get(x) : undefined;
    return d?.op === "cast_bool_to_int" ? d.args[0] : undefined;
  };
  const def = (x: Value | undefined): Op | undefined => (x?.kind === "var" ? defs.get(x) : undefined);
  const mk = (op: "int_add" | "int_sub" | "int_and", args: Value[]): Op => ({
    op,
    args,
    result: o.result,
    attrs: {},
    ...(o.loc ? { loc: o.loc } : {}),
  });
  // (x + c1) + c2 is x + (c1 + c2), and the same with subtractions
  if ((o.op === "int_add" || o.op === "int_sub") && b?.kind === "const" && typeof b.value === "number") {
    const d = def(a);
    const c1 = d?.args[1];
    if (d && (d.op === "int_add" || d.op === "int_sub") && c1?.kind === "const" && typeof c1.value === "number") {
      const k = ((d.op === "int_add" ? c1.value : -c1.value) + (o.op === "int_add" ? b.value : -b.value)) | 0;
      return mk("int_add", [d.args[0] as Value, i32(k)]);
    }
  }
  // ((a & m) +- c) & m is (a +- c) & m, and (a & m) & m is a & m, for a low-bit mask m
  if (o.op === "int_and") {
    const m = lowMask(b);
    const d = def(a);
    if (m !== null && d) {
      if (d.op === "int_and" && lowMask(d.args[1]) !== null && (lowMask(d.args[1]) as number) >= m)
        return mk("int_and", [d.args[0] as Value, i32(m)]);
      const inner = def(d.args[0]);
      const im = inner?.op === "int_and" ? lowMask(inner.args[1]) : null;
      if ((d.op === "int_add" || d.op === "int_sub") && d.args[1]?.kind === "const" && inner && im !== null && im >= m) {
        const t = newVar(I32, "v");
        pending.push({ op: d.op, args: [inner.args[0] as Value, d.args[1] as Value], result: t, attrs: {} });
        return mk("int_and", [t, i32(m)]);
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
      return boolOf(a) ?? null;
    case "int_eq":
    case "int_ne": {
      if (same(a, b)) return constant(BOOL, o.op === "int_eq");
      const c = boolOf(a) ?? boolOf(b);
      if (!c) return null;
      const other = boolOf(a) ? b : a;
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

function predCounts(g: Graph): Map<Block, number> {
  const n = new Map<Block, number>();
  for (const b of g.blocks) for (const l of exitLinks(b.exit)) n.set(l.target, (n.get(l.target) ?? 0) + 1);
  return n;
}

/** Merge B into P when P ends in `jump B(...)` and that is B's only incoming link. */
function mergeChains(g: Graph): boolean {
  const preds = predCounts(g);
  const start = g.blocks[0];
  const sub = new Map<Var, Value>();
  const gone = new Set<Block>();
  let changed = false;
  for (const p of g.blocks) {
    if (gone.has(p)) continue;
    for (;;) {
      const e = p.exit;
      if (e.kind !== "jump") break;
      const b = e.link.target;
      if (b === start || b === p || gone.has(b) || preds.get(b) !== 1) break;
      b.params.forEach((v, i) => {
        sub.set(v, e.link.args[i] as Value);
      });
      p.ops.push(...b.ops);
      p.exit = b.exit;
      gone.add(b);
      changed = true;
    }
  }
  if (changed) {
    g.blocks = g.blocks.filter((b) => !gone.has(b));
    substituteIn(g.blocks, sub);
  }
  return changed;
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
  for (const b of g.blocks) for (const l of exitLinks(b.exit)) forward(l);
  return changed;
}

/** Remove block params nobody needs, then ops whose unused results can go. */
function removeDead(g: Graph, safeOps: ReadonlySet<Op>): boolean {
  const removable = (o: Op): boolean => o.result !== null && (isPure(o.op) || safeOps.has(o));
  // what each variable needs once it is needed: the operands of the removable op that defines it,
  // the values passed to it along every link when it is a block parameter
  const defs = new Map<Var, Op>();
  const incoming = new Map<Block, Link[]>();
  const needed = new Set<Var>();
  const work: Var[] = [];
  const need = (v: Value): void => {
    if (v.kind === "var" && !needed.has(v)) {
      needed.add(v);
      work.push(v);
    }
  };
  const paramIndex = new Map<Var, { b: Block; i: number }>();
  for (const b of g.blocks) {
    b.params.forEach((v, i) => {
      paramIndex.set(v, { b, i });
    });
    for (const l of exitLinks(b.exit)) {
      const ls = incoming.get(l.target);
      if (ls) ls.push(l);
      else incoming.set(l.target, [l]);
    }
  }
  // start block params are the graph's params: always kept
  for (const v of g.blocks[0]?.params ?? []) need(v);
  for (const b of g.blocks) {
    for (const o of b.ops) {
      if (removable(o)) defs.set(o.result as Var, o);
      else for (const a of o.args) need(a);
    }
    exitOperands(b.exit).forEach(need);
  }
  while (work.length > 0) {
    const v = work.pop() as Var;
    const d = defs.get(v);
    if (d) for (const a of d.args) need(a);
    const pi = paramIndex.get(v);
    if (pi) for (const l of incoming.get(pi.b) ?? []) need(l.args[pi.i] as Value);
  }
  let changed = false;
  for (const b of g.blocks) {
    if (b !== g.blocks[0]) {
      const keep = b.params.map((v) => needed.has(v));
      if (keep.some((k) => !k)) {
        changed = true;
        b.params = b.params.filter((_, i) => keep[i]);
        for (const l of incoming.get(b) ?? []) l.args = l.args.filter((_, i) => keep[i]);
      }
    }
    const ops = b.ops.filter((o) => !removable(o) || needed.has(o.result as Var));
    if (ops.length !== b.ops.length) {
      changed = true;
      b.ops = ops;
    }
  }
  return changed;
}
