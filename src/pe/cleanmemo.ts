// A memo of the residual graph's cleanup (cleanup.ts) across the specializations of one JIT. The
// cleanup is a function of the graph it is given, the ops it may treat as safe and the program's
// type definitions: two residual graphs that are the same before cleanup are the same after. A
// JIT sees such repeats often (the same guest loop at several places of a guest program gives the
// same residual graph; docs/jit.md, "Sharing code"), and the cleanup is most of what specializing
// them costs. So each graph is written, before its cleanup, as a sequence of numbers (blocks by
// position, variables by their id's distance from the first one's, constants, types, attributes
// and source places by interned ids, the safe ops by a flag, and the names of the graph's own exit
// graphs relative to the graph's name); a sequence seen before gives a copy of the graph its
// cleanup made then, with the names of this graph's own graphs, and the cleanup is not run. The
// sequences are compared in full, not by their hash alone.

import { cloneGraph } from "../ir/clone.ts";
import type { Block, Const, Exit, Graph, Link, Op, Program, SourceLoc, Value, Var } from "../ir/graph.ts";
import { exitOperands, forEachLink } from "../ir/graph.ts";
import { type LLType, typeToString } from "../ir/types.ts";
import { cleanup } from "./cleanup.ts";

interface Entry {
  readonly codes: Int32Array;
  /** A private copy of the cleaned-up graph. */
  readonly template: Graph;
  /** The name of the graph the template was made from (its own graphs' names start with it). */
  readonly self: string;
}

const EXIT_CODES: Record<Exit["kind"], number> = { none: 0, jump: 1, branch: 2, switch: 3, return: 4, raise: 5 };

export class CleanupMemo {
  /** Cleanups run and cleanups answered from the memo. */
  readonly stats = { runs: 0, hits: 0 };
  private readonly byHash = new Map<number, Entry[]>();
  // interned ids (0 is "none"): strings, types, source places, constants
  private readonly strings = new Map<string, number>();
  private readonly typeIds = new WeakMap<object, number>();
  private readonly locIds = new WeakMap<SourceLoc, number>();
  private readonly values = new Map<number | bigint | string | null, number>();
  private readonly objects = new WeakMap<object, number>();
  private next = 1;
  // the sequence being written (grown by doubling; each graph's own sequence is a copy)
  private buf = new Int32Array(1 << 12);
  private n = 0;

  /** Clean `g` up (in place), or give it the cleanup of an earlier graph that was the same. */
  cleanup(p: Program, g: Graph, safeOps: ReadonlySet<Op>): void {
    const codes = this.encode(g, safeOps);
    if (codes === null) {
      this.stats.runs++;
      cleanup(p, g, safeOps);
      return;
    }
    const h = hash(codes);
    const list = this.byHash.get(h);
    const hit = list?.find((e) => sameCodes(e.codes, codes));
    if (hit) {
      this.stats.hits++;
      const copy = renamed(hit.template, hit.self, g.name);
      g.blocks = copy.blocks;
      return;
    }
    this.stats.runs++;
    cleanup(p, g, safeOps);
    const entry: Entry = { codes, template: cloneGraph(g, g.name).graph, self: g.name };
    if (list) list.push(entry);
    else this.byHash.set(h, [entry]);
  }

