// Substituting values for variables in residual blocks, in place: the cleanup passes replace a
// variable by what it stands for (copies, folded values, carried items) with it. `VarMap` holds
// such substitutions in an array indexed by variable id.

import type { Block, Op, Value, Var } from "../ir/graph.ts";

/** What a substitution needs of its map (a `Map<Var, Value>` or a `VarMap`). */
export interface Substitution {
  readonly size: number;
  get(v: Var): Value | undefined;
  has(v: Var): boolean;
  set(v: Var, x: Value): unknown;
}

/** How far from the ids it holds a `VarMap`'s table may grow to take another id (farther ones go to a map). */
const SPAN = 1 << 16;

/**
 * A map from variables to values (no iteration) in an array indexed by `id - lo`, grown around
 * the ids set (the specializer gives one graph's variables nearly contiguous ids); a variable far
 * from them goes to a `Map`.
 */
export class VarMap implements Substitution {
  size = 0;
  private lo = 0;
  private table: (Value | undefined)[] = [];
  private more: Map<Var, Value> | null = null;

  get(v: Var): Value | undefined {
    const i = v.id - this.lo;
    const x = i >= 0 && i < this.table.length ? this.table[i] : undefined;
    return x !== undefined || this.more === null ? x : this.more.get(v);
  }

  has(v: Var): boolean {
    return this.get(v) !== undefined;
  }

  set(v: Var, x: Value): this {
    const m = this.more;
    if (m?.has(v)) {
      m.set(v, x);
      return this;
    }
    let i = v.id - this.lo;
    if (i < 0 || i >= this.table.length) {
      if (!this.grow(v.id)) {
        const more = m ?? new Map<Var, Value>();
        this.more = more;
        more.set(v, x);
        this.size++;
        return this;
      }
      i = v.id - this.lo;
    }
    if (this.table[i] === undefined) this.size++;
    this.table[i] = x;
    return this;
  }

  /** Make the table cover `id`, unless that takes it too far; whether it covers it. */
  private grow(id: number): boolean {
    const old = this.table;
    if (old.length === 0) {
      this.lo = Math.max(0, id - 256);
      this.table = new Array(id - this.lo + 1024);
      return true;
    }
    const lo = Math.max(0, Math.min(this.lo, id - 256));
    const hi = Math.max(this.lo + old.length, id + 1024);
    if (hi - lo > SPAN) return false;
    const t: (Value | undefined)[] = new Array(hi - lo);
    const d = this.lo - lo;
    for (let i = 0; i < old.length; i++) t[i + d] = old[i];
    this.lo = lo;
    this.table = t;
    return true;
  }
}

/** Replace, in place, each use of a variable in `sub` by what it stands for (following chains). */
export function substituteIn(blocks: Iterable<Block>, sub: Substitution): void {
  if (sub.size === 0) return;
  const res = (v: Value): Value => (v.kind === "var" && sub.has(v) ? chase(sub, v) : v);
  const resAll = (vs: Value[]): void => {
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i] as Value;
      if (v.kind !== "var") continue;
      // one lookup when what `v` stands for stands for nothing else (as most do)
      const x = sub.get(v);
      if (x !== undefined) vs[i] = x.kind === "var" && sub.has(x) ? chase(sub, v) : x;
    }
  };
  for (const b of blocks) {
    const ops = b.ops;
    for (let j = 0; j < ops.length; j++) resAll((ops[j] as Op).args);
    const e = b.exit;
    switch (e.kind) {
      case "jump":
        resAll(e.link.args);
        break;
      case "branch":
        e.cond = res(e.cond);
        resAll(e.ifTrue.args);
        resAll(e.ifFalse.args);
        break;
      case "switch":
        e.value = res(e.value);
        for (const c of e.cases) resAll(c.link.args);
        resAll(e.default.args);
        break;
      case "return":
        if (e.value) e.value = res(e.value);
        break;
      case "raise":
        e.value = res(e.value);
        break;
    }
  }
}

/** The value `v` stands for after the substitutions in `sub` (chains of any length; each var on the way then maps to it directly). */
export function chase(sub: Substitution, v: Value): Value {
  let x = v;
  // at most sub.size steps: a cycle (which substitutions never make) cannot hang
  for (let n = 0; x.kind === "var" && n <= sub.size; n++) {
    const next = sub.get(x);
    if (next === undefined) break;
    x = next;
  }
  for (let y = v; y.kind === "var" && y !== x; ) {
    const next = sub.get(y);
    if (next === undefined || next === x) break;
    sub.set(y, x);
    y = next;
  }
  return x;
}
