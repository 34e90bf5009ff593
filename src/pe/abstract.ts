// The specializer's abstract state. Each interpreter variable has an abstract value: a constant
// (green), a residual variable (red), a virtual object (allocated by the interpreter but not in
// residual code: its fields are abstract values), or a virtualizable frame / one of its arrays
// (a real object whose declared fields and items are shadowed by abstract values). A state is the
// stack of inlined frames (each at a block and op, with its variables) plus the shadows of the
// virtualizable frames. States are copied at red branches (fork) and described by shapes where
// residual blocks are shared (see docs/pe.md, "State keys").

import type { Block, Const, Var } from "../ir/graph.ts";
import type { LLType } from "../ir/types.ts";
import { BOOL, F64, I32, I64, NULL_T } from "../ir/types.ts";
import type { LLValue } from "../llinterp/heap.ts";
import type { BTContext } from "./bta.ts";

export type Abs =
  | { readonly k: "const"; readonly c: Const }
  | { readonly k: "red"; readonly v: Var }
  | { readonly k: "virt"; readonly o: VObj }
  | { readonly k: "vable"; readonly f: VFrame }
  | { readonly k: "varr"; readonly f: VFrame; readonly a: number };

/** A virtual struct or array. Once materialized (`mat` set) it is an ordinary red object. */
export interface VObj {
  readonly kind: "struct" | "array";
  readonly type: string;
  /** Field values (allFields order) or items. */
  readonly vals: Abs[];
  mat: Var | null;
}

/** What is fixed about a virtualizable frame for a whole compilation (read in the entry block). */
export interface VFrameInfo {
  readonly idx: number;
  /** The red at the merge point that is this frame (index among the driver's reds). */
  readonly red: number;
  readonly ptr: Var;
  readonly struct: string;
  /** Shadowed scalar fields, in declaration order, with their types. */
  readonly fields: readonly { readonly name: string; readonly type: LLType }[];
  /** Shadowed arrays (`field[*]`): the array field, its type, the residual reference read at entry and the length. */
  readonly arrays: readonly {
    readonly field: string;
    readonly type: string;
    readonly item: LLType;
    readonly ref: Var;
    readonly len: number;
  }[];
}

/** A shadowed field or item: not read yet (u), read and unchanged (c), or written (d, written back at exits). */
export type Slot = { readonly s: "u" } | { readonly s: "c"; readonly v: Abs } | { readonly s: "d"; readonly v: Abs };

export const UNREAD: Slot = { s: "u" };

export interface VFrame {
  readonly info: VFrameInfo;
  readonly fields: Slot[];
  readonly arrays: Slot[][];
}

/** One interpreter activation being specialized. For callers, `op` is the index of the call being inlined. */
export interface SFrame {
  readonly ctx: BTContext;
  block: Block;
  op: number;
  env: Env;
}

/**
 * The variables of a frame and their abstract values. A block's are few (its parameters and the
 * results of its ops so far): they live in one array, variables and values alternating, searched
 * from the last one made; past `ENV_LINEAR` variables, in a map. Cheaper to make and to read
 * than a map for the handful most blocks have.
 */
export class Env {
  /** Variables and values alternating; the first `n` entries are in use (the rest are left from before a `reset`). */
  private kv: (Var | Abs)[] = [];
  private n = 0;
  private map: Map<Var, Abs> | null = null;

  get(v: Var): Abs | undefined {
    const m = this.map;
    if (m !== null) return m.get(v);
    const kv = this.kv;
    for (let i = this.n - 2; i >= 0; i -= 2) if (kv[i] === v) return kv[i + 1] as Abs;
    return undefined;
  }

  set(v: Var, a: Abs): void {
    const m = this.map;
    if (m !== null) {
      m.set(v, a);
      return;
    }
    const kv = this.kv;
    for (let i = this.n - 2; i >= 0; i -= 2)
      if (kv[i] === v) {
        kv[i + 1] = a;
        return;
      }
    if (this.n < 2 * ENV_LINEAR) {
      this.push(v, a);
      return;
    }
    const mm = new Map<Var, Abs>();
    for (let i = 0; i < this.n; i += 2) mm.set(kv[i] as Var, kv[i + 1] as Abs);
    mm.set(v, a);
    this.map = mm;
    this.kv = [];
    this.n = 0;
  }

  /** `set` of a variable not set yet (no search for it). */
  add(v: Var, a: Abs): void {
    if (this.map === null && this.n < 2 * ENV_LINEAR) this.push(v, a);
    else this.set(v, a);
  }

  private push(v: Var, a: Abs): void {
    const kv = this.kv;
    const n = this.n;
    if (n < kv.length) {
      kv[n] = v;
      kv[n + 1] = a;
    } else kv.push(v, a);
    this.n = n + 2;
  }

  /** Forget every variable (the frame moves on to another block), keeping the array for the next ones. */
  reset(): void {
    this.map = null;
    this.n = 0;
  }

  /** Each variable and its value, in the order they were first set. */
  forEach(fn: (a: Abs, v: Var) => void): void {
    const m = this.map;
    if (m !== null) {
      m.forEach(fn);
      return;
    }
    const kv = this.kv;
    for (let i = 0; i < this.n; i += 2) fn(kv[i + 1] as Abs, kv[i] as Var);
  }
}

/** Variables an `Env` keeps in its array before it moves them to a map. */
const ENV_LINEAR = 32;

