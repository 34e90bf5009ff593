// Branches decided by the i32 values known along the path (a cleanup pass, see cleanup.ts):
// bounds-check elimination for the checks interpreters make. Brainfuck checks the pointer before
// every move; in straight guest code that goes right, then left, then right again, the later
// checks test values the earlier ones already excluded. Walking the blocks in reverse postorder,
// the pass keeps, for each value, the set of i32 values it can have (a few intervals): a branch
// on `v op K` narrows `v` on each side, a successful `getitem`/`setitem` makes its index
// non-negative, `x & K` (K >= 0) is in [0, K]; and `v = x + c` (`x - c`) is known as `x` shifted
// by c (modulo 2^32), so what is learnt about one is learnt about the other. A branch whose
// condition is decided by what is known becomes a jump.
//
// What is learnt in a block (or on the only edge into it) holds in the blocks it dominates: a
// value used there was defined in a dominator, and on every path the last definition of the value
// is followed by the block where the fact was learnt (else a path would avoid that block), so the
// value has not changed since; the same holds for `v = x + c`. Block parameters get the union of
// what the edges into the block pass; those of loop headers are assumed, checked against what the
// back edges pass, and widened until the assumption holds (sets of values, then any value).

import type { Block, Graph, Link, Op, Value, Var } from "../ir/graph.ts";
import { exitLinks } from "../ir/graph.ts";
import { dominators } from "../ir/dominators.ts";

const MIN = -2147483648;
const MAX = 2147483647;
const TWO32 = 4294967296;
/** At most this many intervals per set (past it, the closest ones are joined: a larger set). */
const MAX_INTERVALS = 4;

/** A set of i32 values: sorted, disjoint, non-adjacent closed intervals [lo0, hi0, lo1, hi1...]. */
export type Ints = readonly number[];

const ALL: Ints = [MIN, MAX];

function isAll(s: Ints): boolean {
  return s.length === 2 && s[0] === MIN && s[1] === MAX;
}
const NONE: Ints = [];

/** Sorted, disjoint intervals (adjacent ones allowed) as a set: merged, at most MAX_INTERVALS. */
function tidy(out: number[]): Ints {
  let w = 0;
  for (let i = 0; i < out.length; i += 2) {
    const lo = out[i] as number;
    const hi = out[i + 1] as number;
    if (w > 0 && lo <= (out[w - 1] as number) + 1) {
      if (hi > (out[w - 1] as number)) out[w - 1] = hi;
    } else {
      out[w++] = lo;
      out[w++] = hi;
    }
  }
  out.length = w;
  while (out.length > 2 * MAX_INTERVALS) {
    // join the two intervals with the smallest gap
    let best = 1;
    for (let i = 3; i < out.length - 1; i += 2)
      if ((out[i + 1] as number) - (out[i] as number) < (out[best + 1] as number) - (out[best] as number)) best = i;
    out.splice(best, 2);
  }
  return out;
}

/** Intervals in any order (overlapping allowed) as a set. */
function norm(iv: number[]): Ints {
  const pairs: [number, number][] = [];
  for (let i = 0; i < iv.length; i += 2) pairs.push([iv[i] as number, iv[i + 1] as number]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) out.push(lo, hi);
  return tidy(out);
}

/** The values of `x + d` (wrapping) for x in s. */
export function shift(s: Ints, d: number): Ints {
  if (d === 0 || s.length === 0 || isAll(s)) return s;
  const out: number[] = [];
  let wrapped = false;
  for (let i = 0; i < s.length; i += 2) {
    let lo = (s[i] as number) + d;
    let hi = (s[i + 1] as number) + d;
    if (lo > MAX) {
      lo -= TWO32;
      hi -= TWO32;
      wrapped = true;
    } else if (hi < MIN) {
      lo += TWO32;
      hi += TWO32;
      wrapped = true;
    }
    if (lo < MIN) {
      out.push(lo + TWO32, MAX, MIN, hi);
      wrapped = true;
    } else if (hi > MAX) {
      out.push(lo, MAX, MIN, hi - TWO32);
      wrapped = true;
    } else out.push(lo, hi);
  }
  return wrapped ? norm(out) : out;
}

export function intersect(a: Ints, b: Ints): Ints {
  if (isAll(a)) return b;
  if (isAll(b)) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i] as number, b[j] as number);
    const hi = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (lo <= hi) out.push(lo, hi);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return out.length > 2 * MAX_INTERVALS ? tidy(out) : out;
}

