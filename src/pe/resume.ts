// Exits from residual code and how the interpreter resumes after them.
//
// Every exit records resume data (ExitInfo): for each interpreter frame of the inlined call stack,
// the point where execution continues (graph, block, op) and, for each variable live there, where
// its value is (a leaf: an argument the residual code passes to the exit; a constant; a virtual
// object to rebuild); plus the virtual objects and the virtualizable fields/items to write back.
//
// Residual code leaves by calling the exit's own graph with the leaves and returning its result.
// That exit graph rebuilds the state (allocates the virtuals, writes back the virtualizables) and
// runs the interpreter on: it calls the continuation graph of the innermost frame, feeds the
// result to the next frame's continuation, and so on out to the portal's frame. A continuation
// graph is a copy of an interpreter graph that starts at one point: its parameters are the
// variables live there. Everything is plain LL, so L3 runs it and the Wasm backend can compile it;
// `resumeExit` does the same from JS (for a JIT that leaves compiled code through the host).

import { mapExit } from "../ir/clone.ts";
import type { Block, Const, Graph, Link, Op, Program, SourceLoc, Value, Var } from "../ir/graph.ts";
import { allFields, arrayDef, exitLinks, structDef } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import type { LLType } from "../ir/types.ts";
import { I32, VOID, itemValueType } from "../ir/types.ts";
import type { Heap, HeapRef, LLValue } from "../llinterp/heap.ts";
import { fromConst, zeroConst } from "./abstract.ts";
import type { NGraph } from "./normalize.ts";
import { liveAt, normalize } from "./normalize.ts";
import { PEError } from "./errors.ts";

/** Where an interpreter value is at an exit. */
export type ResumeValue =
  /** The exit's i-th leaf (argument). */
  | { readonly k: "leaf"; readonly i: number }
  | { readonly k: "const"; readonly c: Const }
  /** The i-th virtual object of the exit, rebuilt by the exit. */
  | { readonly k: "virtual"; readonly i: number }
  /** The value the next inner frame returns (the result of the call this frame is in). */
  | { readonly k: "result" };

export interface ResumeFrame {
  /** The interpreter graph. */
  readonly graph: string;
  /** Block label (in the specializer's normalized copy of the graph) and op index where execution continues (ops.length: the block's exit). */
  readonly block: string;
  readonly op: number;
  /** The continuation graph: the interpreter graph started at that point. */
  readonly cont: string;
  /** Names of the live interpreter variables, in the continuation's parameter order. */
  readonly vars: readonly string[];
  readonly values: readonly ResumeValue[];
  readonly loc?: SourceLoc;
}

export interface VirtualDesc {
  readonly kind: "struct" | "array";
  readonly type: string;
  readonly values: readonly ResumeValue[];
}

/** A virtualizable field or item written back at the exit. */
export interface Writeback {
  readonly kind: "field" | "item";
  /** The frame (field) or the array (item). */
  readonly target: ResumeValue;
  /** Struct type (field) or array type (item). */
  readonly type: string;
  readonly field?: string;
  readonly index?: number;
  readonly value: ResumeValue;
}

export type ExitReason =
  /** A guard at entry failed (a virtualizable array's length differs from the one specialized for). */
  | "guard"
  /** A promoted value differs from the values specialized for, or none was known. */
  | "promote"
  /** The budget ran out before this state was specialized. */
  | "budget"
  /** A merge point whose green state was not specialized: the budget ran out, or it has code of its own (SpecializeOptions.stopAt). */
  | "merge"
  /** The interpreter raises here (a guest error). */
  | "raise"
  /** A green value is not constant at a merge point, or the virtualizable frame changed. */
  | "green"
  /** A `can_enter_jit` of a loop header with compiled code (SpecializeOptions.compiled): it resumes there, entering that code. */
  | "loop"
  /** A merge point reached by leaving the loop being compiled (see `leavesLoop` in specialize.ts); it looks for code there. */
  | "loopexit";

/**
 * Exits whose exit graph looks for compiled code for the green state it resumes at (a
 * `can_enter_jit` before the continuation, which also counts that state towards compiling it):
 * exits at a merge point taken because the budget ran out or because that state has code of its
 * own (SpecializeOptions.stopAt), and loop exits (the code after a loop gets code of its own once
 * hot). Not entry guards (the same code would fail the same guard), not promotes (the value is not
 * known there).
 */
