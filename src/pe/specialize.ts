// The specializer: partial evaluation of the interpreter's LL graphs on green values. Starting at
// the portal's jit_merge_point with the greens as constants, it walks the interpreter's graphs
// (normalized copies, see normalize.ts) on abstract values: constant operations fold, operations
// on red values are emitted into the residual graph, branches on constants disappear, calls are
// inlined (or stay residual calls), allocations stay virtual until they escape, and the
// virtualizable frame's fields and items live in residual variables. Residual blocks are shared
// where the state at a merge point (keyed on the greens) or a loop header repeats, which turns a
// guest loop into a residual loop. Work is lazy (a worklist of states) and bounded by a budget of
// residual ops; whatever is not specialized becomes an exit that resumes the interpreter.

import type { Block, Const, DriverDef, Graph, Link, Op, Program, SourceLoc, Value, Var } from "../ir/graph.ts";
import { allFields, arrayDef, findField, isSubStruct, structDef } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import { STD_HOSTS } from "../ir/hosts.ts";
import type { ScalarOpName } from "../ir/ops.ts";
import { SCALAR_OPS, ScalarError, evalScalar } from "../ir/ops.ts";
import type { LLType } from "../ir/types.ts";
import { BOOL, I32, VOID, itemValueType, ref } from "../ir/types.ts";
import type { Heap, HeapRef, LLValue } from "../llinterp/heap.ts";
import type { Abs, Guest, SFrame, Slot, State, VFrame, VFrameInfo, VObj } from "./abstract.ts";
import { Env, UNREAD, constAbs, constKey, forkState, fromConst, guestKey, redAbs, resolve, toConst, zeroConst } from "./abstract.ts";
import type { BTContext } from "./bta.ts";
import { BindingTimes } from "./bta.ts";
import { cleanup } from "./cleanup.ts";
import { PEError, opPlace } from "./errors.ts";
import { liveAtPoint, normalize } from "./normalize.ts";
import { exitFromState, stateFromExit } from "./exitstate.ts";
import type { ExitInfo, ExitReason } from "./resume.ts";
import type { CleanupMemo } from "./cleanmemo.ts";
import { buildExitGraph, freshGraphName, leafName } from "./resume.ts";
import type { FitPlan, Leaves, SlotRef, StateShape } from "./shape.ts";
import {
  KeyTrie,
  constPart,
  fit,
  framePoints,
  generalize,
  join,
  keyVars,
  leafTypes,
  pointNode,
  prefixNode,
  rebuild,
  sameShape,
} from "./shape.ts";

/** Where a promote asks for the values to specialize on. */
export interface PromoteSite {
  /** The interpreter graph, block (normalized) and op of the promote. */
  readonly graph: string;
  readonly block: string;
  readonly op: number;
  readonly loc?: SourceLoc;
  readonly type: LLType;
  /** The inlined call stack, outermost (the portal) first. */
  readonly stack: readonly string[];
  /** The greens key of the merge point the path last passed (which guest instruction), when known. */
  readonly guest?: string;
}

export interface SpecializeOptions {
  /** The heap the green objects live on (read for immutable fields and items). */
  readonly heap: Heap;
  /** The red values observed at the merge point (needed for virtualizable arrays: their lengths). */
  readonly reds?: readonly LLValue[];
  /** Most residual ops per compilation (default 4000). */
  readonly budget?: number;
  /** Runs a graph on constant arguments, to fold elidable calls (e.g. `(g, a) => l3.call(g, a)`). */
  readonly call?: (graph: string, args: readonly LLValue[]) => LLValue;
  /** The value(s) a red value had at a promote; undefined: none known (the promote becomes an exit). */
  readonly promote?: (site: PromoteSite) => LLValue | readonly LLValue[] | undefined;
  /** Name of the residual graph (default: pe.<portal>.<n>). */
  readonly name?: string;
  /** Shared blocks with different shapes per key before they are merged into a general one (default 4). */
  readonly maxVersions?: number;
  /** Versions of one loop header with different constants before its constants are generalized (default 32). */
  readonly unrollLimit?: number;
  /** Deepest inlining (default 24). */
  readonly inlineDepth?: number;
  /** Longest array kept virtual (default 1024). */
  readonly virtualArrayMax?: number;
  /**
   * Green states that have compiled code. At a `can_enter_jit` in the portal for such a state
   * whose merge point this specialization has not reached (not a loop nested in the code being
   * specialized: the back edge of an enclosing loop, or a jump to another loop), the
   * specialization stops with an exit that resumes at the `can_enter_jit` itself (reason "loop"),
   * which enters that code.
   */
  readonly compiled?: (greens: readonly LLValue[]) => boolean;
  /**
   * Green states where the specialization stops when it reaches their merge point (other than its
   * entry, and not yet specialized in it), with an exit that looks for compiled code there.
   */
  readonly stopAt?: (greens: readonly LLValue[]) => boolean;
  /**
   * A memo of cleanups shared by specializations (a JIT's): a residual graph that is the same
   * before cleanup as an earlier one gets a copy of that one's cleaned-up graph (cleanmemo.ts).
   */
  readonly cleanups?: CleanupMemo;
  /**
   * Calls of the portal (guest calls, in an interpreter whose guest call is a recursive call of
   * the portal) specialized as direct calls per compilation (default 8; 0: none). A call whose
   * arguments include virtual objects that nothing uses after it (the callee's new frame) calls a
   * residual graph of the portal specialized from its start on the shape of those arguments: the
   * objects stay virtual, their contents are passed as parameters, and a recursive guest call
   * finds the graph being made. Other portal calls stay ordinary calls.
   */
  readonly maxCallees?: number;
}

export interface SpecializeStats {
  /** Ops in the residual graph (after cleanup), block exits not counted. */
  readonly ops: number;
  readonly blocks: number;
  readonly exits: number;
  /** Distinct green states specialized at merge points (guest instructions). */
  readonly guestInstructions: number;
  /** ops / guestInstructions. */
  readonly opsPerInstruction: number;
  /** Residual ops emitted while specializing (before cleanup), exits counted. */
  readonly emitted: number;
  readonly budget: number;
  readonly budgetExhausted: boolean;
}

export interface Residual {
  /** The residual graph (installed in the program): params are the driver's reds, result the portal's. */
  readonly graph: Graph;
  readonly portal: string;
  readonly driver: DriverDef;
  readonly greens: readonly Const[];
  readonly exits: readonly ExitInfo[];
  /** Exit graphs and continuation graphs made for this residual graph (installed too). */
  readonly support: readonly Graph[];
  readonly stats: SpecializeStats;
  readonly warnings: readonly string[];
  /** The virtualizable frames' layout (what a bridge from one of the exits needs). */
  readonly vables: readonly VableLayout[];
  /**
   * The portal specialized from its start for direct calls (see `maxCallees`), made during this
   * specialization; their graphs, exit graphs and continuation graphs are in `support` too. Their
   * exits are not bridged.
   */
  readonly callees: readonly Residual[];
}

/** A virtualizable frame of a compilation: its struct, which red it is, its shadowed fields and arrays. */
export interface VableLayout {
  readonly red: number;
  readonly struct: string;
  readonly fields: readonly { readonly name: string; readonly type: LLType }[];
  readonly arrays: readonly { readonly field: string; readonly type: string; readonly item: LLType; readonly len: number }[];
}

interface Item {
  readonly state: State;
  readonly block: Block;
  /** The state is at a block entry not checked yet (sharing, budget). */
  readonly atEntry: boolean;
}

interface Version {
  readonly shape: StateShape;
  readonly block: Block;
}

/** What is recorded under a key of `Specializer.keys`. */
interface Shared {
  /** As the prefix of a key: the shared blocks made for it. */
  readonly versions: Version[];
  /** As the points of a key: how many blocks were made at these points. */
  made: number;
  /** As the prefix of a key at a merge point: counted in `guestInstructions`. */
  counted: boolean;
}

/** The green values of a merge point or can_enter_jit, interned per specializer (see `greensAt`). */
interface Greens extends Guest {
  /** A merge point with these greens was reached. */
  reached: boolean;
  /** A can_enter_jit jumps to them (a guest loop header). */
  loopHead: boolean;
}

/** The portal specialized for direct calls within one compilation (shared by the specializers of its callees). */
interface Callees {
  /** Versions by prefix key (the entry point and the kept greens); the graph name stands for the block. */
  readonly byPrefix: KeyTrie<{ readonly shape: StateShape; readonly graph: string }[]>;
  readonly done: Residual[];
  /** Name of the compilation's residual graph (callee graphs are named after it). */
  readonly root: string;
  /** Residual ops the callees emitted (all of them together get one budget more than the compilation). */
  emitted: number;
}

/** How a specializer of a callee starts: the portal's start, in its entry context. */
interface CalleeStart {
  readonly callees: Callees;
  readonly ctx: BTContext;
}

type Flow = "go" | "end";

/** Specialize `portal` at its merge point on the given green values; the residual graph and its support graphs are added to the program. */
export function specialize(p: Program, portal: string, greens: readonly LLValue[], opts: SpecializeOptions): Residual {
  return new Specializer(p, portal, opts).run(greens);
}

/**
 * A bridge: the continuation of exit `exitIndex` of `r`, specialized from the exit's own state
 * (its inlined frames, virtuals and written-back frame items; the leaves are its parameters).
 * It has the exit graph's signature: `linkBridge` makes the exit call it. Options as for
 * `specialize` (typically `promote` giving the value seen at a promote exit, and `reds` is unused).
 */