export function union(a: Ints, b: Ints): Ints {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number))) {
      out.push(a[i] as number, a[i + 1] as number);
      i += 2;
    } else {
      out.push(b[j] as number, b[j + 1] as number);
      j += 2;
    }
  }
  return tidy(out);
}

export function complement(s: Ints): Ints {
  const out: number[] = [];
  let next = MIN;
  for (let i = 0; i < s.length; i += 2) {
    if ((s[i] as number) > next) out.push(next, (s[i] as number) - 1);
    next = (s[i + 1] as number) + 1;
  }
  if (next <= MAX) out.push(next, MAX);
  return out;
}

/** The i32 values whose unsigned reading is in [lo, hi] (0 <= lo <= hi < 2^32). */
function unsigned(lo: number, hi: number): Ints {
  if (hi <= MAX) return [lo, hi];
  if (lo > MAX) return [lo - TWO32, hi - TWO32];
  return norm([lo, MAX, MIN, hi - TWO32]);
}

/** The values of v for which `v op k` holds (null: not a comparison this pass reads). */
export function trueSet(op: string, k: number): Ints | null {
  const ku = k >>> 0;
  switch (op) {
    case "int_eq":
      return [k, k];
    case "int_ne":
      return complement([k, k]);
    case "int_lt":
      return k === MIN ? NONE : [MIN, k - 1];
    case "int_le":
      return [MIN, k];
    case "int_gt":
      return k === MAX ? NONE : [k + 1, MAX];
    case "int_ge":
      return [k, MAX];
    case "uint_lt":
      return ku === 0 ? NONE : unsigned(0, ku - 1);
    case "uint_le":
      return unsigned(0, ku);
    case "uint_gt":
      return ku === TWO32 - 1 ? NONE : unsigned(ku + 1, TWO32 - 1);
    case "uint_ge":
      return unsigned(ku, TWO32 - 1);
    default:
      return null;
  }
}

/** `k op v` as `v op' k`. */
const MIRROR: Record<string, string> = {
  int_eq: "int_eq",
  int_ne: "int_ne",
  int_lt: "int_gt",
  int_le: "int_ge",
  int_gt: "int_lt",
  int_ge: "int_le",
  uint_lt: "uint_gt",
  uint_le: "uint_ge",
  uint_gt: "uint_lt",
  uint_ge: "uint_le",
};

function i32Const(v: Value): number | null {
  return v.kind === "const" && v.type.kind === "i32" && typeof v.value === "number" ? v.value : null;
}

/** A condition: `v op k`, true for the values in `yes`, false for those in `no`. */
interface Cond {
  readonly v: Var;
  readonly yes: Ints;
  readonly no: Ints;
}

/** `v = base + off` (wrapping). */
interface Form {
  readonly base: Var;
  readonly off: number;
}

/** Rounds of widening the sets of loop headers' parameters before they become any value. */
const WIDENINGS = 3;

/** Whether every value of a is in b. */
function subset(a: Ints, b: Ints): boolean {
  return intersect(a, complement(b)).length === 0;
}

/**
 * Decide the branches of `g` that what is known along the path decides (each becomes a jump to
 * the side it always takes); true if any did. Unreachable blocks are left for the cleanup.
 */