export function exitEntersJit(exit: ExitInfo): boolean {
  return exit.atMergePoint && (exit.reason === "merge" || exit.reason === "budget" || exit.reason === "loopexit");
}

/**
 * Exits not worth a bridge: those that enter compiled code by themselves (`exitEntersJit`, and
 * "loop" exits, which resume at a `can_enter_jit`), and loop exits (the interpreter reaches the enclosing loop's back edge soon, and enters its code).
 */
export function exitNeedsNoBridge(exit: ExitInfo): boolean {
  return exitEntersJit(exit) || exit.reason === "loop" || exit.reason === "loopexit";
}

export interface ExitInfo {
  readonly index: number;
  /** The exit graph the residual code calls. */
  readonly graph: string;
  readonly reason: ExitReason;
  readonly detail: string;
  readonly leafTypes: readonly LLType[];
  /** Outermost (the portal) first. */
  readonly frames: readonly ResumeFrame[];
  readonly virtuals: readonly VirtualDesc[];
  readonly writebacks: readonly Writeback[];
  /** For each virtualizable frame (Residual.vables order): the leaves holding its reference and its arrays' references. */
  readonly vableLeaves: readonly { readonly ptr: number; readonly arrays: readonly number[] }[];
  /** The exit resumes the portal exactly at its merge point (one frame, merge block, op 0). */
  readonly atMergePoint: boolean;
  /**
   * A promote exit: the leaf holding the promoted value, and the promote's place (graph, block and
   * op of the innermost frame, the graphs of the frames, outermost first, and the guest
   * instruction, as in a PromoteSite), so that a JIT can specialize again with the value seen
   * there (guarded).
   */
  readonly promoted?: PromotedAt;
}

/** Where a promote exit left, and which of its leaves holds the value promoted. */
export interface PromotedAt {
  readonly leaf: number;
  readonly graph: string;
  readonly block: string;
  readonly op: number;
  readonly stack: readonly string[];
  /** As PromoteSite.guest (null: not known). */
  readonly guest: string | null;
}

/** Names of an exit graph's parameters (`leaf<i>`), made once. */
const LEAF_NAMES: string[] = [];

export function leafName(i: number): string {
  let n = LEAF_NAMES[i];
  if (n === undefined) {
    n = `leaf${i}`;
    LEAF_NAMES[i] = n;
  }
  return n;
}

// ---- continuation graphs -------------------------------------------------------------------------

/** Names of continuation graphs in a program, by normalized graph, block and op. */
const contCache = new WeakMap<Program, WeakMap<NGraph, Map<Block, (string | undefined)[]>>>();

/** A name that `safeName` leaves as it is: word characters and `$`, in parts separated by single dots. */
const SAFE_NAME = /^[\w$]+(?:\.[\w$]+)*$/;

function safeName(s: string): string {
  if (SAFE_NAME.test(s)) return s;
  return s
    .replace(/[^\w$.]/g, "_")
    .replace(/\.{2,}/g, ".")
    .replace(/^\.|\.$/g, "");
}

/** A graph name not used in the program, from `base`. */
export function freshGraphName(p: Program, base: string): string {
  const safe = safeName(base);
  let name = safe;
  for (let k = 2; p.graphs.has(name); k++) name = `${safe}_${k}`;
  return name;
}

/**
 * The continuation graph at the portal's merge point (made on first use), where exits at a merge
 * point resume: a JIT can translate it ahead of time with the interpreter instead of compiling it
 * with the first compilation that needs it.
 */
export function mergePointContinuation(p: Program, portal: Graph): string {
  const ng = normalize(p, portal);
  const mb = [...ng.mergeBlocks][0];
  if (!mb) throw new PEError(`graph '${portal.name}' has no jit_merge_point`);
  return contGraph(p, ng, mb, 0);
}

/** Continuation graphs already built, per normalized graph and point: programs that share the interpreter's graphs share them. */
const contGraphs = new WeakMap<NGraph, Map<string, Graph>>();

/**
 * The continuation graph of `ng` at (block, op), added to the program on first use. The graph is
 * built once and added under the same name to any program that has that name free (nothing
 * changes continuation graphs once built).
 */
