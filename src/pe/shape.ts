// Shapes: what a shared residual block assumes about the state that enters it. A shape keeps the
// kept constants (greens), the structure of virtual objects and of the virtualizable shadows, and
// marks every other value as a red leaf — a parameter of the residual block. `fit` checks that a
// state can enter a block of a given shape and plans the ops that make it so (read a shadowed item,
// write one back, materialize a virtual); `join` makes a shape general enough for two; `rebuild`
// makes the state at the start of the block from its parameters.
//
// All four walk a state in the same order: the virtualizable shadows (fields, then array items),
// then the frames from the outermost, each frame's key variables in order, virtual objects depth
// first. The red leaves in that order are the block's parameters.

import type { Block, Const, Op, Program, Var } from "../ir/graph.ts";
import { allFields, arrayDef } from "../ir/graph.ts";
import type { LLType } from "../ir/types.ts";
import { itemValueType } from "../ir/types.ts";
import type { Abs, SFrame, Slot, State, VFrame, VFrameInfo, VObj } from "./abstract.ts";
import { Env, resolve, sameConst, UNREAD } from "./abstract.ts";
import type { BTContext } from "./bta.ts";
import { liveAtPoint } from "./normalize.ts";

export type Shape =
  | { readonly t: "const"; readonly c: Const }
  | { readonly t: "red"; readonly type: LLType }
  | { readonly t: "virt"; readonly id: number; readonly kind: "struct" | "array"; readonly type: string; readonly vals: Shape[] }
  | { readonly t: "same"; readonly id: number }
  | { readonly t: "vable"; readonly idx: number }
  | { readonly t: "varr"; readonly idx: number; readonly a: number };

export type SlotShape = { readonly s: "u" } | { readonly s: "c" | "d"; readonly v: Shape };

export interface StateShape {
  readonly vables: { readonly fields: SlotShape[]; readonly arrays: SlotShape[][] }[];
  readonly frames: Shape[][];
}

/** Where each frame of a state is, and its key variables (those live there). Made once per point (`framePoints`). */
export interface FramePoint {
  readonly ctx: BTContext;
  readonly block: Block;
  readonly op: number;
  readonly vars: readonly Var[];
  /** Which of `vars` are green in `ctx` (kept as constants in keys when this is the top frame). */
  readonly green: readonly boolean[];
  /**
   * The point as a part of a `KeyTrie` key: the same for every context of the graph (as the
   * graph, block and op name it).
   */
  readonly part: object;
  /** `[this]`, for states of one frame (made on first use). */
  alone: readonly FramePoint[] | null;
}

/** The variables of frame `i` that matter at its point: live at the top frame's op, live after the call for callers (minus the call's result). */
export function keyVars(s: State, i: number): readonly Var[] {
  const f = s.frames[i] as SFrame;
  if (i === s.frames.length - 1) return liveAtPoint(f.block, f.op);
  const call = f.block.ops[f.op] as Op;
  const live = liveAtPoint(f.block, f.op + 1);
  return call.result && live.includes(call.result) ? live.filter((v) => v !== call.result) : live;
}

/** Frame points by context and block: index 2 * op for a top frame, 2 * op + 1 for a caller. */
const pointCache = new WeakMap<BTContext, Map<Block, (FramePoint | undefined)[]>>();
/** Key parts of the points of a block, by op. */
const partCache = new WeakMap<Block, object[]>();

function pointPart(b: Block, op: number): object {
  let parts = partCache.get(b);
  if (parts === undefined) {
    parts = [];
    partCache.set(b, parts);
  }
  let part = parts[op];
  if (part === undefined) {
    part = { op };
    parts[op] = part;
  }
  return part;
}

/** The points of the block and context last looked up (sharing points repeat: the merge point, say). */
let lastCtx: BTContext | null = null;
let lastBlock: Block | null = null;
let lastOps: (FramePoint | undefined)[] = [];

function framePoint(s: State, i: number): FramePoint {
  const f = s.frames[i] as SFrame;
  let ops = lastOps;
  if (f.block !== lastBlock || f.ctx !== lastCtx) {
    let byBlock = pointCache.get(f.ctx);
    if (byBlock === undefined) {
      byBlock = new Map();
      pointCache.set(f.ctx, byBlock);
    }
    let found = byBlock.get(f.block);
    if (found === undefined) {
      found = [];
      byBlock.set(f.block, found);
    }
    ops = found;
    lastCtx = f.ctx;
    lastBlock = f.block;
    lastOps = ops;
  }
  const at = 2 * f.op + (i === s.frames.length - 1 ? 0 : 1);
  let pt = ops[at];
  if (pt === undefined) {
    const vars = keyVars(s, i);
    const red = f.ctx.red;
    pt = { ctx: f.ctx, block: f.block, op: f.op, vars, green: vars.map((v) => !red.has(v)), part: pointPart(f.block, f.op), alone: null };
    ops[at] = pt;
  }
  return pt;
}

