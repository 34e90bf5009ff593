// A memo of the residual graph's cleanup (cleanup.ts) across the specializations of one JIT. The
// cleanup is a function of the graph it is given, the ops it may treat as safe and the program's
// type definitions: two residual graphs that are the same before cleanup are the same after. A
// JIT sees such repeats often (the same guest loop at several places of a guest program gives the
// same residual graph; docs/jit.md, "Sharing code"), and the cleanup is most of what specializing
// them costs. So each graph is written, before its cleanup, as a sequence of numbers (ir/codes.ts:
// blocks by position, variables by first appearance; here constants by value, heap objects by
// identity, the safe ops by a flag, and the names of the graph's own exit graphs relative to the
// graph's name); a sequence seen before gives a copy of the graph its cleanup made then, with the
// names of this graph's own graphs, and the cleanup is not run. The sequences are compared in
// full, not by their hash alone.

import { cloneGraph } from "../ir/clone.ts";
import { CodeTable, CodeWriter, type GraphCoding, writeGraph } from "../ir/codes.ts";
import type { Const, Graph, Op, Program } from "../ir/graph.ts";
import { cleanup } from "./cleanup.ts";

interface Entry {
  /** A private copy of the cleaned-up graph. */
  readonly template: Graph;
  /** The name of the graph the template was made from (its own graphs' names start with it). */
  readonly self: string;
}

export class CleanupMemo {
  /** Cleanups run and cleanups answered from the memo. */
  readonly stats = { runs: 0, hits: 0 };
  private readonly table = new CodeTable<Entry>();
  private readonly w = new CodeWriter();
  private readonly values = new Map<number | bigint | string | null, number>();
  private readonly objects = new WeakMap<object, number>();

  /** Clean `g` up (in place), or give it the cleanup of an earlier graph that was the same. */
  cleanup(p: Program, g: Graph, safeOps: ReadonlySet<Op>): void {
    const w = this.w;
    w.start();
    const self = g.name;
    const coding: GraphCoding = {
      constant: (_w, c) => this.constant(c),
      // the graph's own graphs (exit graphs...) by their name after the graph's
      callee: (_w, name) => (ownName(name, self) ? w.str(`own ${name.slice(self.length)}`) : w.str(`graph ${name}`)),
      opFlag: (o) => (safeOps.has(o) ? 1 : 0),
    };
    writeGraph(w, g, coding);
    const codes = w.codes();
    const hit = this.table.get(codes);
    if (hit) {
      this.stats.hits++;
      g.blocks = renamed(hit.template, hit.self, g.name).blocks;
      return;
    }
    this.stats.runs++;
    cleanup(p, g, safeOps);
    this.table.set(codes, { template: cloneGraph(g, g.name).graph, self: g.name });
  }

  /**
   * A constant as two numbers: its type's id times two, then its value for an i32 or bool
   * (without a map), or its type's id times two plus one, then an id for its value (other
   * numbers, i64, null; heap objects by identity; function references by name).
   */
  private constant(c: Const): void {
    const w = this.w;
    const t = w.type(c.type);
    const v = c.value;
    if (typeof v === "number" && (v | 0) === v && (v !== 0 || 1 / v > 0)) {
      w.put2(t * 2, v);
      return;
    }
    if (typeof v === "boolean") {
      w.put2(t * 2, v ? 1 : 0);
      return;
    }
    let id: number | undefined;
    if (v !== null && typeof v === "object") {
      if ("fn" in v) id = w.str(`fn ${v.fn}`);
      else {
        // a heap object by identity (the object inside the constant, not the constant's wrapper)
        const o = v.obj;
        if (o === null || (typeof o !== "object" && typeof o !== "function")) id = w.str(`obj ${typeof o} ${String(o)}`);
        else {
          id = this.objects.get(o);
          if (id === undefined) this.objects.set(o, (id = w.newId()));
        }
      }
    } else {
      // -0 and 0 are different constants (Map keys would take them as one)
      const key = typeof v === "number" && v === 0 ? "-0" : v;
      id = this.values.get(key);
      if (id === undefined) this.values.set(key, (id = w.newId()));
    }
    w.put2(t * 2 + 1, id);
  }
}

/** The graph itself, or one of its own graphs (named `<graph>.<suffix>`, as its exit graphs). */
function ownName(name: string, self: string): boolean {
  return name === self || (name.startsWith(self) && name.charCodeAt(self.length) === 46);
}

/** A copy of `g` whose calls of graphs named after `from` call the same graphs named after `to`. */
function renamed(g: Graph, from: string, to: string): Graph {
  const copy = cloneGraph(g, to).graph;
  const name = (n: string | undefined): string | undefined => (n !== undefined && ownName(n, from) ? to + n.slice(from.length) : n);
  for (const b of copy.blocks) for (const o of b.ops) if (o.attrs.callee !== undefined) o.attrs.callee = name(o.attrs.callee);
  return copy;
}