export function specializeExit(p: Program, r: Residual, exitIndex: number, opts: SpecializeOptions): Residual {
  const exit = r.exits[exitIndex];
  if (!exit) throw new PEError(`bridge: residual graph '${r.graph.name}' has no exit ${exitIndex}`);
  if (exit.reason === "guard")
    throw new PEError(
      `bridge: exit ${exitIndex} of '${r.graph.name}' is an entry guard (the frame differs): specialize the merge point again instead`,
    );
  return new Specializer(p, r.portal, { ...opts, name: opts.name ?? freshGraphName(p, `${exit.graph}.bridge`) }).runFrom(r, exit);
}

/** Make exit `exit` run `bridge` (a graph from specializeExit for it) instead of the interpreter. An L3 that ran the exit must be invalidated. */
export function linkBridge(p: Program, exit: ExitInfo, bridge: Residual): void {
  const eg = p.graphs.get(exit.graph);
  if (!eg) throw new PEError(`linkBridge: no exit graph '${exit.graph}'`);
  const params = exit.leafTypes.map((t, i) => newVar(t, leafName(i)));
  const result = eg.result.kind === "void" ? null : newVar(eg.result, "r");
  eg.blocks = [
    {
      label: "exit",
      params,
      ops: [{ op: "call", args: params, result, attrs: { callee: bridge.graph.name } }],
      exit: { kind: "return", value: result },
    },
  ];
}

class Specializer {
  private readonly p: Program;
  private readonly opts: SpecializeOptions;
  private readonly heap: Heap;
  private readonly portal: Graph;
  private readonly driver: DriverDef;
  private readonly bt: BindingTimes;
  private readonly ctx0: BTContext;
  private readonly budget: number;
  private readonly rg: Graph;
  private cur: Block;
  private emitted = 0;
  private readonly queue: Item[] = [];
  /** The next item of `queue` to process. */
  private head = 0;
  /** Shared blocks by key: the frames' points, then the kept constants (see `prefixNode`). */
  private readonly keys = new KeyTrie<Shared>();
  /** Iterations unrolled straight on, per loop header and call site. */
  private readonly unrolled = new KeyTrie<number>();
  /** Keys of merge points with a shared block (guest instructions specialized). */
  private mergeKeys = 0;
  /** Green values of merge points and can_enter_jit, interned. */
  private readonly greenKeys = new KeyTrie<Greens>();
  /** The entry's green values; null for a bridge. */
  private entryGreens: Greens | null = null;
  /** Sides of red branches in the portal, by state, until they reach a merge point (see leavesLoop). */
  private readonly forks = new Map<State, { readonly closes: Set<State> }>();
  /** States that waited once at a merge point for their branch group (leavesLoop). */
  private readonly waited = new WeakSet<State>();
  private readonly exits: ExitInfo[] = [];
  private readonly support: Graph[] = [];
  private readonly warnings: string[] = [];
  private readonly safeOps = new Set<Op>();
  private vinfos: VFrameInfo[] = [];
  /** The state being specialized (its `known` values are the heap cache of the current path). */
  private st: State | null = null;
  private blockCount = 0;
  private exhausted = false;
  private readonly callees: Callees;
  /** Specializing a callee (see `maxCallees`), not a compilation's entry or a bridge. */
  private readonly isCallee: boolean;

  constructor(p: Program, portal: string, opts: SpecializeOptions, callee?: CalleeStart) {
    this.p = p;
    this.opts = opts;
    this.heap = opts.heap;
    const g = p.graphs.get(portal);
    if (!g) throw new PEError(`specialize: unknown graph '${portal}'`);
    this.portal = g;
    const ng = normalize(p, g);
    const mb = [...ng.mergeBlocks][0];
    if (!mb) throw new PEError(`specialize: graph '${portal}' has no jit_merge_point`);
    const dname = (mb.ops[0] as Op).attrs.callee ?? "";
    const d = p.drivers.get(dname);
    if (!d) throw new PEError(`specialize: unknown JIT driver '${dname}' at ${opPlace(ng, mb, 0, mb.ops[0])}`);
    this.driver = d;
    this.bt = bindingTimes(p, g, d);
    this.ctx0 = callee?.ctx ?? this.bt.portalContext();
    this.bt.check();
    this.budget = opts.budget ?? 4000;
    this.rg = { name: opts.name ?? freshGraphName(p, `pe.${portal}.1`), blocks: [], result: g.result, flags: {} };
    this.cur = this.newBlock([]);
    this.isCallee = callee !== undefined;
    this.callees = callee?.callees ?? { byPrefix: new KeyTrie(), done: [], root: this.rg.name, emitted: 0 };
  }

  /**
   * Specialize the portal from its start for a direct call: `state` is at the start of the portal
   * (rebuilt from a shape on `params`, the graph's parameters). The graph is in the program
   * from the beginning, so that a recursive call can name it.
   */
  runCallee(state: State, params: readonly Var[]): Residual {
    this.cur.params.push(...params);
    this.p.graphs.set(this.rg.name, this.rg);
    this.st = state;
    this.queue.push({ state, block: this.cur, atEntry: true });
    return this.finish([]);
  }

  run(greens: readonly LLValue[]): Residual {
    const consts = this.enter(greens);
    return this.finish(consts);
  }

  /** Specialize the continuation of exit `exit` of `r`: a graph with the exit graph's parameters (a bridge). */
  runFrom(r: Residual, exit: ExitInfo): Residual {
    const params = exit.leafTypes.map((t, i) => newVar(t, leafName(i)));
    this.cur.params.push(...params);
    const state = stateFromExit(this.p, exit, r.vables, params, (g, _i, caller) => {
      if (!caller) {
        if (g !== this.portal) throw new PEError(`bridge: exit ${exit.index} does not start in the portal '${this.portal.name}'`);
        return this.ctx0;
      }
      const call = caller.block.ops[caller.op] as Op;
      return this.bt.contextFor(
        g,
        call.args.map((a) => a.kind === "const" || !caller.ctx.red.has(a)),
      );
    });
    this.vinfos = state.vables.map((v) => v.info);
    this.st = state;
    this.queue.push({ state, block: this.cur, atEntry: (state.frames[state.frames.length - 1] as SFrame).op === 0 });
    return this.finish(r.greens);
  }

  private finish(consts: readonly Const[]): Residual {
    const q = this.queue;
    while (this.head < q.length) this.process(q[this.head++] as Item);
    if (!this.isCallee)
      for (const c of this.callees.done) for (const g of [c.graph, ...c.support]) if (!this.support.includes(g)) this.support.push(g);
    const stats0 = { emitted: this.emitted };
    if (this.opts.cleanups) this.opts.cleanups.cleanup(this.p, this.rg, this.safeOps);
    else cleanup(this.p, this.rg, this.safeOps);
    this.p.graphs.set(this.rg.name, this.rg);
    let ops = 0;
    for (const b of this.rg.blocks) ops += b.ops.length;
    const gi = this.mergeKeys;
    return {
      graph: this.rg,
      portal: this.portal.name,
      driver: this.driver,
      greens: consts,
      exits: this.exits,
      support: this.support,
      warnings: this.warnings,
      vables: this.vinfos.map((v) => ({
        red: v.red,
        struct: v.struct,
        fields: v.fields,
        arrays: v.arrays.map((a) => ({ field: a.field, type: a.type, item: a.item, len: a.len })),
      })),
      callees: this.isCallee ? [] : this.callees.done,
      stats: {
        ops,
        blocks: this.rg.blocks.length,
        exits: this.exits.length,
        guestInstructions: gi,
        opsPerInstruction: gi > 0 ? ops / gi : 0,
        emitted: stats0.emitted,
        budget: this.budget,
        budgetExhausted: this.exhausted,
      },
    };
  }

  // ---- entry -----------------------------------------------------------------------------------