/** The points of a state's frames, outermost first (the same objects for the same points). */
export function framePoints(s: State): readonly FramePoint[] {
  const n = s.frames.length;
  if (n === 1) {
    const pt = framePoint(s, 0);
    pt.alone ??= [pt];
    return pt.alone;
  }
  const out: FramePoint[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = framePoint(s, i);
  return out;
}

/**
 * A table keyed by sequences of parts (frame points by identity, constants as `sameConst`
 * compares them): each node is the key made of the parts on the path to it. Cheaper than
 * building and hashing a string per lookup.
 */
export class KeyTrie<T> {
  data: T | undefined = undefined;
  private kids: Map<unknown, KeyTrie<T>> | null = null;
  /** The child for the part "not a kept constant" (the most frequent one). */
  private skip: KeyTrie<T> | null = null;
  private lastPart: unknown = undefined;
  private lastChild: KeyTrie<T> | null = null;

  child(part: unknown): KeyTrie<T> {
    // the same part as last time (the same object green, say) needs no lookup
    if (part === this.lastPart && this.lastChild !== null) return this.lastChild;
    const c = this.lookup(part);
    this.lastPart = part;
    this.lastChild = c;
    return c;
  }

  private lookup(part: unknown): KeyTrie<T> {
    let m = this.kids;
    if (m === null) {
      // one child so far: it is the last one (no map until a second)
      if (this.lastChild === null) return new KeyTrie<T>();
      m = new Map([[this.lastPart, this.lastChild]]);
      this.kids = m;
    }
    let c = m.get(part);
    if (c === undefined) {
      c = new KeyTrie<T>();
      m.set(part, c);
    }
    return c;
  }

  skipChild(): KeyTrie<T> {
    this.skip ??= new KeyTrie<T>();
    return this.skip;
  }
}

/** -0 as a part of a key (a Map does not tell it from 0; `constKey` does). */
const NEG_ZERO = { negativeZero: true };

/** A constant as a part of a `KeyTrie` key: equal parts exactly when `sameConst` holds. */
export function constPart(c: Const): unknown {
  const v = c.value;
  if (typeof v === "number") return v === 0 && Object.is(v, -0) ? NEG_ZERO : v;
  if (v === null || typeof v !== "object") return v;
  // function names are the only strings among the parts
  if ("fn" in v) return v.fn;
  return v.obj;
}

/** The node of a trie for the points of a state's frames. */
export function pointNode<T>(root: KeyTrie<T>, points: readonly FramePoint[]): KeyTrie<T> {
  let n = root;
  for (let i = 0; i < points.length; i++) n = n.child((points[i] as FramePoint).part);
  return n;
}

/**
 * The node of the prefix of a state's key under its points' node: the kept constants, that is
 * all constants of caller frames and, when `keepTop`, the constants of the top frame's green
 * variables. Each key variable is a part (its constant, or "not kept"), trailing "not kept"
 * parts left out (the points fix how many variables there are).
 */
export function prefixNode<T>(at: KeyTrie<T>, s: State, points: readonly FramePoint[], keepTop: boolean): KeyTrie<T> {
  let n = at;
  let skipped = 0;
  const last = points.length - 1;
  for (let i = 0; i <= last; i++) {
    const pt = points[i] as FramePoint;
    if (i === last && !keepTop) break;
    const env = (s.frames[i] as SFrame).env;
    const vars = pt.vars;
    for (let k = 0; k < vars.length; k++) {
      if (i === last && !pt.green[k]) {
        skipped++;
        continue;
      }
      const a = resolve(env.get(vars[k] as Var) as Abs);
      if (a.k !== "const") {
        skipped++;
        continue;
      }
      for (; skipped > 0; skipped--) n = n.skipChild();
      n = n.child(constPart(a.c));
    }
  }
  return n;
}

/** Field or item types of a virtual object's values. */
function valTypes(p: Program, o: { kind: "struct" | "array"; type: string }, n: number): LLType[] {
  if (o.kind === "struct") return allFields(p, o.type).map((f) => f.type);
  const a = arrayDef(p, o.type);
  const t = a ? itemValueType(a.item) : ({ kind: "i32" } as LLType);
  return new Array(n).fill(t);
}

/** Is variable `k` of frame `i` kept as a constant in keys (see `prefixNode`)? */
function kept(points: readonly FramePoint[], i: number, k: number, keepTop: boolean): boolean {
  return i < points.length - 1 || (keepTop && ((points[i] as FramePoint).green[k] as boolean));
}

/** The red leaves of a state's own shape, in walk order: their types, and the values the state passes for them. */
export interface Leaves {
  readonly types: LLType[];
  readonly args: Abs[];
}

/**
 * The shape of a state: kept constants stay (they are also in the prefix of the key); other
 * constants stay too when `exact`, else they become leaves like every red value. With `leaves`,
 * also what `leafTypes` of the shape and `fit` of the state to it give (a state always fits its
 * own shape, with no reads nor write-backs).
 */
export function generalize(
  p: Program,
  s: State,
  points: readonly FramePoint[],
  keepTop: boolean,
  exact: boolean,
  leaves: Leaves | null = null,
): StateShape {
  const g: Generalizing = { p, exact, leaves, ids: null, next: 0 };
  const vables: StateShape["vables"][number][] = [];
  for (const f of s.vables) {
    const fields = f.fields.map((sl, i) => genSlot(g, sl, (f.info.fields[i] as { type: LLType }).type));
    const arrays = f.arrays.map((arr, ai) => {
      const item = (f.info.arrays[ai] as { item: LLType }).item;
      return arr.map((sl) => genSlot(g, sl, item));
    });
    vables.push({ fields, arrays });
  }
  const frames: Shape[][] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const vars = (points[i] as FramePoint).vars;
    const env = (s.frames[i] as SFrame).env;
    const out: Shape[] = new Array(vars.length);
    for (let k = 0; k < vars.length; k++) {
      const v = vars[k] as Var;
      const a = resolve(env.get(v) as Abs);
      out[k] = a.k === "const" && kept(points, i, k, keepTop) ? { t: "const", c: a.c } : genVal(g, a, v.type);
    }
    frames[i] = out;
  }
  return { vables, frames };
}