export function decideByValueRanges(g: Graph): boolean {
  const start = g.blocks[0];
  if (!start) return false;
  // forms of sums with constants, and conditions (comparisons of a variable with a constant)
  const forms = new Map<Var, Form>();
  const conds = new Map<Var, Cond>();
  const { idom, rpo } = dominators(start);
  for (const b of rpo)
    for (const o of b.ops) {
      const r = o.result;
      if (!r) continue;
      const c = condOf(o);
      if (c) conds.set(r, c);
      else if (o.op === "int_add" || o.op === "int_sub") {
        const [a, k] = o.args as [Value, Value];
        const kb = i32Const(k);
        const ka = i32Const(a);
        if (a.kind === "var" && kb !== null) {
          const f = forms.get(a) ?? { base: a, off: 0 };
          forms.set(r, { base: f.base, off: (f.off + (o.op === "int_add" ? kb : -kb)) | 0 });
        } else if (o.op === "int_add" && k.kind === "var" && ka !== null) {
          const f = forms.get(k) ?? { base: k, off: 0 };
          forms.set(r, { base: f.base, off: (f.off + ka) | 0 });
        }
      }
    }
  if (conds.size === 0) return false;
  const dom = new DomTree(start, rpo, idom);
  const order = new Map<Block, number>();
  for (let i = 0; i < rpo.length; i++) order.set(rpo[i] as Block, i);
  const preds = new Map<Block, Block[]>();
  for (const b of rpo)
    for (const l of exitLinks(b.exit)) {
      const list = preds.get(l.target);
      if (list) list.push(b);
      else preds.set(l.target, [b]);
    }
  const ctx: WalkContext = { rpo, order, preds, dom, forms, conds };
  // (terminates: past WIDENINGS rounds each round makes at least one more set any value)
  const assumed = new Map<Var, Ints>();
  for (let round = 0; ; round++) {
    const { back, used, decided } = walk(ctx, assumed);
    let holds = true;
    for (const [p, arriving] of back) {
      const cur = used.get(p) ?? ALL;
      if (isAll(cur) || subset(arriving, cur)) continue;
      holds = false;
      assumed.set(p, round >= WIDENINGS ? ALL : union(cur, arriving));
    }
    if (!holds) continue;
    // the assumptions hold: the branches decided are decided
    for (const [b, link] of decided) b.exit = { kind: "jump", link };
    return decided.length > 0;
  }
}

/** The dominator tree's preorder numbers: `a` dominates `b` when pre[a] <= pre[b] <= last[a]. */
class DomTree {
  readonly pre = new Map<Block, number>();
  readonly last = new Map<Block, number>();
  constructor(start: Block, rpo: readonly Block[], idom: ReadonlyMap<Block, Block>) {
    const kids = new Map<Block, Block[]>();
    for (const b of rpo) {
      const d = idom.get(b);
      if (d === undefined || b === start) continue;
      const list = kids.get(d);
      if (list) list.push(b);
      else kids.set(d, [b]);
    }
    let n = 0;
    const stack: { b: Block; i: number }[] = [{ b: start, i: 0 }];
    this.pre.set(start, n++);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { b: Block; i: number };
      const k = kids.get(top.b)?.[top.i++];
      if (k) {
        this.pre.set(k, n++);
        stack.push({ b: k, i: 0 });
      } else {
        this.last.set(top.b, n - 1);
        stack.pop();
      }
    }
  }
}

interface WalkContext {
  readonly rpo: readonly Block[];
  readonly order: ReadonlyMap<Block, number>;
  readonly preds: ReadonlyMap<Block, readonly Block[]>;
  readonly dom: DomTree;
  readonly forms: ReadonlyMap<Var, Form>;
  readonly conds: ReadonlyMap<Var, Cond>;
}

/** A fact: in the blocks numbered pre..last in the dominator tree, a base is in `set`. */
interface Fact {
  readonly pre: number;
  readonly last: number;
  readonly set: Ints;
}

/**
 * One walk of the blocks in reverse postorder, given the sets `assumed` for loop headers'
 * parameters. Returns what the retreating edges pass to those parameters (`back`: their union),
 * the sets the headers' parameters were given (`used`), and the branches decided (each with the
 * link it always takes), which are decided if the assumptions hold.
 */