  private str(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) this.strings.set(s, (id = this.next++));
    return id;
  }

  private type(t: LLType): number {
    let id = this.typeIds.get(t);
    if (id === undefined) this.typeIds.set(t, (id = this.str(`type ${typeToString(t)}`)));
    return id;
  }

  private loc(l: SourceLoc | undefined): number {
    if (!l) return 0;
    let id = this.locIds.get(l);
    if (id === undefined) this.locIds.set(l, (id = this.str(`loc ${l.file}:${l.line}:${l.col}`)));
    return id;
  }

  /**
   * A constant as two numbers: its type's id times two, then its value for an i32 or bool
   * (without a map), or its type's id times two plus one, then an id for its value (other
   * numbers, i64, null; heap objects by identity; function references by name).
   */
  private constant(c: Const): void {
    const t = this.type(c.type);
    const v = c.value;
    if (typeof v === "number" && (v | 0) === v && (v !== 0 || 1 / v > 0)) {
      this.put2(t * 2, v);
      return;
    }
    if (typeof v === "boolean") {
      this.put2(t * 2, v ? 1 : 0);
      return;
    }
    let id: number | undefined;
    if (v !== null && typeof v === "object") {
      if ("fn" in v) id = this.str(`fn ${v.fn}`);
      else {
        // a heap object by identity (the object inside the constant, not the constant's wrapper)
        const o = v.obj;
        if (o === null || (typeof o !== "object" && typeof o !== "function")) id = this.str(`obj ${typeof o} ${String(o)}`);
        else {
          id = this.objects.get(o);
          if (id === undefined) this.objects.set(o, (id = this.next++));
        }
      }
    } else {
      // -0 and 0 are different constants (Map keys would take them as one)
      const key = typeof v === "number" && v === 0 ? "-0" : v;
      id = this.values.get(key);
      if (id === undefined) this.values.set(key, (id = this.next++));
    }
    this.put2(t * 2 + 1, id);
  }

  private put(x: number): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[this.n++] = x;
  }

  private put2(x: number, y: number): void {
    if (this.n + 2 > this.buf.length) this.grow();
    this.buf[this.n++] = x;
    this.buf[this.n++] = y;
  }

  private grow(): void {
    const b = new Int32Array(this.buf.length * 2);
    b.set(this.buf);
    this.buf = b;
  }

  /** A callee's id: the graph's own graphs (exit graphs...) by their name after the graph's. */
  private callee(name: string | undefined, self: string): number {
    if (name === undefined) return 0;
    return ownName(name, self) ? this.str(`own ${name.slice(self.length)}`) : this.str(`graph ${name}`);
  }

  /**
   * The graph as numbers. Variables are numbered by their ids less the id of the entry block's first
   * parameter (a specialization makes its variables in order, that one first, so repeats number
   * them alike; numbers that differ only make the memo miss), with their type where they are
   * defined. Null if a number would not fit in 31 bits.
   */
  private encode(g: Graph, safeOps: ReadonlySet<Op>): Int32Array | null {
    // the entry block's first parameter is the first variable a specialization makes
    const base = g.blocks[0]?.params[0]?.id ?? 0;
    // (numbers must fit in an Int32Array's items)
    let wide = false;
    const num = (x: Var): number => {
      const r = x.id - base;
      if (r > 0x3fffffff || r < -0x3fffffff) wide = true;
      return r;
    };
    this.n = 0;
    this.put2(this.type(g.result), g.blocks.length);
    const blocks = new Map<Block, number>();
    for (let i = 0; i < g.blocks.length; i++) blocks.set(g.blocks[i] as Block, i);
    const def = (x: Var): void => {
      this.put2(num(x), this.type(x.type));
    };
    // a value as two numbers: -1 and a variable's number, or a constant (its type's id is > 0)
    const val = (x: Value): void => {
      if (x.kind === "var") this.put2(-1, num(x));
      else this.constant(x);
    };
    const link = (l: Link): void => {
      this.put2(blocks.get(l.target) ?? -1, l.args.length);
      for (const a of l.args) val(a);
    };
    for (const b of g.blocks) {
      this.put(b.params.length);
      for (const x of b.params) def(x);
      this.put(b.ops.length);
      for (const o of b.ops) {
        const a = o.attrs;
        this.put2(this.str(o.op), o.args.length);
        this.put2(a.type === undefined ? 0 : this.str(a.type), a.field === undefined ? 0 : this.str(a.field));
        this.put2(this.callee(a.callee, g.name), this.loc(o.loc));
        this.put(safeOps.has(o) ? 1 : 0);
        for (const x of o.args) val(x);
        if (o.result) def(o.result);
        else this.put(-1);
      }
      const e = b.exit;
      const operands = exitOperands(e);
      this.put2(EXIT_CODES[e.kind], operands.length);
      for (const x of operands) val(x);
      if (e.kind === "switch") {
        this.put(e.cases.length);
        for (const c of e.cases) this.put(c.value);
      }
      forEachLink(e, link);
    }
    return wide ? null : this.buf.slice(0, this.n);
  }
}

/** The graph itself, or one of its own graphs (named `<graph>.<suffix>`, as its exit graphs). */
function ownName(name: string, self: string): boolean {
  return name === self || (name.startsWith(self) && name.charCodeAt(self.length) === 46);
}

function hash(codes: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < codes.length; i++) h = Math.imul(h ^ (codes[i] as number), 0x01000193);
  return h;
}

function sameCodes(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy of `g` whose calls of graphs named after `from` call the same graphs named after `to`. */
function renamed(g: Graph, from: string, to: string): Graph {
  const copy = cloneGraph(g, to).graph;
  const name = (n: string | undefined): string | undefined => (n !== undefined && ownName(n, from) ? to + n.slice(from.length) : n);
  for (const b of copy.blocks) for (const o of b.ops) if (o.attrs.callee !== undefined) o.attrs.callee = name(o.attrs.callee);
  return copy;
}