/** Where `generalize` is: its options, and the numbers given to virtual objects (made on the first: most states have none). */
interface Generalizing {
  readonly p: Program;
  readonly exact: boolean;
  readonly leaves: Leaves | null;
  ids: Map<VObj, number> | null;
  next: number;
}

function genVal(g: Generalizing, a0: Abs, type: LLType): Shape {
  const a = resolve(a0);
  switch (a.k) {
    case "const":
      if (g.exact) return { t: "const", c: a.c };
      if (g.leaves !== null) {
        g.leaves.types.push(type);
        g.leaves.args.push(a);
      }
      return { t: "red", type };
    case "red":
      if (g.leaves !== null) {
        g.leaves.types.push(type);
        g.leaves.args.push(a);
      }
      return { t: "red", type };
    case "vable":
      return { t: "vable", idx: a.f.info.idx };
    case "varr":
      return { t: "varr", idx: a.f.info.idx, a: a.a };
    case "virt": {
      g.ids ??= new Map();
      const seen = g.ids.get(a.o);
      if (seen !== undefined) return { t: "same", id: seen };
      const id = g.next++;
      g.ids.set(a.o, id);
      const types = valTypes(g.p, a.o, a.o.vals.length);
      const vals = a.o.vals;
      const out: Shape[] = new Array(vals.length);
      for (let i = 0; i < vals.length; i++) out[i] = genVal(g, vals[i] as Abs, types[i] as LLType);
      return { t: "virt", id, kind: a.o.kind, type: a.o.type, vals: out };
    }
  }
}

function genSlot(g: Generalizing, sl: Slot, type: LLType): SlotShape {
  return sl.s === "u" ? UNREAD_SHAPE : { s: sl.s, v: genVal(g, sl.v, type) };
}

const UNREAD_SHAPE: SlotShape = { s: "u" };

/**
 * Is `sh` the shape `generalize(p, s, points, keepTop, exact)` would make (leaf types aside)?
 * Compared without making it: how a state finds its version among those of a shared block.
 */