export interface State {
  frames: SFrame[];
  vables: VFrame[];
  /**
   * Values read in residual code along this path that cannot change: immutable fields and array
   * lengths of red objects, keyed `<var id>.<field>` / `<var id>.#len` (null: nothing yet).
   */
  known: Map<string, Abs> | null;
  /** The green values of the last merge point on this path (the guest instruction), when known. */
  guest: Guest | null;
}

/** The green values of a merge point (a guest instruction); `key` is their string form (see `guestKey`), made on first use. */
export interface Guest {
  readonly consts: readonly Const[];
  key: string | null;
}

/** The key of a merge point's green values: their `constKey`s, separated by commas. */
export function guestKey(g: Guest): string {
  if (g.key === null) {
    let out = "";
    for (let i = 0; i < g.consts.length; i++) out += i === 0 ? constKey(g.consts[i] as Const) : `,${constKey(g.consts[i] as Const)}`;
    g.key = out;
  }
  return g.key;
}

export function constAbs(c: Const): Abs {
  return { k: "const", c };
}

export function redAbs(v: Var): Abs {
  return { k: "red", v };
}

/** A materialized virtual reads as the red variable it became. */
export function resolve(a: Abs): Abs {
  return a.k === "virt" && a.o.mat ? { k: "red", v: a.o.mat } : a;
}

/** Deep copy of a state (virtuals and shadows are mutable), preserving sharing. */
export function forkState(s: State): State {
  const objs = new Map<VObj, VObj>();
  const vables = s.vables.map((f) => ({ info: f.info, fields: f.fields.slice(), arrays: f.arrays.map((a) => a.slice()) }));
  const abs = (a: Abs): Abs => {
    switch (a.k) {
      case "virt": {
        if (a.o.mat) return { k: "red", v: a.o.mat };
        let o = objs.get(a.o);
        if (!o) {
          const n: VObj = { kind: a.o.kind, type: a.o.type, vals: [], mat: null };
          objs.set(a.o, n);
          for (const v of a.o.vals) n.vals.push(abs(v));
          o = n;
        }
        return { k: "virt", o };
      }
      case "vable":
        return { k: "vable", f: vables[a.f.info.idx] as VFrame };
      case "varr":
        return { k: "varr", f: vables[a.f.info.idx] as VFrame, a: a.a };
      default:
        return a;
    }
  };
  const slot = (sl: Slot): Slot => (sl.s === "u" ? sl : { s: sl.s, v: abs(sl.v) });
  for (const f of vables) {
    for (let i = 0; i < f.fields.length; i++) f.fields[i] = slot(f.fields[i] as Slot);
    for (const arr of f.arrays) for (let i = 0; i < arr.length; i++) arr[i] = slot(arr[i] as Slot);
  }
  const frames = s.frames.map((f) => {
    const env = new Env();
    f.env.forEach((v, k) => {
      env.add(k, abs(v));
    });
    return { ctx: f.ctx, block: f.block, op: f.op, env };
  });
  return { frames, vables, known: s.known === null || s.known.size === 0 ? null : new Map(s.known), guest: s.guest };
}

// ---- constants ---------------------------------------------------------------------------------

const objIds = new WeakMap<object, number>();
let nextObjId = 1;

/** A string identifying a constant's value (object identity included), for keys. */
export function constKey(c: Const): string {
  const v = c.value;
  if (v === null) return "null";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}L`;
  if (typeof v === "boolean") return String(v);
  if ("fn" in v) return `@${v.fn}`;
  const o = v.obj as object;
  let id = objIds.get(o);
  if (id === undefined) {
    id = nextObjId++;
    objIds.set(o, id);
  }
  return `#${id}`;
}

/** A run-time value as a constant of type `t` (null references get the null type). */
export function toConst(v: LLValue, t: LLType): Const {
  if (v === null) return { kind: "const", type: NULL_T, value: null };
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return { kind: "const", type: t, value: v };
  if (t.kind === "fn") return { kind: "const", type: t, value: { fn: (v as { fn: string }).fn } };
  return { kind: "const", type: t, value: { obj: v } };
}

/** The run-time value of a constant. */
export function fromConst(c: Const): LLValue {
  const v = c.value;
  if (v === null || typeof v !== "object") return v;
  if ("fn" in v) return { fn: v.fn };
  return v.obj as object;
}

/** The zero constant of a field/item type: 0, 0n, false or null. */
export function zeroConst(t: LLType): Const {
  switch (t.kind) {
    case "i32":
      return { kind: "const", type: I32, value: 0 };
    case "f64":
      return { kind: "const", type: F64, value: 0 };
    case "i64":
      return { kind: "const", type: I64, value: 0n };
    case "bool":
      return { kind: "const", type: BOOL, value: false };
    default:
      return { kind: "const", type: NULL_T, value: null };
  }
}

export function isZero(a: Abs): boolean {
  if (a.k !== "const") return false;
  const v = a.c.value;
  return v === null || v === false || v === 0n || (v === 0 && !Object.is(v, -0));
}

/** Do two constants have the same key (`constKey`)? Compared without building the keys. */
export function sameConst(a: Const, b: Const): boolean {
  const x = a.value;
  const y = b.value;
  // numbers: -0 and 0 differ, NaN is NaN (as their keys)
  if (typeof x === "number") return typeof y === "number" && Object.is(x, y);
  if (x === null || typeof x !== "object" || y === null || typeof y !== "object") return x === y;
  if ("fn" in x) return "fn" in y && x.fn === y.fn;
  return !("fn" in y) && x.obj === y.obj;
}