export function contGraph(p: Program, ng: NGraph, block: Block, op: number): string {
  let perProgram = contCache.get(p);
  if (!perProgram) {
    perProgram = new WeakMap();
    contCache.set(p, perProgram);
  }
  let perGraph = perProgram.get(ng);
  if (!perGraph) {
    perGraph = new Map();
    perProgram.set(ng, perGraph);
  }
  let perBlock = perGraph.get(block);
  if (!perBlock) {
    perBlock = [];
    perGraph.set(block, perBlock);
  }
  const found = perBlock[op];
  if (found) return found;
  const key = `${block.label}|${op}`;
  let built = contGraphs.get(ng);
  if (!built) {
    built = new Map();
    contGraphs.set(ng, built);
  }
  let g = built.get(key);
  if (!g || (p.graphs.has(g.name) && p.graphs.get(g.name) !== g)) {
    g = buildCont(ng, block, op, freshGraphName(p, `pe.cont.${ng.name}.${block.label}.${op}`));
    if (!built.has(key)) built.set(key, g);
  }
  p.graphs.set(g.name, g);
  perBlock[op] = g.name;
  return g.name;
}

function buildCont(ng: NGraph, block: Block, op: number, name: string): Graph {
  const copies = new Map<Block, Block>();
  const todo: [Block, Block, Map<Var, Var>][] = [];
  const fresh = (ren: Map<Var, Var>, v: Var): Var => {
    const n = newVar(v.type, v.name);
    ren.set(v, n);
    return n;
  };
  const copyOf = (b: Block): Block => {
    let c = copies.get(b);
    if (!c) {
      const ren = new Map<Var, Var>();
      c = { label: b.label, params: b.params.map((v) => fresh(ren, v)), ops: [], exit: { kind: "none" } };
      copies.set(b, c);
      todo.push([b, c, ren]);
    }
    return c;
  };
  const fill = (src: Block, from: number, dst: Block, ren: Map<Var, Var>): void => {
    const val = (v: Value): Value => (v.kind === "var" ? (ren.get(v) ?? v) : v);
    for (let i = from; i < src.ops.length; i++) {
      const o = src.ops[i] as Op;
      const args = o.args.map(val);
      dst.ops.push({ op: o.op, args, result: o.result ? fresh(ren, o.result) : null, attrs: o.attrs, ...(o.loc ? { loc: o.loc } : {}) });
    }
    const link = (l: Link): Link => ({ target: copyOf(l.target), args: l.args.map(val) });
    dst.exit = mapExit(src.exit, val, link);
  };
  const ren0 = new Map<Var, Var>();
  const start: Block = { label: "resume", params: liveAt(block, op).map((v) => fresh(ren0, v)), ops: [], exit: { kind: "none" } };
  if (op === 0) {
    // At the top of a block, jump to its copy: a copy of its ops here would enter a loop through
    // the block a second time, past its header (an irreducible loop, which the backend compiles
    // with a dispatch on every iteration). The merge point stays first, for exits (buildExitGraph).
    const first = block.ops[0];
    const val = (v: Value): Value => (v.kind === "var" ? (ren0.get(v) ?? v) : v);
    if (first?.op === "jit_merge_point") start.ops.push({ op: first.op, args: first.args.map(val), result: null, attrs: first.attrs });
    // (the params not live at the top are not read: any value does)
    const args = block.params.map((v) => ren0.get(v) ?? zeroConst(v.type));
    start.exit = { kind: "jump", link: { target: copyOf(block), args } };
  } else fill(block, op, start, ren0);
  while (todo.length > 0) {
    const [src, dst, ren] = todo.shift() as [Block, Block, Map<Var, Var>];
    fill(src, 0, dst, ren);
  }
  const blocks = [start, ...copies.values()];
  // keep labels unique ("resume" might clash with a copied block)
  const used = new Set<string>(["resume"]);
  for (const b of blocks.slice(1)) {
    let l = b.label;
    for (let k = 1; used.has(l); k++) l = `${b.label}_${k}`;
    used.add(l);
    b.label = l;
  }
  void exitLinks;
  return { name, blocks, result: ng.orig.result, flags: { ...ng.orig.flags, portal: false }, ...(ng.orig.loc ? { loc: ng.orig.loc } : {}) };
}