export function sameShape(s: State, points: readonly FramePoint[], keepTop: boolean, exact: boolean, sh: StateShape): boolean {
  let ids: Map<VObj, number> | null = null;
  let next = 0;
  const val = (a: Abs, x: Shape): boolean => {
    switch (a.k) {
      case "const":
        return exact ? x.t === "const" && sameConst(a.c, x.c) : x.t === "red";
      case "red":
        return x.t === "red";
      case "vable":
        return x.t === "vable" && x.idx === a.f.info.idx;
      case "varr":
        return x.t === "varr" && x.idx === a.f.info.idx && x.a === a.a;
      case "virt": {
        ids ??= new Map();
        const seen = ids.get(a.o);
        if (seen !== undefined) return x.t === "same" && x.id === seen;
        ids.set(a.o, next++);
        if (x.t !== "virt" || x.type !== a.o.type) return false;
        const vals = a.o.vals;
        if (x.vals.length !== vals.length) return false;
        for (let i = 0; i < vals.length; i++) if (!val(resolve(vals[i] as Abs), x.vals[i] as Shape)) return false;
        return true;
      }
    }
  };
  const slots = (list: readonly Slot[], want: readonly SlotShape[] | undefined): boolean => {
    if (want === undefined || want.length !== list.length) return false;
    for (let i = 0; i < list.length; i++) {
      const sl = list[i] as Slot;
      const w = want[i] as SlotShape;
      if (sl.s !== w.s) return false;
      if (sl.s !== "u" && !val(resolve(sl.v), (w as { v: Shape }).v)) return false;
    }
    return true;
  };
  if (sh.vables.length !== s.vables.length || sh.frames.length !== points.length) return false;
  for (let fi = 0; fi < s.vables.length; fi++) {
    const f = s.vables[fi] as VFrame;
    const w = sh.vables[fi] as StateShape["vables"][number];
    if (!slots(f.fields, w.fields) || w.arrays.length !== f.arrays.length) return false;
    for (let ai = 0; ai < f.arrays.length; ai++) if (!slots(f.arrays[ai] as Slot[], w.arrays[ai])) return false;
  }
  for (let i = 0; i < points.length; i++) {
    const env = (s.frames[i] as SFrame).env;
    const vars = (points[i] as FramePoint).vars;
    const want = sh.frames[i] as Shape[];
    if (want.length !== vars.length) return false;
    for (let k = 0; k < vars.length; k++) {
      const a = resolve(env.get(vars[k] as Var) as Abs);
      const x = want[k] as Shape;
      if (a.k === "const" && kept(points, i, k, keepTop)) {
        if (x.t !== "const" || !sameConst(a.c, x.c)) return false;
      } else if (!val(a, x)) return false;
    }
  }
  return true;
}

/** Types of the red leaves, in walk order. */
export function leafTypes(sh: StateShape): LLType[] {
  const out: LLType[] = [];
  const val = (x: Shape): void => {
    if (x.t === "red") out.push(x.type);
    else if (x.t === "virt") for (const c of x.vals) val(c);
  };
  for (const f of sh.vables) {
    for (const sl of f.fields) if (sl.s !== "u") val(sl.v);
    for (const a of f.arrays) for (const sl of a) if (sl.s !== "u") val(sl.v);
  }
  for (const f of sh.frames) for (const x of f) val(x);
  return out;
}

/** A shadowed slot: a scalar field (arr = -1, i = field index) or an array item. */
export interface SlotRef {
  readonly f: VFrame;
  readonly arr: number;
  readonly i: number;
}

export type ArgPlan = { readonly kind: "abs"; readonly a: Abs } | { readonly kind: "read"; readonly slot: SlotRef };

/** What it takes to enter a block of some shape: slots to write back, slots to read, then one argument per leaf. */
export interface FitPlan {
  readonly flushes: SlotRef[];
  readonly reads: SlotRef[];
  readonly args: ArgPlan[];
}