  private enter(greens: readonly LLValue[]): Const[] {
    const d = this.driver;
    const ng = this.ctx0.ng;
    const mb = [...ng.mergeBlocks].find((b) => (b.ops[0] as Op).attrs.callee === d.name) as Block;
    const mop = mb.ops[0] as Op;
    const ngr = d.greens.length;
    if (greens.length !== ngr)
      throw new PEError(`specialize: driver '${d.name}' has ${ngr} greens (${d.greens.join(", ")}), got ${greens.length} values`);
    const consts = greens.map((v, i) => toConst(v, (mop.args[i] as Value).type));
    const params = d.reds.map((name, k) => newVar((mop.args[ngr + k] as Value).type, name));
    this.cur.params.push(...params);
    // virtualizable frames: read the shadowed arrays' references and check their lengths
    const infos: VFrameInfo[] = [];
    const guards: { len: Var; expect: number }[] = [];
    for (const name of d.virtualizables ?? []) {
      const k = d.reds.indexOf(name);
      if (k < 0) throw new PEError(`driver '${d.name}': virtualizable '${name}' is not one of its reds`);
      const ptr = params[k] as Var;
      if (ptr.type.kind !== "ref") throw new PEError(`driver '${d.name}': virtualizable '${name}' is not a struct reference`);
      const sname = ptr.type.name;
      const declared = virtualizableFields(this.p, sname);
      if (declared.length === 0)
        throw new PEError(`driver '${d.name}': virtualizable '${name}' has type '${sname}', which declares no virtualizable fields`);
      const fields: { name: string; type: LLType }[] = [];
      const arrays: VFrameInfo["arrays"][number][] = [];
      for (const decl of declared) {
        const isArr = decl.endsWith("[*]");
        const fname = isArr ? decl.slice(0, -3) : decl;
        const fd = findField(this.p, sname, fname);
        if (!fd) throw new PEError(`struct '${sname}': virtualizable field '${fname}' does not exist`);
        if (!isArr) {
          fields.push({ name: fname, type: fd.type });
          continue;
        }
        const adef = fd.type.kind === "ref" ? arrayDef(this.p, fd.type.name) : undefined;
        if (!adef) throw new PEError(`struct '${sname}': virtualizable '${decl}' needs '${fname}' to be an array reference`);
        if (fd.mutable)
          throw new PEError(
            `struct '${sname}': virtualizable '${decl}' needs '${fname}' to be immutable (readonly): the array must stay the same`,
          );
        const observed = this.opts.reds?.[k];
        if (observed === undefined || observed === null)
          throw new PEError(
            `specialize: virtualizable array '${name}.${decl}' needs the observed red values (opts.reds) to know its length`,
          );
        const arrObj = this.heap.getField(observed as HeapRef, sname, fname);
        if (arrObj === null) throw new PEError(`specialize: '${name}.${fname}' is null in the observed frame`);
        const len = this.heap.length(arrObj as HeapRef, adef.name);
        const r = this.emit("getfield", [ptr], { type: sname, field: fname }, fd.type, undefined, true) as Var;
        const l = this.emit("arraylen", [r], { type: adef.name }, I32, undefined, true) as Var;
        guards.push({ len: l, expect: len });
        arrays.push({ field: fname, type: adef.name, item: itemValueType(adef.item), ref: r, len });
      }
      infos.push({ idx: infos.length, red: k, ptr, struct: sname, fields, arrays });
    }
    this.vinfos = infos;
    const vables: VFrame[] = infos.map((info) => ({
      info,
      fields: info.fields.map(() => UNREAD),
      arrays: info.arrays.map((a) => new Array<Slot>(a.len).fill(UNREAD)),
    }));
    const env = new Env();
    for (const pv of mb.params) {
      const k = mop.args.indexOf(pv);
      if (k < 0)
        throw new PEError(`${opPlace(ng, mb, 0, mop)}: '${pv.name}' is live at the merge point but not named by driver '${d.name}'`);
      if (k < ngr) env.set(pv, constAbs(consts[k] as Const));
      else {
        const vf = vables.find((v) => v.info.red === k - ngr);
        env.set(pv, vf ? { k: "vable", f: vf } : redAbs(params[k - ngr] as Var));
      }
    }
    const state: State = { frames: [{ ctx: this.ctx0, block: mb, op: 0, env }], vables, known: null, guest: null };
    this.st = state;
    for (const gd of guards) {
      const c = this.emit("int_eq", [gd.len, constant(I32, gd.expect)], {}, BOOL) as Var;
      this.guard(c, () => this.exitHere(forkState(state), "guard", `a virtualizable array's length is not ${gd.expect}`));
    }
    this.shareAt(state, true, true);
    return consts;
  }

  // ---- the worklist ----------------------------------------------------------------------------

  private process(it: Item): void {
    this.cur = it.block;
    const s = it.state;
    this.st = s;
    if (it.atEntry && this.blockEntry(s) === "end") return;
    while (this.step(s) === "go");
  }

  private step(s: State): Flow {
    const f = top(s);
    if (f.op < f.block.ops.length) return this.evalOp(s, f, f.block.ops[f.op] as Op);
    return this.evalExit(s, f);
  }

  private overBudget(): boolean {
    if (this.emitted >= this.budget) this.exhausted = true;
    return this.emitted >= this.budget;
  }

  /** At the entry of f.block: share at merge points and loop headers, stop when over budget. */
  private blockEntry(s: State): Flow {
    const f = top(s);
    const ng = f.ctx.ng;
    if (
      s.frames.length === 1 &&
      f.ctx === this.ctx0 &&
      ng.mergeBlocks.has(f.block) &&
      (f.block.ops[0] as Op).attrs.callee === this.driver.name
    )
      return this.shareAt(s, true);
    if (ng.sharingHeaders.has(f.block)) {
      // a loop of an @unrollSafe graph unrolls straight on (up to unrollLimit iterations per
      // call site), then is shared like any other loop, with its constants generalized
      if (!ng.orig.flags.unrollSafe) return this.shareAt(s, false);
      const points = framePoints(s);
      const uk = prefixNode(pointNode(this.unrolled, points), s, points, false);
      const n = uk.data ?? 0;
      if (n >= (this.opts.unrollLimit ?? 32)) return this.shareAt(s, false);
      uk.data = n + 1;
    }
    // Over the budget, the guest instruction being specialized is finished first, so that the
    // exit is at the next merge point (where it can enter compiled code); past twice the budget
    // (an instruction that never ends), it exits here.
    if (this.overBudget() && this.emitted >= 2 * this.budget) {
      this.exitHere(s, "budget", "the budget ran out here");
      return "end";
    }
    return "go";
  }

  /** Jump to a shared residual block for this state, making one if none fits. Ends the item. */
  private shareAt(s: State, isMerge: boolean, first = false): Flow {
    const f = top(s);
    // the merge point's green values (looked up once here)
    let gk: Greens | null = null;
    if (isMerge) {
      const mop = f.block.ops[0] as Op;
      const ngr = this.driver.greens.length;
      gk = this.greensAt(f, mop);
      for (let i = 0; gk === null && i < ngr; i++) {
        const a = this.val(f, mop.args[i] as Value);
        if (a.k !== "const") {
          const msg = `${opPlace(f.ctx.ng, f.block, 0, mop)}: the green '${this.driver.greens[i]}' is not a constant here; leaving to the interpreter`;
          this.warn(msg);
          this.exitHere(s, "green", msg);
          return "end";
        }
      }
      for (const info of this.vinfos) {
        const a = this.val(f, mop.args[ngr + info.red] as Value);
        if (a.k !== "vable" || a.f.info.idx !== info.idx) {
          const msg = `${opPlace(f.ctx.ng, f.block, 0, mop)}: the virtualizable '${this.driver.reds[info.red]}' is not the frame the code was entered with; leaving to the interpreter`;
          this.warn(msg);
          this.exitHere(s, "green", msg);
          return "end";
        }
      }
    }
    if (isMerge) {
      if (!first && gk !== null && gk !== this.entryGreens && !gk.reached && this.opts.stopAt && !this.isCallee) {
        if (this.opts.stopAt(this.greenValues(f, f.block.ops[0] as Op))) {
          this.exitHere(s, "merge", "a green state with code of its own");
          return "end";
        }
      }
      if (gk !== null) gk.reached = true;
      if (first) this.entryGreens = gk;
      else {
        const leaves = this.leavesLoop(s);
        if (leaves === "wait") {
          this.queue.push({ state: s, block: this.cur, atEntry: true });
          return "end";
        }
        if (leaves === "yes") {
          this.exitHere(s, "loopexit", "the exit of the loop being compiled");
          return "end";
        }
      }
    }
    const points = framePoints(s);
    const at = pointNode(this.keys, points);
    const atData = (at.data ??= { versions: [], made: 0, counted: false });
    const generalizeAll = !isMerge && (!!f.ctx.ng.orig.flags.unrollSafe || atData.made >= (this.opts.unrollLimit ?? 32));
    const keepTop = !generalizeAll;
    // Constants of red values stay in the shape (and fold further) except at guest loop headers
    // (marked by can_enter_jit) and at loop headers of the interpreter's own graphs.
    const exact = isMerge && !gk?.loopHead;
    const key = prefixNode(at, s, points, keepTop);
    const shared = (key.data ??= { versions: [], made: 0, counted: false });
    const list = shared.versions;
    const maxVersions = this.opts.maxVersions ?? 4;
    let same: Version | undefined;
    for (let i = 0; i < list.length; i++) {
      const v = list[i] as Version;
      if (sameShape(s, points, keepTop, exact, v.shape)) {
        same = v;
        break;
      }
    }
    if (same) {
      const plan = fit(s, points, same.shape);
      if (plan) {
        this.applyFit(plan, same.block);
        return "end";
      }
    }
    const over = !first && this.overBudget();
    if (list.length > 0 && (over || !exact || list.length >= maxVersions)) {
      // an existing version that takes this state without extra ops, else one that takes it with some
      let free: { v: Version; plan: FitPlan } | undefined;
      let any: { v: Version; plan: FitPlan } | undefined;
      for (const v of list) {
        const plan = fit(s, points, v.shape);
        if (plan === null) continue;
        any ??= { v, plan };
        if (plan.flushes.length === 0 && plan.reads.length === 0 && !plan.args.some((a) => a.kind === "abs" && a.a.k === "virt")) {
          free = { v, plan };
          break;
        }
      }
      // past the version limit a joined (more general) version is better than writes and reads on
      // the way in; when the budget is out, any fit is better than an exit
      const pick = free ?? (over ? any : undefined);
      if (pick) {
        this.applyFit(pick.plan, pick.v.block);
        return "end";
      }
    }
    if (over) {
      this.exitHere(s, isMerge ? "merge" : "budget", isMerge ? "this green state was not specialized (budget)" : "the budget ran out here");
      return "end";
    }
    // a new version: the state's own shape (which it fits with no extra ops: its leaves are the
    // arguments), or past the version limit the join of all versions if the state fits it
    const leaves: Leaves = { types: [], args: [] };
    const shape0 = generalize(this.p, s, points, keepTop, exact, leaves);
    let shape = shape0;
    let plan: FitPlan | null = null;
    if (list.length >= maxVersions) {
      shape = list.reduce((acc, v) => join(this.p, points, this.vinfos, acc, v.shape), shape0);
      plan = fit(s, points, shape);
      if (!plan) shape = shape0;
    }
    let params: Var[];
    let block: Block;
    if (plan) {
      params = leafTypes(shape).map((t, i) => newVar(t, paramName(i)));
      block = this.newBlock(params);
      this.applyFit(plan, block);
    } else {
      const types = leaves.types;
      params = new Array(types.length);
      for (let i = 0; i < types.length; i++) params[i] = newVar(types[i] as LLType, paramName(i));
      block = this.newBlock(params);
      this.jumpWith(leaves.args, block);
    }
    list.push({ shape, block });
    atData.made++;
    if (isMerge && !shared.counted) {
      shared.counted = true;
      this.mergeKeys++;
    }
    const next = rebuild(points, shape, this.vinfos, params);
    next.guest = isMerge ? gk : s.guest;
    this.queue.push({ state: next, block, atEntry: false });
    return "end";
  }