// ---- exit graphs ---------------------------------------------------------------------------------

/** The exit graph: rebuild virtuals, write back virtualizables, run the continuations innermost first. */
export function buildExitGraph(p: Program, exit: ExitInfo, result: LLType): Graph {
  const params = exit.leafTypes.map((t, i) => newVar(t, leafName(i)));
  const b: Block = { label: "exit", params, ops: [], exit: { kind: "none" } };
  const emit = (op: Op["op"], args: Value[], attrs: Op["attrs"], type: LLType): Var | null => {
    const result = type.kind === "void" ? null : newVar(type, "v");
    b.ops.push({ op, args, result, attrs });
    return result;
  };
  const made = new Map<number, Var>();
  const status = new Map<number, 1 | 2>();
  const fixups: { obj: number; index: number; target: number }[] = [];
  const value = (rv: ResumeValue, type: LLType): Value => {
    switch (rv.k) {
      case "leaf":
        return params[rv.i] as Var;
      case "const":
        return rv.c;
      case "virtual":
        return make(rv.i) ?? zeroConst(type);
      case "result":
        throw new PEError("internal: a 'result' resume value outside a frame");
    }
  };
  const make = (i: number): Var | null => {
    const m = made.get(i);
    if (m) return m;
    if (status.get(i) === 1) return null;
    status.set(i, 1);
    const d = exit.virtuals[i] as VirtualDesc;
    const types = valueTypes(p, d);
    const vals: Value[] = d.values.map((rv, k) => {
      const v = value(rv, types[k] as LLType);
      if (rv.k === "virtual" && !made.has(rv.i)) fixups.push({ obj: i, index: k, target: rv.i });
      return v;
    });
    let r: Var;
    if (d.kind === "struct") {
      const allZero = vals.every(isZeroValue);
      r = emit("new", allZero ? [] : vals, { type: d.type }, { kind: "ref", name: d.type }) as Var;
    } else {
      const nonZero = vals.filter((v) => !isZeroValue(v)).length;
      const def = arrayDef(p, d.type);
      if (def?.mutable !== false && nonZero * 2 < vals.length) {
        r = emit("newarray", [constant(I32, vals.length)], { type: d.type }, { kind: "ref", name: d.type }) as Var;
        vals.forEach((v, k) => {
          if (!isZeroValue(v)) emit("setitem", [r, constant(I32, k), v], { type: d.type }, VOID);
        });
      } else r = emit("newarray_init", vals, { type: d.type }, { kind: "ref", name: d.type }) as Var;
    }
    made.set(i, r);
    status.set(i, 2);
    return r;
  };
  exit.virtuals.forEach((_, i) => {
    make(i);
  });
  for (const f of fixups) {
    const d = exit.virtuals[f.obj] as VirtualDesc;
    const obj = made.get(f.obj) as Var;
    const target = made.get(f.target) as Var;
    if (d.kind === "struct")
      emit("setfield", [obj, target], { type: d.type, field: (allFields(p, d.type)[f.index] as { name: string }).name }, VOID);
    else emit("setitem", [obj, constant(I32, f.index), target], { type: d.type }, VOID);
  }
  for (const w of exit.writebacks) {
    const target = value(w.target, { kind: "ref", name: w.type });
    if (w.kind === "field") {
      const ft = allFields(p, w.type).find((f) => f.name === w.field)?.type ?? I32;
      emit("setfield", [target, value(w.value, ft)], { type: w.type, field: w.field as string }, VOID);
    } else {
      const def = arrayDef(p, w.type);
      const it = def ? itemValueType(def.item) : I32;
      emit("setitem", [target, constant(I32, w.index as number), value(w.value, it)], { type: w.type }, VOID);
    }
  }
  if (exitEntersJit(exit)) {
    // The continuation starts at the merge point: ask for compiled code with its arguments first.
    const f = exit.frames[0] as ResumeFrame;
    const start = p.graphs.get(f.cont)?.blocks[0];
    const mop = start?.ops[0];
    if (start && mop?.op === "jit_merge_point") {
      const args = mop.args.map((a) => {
        if (a.kind === "const") return a;
        const k = start.params.indexOf(a);
        if (k < 0) throw new PEError(`internal: exit ${exit.index}: '${a.name}' is not a parameter of the continuation`);
        return value(f.values[k] as ResumeValue, a.type);
      });
      b.ops.push({ op: "can_enter_jit", args, result: null, attrs: { callee: mop.attrs.callee } });
    }
  }
  let r: Value | null = null;
  for (let i = exit.frames.length - 1; i >= 0; i--) {
    const f = exit.frames[i] as ResumeFrame;
    const cont = p.graphs.get(f.cont);
    if (!cont) throw new PEError(`internal: missing continuation graph '${f.cont}'`);
    const ptypes = (cont.blocks[0] as Block).params.map((v) => v.type);
    const args = f.values.map((rv, k) => {
      if (rv.k === "result") {
        if (!r) throw new PEError(`internal: exit ${exit.index}: frame ${i} expects a result but the inner frame returns nothing`);
        return r;
      }
      return value(rv, ptypes[k] as LLType);
    });
    r = emit("call", args, { callee: f.cont }, cont.result);
  }
  b.exit = { kind: "return", value: result.kind === "void" ? null : r };
  return { name: exit.graph, blocks: [b], result, flags: { dontLookInside: true } };
}