/** Plan how state `s` enters a block of shape `sh`, or null if it cannot. */
export function fit(s: State, points: readonly FramePoint[], sh: StateShape): FitPlan | null {
  const c: Fitting = { role: null, byId: null, flushes: [], reads: [], args: [] };
  for (let fi = 0; fi < s.vables.length; fi++) {
    const f = s.vables[fi] as VFrame;
    const w = sh.vables[fi];
    if (!w) return null;
    for (let i = 0; i < f.fields.length; i++) if (!fitSlot(c, f.fields[i] as Slot, w.fields[i] as SlotShape, f, -1, i)) return null;
    for (let ai = 0; ai < f.arrays.length; ai++) {
      const arr = f.arrays[ai] as Slot[];
      const want = w.arrays[ai] as SlotShape[];
      for (let i = 0; i < arr.length; i++) {
        const sl = arr[i] as Slot;
        const x = want[i] as SlotShape;
        if (sl.s === "u" && x.s === "u") continue;
        if (!fitSlot(c, sl, x, f, ai, i)) return null;
      }
    }
  }
  for (let i = 0; i < points.length; i++) {
    const env = (s.frames[i] as SFrame).env;
    const want = sh.frames[i] as Shape[];
    const vars = (points[i] as FramePoint).vars;
    if (want.length !== vars.length) return null;
    for (let k = 0; k < vars.length; k++) if (!fitVal(c, env.get(vars[k] as Var) as Abs, want[k] as Shape)) return null;
  }
  return { flushes: c.flushes, reads: c.reads, args: c.args };
}

/** Where `fit` is: the plan so far, and the roles of virtual objects (made on the first: most states have none). */
interface Fitting {
  role: Map<VObj, number | "red"> | null;
  byId: Map<number, VObj> | null;
  readonly flushes: SlotRef[];
  readonly reads: SlotRef[];
  readonly args: ArgPlan[];
}

/** Can virtual `o` become a red value (materialized), with everything it holds? */
function fitRed(c: Fitting, o: VObj): boolean {
  c.role ??= new Map();
  const r = c.role.get(o);
  if (r === "red") return true;
  if (r !== undefined) return false;
  c.role.set(o, "red");
  for (const v of o.vals) {
    const a = resolve(v);
    if (a.k === "virt" && !fitRed(c, a.o)) return false;
  }
  return true;
}

function fitVal(c: Fitting, a0: Abs, x: Shape): boolean {
  const a = resolve(a0);
  switch (x.t) {
    case "const":
      return a.k === "const" && sameConst(a.c, x.c);
    case "red":
      if (a.k === "vable" || a.k === "varr") return false;
      if (a.k === "virt" && !fitRed(c, a.o)) return false;
      c.args.push({ kind: "abs", a });
      return true;
    case "vable":
      return a.k === "vable" && a.f.info.idx === x.idx;
    case "varr":
      return a.k === "varr" && a.f.info.idx === x.idx && a.a === x.a;
    case "same":
      return a.k === "virt" && c.role?.get(a.o) === x.id;
    case "virt": {
      if (a.k !== "virt" || a.o.kind !== x.kind || a.o.type !== x.type || a.o.vals.length !== x.vals.length) return false;
      c.role ??= new Map();
      c.byId ??= new Map();
      if (c.role.has(a.o) || c.byId.has(x.id)) return false;
      c.role.set(a.o, x.id);
      c.byId.set(x.id, a.o);
      const vals = a.o.vals;
      for (let i = 0; i < vals.length; i++) if (!fitVal(c, vals[i] as Abs, x.vals[i] as Shape)) return false;
      return true;
    }
  }
}

/** Can a value written to a slot be written back (a virtual is materialized for it)? */
function fitEscapes(c: Fitting, v: Abs): boolean {
  const a = resolve(v);
  return a.k !== "virt" || fitRed(c, a.o);
}

function fitSlot(c: Fitting, sl: Slot, want: SlotShape, f: VFrame, arr: number, i: number): boolean {
  if (want.s === "u") {
    if (sl.s === "d") {
      if (!fitEscapes(c, sl.v)) return false;
      c.flushes.push({ f, arr, i });
    }
    return true;
  }
  if (sl.s === "u") {
    if (want.v.t !== "red") return false;
    const ref = { f, arr, i };
    c.reads.push(ref);
    c.args.push({ kind: "read", slot: ref });
    return true;
  }
  if (sl.s === "d" && want.s === "c") {
    if (!fitEscapes(c, sl.v)) return false;
    c.flushes.push({ f, arr, i });
  }
  return fitVal(c, sl.v, want.v);
}