  /**
   * At a merge point: does this state leave the loop being compiled? It does when it is a side of
   * a red branch whose other side went back to the entry's green state (a `can_enter_jit` with the
   * entry's greens: the loop's back edge) within the same guest instruction. Such a side is the
   * loop's exit: the code after the loop is not specialized with it (an exit there looks for
   * compiled code at run time). A side that reaches its merge point before its sibling reached the
   * back edge waits (is queued again) once.
   */
  private leavesLoop(s: State): "yes" | "no" | "wait" {
    const grp = this.forks.get(s);
    if (!grp) return "no";
    if (grp.closes.size === 0 && !this.waited.has(s)) {
      this.waited.add(s);
      return "wait";
    }
    this.forks.delete(s);
    return grp.closes.size > 0 && !grp.closes.has(s) ? "yes" : "no";
  }

  /** The green values of a merge point or can_enter_jit whose greens are all constant (see greensAt), as LL values. */
  private greenValues(f: SFrame, o: Op): LLValue[] {
    return this.driver.greens.map((_, i) => fromConst((this.val(f, o.args[i] as Value) as { c: Const }).c));
  }

  /** The green values of a merge point or can_enter_jit, interned (null if one is not constant). */
  private greensAt(f: SFrame, o: Op): Greens | null {
    let n = this.greenKeys;
    const ngr = this.driver.greens.length;
    for (let i = 0; i < ngr; i++) {
      const a = this.val(f, o.args[i] as Value);
      if (a.k !== "const") return null;
      n = n.child(constPart(a.c));
    }
    if (n.data === undefined) {
      const consts: Const[] = new Array(ngr);
      for (let i = 0; i < ngr; i++) consts[i] = (this.val(f, o.args[i] as Value) as { c: Const }).c;
      n.data = { consts, key: null, reached: false, loopHead: false };
    }
    return n.data;
  }

  /** Jump to `target` passing the residual values of `args` (a state's own leaves). */
  private jumpWith(leaves: readonly Abs[], target: Block): void {
    const args: Value[] = new Array(leaves.length);
    for (let i = 0; i < args.length; i++) args[i] = this.rv(leaves[i] as Abs, null);
    this.close({ kind: "jump", link: { target, args } });
  }

  private applyFit(plan: FitPlan, target: Block): void {
    for (const r of plan.flushes) this.writeSlot(r);
    const reads = plan.reads.length > 0 ? new Map<SlotRef, Var>() : null;
    for (const r of plan.reads) reads?.set(r, this.readSlot(r));
    const args: Value[] = new Array(plan.args.length);
    for (let i = 0; i < args.length; i++) {
      const a = plan.args[i] as FitPlan["args"][number];
      args[i] = a.kind === "read" ? (reads?.get(a.slot) as Var) : this.rv(a.a, null);
    }
    this.close({ kind: "jump", link: { target, args } });
  }

  // ---- residual code ---------------------------------------------------------------------------

  private newBlock(params: Var[]): Block {
    const b: Block = { label: blockLabel(this.blockCount++), params, ops: [], exit: NO_EXIT };
    this.rg.blocks.push(b);
    return b;
  }

  private emit(op: Op["op"], args: Value[], attrs: Op["attrs"], type: LLType, loc?: SourceLoc, safe = false, name = "v"): Var | null {
    const result = type.kind === "void" ? null : newVar(type, name);
    // (a spread of `{ loc }` would copy through a temporary object for every op)
    const o: Op = loc ? { op, args, result, attrs, loc } : { op, args, result, attrs };
    this.cur.ops.push(o);
    if (safe) this.safeOps.add(o);
    this.emitted++;
    return result;
  }

  private close(e: Block["exit"]): void {
    this.cur.exit = e;
    this.emitted++;
  }

  /** Branch on a residual condition: the true side continues in the current flow, the false side runs `onFail`. */
  private guard(cond: Var, onFail: () => void): void {
    const ok = this.newBlock([]);
    const bad = this.newBlock([]);
    this.close({ kind: "branch", cond, ifTrue: { target: ok, args: [] }, ifFalse: { target: bad, args: [] } });
    this.cur = bad;
    onFail();
    this.cur = ok;
  }

