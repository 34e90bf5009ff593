// Numbers for the variables a set of blocks defines (their params and op results), so that passes
// keep tables of them in arrays: from the ids when those are nearly contiguous (as the specializer
// gives one graph's variables), else from a map. Used by the cleanup (cleanup.ts) and the loop
// passes (loops.ts).

import type { Block, Op, Var } from "../ir/graph.ts";

/**
 * Numbers for the variables a graph defines (block params and op results), from 0 to `size - 1`,
 * or -1 for another variable: `id - lo` when their ids are nearly contiguous (as those the
 * specializer makes for one graph are; ids are unique), else numbers given in a map.
 */
export class VarNumbers {
  readonly size: number;
  private readonly lo: number;
  private readonly map: Map<Var, number> | null = null;

  constructor(blocks: readonly Block[]) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let count = 0;
    for (const b of blocks) {
      const ps = b.params;
      for (let i = 0; i < ps.length; i++) {
        const id = (ps[i] as Var).id;
        if (id < lo) lo = id;
        if (id > hi) hi = id;
      }
      count += ps.length;
      const ops = b.ops;
      for (let j = 0; j < ops.length; j++) {
        const r = (ops[j] as Op).result;
        if (r === null) continue;
        count++;
        if (r.id < lo) lo = r.id;
        if (r.id > hi) hi = r.id;
      }
    }
    this.lo = lo;
    if (count === 0) this.size = 0;
    else if (hi - lo < 4 * count + 1024) this.size = hi - lo + 1;
    else {
      const map = new Map<Var, number>();
      for (const b of blocks) {
        for (const v of b.params) if (!map.has(v)) map.set(v, map.size);
        for (const o of b.ops) if (o.result && !map.has(o.result)) map.set(o.result, map.size);
      }
      this.map = map;
      this.size = map.size;
    }
  }

  of(v: Var): number {
    if (this.map !== null) return this.map.get(v) ?? -1;
    const i = v.id - this.lo;
    return i >= 0 && i < this.size ? i : -1;
  }
}