function isZeroValue(v: Value): boolean {
  if (v.kind !== "const") return false;
  const x = v.value;
  return x === null || x === false || x === 0n || (x === 0 && !Object.is(x, -0));
}

function valueTypes(p: Program, d: VirtualDesc): LLType[] {
  if (d.kind === "struct") return allFields(p, d.type).map((f) => f.type);
  const a = arrayDef(p, d.type);
  return d.values.map(() => (a ? itemValueType(a.item) : I32));
}

// ---- resuming from JS ----------------------------------------------------------------------------

/** What `resumeExit` needs: a heap and a way to call graphs (an L3 instance fits). */
export interface Resumer {
  readonly heap: Heap;
  call(graph: string, args: readonly LLValue[]): LLValue;
}

/**
 * Resume the interpreter after an exit, from JS: `leaves` are the values the residual code passed
 * to the exit. Rebuilds virtuals and writes back virtualizables through the heap, then runs the
 * continuation graphs. Returns what the portal returns.
 */
export function resumeExit(p: Program, r: Resumer, exit: ExitInfo, leaves: readonly LLValue[]): LLValue {
  const objs: HeapRef[] = exit.virtuals.map((d) => {
    if (d.kind === "struct") {
      const def = structDef(p, d.type);
      if (!def) throw new PEError(`exit ${exit.index}: unknown struct type '${d.type}'`);
      return r.heap.newStruct(def);
    }
    const def = arrayDef(p, d.type);
    if (!def) throw new PEError(`exit ${exit.index}: unknown array type '${d.type}'`);
    return r.heap.newArray(def, d.values.length);
  });
  const value = (rv: ResumeValue): LLValue => {
    switch (rv.k) {
      case "leaf":
        return leaves[rv.i] as LLValue;
      case "const":
        return fromConst(rv.c);
      case "virtual":
        return objs[rv.i] as HeapRef;
      case "result":
        throw new PEError("internal: a 'result' resume value outside a frame");
    }
  };
  exit.virtuals.forEach((d, i) => {
    const o = objs[i] as HeapRef;
    if (d.kind === "struct") {
      const fields = allFields(p, d.type);
      d.values.forEach((rv, k) => {
        r.heap.setField(o, d.type, (fields[k] as { name: string }).name, value(rv));
      });
    } else
      d.values.forEach((rv, k) => {
        r.heap.setItem(o, d.type, k, value(rv));
      });
  });
  for (const w of exit.writebacks) {
    const t = value(w.target) as HeapRef;
    if (w.kind === "field") r.heap.setField(t, w.type, w.field as string, value(w.value));
    else r.heap.setItem(t, w.type, w.index as number, value(w.value));
  }
  let res: LLValue = null;
  for (let i = exit.frames.length - 1; i >= 0; i--) {
    const f = exit.frames[i] as ResumeFrame;
    res = r.call(
      f.cont,
      f.values.map((rv) => (rv.k === "result" ? res : value(rv))),
    );
  }
  return res;
}