  private warn(msg: string): void {
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  /**
   * The residual value of an abstract value: virtuals are materialized, shadowed frames are used by
   * reference (added to `touched`; null when the caller does not need to know).
   */
  private rv(a0: Abs, touched: Set<VFrame> | null): Value {
    const a = resolve(a0);
    switch (a.k) {
      case "const":
        return a.c;
      case "red":
        return a.v;
      case "virt":
        return this.materialize(a.o, touched);
      case "vable":
        touched?.add(a.f);
        return a.f.info.ptr;
      case "varr":
        touched?.add(a.f);
        return (a.f.info.arrays[a.a] as { ref: Var }).ref;
    }
  }

  private materialize(o: VObj, touched: Set<VFrame> | null): Var {
    const fix: { o: VObj; i: number; t: VObj }[] = [];
    const r = this.mat(o, touched, fix, new Set());
    for (const x of fix) {
      if (x.o.kind === "struct")
        this.emit(
          "setfield",
          [x.o.mat as Var, x.t.mat as Var],
          { type: x.o.type, field: (allFields(this.p, x.o.type)[x.i] as { name: string }).name },
          VOID,
        );
      else this.emit("setitem", [x.o.mat as Var, constant(I32, x.i), x.t.mat as Var], { type: x.o.type }, VOID);
    }
    return r;
  }

  private mat(o: VObj, touched: Set<VFrame> | null, fix: { o: VObj; i: number; t: VObj }[], busy: Set<VObj>): Var {
    if (o.mat) return o.mat;
    busy.add(o);
    const types = o.kind === "struct" ? allFields(this.p, o.type).map((f) => f.type) : o.vals.map(() => this.itemType(o.type));
    const vals: Value[] = o.vals.map((v0, i) => {
      const v = resolve(v0);
      if (v.k === "virt") {
        if (busy.has(v.o)) {
          fix.push({ o, i, t: v.o });
          return zeroConst(types[i] as LLType);
        }
        return this.mat(v.o, touched, fix, busy);
      }
      return this.rv(v, touched);
    });
    const t = ref(o.type);
    let r: Var;
    if (o.kind === "struct") {
      r = this.emit("new", vals.every(isZeroValue) ? [] : vals, { type: o.type }, t) as Var;
    } else {
      const nonZero = vals.filter((v) => !isZeroValue(v)).length;
      if (arrayDef(this.p, o.type)?.mutable !== false && nonZero * 2 < vals.length) {
        r = this.emit("newarray", [constant(I32, vals.length)], { type: o.type }, t) as Var;
        vals.forEach((v, k) => {
          if (!isZeroValue(v)) this.emit("setitem", [r, constant(I32, k), v], { type: o.type }, VOID);
        });
      } else r = this.emit("newarray_init", vals, { type: o.type }, t) as Var;
    }
    o.mat = r;
    busy.delete(o);
    return r;
  }

  private itemType(arr: string): LLType {
    const a = arrayDef(this.p, arr);
    return a ? itemValueType(a.item) : I32;
  }

  private slotOf(r: SlotRef): Slot {
    return (r.arr < 0 ? r.f.fields[r.i] : (r.f.arrays[r.arr] as Slot[])[r.i]) as Slot;
  }

  private setSlot(r: SlotRef, sl: Slot): void {
    if (r.arr < 0) r.f.fields[r.i] = sl;
    else (r.f.arrays[r.arr] as Slot[])[r.i] = sl;
  }

  /** Emit the read of a shadowed field or item (it becomes clean). */
  private readSlot(r: SlotRef): Var {
    const info = r.f.info;
    let v: Var;
    if (r.arr < 0) {
      const fd = info.fields[r.i] as { name: string; type: LLType };
      v = this.emit("getfield", [info.ptr], { type: info.struct, field: fd.name }, fd.type, undefined, true, fd.name) as Var;
    } else {
      const a = info.arrays[r.arr] as VFrameInfo["arrays"][number];
      v = this.emit("getitem", [a.ref, constant(I32, r.i)], { type: a.type }, a.item, undefined, true, `${a.field}${r.i}`) as Var;
    }
    this.setSlot(r, { s: "c", v: redAbs(v) });
    return v;
  }

  /** Emit the write-back of a dirty shadowed field or item (it becomes clean). */
  private writeSlot(r: SlotRef): void {
    const sl = this.slotOf(r);
    if (sl.s !== "d") return;
    const info = r.f.info;
    const v = this.rv(sl.v, null);
    if (r.arr < 0) {
      const fname = (info.fields[r.i] as { name: string }).name;
      this.emit("setfield", [info.ptr, v], { type: info.struct, field: fname }, VOID);
      this.forget(`m:f:${fname}:`);
    } else {
      const a = info.arrays[r.arr] as VFrameInfo["arrays"][number];
      this.emit("setitem", [a.ref, constant(I32, r.i), v], { type: a.type }, VOID);
      this.forget(`m:i:${a.type}:`);
    }
    this.setSlot(r, { s: "c", v: resolve(sl.v) });
  }

  private flush(f: VFrame): void {
    f.fields.forEach((_, i) => {
      this.writeSlot({ f, arr: -1, i });
    });
    for (let ai = 0; ai < f.arrays.length; ai++) this.flushArray(f, ai);
  }

  private invalidate(f: VFrame): void {
    f.fields.fill(UNREAD);
    for (const arr of f.arrays) arr.fill(UNREAD);
  }

  /** Emit an op on residual values; frames passed to it are written back before and forgotten after. */
  private residual(f: SFrame, o: Op, args: Abs[], attrs: Op["attrs"] = o.attrs, opName: Op["op"] = o.op): Abs | null {
    // constants and red values need no work (nor a set of the frames touched)
    let touched: Set<VFrame> | null = null;
    const vals: Value[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) {
      const a = resolve(args[i] as Abs);
      if (a.k === "const") vals[i] = a.c;
      else if (a.k === "red") vals[i] = a.v;
      else {
        touched ??= new Set<VFrame>();
        vals[i] = this.rv(a, touched);
      }
    }
    if (touched) for (const t of touched) this.flush(t);
    const type = o.result ? o.result.type : VOID;
    const r = this.emit(opName, vals, attrs, type, o.loc, false, o.result?.name ?? "v");
    if (touched) for (const t of touched) this.invalidate(t);
    // calls may write anything; the standard host functions (src/ir/hosts.ts) write no LL object
    if (opName === "call" || opName === "call_ref" || (opName === "call_host" && !Object.hasOwn(STD_HOSTS, attrs.callee ?? "")))
      this.forget("m:");
    else if (opName === "arraycopy") this.forget(`m:i:${attrs.type}:`);
    void f;
    return r ? redAbs(r) : null;
  }

  // ---- what residual code has read or written along this path -----------------------------------
  // Keys: `<id>.<field>` and `<id>.#len` for values that never change; `m:f:<field>:<object>` and
  // `m:i:<array type>:<array>:<index>` for mutable fields and items, forgotten when a write may
  // alias them (any object with that field name / any array of that type) or a call may change them.

  private objKey(a: Abs): string | null {
    if (a.k === "red") return `v${a.v.id}`;
    if (a.k === "const" && a.c.value !== null && typeof a.c.value === "object" && "obj" in a.c.value) return `#${constKey(a.c)}`;
    return null;
  }

  private forget(prefix: string): void {
    const known = this.st?.known;
    if (!known) return;
    for (const k of known.keys()) if (k.startsWith(prefix)) known.delete(k); // deleting while iterating is safe for Maps
  }

  private learn(key: string, a: Abs | null): void {
    if (a && this.st) (this.st.known ??= new Map()).set(key, resolve(a));
  }

  private recall(key: string): Abs | undefined {
    return this.st?.known?.get(key);
  }

  /** A read of a mutable field or item: the value last written or read along this path, else the residual op. */
  private cachedRead(key: string | null, read: () => Abs | null): Abs | null {
    if (key === null) return read();
    const seen = this.recall(key);
    if (seen) return seen;
    const v = read();
    this.learn(key, v);
    return v;
  }

  private itemKey(aname: string, arr: Abs, ix: Abs): string | null {
    const ak = this.objKey(arr);
    const ik = ix.k === "const" ? `c${String(ix.c.value)}` : ix.k === "red" ? `v${ix.v.id}` : null;
    return ak === null || ik === null ? null : `m:i:${aname}:${ak}:${ik}`;
  }

  /** After a write of `v` to item `ix` of `arr`: forget every item of that array type, remember this one. */
  private wroteItem(aname: string, arr: Abs, ix: Abs, v: Abs): void {
    this.forget(`m:i:${aname}:`);
    const key = this.itemKey(aname, arr, ix);
    if (key === null) return;
    const def = arrayDef(this.p, aname);
    const rv = resolve(v);
    if (def?.item.kind === "u8") {
      // a byte array keeps v & 255
      if (rv.k === "const") this.learn(key, constAbs(constant(I32, (rv.c.value as number) & 255)));
      return;
    }
    this.learn(key, rv);
  }

  /** After a write of `v` to field `fname` of `obj`: forget that field of every object, remember this one. */
  private wroteField(fname: string, obj: Abs, v: Abs): void {
    this.forget(`m:f:${fname}:`);
    const ok = this.objKey(obj);
    if (ok !== null) this.learn(`m:f:${fname}:${ok}`, v);
  }

  /** Emit an op that only compares references (no access to the frames' contents). */
  private residualPlain(o: Op, args: Abs[]): Abs {
    const vals = args.map((a0) => {
      const a = resolve(a0);
      if (a.k === "vable") return a.f.info.ptr;
      if (a.k === "varr") return (a.f.info.arrays[a.a] as { ref: Var }).ref;
      return this.rv(a, null);
    });
    return redAbs(this.emit(o.op, vals, o.attrs, (o.result as Var).type, o.loc, false, (o.result as Var).name) as Var);
  }

  // ---- exits -----------------------------------------------------------------------------------

  /** Leave to the interpreter from state `s` (its top frame's block and op is where it continues). */
  private exitHere(s: State, reason: ExitReason, detail: string, promoted?: Var): void {
    const index = this.exits.length;
    const made = exitFromState(this.p, s, {
      index,
      graph: freshGraphName(this.p, `${this.rg.name}.exit${index}`),
      reason,
      detail,
    });
    const leaves = made.leaves;
    let info = made.info;
    const leaf = promoted === undefined ? -1 : leaves.indexOf(promoted);
    if (leaf >= 0) {
      const f = top(s);
      info = {
        ...info,
        promoted: {
          leaf,
          graph: f.ctx.ng.name,
          block: f.block.label,
          op: f.op,
          stack: s.frames.map((fr) => fr.ctx.ng.name),
          guest: s.guest ? guestKey(s.guest) : null,
        },
      };
    }
    const eg = buildExitGraph(this.p, info, this.rg.result);
    this.p.graphs.set(eg.name, eg);
    this.support.push(eg);
    for (const fr of info.frames) {
      const cg = this.p.graphs.get(fr.cont) as Graph;
      if (!this.support.includes(cg)) this.support.push(cg);
    }
    this.exits.push(info);
    const r = this.emit("call", leaves, { callee: eg.name }, this.rg.result, undefined, false, "r");
    this.close({ kind: "return", value: r });
  }

  // ---- ops -------------------------------------------------------------------------------------

  private val(f: SFrame, v: Value): Abs {
    if (v.kind === "const") return constAbs(v);
    const a = f.env.get(v);
    if (!a) throw new PEError(`internal: '${v.name}' has no value in '${f.ctx.ng.name}', block '${f.block.label}'`);
    return resolve(a);
  }

  private set(f: SFrame, o: Op, a: Abs | null): Flow {
    if (o.result) {
      if (!a) throw new PEError(`internal: no value for the result of ${o.op}`);
      f.env.add(o.result, a);
    }
    f.op++;
    return "go";
  }

  private evalOp(s: State, f: SFrame, o: Op): Flow {
    const n = o.args.length;
    const args: Abs[] = new Array(n);
    let consts = true;
    for (let i = 0; i < n; i++) {
      const a = this.val(f, o.args[i] as Value);
      args[i] = a;
      if (a.k !== "const") consts = false;
    }
    if (SCALAR.has(o.op)) {
      if (consts) {
        try {
          // (evalScalar without an array of arguments for the usual one or two)
          const fn = SCALAR_OPS[o.op as ScalarOpName].fn as (...a: Scalar[]) => Scalar;
          let r: Scalar;
          if (n === 1) r = fn((args[0] as { c: Const }).c.value as Scalar);
          else if (n === 2) r = fn((args[0] as { c: Const }).c.value as Scalar, (args[1] as { c: Const }).c.value as Scalar);
          else {
            const xs: Scalar[] = new Array(n);
            for (let i = 0; i < n; i++) xs[i] = (args[i] as { c: Const }).c.value as Scalar;
            r = evalScalar(o.op as ScalarOpName, xs);
          }
          return this.set(f, o, constAbs(toConst(r, (o.result as Var).type)));
        } catch (e) {
          if (!(e instanceof ScalarError)) throw e;
        }
      }
      return this.set(f, o, this.residual(f, o, args));
    }
    const a0 = args[0] as Abs;
    switch (o.op) {
      case "same_as":
        return this.set(f, o, a0);
      case "can_enter_jit": {
        const k = o.attrs.callee === this.driver.name ? this.greensAt(f, o) : null;
        if (k !== null) k.loopHead = true;
        if (k !== null && k === this.entryGreens) this.forks.get(s)?.closes.add(s);
        // (a callee is specialized whole: its entry and loops have no code of their own in it)
        if (k !== null && k !== this.entryGreens && s.frames.length === 1 && this.opts.compiled && !this.isCallee && !k.reached) {
          if (this.opts.compiled(this.greenValues(f, o))) {
            this.exitHere(s, "loop", "a loop header with compiled code");
            return "end";
          }
        }
        f.op++;
        return "go";
      }
      case "assert_green":
      case "jit_merge_point":
        f.op++;
        return "go";
      case "is_constant":
        return this.set(f, o, constAbs(constant(BOOL, a0.k === "const")));
      case "promote":
        return this.promote(s, f, o, a0);
      case "new": {
        const fields = allFields(this.p, o.attrs.type as string);
        const vals = args.length > 0 ? args : fields.map((fd) => constAbs(zeroConst(fd.type)));
        return this.set(f, o, { k: "virt", o: { kind: "struct", type: o.attrs.type as string, vals, mat: null } });
      }
      case "newarray": {
        const n = a0.k === "const" ? (a0.c.value as number) : -1;
        if (n >= 0 && n <= (this.opts.virtualArrayMax ?? 1024)) {
          const z = constAbs(zeroConst(this.itemType(o.attrs.type as string)));
          return this.set(f, o, {
            k: "virt",
            o: { kind: "array", type: o.attrs.type as string, vals: new Array<Abs>(n).fill(z), mat: null },
          });
        }
        return this.set(f, o, this.residual(f, o, args));
      }
      case "newarray_init":
        return this.set(f, o, { k: "virt", o: { kind: "array", type: o.attrs.type as string, vals: args, mat: null } });
      case "getfield":
        return this.set(f, o, this.getfield(s, f, o, a0));
      case "setfield":
        this.setfield(f, o, a0, args[1] as Abs);
        f.op++;
        return "go";
      case "getitem":
        return this.set(f, o, this.getitem(f, o, a0, args[1] as Abs));
      case "setitem":
        this.setitem(f, o, a0, args[1] as Abs, args[2] as Abs);
        f.op++;
        return "go";
      case "arraylen":
        return this.set(f, o, this.arraylen(s, f, o, a0));
      case "ref_is_null":
        if (a0.k === "const") return this.set(f, o, constAbs(constant(BOOL, a0.c.value === null)));
        if (a0.k !== "red") return this.set(f, o, constAbs(constant(BOOL, false)));
        return this.set(f, o, this.residualPlain(o, args));
      case "ref_eq":
        return this.set(f, o, this.refEq(o, a0, args[1] as Abs));
      case "ref_test":
        return this.set(f, o, this.refTest(o, a0));
      case "ref_cast":
        return this.set(f, o, this.refCast(f, o, a0));
      case "call":
        return this.call(s, f, o, o.attrs.callee as string, args);
      case "call_ref":
        if (a0.k === "const" && a0.c.value !== null && typeof a0.c.value === "object" && "fn" in a0.c.value)
          return this.call(s, f, o, a0.c.value.fn, args.slice(1));
        return this.set(f, o, this.residual(f, o, args));
      case "getglobal": {
        const gl = this.p.globals.get(o.attrs.callee as string);
        if (gl && !gl.mutable) return this.set(f, o, constAbs(gl.init));
        return this.set(f, o, this.residual(f, o, args));
      }
      default:
        // call_host, setglobal, arraycopy and anything else: residual
        return this.set(f, o, this.residual(f, o, args));
    }
  }

  private getfield(s: State, f: SFrame, o: Op, obj: Abs): Abs {
    const sname = o.attrs.type as string;
    const fname = o.attrs.field as string;
    switch (obj.k) {
      case "red": {
        if (findField(this.p, sname, fname)?.mutable !== false) break;
        return this.remember(s, `${obj.v.id}.${fname}`, () => this.residual(f, o, [obj]) as Abs);
      }
      case "const": {
        const fd = findField(this.p, sname, fname);
        if (obj.c.value !== null && fd && !fd.mutable)
          return constAbs(toConst(this.heap.getField(fromConst(obj.c) as HeapRef, sname, fname), fd.type));
        break;
      }
      case "virt": {
        const i = allFields(this.p, obj.o.type).findIndex((fd) => fd.name === fname);
        if (i >= 0) return resolve(obj.o.vals[i] as Abs);
        break;
      }
      case "vable": {
        const info = obj.f.info;
        const fi = info.fields.findIndex((fd) => fd.name === fname);
        if (fi >= 0) {
          const sl = obj.f.fields[fi] as Slot;
          return sl.s === "u" ? redAbs(this.readSlot({ f: obj.f, arr: -1, i: fi })) : resolve(sl.v);
        }
        const ai = info.arrays.findIndex((a) => a.field === fname);
        if (ai >= 0) return { k: "varr", f: obj.f, a: ai };
        if (findField(this.p, sname, fname)?.mutable === false)
          return this.remember(s, `${info.ptr.id}.${fname}`, () => this.residualPlain(o, [obj]));
        return this.cachedRead(`m:f:${fname}:v${info.ptr.id}`, () => this.residualPlain(o, [obj])) as Abs;
      }
    }
    const ok = obj.k === "red" || obj.k === "const" ? this.objKey(obj) : null;
    return this.cachedRead(ok === null ? null : `m:f:${fname}:${ok}`, () => this.residual(f, o, [obj])) as Abs;
  }

  private setfield(f: SFrame, o: Op, obj: Abs, v: Abs): void {
    const fname = o.attrs.field as string;
    if (obj.k === "virt") {
      const i = allFields(this.p, obj.o.type).findIndex((fd) => fd.name === fname);
      if (i >= 0) {
        obj.o.vals[i] = v;
        return;
      }
    }
    if (obj.k === "vable") {
      const info = obj.f.info;
      const fi = info.fields.findIndex((fd) => fd.name === fname);
      if (fi >= 0) {
        obj.f.fields[fi] = { s: "d", v };
        return;
      }
      if (info.arrays.some((a) => a.field === fname))
        throw new PEError(
          `${opPlace(f.ctx.ng, f.block, f.op, o)}: setfield replaces the virtualizable array '${fname}' of '${info.struct}'`,
        );
      const touched = new Set<VFrame>();
      const val = this.rv(v, touched);
      for (const t of touched) this.flush(t);
      this.emit("setfield", [info.ptr, val], o.attrs, VOID, o.loc);
      for (const t of touched) this.invalidate(t);
      this.wroteField(fname, redAbs(info.ptr), v);
      return;
    }
    this.residual(f, o, [obj, v]);
    this.wroteField(fname, obj, v);
  }

  private getitem(f: SFrame, o: Op, arr: Abs, ix: Abs): Abs {
    const aname = o.attrs.type as string;
    const i = ix.k === "const" ? (ix.c.value as number) : -1;
    switch (arr.k) {
      case "const": {
        const def = arrayDef(this.p, aname);
        if (arr.c.value !== null && def && !def.mutable && ix.k === "const") {
          const h = fromConst(arr.c) as HeapRef;
          if (i >= 0 && i < this.heap.length(h, aname)) return constAbs(toConst(this.heap.getItem(h, aname, i), itemValueType(def.item)));
        }
        break;
      }
      case "virt":
        if (ix.k === "const" && i >= 0 && i < arr.o.vals.length) return resolve(arr.o.vals[i] as Abs);
        break;
      case "varr": {
        const slots = arr.f.arrays[arr.a] as Slot[];
        if (ix.k === "const" && i >= 0 && i < slots.length) {
          const sl = slots[i] as Slot;
          return sl.s === "u" ? redAbs(this.readSlot({ f: arr.f, arr: arr.a, i })) : resolve(sl.v);
        }
        if (ix.k !== "const") this.flushArray(arr.f, arr.a);
        return this.residualPlain(o, [arr, ix]);
      }
    }
    return this.cachedRead(arr.k === "red" || arr.k === "const" ? this.itemKey(aname, arr, ix) : null, () =>
      this.residual(f, o, [arr, ix]),
    ) as Abs;
  }

  private flushArray(vf: VFrame, ai: number): void {
    (vf.arrays[ai] as Slot[]).forEach((_, i) => {
      this.writeSlot({ f: vf, arr: ai, i });
    });
  }

  private setitem(f: SFrame, o: Op, arr: Abs, ix: Abs, v: Abs): void {
    const i = ix.k === "const" ? (ix.c.value as number) : -1;
    if (arr.k === "virt" && ix.k === "const" && i >= 0 && i < arr.o.vals.length) {
      arr.o.vals[i] = v;
      return;
    }
    if (arr.k === "varr") {
      const slots = arr.f.arrays[arr.a] as Slot[];
      if (ix.k === "const" && i >= 0 && i < slots.length) {
        slots[i] = { s: "d", v };
        return;
      }
      this.flushArray(arr.f, arr.a);
      const touched = new Set<VFrame>();
      const vals = [(arr.f.info.arrays[arr.a] as { ref: Var }).ref, this.rv(ix, touched), this.rv(v, touched)];
      for (const t of touched) this.flush(t);
      this.emit("setitem", vals, o.attrs, VOID, o.loc);
      for (const t of touched) this.invalidate(t);
      slots.fill(UNREAD);
      this.forget(`m:i:${o.attrs.type}:`);
      return;
    }
    this.residual(f, o, [arr, ix, v]);
    this.wroteItem(o.attrs.type as string, arr, ix, v);
  }

  private arraylen(s: State, f: SFrame, o: Op, arr: Abs): Abs {
    if (arr.k === "const" && arr.c.value !== null)
      return constAbs(constant(I32, this.heap.length(fromConst(arr.c) as HeapRef, o.attrs.type as string)));
    if (arr.k === "virt") return constAbs(constant(I32, arr.o.vals.length));
    if (arr.k === "varr") return constAbs(constant(I32, (arr.f.info.arrays[arr.a] as { len: number }).len));
    if (arr.k === "red") return this.remember(s, `${arr.v.id}.#len`, () => this.residual(f, o, [arr]) as Abs);
    return this.residual(f, o, [arr]) as Abs;
  }

  /** A value that cannot change (an immutable field, a length), read once along a path. */
  private remember(s: State, key: string, read: () => Abs): Abs {
    const known = s.known?.get(key);
    if (known) return known;
    const v = read();
    (s.known ??= new Map()).set(key, v);
    return v;
  }

  private refEq(o: Op, a: Abs, b: Abs): Abs {
    const yes = (x: boolean): Abs => constAbs(constant(BOOL, x));
    if (a.k === "const" && b.k === "const") {
      const x = fromConst(a.c);
      const y = fromConst(b.c);
      if (x === null || y === null) return yes(x === y);
      if (typeof x === "object" && typeof y === "object" && "fn" in x && "fn" in y)
        return yes((x as { fn: string }).fn === (y as { fn: string }).fn);
      return yes(x === y);
    }
    if (a.k === "virt" || b.k === "virt") return yes(a.k === "virt" && b.k === "virt" && a.o === b.o);
    if (a.k === "vable" && b.k === "vable") return yes(a.f === b.f);
    if (a.k === "varr" && b.k === "varr") return yes(a.f === b.f && a.a === b.a);
    if ((a.k === "vable" && b.k === "varr") || (a.k === "varr" && b.k === "vable")) return yes(false);
    if ((a.k === "const" && a.c.value === null && b.k !== "red") || (b.k === "const" && b.c.value === null && a.k !== "red"))
      return yes(false);
    return this.residualPlain(o, [a, b]);
  }

  private refTest(o: Op, x: Abs): Abs {
    const s = o.attrs.type as string;
    const yes = (v: boolean): Abs => constAbs(constant(BOOL, v));
    if (x.k === "const") {
      if (x.c.value === null) return yes(false);
      return yes(isSubStruct(this.p, this.heap.typeName(fromConst(x.c) as HeapRef), s));
    }
    if (x.k === "virt") return yes(x.o.kind === "struct" && isSubStruct(this.p, x.o.type, s));
    if (x.k === "varr") return yes(false);
    return this.residualPlain(o, [x]);
  }

  private refCast(f: SFrame, o: Op, x: Abs): Abs {
    const s = o.attrs.type as string;
    if (x.k === "const" && (x.c.value === null || isSubStruct(this.p, this.heap.typeName(fromConst(x.c) as HeapRef), s))) return x;
    if (x.k === "virt" && x.o.kind === "struct" && isSubStruct(this.p, x.o.type, s)) return x;
    if (x.k === "vable" && isSubStruct(this.p, x.f.info.struct, s)) return x;
    return this.residual(f, o, [x]) as Abs;
  }

  private promote(s: State, f: SFrame, o: Op, x: Abs): Flow {
    if (x.k !== "red") return this.set(f, o, x);
    const site: PromoteSite = {
      graph: f.ctx.ng.name,
      block: f.block.label,
      op: f.op,
      ...(o.loc ? { loc: o.loc } : {}),
      type: x.v.type,
      stack: s.frames.map((fr) => fr.ctx.ng.name),
      ...(s.guest && guestKey(s.guest) ? { guest: guestKey(s.guest) } : {}),
    };
    const seen = this.opts.promote?.(site);
    const values: LLValue[] = seen === undefined ? [] : Array.isArray(seen) ? [...(seen as LLValue[])] : [seen as LLValue];
    const where = opPlace(f.ctx.ng, f.block, f.op, o);
    if (values.length === 0) {
      this.exitHere(s, "promote", `no value known for the promote at ${where}`, x.v);
      return "end";
    }
    const t = x.v.type;
    for (const v of values) {
      const c = toConst(v, t);
      const cond = this.eqTest(x.v, c);
      const yes = this.newBlock([]);
      const no = this.newBlock([]);
      this.close({ kind: "branch", cond, ifTrue: { target: yes, args: [] }, ifFalse: { target: no, args: [] } });
      const s2 = forkState(s);
      const f2 = top(s2);
      f2.env.set(o.result as Var, constAbs(c));
      f2.op++;
      this.queue.push({ state: s2, block: yes, atEntry: false });
      this.cur = no;
    }
    this.exitHere(s, "promote", `the value at the promote at ${where} is not one specialized for`, x.v);
    return "end";
  }

  private eqTest(x: Var, c: Const): Var {
    switch (x.type.kind) {
      case "i32":
        return this.emit("int_eq", [x, c], {}, BOOL) as Var;
      case "i64":
        return this.emit("llong_eq", [x, c], {}, BOOL) as Var;
      case "bool":
        return this.emit("bool_eq", [x, c], {}, BOOL) as Var;
      case "f64":
        if (Number.isNaN(c.value as number)) return this.emit("float_ne", [x, x], {}, BOOL) as Var;
        return this.emit("float_eq", [x, c], {}, BOOL) as Var;
      default:
        return this.emit("ref_eq", [x, c], {}, BOOL) as Var;
    }
  }

  private call(s: State, f: SFrame, o: Op, name: string, args: Abs[]): Flow {
    const g = this.p.graphs.get(name);
    if (!g) throw new PEError(`${opPlace(f.ctx.ng, f.block, f.op, o)}: call to unknown graph '${name}'`);
    const residualCall = (): Flow => {
      const attrs = { callee: name };
      return this.set(f, o, this.residual(f, o, args, attrs, "call"));
    };
    if (g === this.portal) {
      const direct = this.directCall(s, f, o, args);
      if (direct) return direct;
    }
    if (g === this.portal || g.flags.portal || g.flags.dontLookInside) return residualCall();
    if (g.flags.elidable && this.opts.call && args.every((a) => a.k === "const")) {
      let r: LLValue;
      try {
        r = this.opts.call(
          name,
          args.map((a) => fromConst((a as { c: Const }).c)),
        );
      } catch {
        return residualCall();
      }
      return this.set(f, o, o.result ? constAbs(toConst(r, o.result.type)) : null);
    }
    if (s.frames.some((fr) => fr.ctx.ng.orig === g) || s.frames.length >= (this.opts.inlineDepth ?? 24)) return residualCall();
    // inline: a new frame at the callee's start
    const mask = o.args.map((a) => a.kind === "const" || !f.ctx.red.has(a));
    const ctx = this.bt.contextFor(g, mask);
    const start = ctx.ng.graph.blocks[0] as Block;
    const env = new Env();
    start.params.forEach((pv, i) => {
      env.add(pv, args[i] as Abs);
    });
    s.frames.push({ ctx, block: start, op: 0, env });
    return this.blockEntry(s);
  }

  /**
   * A call of the portal as a direct call of the portal specialized from its start (see
   * `maxCallees`), or null when it stays an ordinary call: no argument is virtual, one reaches a
   * virtualizable frame, a virtual argument is still used after the call, the greens reaching the
   * callee's merge points would not be constant, or the compilation has its most callees.
   */
  private directCall(s: State, f: SFrame, o: Op, args: Abs[]): Flow | null {
    const max = this.opts.maxCallees ?? 8;
    const table = this.callees;
    if (max <= 0 || !args.some((a) => resolve(a).k === "virt")) return null;
    // the virtual objects passed (the callee gets copies of their contents): nothing may reach
    // them after the call, and they may not hold a virtualizable frame
    const passed = new Set<VObj>();
    let shadowed = false;
    const collect = (a0: Abs): void => {
      const a = resolve(a0);
      if (a.k === "vable" || a.k === "varr") shadowed = true;
      if (a.k !== "virt" || passed.has(a.o)) return;
      passed.add(a.o);
      for (const v of a.o.vals) collect(v);
    };
    for (const a of args) collect(a);
    if (shadowed) return null;
    const seen = new Set<VObj>();
    const reaches = (a0: Abs): boolean => {
      const a = resolve(a0);
      if (a.k !== "virt" || seen.has(a.o)) return false;
      if (passed.has(a.o)) return true;
      seen.add(a.o);
      return a.o.vals.some(reaches);
    };
    const liveAfter = liveAtPoint(f.block, f.op + 1);
    const used = (fr: SFrame, v: Var): boolean => {
      const a = fr.env.get(v);
      return a !== undefined && reaches(a);
    };
    for (const v of liveAfter) if (v !== o.result && used(f, v)) return null;
    for (let i = 0; i < s.frames.length - 1; i++) {
      const fr = s.frames[i] as SFrame;
      for (const v of keyVars(s, i)) if (used(fr, v)) return null;
    }
    for (const vf of s.vables) {
      for (const sl of vf.fields) if (sl.s !== "u" && reaches(sl.v)) return null;
      for (const arr of vf.arrays) for (const sl of arr) if (sl.s !== "u" && reaches(sl.v)) return null;
    }
    const mask = o.args.map((a) => a.kind === "const" || !f.ctx.red.has(a));
    const ctx = this.bt.portalEntryContext(mask);
    if (!ctx) return null;
    const start = ctx.ng.graph.blocks[0] as Block;
    const env = new Env();
    start.params.forEach((pv, i) => {
      env.set(pv, args[i] as Abs);
    });
    const entry: State = { frames: [{ ctx, block: start, op: 0, env }], vables: [], known: null, guest: null };
    const points = framePoints(entry);
    // the entry's green parameters are kept (it is the only frame)
    const key = prefixNode(pointNode(table.byPrefix, points), entry, points, true);
    const list = (key.data ??= []);
    let target = list.find((v) => sameShape(entry, points, true, true, v.shape));
    let plan = target ? fit(entry, points, target.shape) : null;
    if (!plan)
      for (const v of list) {
        plan = fit(entry, points, v.shape);
        if (plan) {
          target = v;
          break;
        }
      }
    if (!plan) {
      if (table.done.length >= max || table.emitted >= this.budget) return null;
      // the first version keeps the constants it was called with; a later one that does not fit
      // it is made general enough for both (so `f(n - 1)` from `f(10)` does not make f(9), f(8)...)
      let shape = generalize(this.p, entry, points, true, true);
      if (list.length > 0) {
        const joined = list.reduce((acc, v) => join(this.p, points, [], acc, v.shape), shape);
        if (fit(entry, points, joined)) shape = joined;
      }
      const params = leafTypes(shape).map((t, i) => newVar(t, paramName(i)));
      const name = freshGraphName(this.p, `${table.root}.call${table.done.length + 1}`);
      target = { shape, graph: name };
      list.push(target);
      const sub = new Specializer(this.p, this.portal.name, { ...this.opts, name }, { callees: table, ctx });
      const r = sub.runCallee(rebuild(points, shape, [], params), params);
      table.done.push(r);
      table.emitted += r.stats.emitted;
      plan = fit(entry, points, shape);
      if (!plan) throw new PEError("internal: a call does not fit its callee's own shape");
    }
    const vals = plan.args.map((a) => this.rv((a as { a: Abs }).a, null));
    const r = this.emit(
      "call",
      vals,
      { callee: (target as { graph: string }).graph },
      o.result ? o.result.type : VOID,
      o.loc,
      false,
      o.result?.name ?? "v",
    );
    this.forget("m:");
    return this.set(f, o, r ? redAbs(r) : null);
  }

  // ---- block exits -----------------------------------------------------------------------------

  /**
   * Move frame `f` along link `l`: its variables become the target's parameters. (A frame's `Env`
   * is its own, so it is reused: the arguments are evaluated first.)
   */
  private bind(f: SFrame, l: Link): void {
    const ps = l.target.params;
    const n = ps.length;
    const vals = n <= BIND_ARGS.length ? BIND_ARGS : new Array<Abs>(n);
    for (let i = 0; i < n; i++) vals[i] = this.val(f, l.args[i] as Value);
    const env = f.env;
    env.reset();
    for (let i = 0; i < n; i++) env.add(ps[i] as Var, vals[i] as Abs);
    f.block = l.target;
    f.op = 0;
  }

  private evalExit(s: State, f: SFrame): Flow {
    const e = f.block.exit;
    switch (e.kind) {
      case "jump":
        this.bind(f, e.link);
        return this.blockEntry(s);
      case "branch": {
        const c = this.val(f, e.cond);
        if (c.k === "const") {
          this.bind(f, c.c.value ? e.ifTrue : e.ifFalse);
          return this.blockEntry(s);
        }
        const yes = this.newBlock([]);
        const no = this.newBlock([]);
        this.close({ kind: "branch", cond: this.rv(c, null), ifTrue: { target: yes, args: [] }, ifFalse: { target: no, args: [] } });
        // A check (one side only raises a guest error, which ends the run): that side is its
        // raise, and the state goes on along the other side, neither copied nor queued.
        const failsT = guestError(e.ifTrue.target);
        const failsF = guestError(e.ifFalse.target);
        if ((failsT === null) !== (failsF === null)) {
          this.cur = failsT ? yes : no;
          this.close({ kind: "raise", value: (failsT ?? failsF) as Const });
          this.cur = failsT ? no : yes;
          this.bind(f, failsT ? e.ifFalse : e.ifTrue);
          return this.blockEntry(s);
        }
        this.fork(s, [e.ifTrue, e.ifFalse], [yes, no]);
        return "end";
      }
      case "switch": {
        const v = this.val(f, e.value);
        if (v.k === "const") {
          const n = v.c.value as number;
          let link = e.default;
          for (let i = 0; i < e.cases.length; i++) {
            const c = e.cases[i] as (typeof e.cases)[number];
            if (c.value === n) {
              link = c.link;
              break;
            }
          }
          this.bind(f, link);
          return this.blockEntry(s);
        }
        const links = [...e.cases.map((c) => c.link), e.default];
        const targets = links.map(() => this.newBlock([]));
        this.close({
          kind: "switch",
          value: this.rv(v, null),
          cases: e.cases.map((c, i) => ({ value: c.value, link: { target: targets[i] as Block, args: [] } })),
          default: { target: targets[targets.length - 1] as Block, args: [] },
        });
        this.fork(s, links, targets);
        return "end";
      }
      case "return": {
        const v = e.value ? this.val(f, e.value) : null;
        if (s.frames.length > 1) {
          s.frames.pop();
          const caller = top(s);
          const call = caller.block.ops[caller.op] as Op;
          if (call.result && v) caller.env.add(call.result, v);
          caller.op++;
          return "go";
        }
        const r = v ? this.rv(v, null) : null;
        for (const vf of s.vables) this.flush(vf);
        this.close({ kind: "return", value: r });
        return "end";
      }
      case "raise": {
        // Raises are not caught (the IR has no handlers): an i32 constant raised (a guest error,
        // reported by its message alone) ends the run the same way from residual code, with no
        // exit to the interpreter. Other raised values exit (their report names where they rose).
        const v = this.val(f, e.value);
        if (v.k === "const" && v.c.type.kind === "i32") {
          this.close({ kind: "raise", value: v.c });
          return "end";
        }
        this.exitHere(s, "raise", `the interpreter raises at ${opPlace(f.ctx.ng, f.block, f.block.ops.length, undefined)}`);
        return "end";
      }
      default:
        throw new PEError(`internal: block '${f.block.label}' of '${f.ctx.ng.name}' has no exit`);
    }
  }

  /** Queue each side of a residual branch/switch with its own copy of the state. */
  private fork(s: State, links: Link[], targets: Block[]): void {
    // In the portal, the sides of a red branch form a group until they reach a merge point (see
    // `leavesLoop`); branches nested in the same guest instruction join the group.
    const grp = this.entryGreens !== null && s.frames.length === 1 ? (this.forks.get(s) ?? { closes: new Set<State>() }) : undefined;
    links.forEach((l, i) => {
      const s2 = i === links.length - 1 ? s : forkState(s);
      if (grp) this.forks.set(s2, grp);
      this.bind(top(s2), l);
      this.queue.push({ state: s2, block: targets[i] as Block, atEntry: true });
    });
  }
}

const btCache = new WeakMap<Graph, BindingTimes>();

/** A scalar op's operand or result. */
type Scalar = number | bigint | boolean;

/** The names of the scalar ops (`isScalarOp`), as a set: looked up once per op evaluated. */
const SCALAR: ReadonlySet<string> = new Set(Object.keys(SCALAR_OPS));

/**
 * The binding-time analysis of a portal, made once per portal graph and driver: it is reused
 * for any program it holds for (the JIT gives each run its own copy of the program's graph
 * table, with the same interpreter graphs).
 */
function bindingTimes(p: Program, portal: Graph, d: DriverDef): BindingTimes {
  let bt = btCache.get(portal);
  if (!bt?.validFor(p, portal, d)) {
    // its own copy of the graph table: the cache does not keep the residual graphs added to `p` alive
    bt = new BindingTimes({ ...p, graphs: new Map(p.graphs) }, portal, d);
    btCache.set(portal, bt);
  }
  return bt;
}

/** The guest error a block raises and does nothing else (an i32 constant), or null. */
function guestError(b: Block): Const | null {
  const e = b.exit;
  return b.ops.length === 0 && e.kind === "raise" && e.value.kind === "const" && e.value.type.kind === "i32" ? e.value : null;
}

/** Where `bind` evaluates a link's arguments (before the frame's variables are replaced). */
const BIND_ARGS: Abs[] = new Array<Abs>(16).fill(constAbs(constant(BOOL, false)));

/** Names `<prefix><i>` made once per number (in `made`). */
function numberedName(made: string[], prefix: string, i: number): string {
  let n = made[i];
  if (n === undefined) {
    n = `${prefix}${i}`;
    made[i] = n;
  }
  return n;
}

/** Labels of residual blocks (`b<i>`), made once. */
const BLOCK_LABELS: string[] = [];
const blockLabel = (i: number): string => numberedName(BLOCK_LABELS, "b", i);

/** The exit of a residual block not closed yet. */
const NO_EXIT: Block["exit"] = { kind: "none" };

/** Names of the parameters of shared blocks (`x<i>`), made once. */
const LEAF_NAMES: string[] = [];
const paramName = (i: number): string => numberedName(LEAF_NAMES, "x", i);

function top(s: State): SFrame {
  return s.frames[s.frames.length - 1] as SFrame;
}

function isZeroValue(v: Value): boolean {
  if (v.kind !== "const") return false;
  const x = v.value;
  return x === null || x === false || x === 0n || (x === 0 && !Object.is(x, -0));
}

/** The virtualizable declarations of a struct (its own, else its nearest ancestor's). */
export function virtualizableFields(p: Program, struct: string): readonly string[] {
  let s = structDef(p, struct);
  const seen = new Set<string>();
  while (s && !seen.has(s.name)) {
    if (s.virtualizable && s.virtualizable.length > 0) return s.virtualizable;
    seen.add(s.name);
    s = s.parent ? structDef(p, s.parent) : undefined;
  }
  return [];
}
