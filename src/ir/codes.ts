// Graphs written as sequences of numbers, for keys that must tell graphs apart exactly: two
// graphs written alike are the same graph up to the names of their variables and blocks (the
// JIT's memo of cleanups, pe/cleanmemo.ts, and its modules shared between compilations,
// jit/share.ts). Strings, types and source places become interned ids; what a constant or a
// callee writes is the caller's choice (`GraphCoding`), so that each key leaves out what it may
// ignore. Keys are found through `hashCodes` and compared in full with `sameCodes`.

import type { Const, Exit, Graph, Link, Op, SourceLoc, Value, Var } from "./graph.ts";
import { exitOperands, forEachLink } from "./graph.ts";
import { type LLType, typeToString } from "./types.ts";

const EXIT_CODES: Record<Exit["kind"], number> = { none: 0, jump: 1, branch: 2, switch: 3, return: 4, raise: 5 };

/** A growing sequence of numbers, and the interned ids written into it (all > 0). */
export class CodeWriter {
  private buf = new Int32Array(1 << 12);
  private n = 0;
  private readonly strings = new Map<string, number>();
  private readonly typeIds = new WeakMap<object, number>();
  private readonly locIds = new WeakMap<SourceLoc, number>();
  private next = 1;

  /** Start a new sequence. */
  start(): void {
    this.n = 0;
  }

  /** A copy of the sequence written since `start`. */
  codes(): Int32Array {
    return this.buf.slice(0, this.n);
  }

  put(x: number): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[this.n++] = x;
  }

  put2(x: number, y: number): void {
    if (this.n + 2 > this.buf.length) this.grow();
    this.buf[this.n++] = x;
    this.buf[this.n++] = y;
  }

  /** A fresh id (for things interned by the caller). */
  newId(): number {
    return this.next++;
  }

  /** The id of a string. */
  str(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) this.strings.set(s, (id = this.next++));
    return id;
  }

  /** The id of a type (types that print alike are one). */
  type(t: LLType): number {
    let id = this.typeIds.get(t);
    if (id === undefined) this.typeIds.set(t, (id = this.str(`type ${typeToString(t)}`)));
    return id;
  }

  /** The id of a source place, 0 for none. */
  loc(l: SourceLoc | undefined): number {
    if (!l) return 0;
    let id = this.locIds.get(l);
    if (id === undefined) this.locIds.set(l, (id = this.str(`loc ${l.file}:${l.line}:${l.col}`)));
    return id;
  }

  private grow(): void {
    const b = new Int32Array(this.buf.length * 2);
    b.set(this.buf);
    this.buf = b;
  }
}

/** What a key writes for constants and callees, and an extra number per op. */
export interface GraphCoding {
  /** Write constant `c`: numbers whose first is >= 0. */
  constant(w: CodeWriter, c: Const): void;
  /** The number for the callee attribute of `o` (a graph, host function, global or driver name). */
  callee(w: CodeWriter, name: string, o: Op): number;
  /** An extra number for `o` (0 when there is nothing to say). */
  opFlag?(o: Op): number;
}

/**
 * Write `g`: its result type, flags and place, its blocks' count, then each block: its params,
 * its ops (name, operand count, type, field and callee attributes, place, the coding's flag,
 * operands, result) and its exit (kind, operands, switch case values, links by the target's
 * position and their arguments). Variables are numbered in the order they first appear, with
 * their type there; a value is written as two numbers (-1 or -2 first for variables, the
 * coding's numbers, which start >= 0, for constants).
 */
export function writeGraph(w: CodeWriter, g: Graph, coding: GraphCoding): void {
  const f = g.flags;
  w.put2(w.type(g.result), (f.elidable ? 1 : 0) | (f.dontLookInside ? 2 : 0) | (f.unrollSafe ? 4 : 0) | (f.portal ? 8 : 0));
  w.put2(w.loc(g.loc), g.blocks.length);
  const blocks = new Map<object, number>();
  for (let i = 0; i < g.blocks.length; i++) blocks.set(g.blocks[i] as object, i);
  const vars = new Map<Var, number>();
  const variable = (x: Var): void => {
    const k = vars.get(x);
    if (k !== undefined) w.put2(-1, k);
    else {
      vars.set(x, vars.size);
      w.put2(-2, w.type(x.type));
    }
  };
  const val = (x: Value): void => {
    if (x.kind === "var") variable(x);
    else coding.constant(w, x);
  };
  const link = (l: Link): void => {
    w.put2(blocks.get(l.target) ?? -1, l.args.length);
    for (const a of l.args) val(a);
  };
  for (const b of g.blocks) {
    w.put(b.params.length);
    for (const x of b.params) variable(x);
    w.put(b.ops.length);
    for (const o of b.ops) {
      const a = o.attrs;
      w.put2(w.str(o.op), o.args.length);
      w.put2(a.type === undefined ? 0 : w.str(a.type), a.field === undefined ? 0 : w.str(a.field));
      w.put2(a.callee === undefined ? 0 : coding.callee(w, a.callee, o), w.loc(o.loc));
      w.put(coding.opFlag ? coding.opFlag(o) : 0);
      for (const x of o.args) val(x);
      if (o.result) variable(o.result);
      else w.put(-3);
    }
    const e = b.exit;
    const operands = exitOperands(e);
    w.put2(EXIT_CODES[e.kind], operands.length);
    for (const x of operands) val(x);
    if (e.kind === "switch") {
      w.put(e.cases.length);
      for (const c of e.cases) w.put(c.value);
    }
    forEachLink(e, link);
  }
}

/** A hash of a sequence (FNV-1a over its numbers). */
export function hashCodes(codes: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < codes.length; i++) h = Math.imul(h ^ (codes[i] as number), 0x01000193);
  return h;
}

export function sameCodes(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Values kept by sequences, found by their hash and compared in full. */
export class CodeTable<T> {
  private readonly byHash = new Map<number, { readonly codes: Int32Array; readonly value: T }[]>();

  get(codes: Int32Array): T | undefined {
    return this.byHash.get(hashCodes(codes))?.find((e) => sameCodes(e.codes, codes))?.value;
  }

  set(codes: Int32Array, value: T): void {
    const h = hashCodes(codes);
    const list = this.byHash.get(h);
    if (list) list.push({ codes, value });
    else this.byHash.set(h, [{ codes, value }]);
  }
}