function walk(ctx: WalkContext, assumed: ReadonlyMap<Var, Ints>): { back: Map<Var, Ints>; used: Map<Var, Ints>; decided: [Block, Link][] } {
  const { rpo, order, preds, dom, forms, conds } = ctx;
  const facts = new Map<Var, Fact[]>();
  const back = new Map<Var, Ints>();
  const used = new Map<Var, Ints>();
  const formOf = (v: Var): Form => forms.get(v) ?? { base: v, off: 0 };
  /** What base `b` can be at the end of block `at`. */
  const setOf = (b: Var, at: Block): Ints => {
    const list = facts.get(b);
    if (!list) return ALL;
    const n = dom.pre.get(at) as number;
    let s = ALL;
    for (const f of list) if (f.pre <= n && n <= f.last) s = intersect(s, f.set);
    return s;
  };
  /** Learn that `v` is in `s` in the blocks `at` dominates. */
  const learn = (v: Var, s: Ints, at: Block): void => {
    const { base, off } = formOf(v);
    const set = shift(s, -off | 0);
    if (isAll(set)) return;
    const f = { pre: dom.pre.get(at) as number, last: dom.last.get(at) as number, set };
    const list = facts.get(base);
    if (list) list.push(f);
    else facts.set(base, [f]);
  };
  /** The values `v` can have on the link from `from` (narrowed by the branch that takes it). */
  const valueOn = (v: Value, from: Block, link: Link): Ints => {
    const k = i32Const(v);
    if (k !== null) return [k, k];
    if (v.kind !== "var") return ALL;
    const { base, off } = formOf(v);
    let s = setOf(base, from);
    const e = from.exit;
    const c = e.kind === "branch" && e.cond.kind === "var" ? conds.get(e.cond) : undefined;
    if (c && e.kind === "branch" && e.ifTrue !== e.ifFalse && formOf(c.v).base === base) {
      const yes = link === e.ifTrue ? c.yes : c.no;
      s = intersect(s, shift(yes, -formOf(c.v).off | 0));
    }
    return shift(s, off);
  };
  const decided: [Block, Link][] = [];
  for (const b of rpo) {
    const ps = preds.get(b) ?? [];
    const n = order.get(b) as number;
    // the parameters: the union of what the edges pass (assumed for those of loop headers)
    const loop = ps.some((p) => (order.get(p) as number) >= n);
    // (the graph's parameters, those of the first block, can be anything)
    for (let i = 0; i < b.params.length && n > 0; i++) {
      const p = b.params[i] as Var;
      if (p.type.kind !== "i32") continue;
      let s: Ints = loop ? (assumed.get(p) ?? NONE) : NONE;
      for (const q of ps) {
        if ((order.get(q) as number) >= n) continue;
        for (const l of exitLinks(q.exit)) if (l.target === b) s = union(s, valueOn(l.args[i] as Value, q, l));
      }
      if (loop) used.set(p, s);
      learn(p, s, b);
    }
    // the only edge into a block narrows what its branch tests
    const only = ps.length === 1 && n > 0 ? (ps[0] as Block) : undefined;
    if (only && only.exit.kind === "branch" && only.exit.ifTrue.target !== only.exit.ifFalse.target) {
      const e = only.exit;
      const c = e.cond.kind === "var" ? conds.get(e.cond) : undefined;
      if (c) learn(c.v, e.ifTrue.target === b ? c.yes : c.no, b);
    }
    for (const o of b.ops) {
      if (o.op === "getitem" || o.op === "setitem") {
        const i = o.args[1] as Value;
        if (i.kind === "var") learn(i, [0, MAX], b);
      } else if (o.op === "int_and" && o.result) {
        const k = i32Const(o.args[1] as Value) ?? i32Const(o.args[0] as Value);
        if (k !== null && k >= 0) learn(o.result, [0, k], b);
      }
    }
    const e = b.exit;
    // what retreating edges pass to loop headers' parameters
    for (const l of exitLinks(e)) {
      if ((order.get(l.target) as number) > n) continue;
      l.target.params.forEach((p, i) => {
        if (p.type.kind !== "i32") return;
        const s = valueOn(l.args[i] as Value, b, l);
        const seen = back.get(p);
        back.set(p, seen ? union(seen, s) : s);
      });
    }
    if (e.kind !== "branch" || e.cond.kind !== "var") continue;
    const c = conds.get(e.cond);
    if (!c) continue;
    const { base, off } = formOf(c.v);
    const vals = shift(setOf(base, b), off);
    const canTrue = intersect(vals, c.yes).length > 0;
    const canFalse = intersect(vals, c.no).length > 0;
    if (canTrue !== canFalse) decided.push([b, canTrue ? e.ifTrue : e.ifFalse]);
  }
  return { back, used, decided };
}

/** The comparison of a variable with a constant that `o` computes, if it is one. */
function condOf(o: Op): Cond | null {
  if (o.args.length !== 2 || !(o.op in MIRROR)) return null;
  const [a, b] = o.args as [Value, Value];
  const kb = i32Const(b);
  const ka = i32Const(a);
  if (a.kind === "var" && a.type.kind === "i32" && kb !== null) {
    const yes = trueSet(o.op, kb);
    return yes ? { v: a, yes, no: complement(yes) } : null;
  }
  if (b.kind === "var" && b.type.kind === "i32" && ka !== null) {
    const yes = trueSet(MIRROR[o.op] as string, ka);
    return yes ? { v: b, yes, no: complement(yes) } : null;
  }
  return null;
}