/** A shape that both `a` and `b` fit (structure kept where they agree, red leaves elsewhere). */
export function join(p: Program, points: readonly FramePoint[], infos: readonly VFrameInfo[], a: StateShape, b: StateShape): StateShape {
  const pairs = new Map<string, number>();
  let next = 0;
  const val = (x: Shape, y: Shape, type: LLType): Shape => {
    if (x.t === "const" && y.t === "const" && sameConst(x.c, y.c)) return x;
    if (x.t === "vable" && y.t === "vable" && x.idx === y.idx) return x;
    if (x.t === "varr" && y.t === "varr" && x.idx === y.idx && x.a === y.a) return x;
    if (x.t === "virt" && y.t === "virt" && x.kind === y.kind && x.type === y.type && x.vals.length === y.vals.length) {
      const key = `${x.id}:${y.id}`;
      if (pairs.has(key)) return { t: "red", type };
      const id = next++;
      pairs.set(key, id);
      const types = valTypes(p, x, x.vals.length);
      return { t: "virt", id, kind: x.kind, type: x.type, vals: x.vals.map((c, i) => val(c, y.vals[i] as Shape, types[i] as LLType)) };
    }
    return { t: "red", type };
  };
  const slot = (x: SlotShape, y: SlotShape, type: LLType): SlotShape => {
    if (x.s === "u" && y.s === "u") return x;
    const s = x.s === "d" || y.s === "d" ? "d" : "c";
    if (x.s === "u" || y.s === "u") return { s, v: { t: "red", type } };
    return { s, v: val(x.v, y.v, type) };
  };
  return {
    vables: a.vables.map((fa, fi) => {
      const fb = b.vables[fi] as StateShape["vables"][number];
      const info = infos[fi] as VFrameInfo;
      return {
        fields: fa.fields.map((x, i) => slot(x, fb.fields[i] as SlotShape, (info.fields[i] as { type: LLType }).type)),
        arrays: fa.arrays.map((arr, ai) =>
          arr.map((x, i) => slot(x, (fb.arrays[ai] as SlotShape[])[i] as SlotShape, (info.arrays[ai] as { item: LLType }).item)),
        ),
      };
    }),
    frames: a.frames.map((fr, i) =>
      fr.map((x, k) => val(x, (b.frames[i] as Shape[])[k] as Shape, ((points[i] as FramePoint).vars[k] as Var).type)),
    ),
  };
}

/** The state at the start of a block of shape `sh` whose parameters are `params` (leaves in walk order). */
export function rebuild(points: readonly FramePoint[], sh: StateShape, infos: readonly VFrameInfo[], params: readonly Var[]): State {
  const vables: VFrame[] = infos.map((info) => ({ info, fields: [], arrays: [] }));
  const r: Rebuilding = { params, k: 0, objs: null, vables };
  sh.vables.forEach((w, fi) => {
    const f = vables[fi] as VFrame;
    for (const sl of w.fields) f.fields.push(rebSlot(r, sl));
    for (const arr of w.arrays) f.arrays.push(arr.map((sl) => rebSlot(r, sl)));
  });
  const frames: SFrame[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const pt = points[i] as FramePoint;
    const env = new Env();
    const want = sh.frames[i] as Shape[];
    const vars = pt.vars;
    for (let j = 0; j < vars.length; j++) env.add(vars[j] as Var, rebVal(r, want[j] as Shape));
    frames[i] = { ctx: pt.ctx, block: pt.block, op: pt.op, env };
  }
  return { frames, vables, known: null, guest: null };
}

/** Where `rebuild` is: the parameters and the next one to use, the virtual objects made by number (on the first: most shapes have none). */
interface Rebuilding {
  readonly params: readonly Var[];
  k: number;
  objs: Map<number, VObj> | null;
  readonly vables: readonly VFrame[];
}

function rebVal(r: Rebuilding, x: Shape): Abs {
  switch (x.t) {
    case "const":
      return { k: "const", c: x.c };
    case "red":
      return { k: "red", v: r.params[r.k++] as Var };
    case "vable":
      return { k: "vable", f: r.vables[x.idx] as VFrame };
    case "varr":
      return { k: "varr", f: r.vables[x.idx] as VFrame, a: x.a };
    case "same":
      return { k: "virt", o: r.objs?.get(x.id) as VObj };
    case "virt": {
      const o: VObj = { kind: x.kind, type: x.type, vals: [], mat: null };
      r.objs ??= new Map();
      r.objs.set(x.id, o);
      for (const c of x.vals) o.vals.push(rebVal(r, c));
      return { k: "virt", o };
    }
  }
}

function rebSlot(r: Rebuilding, sl: SlotShape): Slot {
  return sl.s === "u" ? UNREAD : { s: sl.s, v: rebVal(r, sl.v) };
}
