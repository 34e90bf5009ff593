// Lowering of one LL graph to a Wasm function body: the structured code from cfg.ts, locals from
// regalloc.ts, and every LL op with exactly the meaning L3 gives it (src/ir/ops.ts): i32 ops wrap;
// int_div/int_mod check for a zero divisor ("division by zero") and INT_MIN / -1 is INT_MIN;
// _ovf ops check for "integer overflow"; cast_float_to_int is JS ToInt32 (exact for every f64);
// array indices are bounds-checked with L3's message. Checked failures call the runtime import
// `__error(kind, site, a, b, c)`, which throws the same LLError L3 would (the site names graph,
// block and op). Null dereferences are left to Wasm's own trap (free in V8) and mapped back to
// their site by the trap's code offset (see module.ts). JIT hints are no-ops here.

import type { Block, Const, Graph, Op, Program, Value, Var } from "../../ir/graph.ts";
import { graphParams, isSubStruct, locToString } from "../../ir/graph.ts";
import type { ScalarOpName } from "../../ir/ops.ts";
import { isScalarOp } from "../../ir/ops.ts";
import { expectedOperands, resultType } from "../../ir/typing.ts";
import type { LLType } from "../../ir/types.ts";
import { typeToString } from "../../ir/types.ts";
import type { FrameInfo } from "../../llinterp/interp.ts";
import type { FlowEdge, FlowNode, SNode } from "./cfg.ts";
import { buildFlow, describeNode, structure } from "./cfg.ts";
import type { FuncBody, ValType } from "./emitter.ts";
import { CodeWriter, FC, HT, I32T, I64T, F64T, OP, valTypeKey } from "./emitter.ts";
import type { Allocation, UsePlan } from "./regalloc.ts";
import { allocate } from "./regalloc.ts";
import type { Layout, ModuleTypes } from "./types.ts";
import { BackendError } from "./types.ts";

/** Error kinds passed to the `__error` runtime import (module.ts turns them into L3's messages). */
export const ERR = {
  bounds: 0,
  negativeLength: 1,
  divisionByZero: 2,
  overflow: 3,
  cast: 4,
  copyNegative: 5,
  copySource: 6,
  copyDest: 7,
} as const;

/** Runtime imports a function may need (created on demand by the module). */
export type RuntimeImport = "error" | "raise_i32" | "raise_bool" | "raise_i64" | "raise_f64" | "raise_ref" | "raise_fn";

/** The runtime import a `raise` of a value of type `t` calls. */
export function raiseImport(t: LLType): RuntimeImport {
  switch (t.kind) {
    case "i32":
      return "raise_i32";
    case "bool":
      return "raise_bool";
    case "i64":
      return "raise_i64";
    case "f64":
      return "raise_f64";
    case "fn":
      return "raise_fn";
    default:
      return "raise_ref";
  }
}

/** A place in the program where execution can fail: reported in the error like L3 reports it. */
export interface Site {
  readonly frame: FrameInfo;
  readonly op: Op | null;
}

/** An instruction that may trap (null dereference, allocation failure), by code offset. */
export interface TrapSite {
  /** Byte offset of the instruction from the start of the function's instructions. */
  readonly offset: number;
  readonly site: number;
  /** What L3 says after "null reference": e.g. "reading field 'Frame.pc'". */
  readonly what: string;
}

/** What a function lowering needs from the module being built. */
export interface ModuleContext {
  readonly program: Program;
  readonly layout: Layout;
  readonly types: ModuleTypes;
  /** The graph called by name (for signatures); defined or imported. */
  graph(name: string): Graph | undefined;
  /** Function index to call graph `name`. */
  funcIndex(name: string): number;
  hostIndex(name: string): number;
  globalIndex(name: string): number;
  runtime(name: RuntimeImport): number;
  /** Index of the internal type-id function: (anyref) -> i32. */
  typeIdFunc(): number;
  /** Global index holding a heap object constant (an imported global). */
  objectConst(obj: unknown, type: LLType): number;
  /** Global index holding a lifted constant (an imported global), if `c` is one (see compileLinkedModule). */
  liftedGlobal(c: Const): number | undefined;
  /** Note that `ref.func f` is used (functions must be declared). */
  declareRef(funcIdx: number): void;
  /** Register a failure site; returns its id. */
  site(s: Site): number;
}

export interface CompiledFunction {
  readonly body: FuncBody;
  readonly traps: TrapSite[];
  /** Locals before allocation (one per SSA value) and after. */
  readonly localsBefore: number;
  readonly localsAfter: number;
  readonly stackValues: number;
  readonly dispatches: number;
}

const SIMPLE_BIN: Partial<Record<ScalarOpName, number>> = {
  int_add: OP.i32_add,
  int_sub: OP.i32_sub,
  int_mul: OP.i32_mul,
  int_and: OP.i32_and,
  int_or: OP.i32_or,
  int_xor: OP.i32_xor,
  int_shl: OP.i32_shl,
  int_shr: OP.i32_shr_s,
  int_ushr: OP.i32_shr_u,
  int_eq: OP.i32_eq,
  int_ne: OP.i32_ne,
  int_lt: OP.i32_lt_s,
  int_le: OP.i32_le_s,
  int_gt: OP.i32_gt_s,
  int_ge: OP.i32_ge_s,
  uint_lt: OP.i32_lt_u,
  uint_le: OP.i32_le_u,
  uint_gt: OP.i32_gt_u,
  uint_ge: OP.i32_ge_u,
  llong_add: OP.i64_add,
  llong_sub: OP.i64_sub,
  llong_mul: OP.i64_mul,
  llong_and: OP.i64_and,
  llong_or: OP.i64_or,
  llong_xor: OP.i64_xor,
  llong_shl: OP.i64_shl,
  llong_shr: OP.i64_shr_s,
  llong_eq: OP.i64_eq,
  llong_ne: OP.i64_ne,
  llong_lt: OP.i64_lt_s,
  llong_le: OP.i64_le_s,
  llong_gt: OP.i64_gt_s,
  llong_ge: OP.i64_ge_s,
  float_add: OP.f64_add,
  float_sub: OP.f64_sub,
  float_mul: OP.f64_mul,
  float_div: OP.f64_div,
  float_min: OP.f64_min,
  float_max: OP.f64_max,
  float_eq: OP.f64_eq,
  float_ne: OP.f64_ne,
  float_lt: OP.f64_lt,
  float_le: OP.f64_le,
  float_gt: OP.f64_gt,
  float_ge: OP.f64_ge,
  bool_eq: OP.i32_eq,
  bool_ne: OP.i32_ne,
};

/** Unary scalar ops that are one instruction sequence on their operand (pushed first). */
const SIMPLE_UN: Partial<Record<ScalarOpName, (w: CodeWriter) => void>> = {
  int_neg: (w) => w.i32Const(-1).op(OP.i32_mul),
  int_invert: (w) => w.i32Const(-1).op(OP.i32_xor),
  int_is_true: (w) => w.i32Const(0).op(OP.i32_ne),
  llong_neg: (w) => w.i64Const(-1n).op(OP.i64_mul),
  float_neg: (w) => w.op(OP.f64_neg),
  float_abs: (w) => w.op(OP.f64_abs),
  float_sqrt: (w) => w.op(OP.f64_sqrt),
  float_floor: (w) => w.op(OP.f64_floor),
  float_ceil: (w) => w.op(OP.f64_ceil),
  float_trunc: (w) => w.op(OP.f64_trunc),
  bool_not: (w) => w.op(OP.i32_eqz),
  cast_int_to_float: (w) => w.op(OP.f64_convert_i32_s),
  cast_uint_to_float: (w) => w.op(OP.f64_convert_i32_u),
  cast_int_to_llong: (w) => w.op(OP.i64_extend_i32_s),
  cast_llong_to_int: (w) => w.op(OP.i32_wrap_i64),
  cast_llong_to_float: (w) => w.op(OP.f64_convert_i64_s),
  cast_bool_to_int: () => {},
};

const OVF: Partial<Record<ScalarOpName, number>> = { int_add_ovf: OP.i64_add, int_sub_ovf: OP.i64_sub, int_mul_ovf: OP.i64_mul };

const NO_READS: UsePlan = { reads: [], stackOrder: [] };

function isRefType(t: LLType): boolean {
  return t.kind === "ref" || t.kind === "fn" || t.kind === "null";
}

/** What an op reads and which operands its lowering pushes first. */
export function planOp(op: Op, layout: Layout): UsePlan {
  const a = op.args;
  const name = op.op;
  if (isScalarOp(name)) {
    if (SIMPLE_BIN[name] !== undefined || SIMPLE_UN[name] !== undefined || OVF[name] !== undefined) return { reads: a, stackOrder: a };
    switch (name) {
      case "int_div":
      case "int_mod":
      case "llong_div":
      case "llong_mod":
      case "int_min":
      case "int_max":
      case "int_abs":
      case "int_neg_ovf":
      case "cast_float_to_int":
        return { reads: a, stackOrder: a };
    }
    return { reads: a, stackOrder: [] };
  }
  switch (name) {
    case "jit_merge_point":
    case "can_enter_jit":
    case "assert_green":
    case "is_constant":
      return NO_READS;
    case "call_ref":
      return { reads: a, stackOrder: [...a.slice(1), a[0] as Value] };
    case "getitem":
    case "setitem":
    case "arraycopy":
    case "ref_cast":
      return { reads: a, stackOrder: [] };
    case "newarray":
      return { reads: a, stackOrder: a[0]?.kind === "const" && (a[0].value as number) >= 0 ? a : [] };
    case "new":
      // A struct with a hidden slot starts with that field: its initial 0 is pushed first.
      return { reads: a, stackOrder: a.length > 0 && layout.struct(op.attrs.type ?? "").hiddenSlot ? [] : a };
    default:
      return { reads: a, stackOrder: a };
  }
}

/** What a flow node's exit reads (and what it can take from the stack). */
export function planExit(n: FlowNode): UsePlan {
  if (n.kind === "dispatch") return { reads: [n.label as Var], stackOrder: [] };
  if (n.kind === "entry") return NO_READS;
  const e = (n.block as Block).exit;
  switch (e.kind) {
    case "branch":
      return { reads: [e.cond], stackOrder: [e.cond] };
    case "switch":
      return { reads: [e.value], stackOrder: [] };
    case "return":
      return e.value ? { reads: [e.value], stackOrder: [e.value] } : NO_READS;
    case "raise":
      return { reads: [e.value], stackOrder: [e.value] };
    default:
      return NO_READS;
  }
}

const sharedCode = new CodeWriter(4096);

/** Compile one graph to a function body. */
export function compileFunction(m: ModuleContext, g: Graph): CompiledFunction {
  return new FunctionLowering(m, g).run();
}

class FunctionLowering {
  private readonly m: ModuleContext;
  private readonly g: Graph;
  /** The body being written (one writer for every function: lowerings do not nest). */
  private readonly w = sharedCode.reset();
  private alloc!: Allocation;
  private readonly traps: TrapSite[] = [];
  private readonly scratchPool = new Map<string, number[]>();
  private readonly scratchUsed = new Map<string, number>();
  private readonly extraLocals: ValType[] = [];
  private nLocals = 0;
  /** Does the op being lowered push a value (even when it has no result variable)? */
  private curProduces = false;
  /** The destination locals of the edge being written (emitEdge's scratch). */
  private readonly edgeDsts: number[] = [];
  /** Blocks whose last op was emitted as a tail call (their `return` exit emits nothing). */
  private readonly tailCalled = new Set<FlowNode>();

  constructor(m: ModuleContext, g: Graph) {
    this.m = m;
    this.g = g;
  }

  run(): CompiledFunction {
    const flow = buildFlow(this.g);
    const st = structure(flow);
    const params = graphParams(this.g);
    this.alloc = allocate({
      structure: st,
      params,
      planOp: (op) => planOp(op, this.m.layout),
      planExit,
      valType: (v) => this.varType(v),
    });
    this.nLocals = params.length + this.alloc.locals.length;
    this.emitList(st.body);
    this.w.op(OP.unreachable);
    return {
      body: { locals: [...this.alloc.locals, ...this.extraLocals], code: this.w.toBytes() },
      traps: this.traps,
      localsBefore: this.alloc.before,
      localsAfter: this.alloc.locals.length + this.extraLocals.length,
      stackValues: this.alloc.stats.stackValues,
      dispatches: flow.dispatches,
    };
  }

  private fail(msg: string, b?: Block, i?: number): never {
    const where = b ? `, block '${b.label}'${i === undefined ? "" : `, op ${i}`}` : "";
    throw new BackendError(`graph '${this.g.name}'${where}: ${msg}`);
  }

  private varType(v: Var): ValType {
    const t = this.m.types.valType(v.type);
    if (!t) this.fail(`variable '${v.name}' has type void`);
    return t;
  }

  /** A scratch local of this type, free until the next op. */
  private scratch(t: ValType): number {
    const k = valTypeKey(t);
    const used = this.scratchUsed.get(k) ?? 0;
    const pool = this.scratchPool.get(k) ?? [];
    this.scratchPool.set(k, pool);
    if (used >= pool.length) {
      pool.push(this.nLocals++);
      this.extraLocals.push(t);
    }
    this.scratchUsed.set(k, used + 1);
    return pool[used] as number;
  }

  // ---- values ---------------------------------------------------------------------------------

  /** Push a value: a constant, a local, or nothing when it is already on the stack. */
  private push(v: Value, expected?: LLType): void {
    if (v.kind === "const") {
      this.pushConst(v, expected);
      return;
    }
    if (this.alloc.onStack(v)) return;
    const l = this.alloc.localOf(v);
    if (l === undefined) this.fail(`variable '${v.name}' (id ${v.id}) is used but has no definition reaching it`);
    this.w.localGet(l);
  }

  /** Push a value that must be in a local or a constant (read more than once). */
  private get(v: Value, expected?: LLType): void {
    if (v.kind === "var" && this.alloc.onStack(v)) this.fail(`internal: '${v.name}' is on the stack but read twice`);
    this.push(v, expected);
  }

  private pushConst(c: Const, expected?: LLType): void {
    const w = this.w;
    const t = c.type;
    const v = c.value;
    const lifted = this.m.liftedGlobal(c);
    if (lifted !== undefined) {
      w.globalGet(lifted);
      return;
    }
    if (writeScalarConst(w, t, v)) return;
    if (v === null) {
      const et = expected ?? t;
      w.refNull({ abs: et.kind === "fn" ? HT.nofunc : HT.none });
      return;
    }
    if (typeof v === "object" && "fn" in v) {
      const f = this.m.funcIndex(v.fn);
      this.m.declareRef(f);
      w.refFunc(f);
      return;
    }
    if (typeof v === "object" && "obj" in v) {
      w.globalGet(this.m.objectConst(v.obj, t));
      return;
    }
    this.fail(`constant of type ${typeToString(t)} cannot be compiled`);
  }

  /** Store the op's result (or drop it when nobody reads it; leave it when it stays on the stack). */
  private def(r: Var | null): void {
    if (!r) {
      // An op whose value nobody named: drop what it pushed.
      if (this.curProduces) this.w.op(OP.drop);
      return;
    }
    if (this.alloc.onStack(r)) return;
    const l = this.alloc.localOf(r);
    if (l === undefined) this.w.op(OP.drop);
    else this.w.localSet(l);
  }

  private siteOf(b: Block, i: number, op: Op | null): number {
    const loc = op?.loc;
    const frame: FrameInfo = loc
      ? { graph: this.g.name, block: b.label, opIndex: i, op: (op as Op).op, isExit: false, loc }
      : { graph: this.g.name, block: b.label, opIndex: i, op: op ? op.op : b.exit.kind, isExit: op === null };
    return this.m.site({ frame, op });
  }

  /** Call `__error(kind, site, a, b, c)` with the arguments pushed by `args` (3 i32 values), then unreachable. */
  private error(kind: number, site: number, args: () => void): void {
    this.w.i32Const(kind).i32Const(site);
    args();
    this.w.call(this.m.runtime("error")).op(OP.unreachable);
  }

  private trap(site: number, what: string): void {
    this.traps.push({ offset: this.w.len, site, what });
  }

  // ---- structured code ------------------------------------------------------------------------

  private emitList(list: readonly SNode[]): void {
    const w = this.w;
    for (let li = 0; li < list.length; li++) {
      const s = list[li] as SNode;
      switch (s.k) {
        case "block":
          w.block();
          this.emitList(s.body);
          w.end();
          break;
        case "loop":
          w.loop();
          this.emitList(s.body);
          w.end();
          break;
        case "code":
          this.emitCode(s.node);
          break;
        case "edge":
          this.emitEdge(s.edge);
          break;
        case "br":
          w.br(s.depth);
          break;
        case "if":
          this.pushCond(s.node);
          if (s.negate) w.op(OP.i32_eqz);
          w.if();
          this.emitList(s.body);
          w.end();
          break;
        case "br_if":
          this.pushCond(s.node);
          if (s.negate) w.op(OP.i32_eqz);
          w.brIf(s.depth);
          break;
        case "br_table":
          this.get(this.switchValue(s.node));
          if (s.min !== 0) w.i32Const(s.min).op(OP.i32_sub);
          w.brTable(s.depths, s.dflt);
          break;
        case "case_if": {
          const v = this.switchValue(s.node);
          s.values.forEach((c, i) => {
            this.get(v);
            w.i32Const(c).op(OP.i32_eq);
            if (i > 0) w.op(OP.i32_or);
          });
          w.if();
          this.emitList(s.body);
          w.end();
          break;
        }
        case "return":
          this.emitReturn(s.node);
          break;
        case "raise":
          this.emitRaise(s.node);
          break;
      }
    }
  }

  private switchValue(n: FlowNode): Value {
    if (n.kind === "dispatch") return n.label as Var;
    const e = (n.block as Block).exit;
    if (e.kind !== "switch") this.fail(`internal: ${describeNode(n)} has no switch`);
    return e.value;
  }

  private pushCond(n: FlowNode): void {
    const e = (n.block as Block).exit;
    if (e.kind !== "branch") this.fail(`internal: ${describeNode(n)} has no branch`);
    this.push(e.cond);
  }

  private emitReturn(n: FlowNode): void {
    if (this.tailCalled.has(n)) return;
    const e = (n.block as Block).exit;
    if (e.kind !== "return") return;
    if (e.value) {
      if (this.g.result.kind === "void") this.fail("return with a value in a void graph", n.block as Block);
      this.push(e.value, this.g.result);
    } else if (this.g.result.kind !== "void") this.fail("return without a value", n.block as Block);
    this.w.op(OP.return);
  }

  private emitRaise(n: FlowNode): void {
    const b = n.block as Block;
    const e = b.exit;
    if (e.kind !== "raise") return;
    const v = e.value;
    const t = v.type;
    this.push(v);
    this.w.i32Const(this.siteOf(b, b.ops.length, null));
    this.w.call(this.m.runtime(raiseImport(t))).op(OP.unreachable);
  }

  /** Parallel moves of an edge: link arguments into the final block's params, label values. */
  private emitEdge(e: FlowEdge): void {
    // Sources are pushed in order (collecting them writes nothing), destinations set in reverse.
    const dsts = this.edgeDsts;
    dsts.length = 0;
    const final = e.final?.block;
    if (final && e.link) {
      const args = e.link.args;
      for (let i = 0; i < args.length; i++) {
        const a = args[i] as Value;
        const p = final.params[i] as Var;
        const pl = this.alloc.localOf(p);
        if (pl === undefined) continue;
        if (a.kind === "var" && this.alloc.localOf(a) === pl) continue;
        this.push(a, p.type);
        dsts.push(pl);
      }
    }
    for (let i = dsts.length - 1; i >= 0; i--) this.w.localSet(dsts[i] as number);
    for (let i = 0; i < e.labels.length; i++) {
      const l = e.labels[i] as { label: Var; value: number };
      const ll = this.alloc.localOf(l.label);
      if (ll !== undefined) this.w.i32Const(l.value).localSet(ll);
    }
  }

  private emitCode(n: FlowNode): void {
    const b = n.block;
    if (!b) return;
    const ops = b.ops;
    const last = ops.length - 1;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as Op;
      if (this.scratchUsed.size > 0) this.scratchUsed.clear();
      const tail = i === last && this.isTailCall(b, op);
      if (tail) this.tailCalled.add(n);
      try {
        this.lowerOp(b, i, op, tail, this.alloc.planOf(n, i));
      } catch (err) {
        if (err instanceof BackendError) throw err;
        const loc = op.loc ? ` at ${locToString(op.loc)}` : "";
        this.fail(`${op.op}: ${err instanceof Error ? err.message : String(err)}${loc}`, b, i);
      }
    }
  }

  /** `%r = call...; return %r` (or a void call then `return`) becomes a tail call. */
  private isTailCall(b: Block, op: Op): boolean {
    if (op.op !== "call" && op.op !== "call_ref") return false;
    const e = b.exit;
    if (e.kind !== "return") return false;
    if (op.result === null) {
      const callee =
        op.op === "call" ? this.m.graph(op.attrs.callee ?? "")?.result : (op.args[0]?.type as { result?: LLType } | undefined)?.result;
      return e.value === null && this.g.result.kind === "void" && callee?.kind === "void";
    }
    return e.value === op.result && this.alloc.onStack(op.result);
  }

  // ---- ops ------------------------------------------------------------------------------------

  private lowerOp(b: Block, i: number, op: Op, tail: boolean, plan: UsePlan): void {
    const w = this.w;
    const a = op.args;
    this.curProduces =
      op.result !== null ||
      resultType(
        this.m.program,
        op.op,
        op.attrs,
        a.map((x) => x.type),
      ).kind !== "void";
    // Operands the lowering pushes first (some may already be on the stack).
    const so = plan.stackOrder;
    if (so.length > 0) {
      let hasNull = false;
      for (let k = 0; k < so.length; k++) {
        const v = so[k] as Value;
        if (v.kind === "const" && v.value === null) hasNull = true;
      }
      const exp = hasNull
        ? expectedOperands(
            this.m.program,
            op.op,
            op.attrs,
            a.length,
            a.map((x) => x.type),
          )
        : null;
      const copy = op.op === "same_as" || op.op === "promote" ? op.result?.type : undefined;
      for (let k = 0; k < so.length; k++) {
        const v = so[k] as Value;
        if (exp === null) {
          this.push(v, copy);
          continue;
        }
        const x = a.indexOf(v);
        const et = x >= 0 ? (exp[x] ?? undefined) : undefined;
        this.push(v, et ?? copy);
      }
    }
    const name = op.op;
    const r = op.result;
    if (isScalarOp(name)) {
      const bin = SIMPLE_BIN[name];
      if (bin !== undefined) {
        w.op(bin);
        this.def(r);
        return;
      }
      const un = SIMPLE_UN[name];
      if (un !== undefined) {
        un(w);
        this.def(r);
        return;
      }
      const ovf = OVF[name];
      if (ovf !== undefined) {
        const sb = this.scratch(I32T);
        const s64 = this.scratch(I64T);
        w.localSet(sb).op(OP.i64_extend_i32_s).localGet(sb).op(OP.i64_extend_i32_s).op(ovf);
        w.localTee(s64).localGet(s64).op(OP.i32_wrap_i64).op(OP.i64_extend_i32_s).op(OP.i64_ne).if();
        this.error(ERR.overflow, this.siteOf(b, i, op), () => w.i32Const(0).i32Const(0).i32Const(0));
        w.end().localGet(s64).op(OP.i32_wrap_i64);
        this.def(r);
        return;
      }
      switch (name) {
        case "int_div":
        case "llong_div":
        case "int_mod":
        case "llong_mod": {
          const is64 = name.startsWith("llong");
          const T = is64 ? I64T : I32T;
          const sa = this.scratch(T);
          const sb = this.scratch(T);
          w.localSet(sb).localSet(sa);
          w.localGet(sb)
            .op(is64 ? OP.i64_eqz : OP.i32_eqz)
            .if();
          this.error(ERR.divisionByZero, this.siteOf(b, i, op), () => w.i32Const(0).i32Const(0).i32Const(0));
          w.end();
          if (name.endsWith("mod")) {
            // rem_s is defined for MIN % -1 (0), as in JS.
            w.localGet(sa)
              .localGet(sb)
              .op(is64 ? OP.i64_rem_s : OP.i32_rem_s);
          } else {
            // MIN / -1 traps in Wasm: x / -1 is computed as 0 - x (wrapping).
            w.localGet(sb);
            if (is64) w.i64Const(-1n).op(OP.i64_eq);
            else w.i32Const(-1).op(OP.i32_eq);
            w.if(T);
            if (is64) w.i64Const(0n).localGet(sa).op(OP.i64_sub);
            else w.i32Const(0).localGet(sa).op(OP.i32_sub);
            w.else()
              .localGet(sa)
              .localGet(sb)
              .op(is64 ? OP.i64_div_s : OP.i32_div_s)
              .end();
          }
          this.def(r);
          return;
        }
        case "int_min":
        case "int_max": {
          const sa = this.scratch(I32T);
          const sb = this.scratch(I32T);
          w.localSet(sb)
            .localTee(sa)
            .localGet(sb)
            .localGet(sa)
            .localGet(sb)
            .op(name === "int_min" ? OP.i32_lt_s : OP.i32_gt_s)
            .op(OP.select);
          this.def(r);
          return;
        }
        case "int_abs": {
          const s = this.scratch(I32T);
          const m = this.scratch(I32T);
          w.localTee(s).localGet(s).i32Const(31).op(OP.i32_shr_s).localTee(m).op(OP.i32_xor).localGet(m).op(OP.i32_sub);
          this.def(r);
          return;
        }
        case "int_neg_ovf": {
          const s = this.scratch(I32T);
          w.localTee(s).i32Const(-2147483648).op(OP.i32_eq).if();
          this.error(ERR.overflow, this.siteOf(b, i, op), () => w.i32Const(0).i32Const(0).i32Const(0));
          w.end().i32Const(0).localGet(s).op(OP.i32_sub);
          this.def(r);
          return;
        }
        case "cast_float_to_int": {
          // ToInt32: x - trunc(x / 2^32) * 2^32 is exact (Sterbenz) and below 2^32 in magnitude;
          // NaN and ±Infinity become NaN, which trunc_sat maps to 0.
          const s = this.scratch(F64T);
          w.localTee(s)
            .localGet(s)
            .f64Const(2 ** -32)
            .op(OP.f64_mul)
            .op(OP.f64_trunc)
            .f64Const(2 ** 32)
            .op(OP.f64_mul)
            .op(OP.f64_sub);
          w.fc(FC.i64_trunc_sat_f64_s).op(OP.i32_wrap_i64);
          this.def(r);
          return;
        }
      }
      this.fail(`scalar op '${name}' has no lowering`, b, i);
    }
    const L = this.m.layout;
    switch (name) {
      case "same_as":
      case "promote":
        this.def(r);
        return;
      case "is_constant":
        w.i32Const(0);
        this.def(r);
        return;
      case "jit_merge_point":
      case "can_enter_jit":
      case "assert_green":
        return;
      case "new": {
        const s = L.struct(op.attrs.type as string);
        if (a.length === 0) w.structNewDefault(s.typeIdx);
        else {
          if (s.hiddenSlot) {
            w.i32Const(0);
            for (let k = 0; k < a.length; k++) this.get(a[k] as Value, s.fields[k]?.type);
          }
          w.structNew(s.typeIdx);
        }
        this.def(r);
        return;
      }
      case "getfield":
      case "setfield": {
        const sname = op.attrs.type as string;
        const s = L.struct(sname);
        const f = L.field(sname, op.attrs.field as string);
        this.trap(this.siteOf(b, i, op), `${name === "getfield" ? "reading" : "writing"} field '${sname}.${f.name}'`);
        if (name === "getfield") {
          w.structGet(s.typeIdx, f.index);
          this.def(r);
          return;
        }
        w.structSet(s.typeIdx, f.index);
        return;
      }
      case "newarray": {
        const arr = L.array(op.attrs.type as string);
        const len = a[0] as Value;
        if (plan.stackOrder.length === 0) {
          this.get(len);
          w.i32Const(0).op(OP.i32_lt_s).if();
          this.error(ERR.negativeLength, this.siteOf(b, i, op), () => {
            this.get(len);
            w.i32Const(0).i32Const(0);
          });
          w.end();
          this.get(len);
        }
        this.trap(this.siteOf(b, i, op), "allocation");
        w.arrayNewDefault(arr.typeIdx);
        this.def(r);
        return;
      }
      case "newarray_init": {
        const arr = L.array(op.attrs.type as string);
        if (a.length > 10000) this.fail(`newarray_init with ${a.length} items (at most 10000 in Wasm)`, b, i);
        w.arrayNewFixed(arr.typeIdx, a.length);
        this.def(r);
        return;
      }
      case "getitem":
      case "setitem": {
        const arrName = op.attrs.type as string;
        const arr = L.array(arrName);
        const [x, idx] = a as [Value, Value];
        const st = this.siteOf(b, i, op);
        this.get(idx);
        this.get(x);
        this.trap(st, `${name === "getitem" ? "reading" : "writing"} an item of '${arrName}'`);
        // `ix <u len`, the error in the else arm: V8's own bounds check of the access is the same
        // condition, which TurboFan then knows to hold and drops (with `ge_u` in the then arm both stay)
        w.arrayLen().op(OP.i32_lt_u).if().else();
        this.error(ERR.bounds, st, () => {
          this.get(idx);
          this.get(x);
          w.arrayLen().i32Const(0);
        });
        w.end();
        this.get(x);
        this.get(idx);
        if (name === "getitem") {
          w.arrayGet(arr.typeIdx, arr.item.kind === "u8");
          this.def(r);
          return;
        }
        this.get(a[2] as Value, arr.item.kind === "u8" ? undefined : (arr.item as LLType));
        w.arraySet(arr.typeIdx);
        return;
      }
      case "arraylen": {
        this.trap(this.siteOf(b, i, op), `length of '${op.attrs.type}'`);
        w.arrayLen();
        this.def(r);
        return;
      }
      case "arraycopy":
        this.lowerArrayCopy(b, i, op);
        return;
      case "ref_is_null":
        w.op(OP.ref_is_null);
        this.def(r);
        return;
      case "ref_eq": {
        if (a.some((x) => x.type.kind === "fn")) this.fail("ref_eq on function references is not supported by the Wasm backend", b, i);
        w.op(OP.ref_eq);
        this.def(r);
        return;
      }
      case "ref_test": {
        const x = a[0] as Value;
        if (x.type.kind === "fn" || x.type.kind === "null") w.op(OP.drop).i32Const(0);
        else w.refTest({ idx: L.struct(op.attrs.type as string).typeIdx });
        this.def(r);
        return;
      }
      case "ref_cast": {
        const sname = op.attrs.type as string;
        const s = L.struct(sname);
        const x = a[0] as Value;
        if (x.type.kind === "null") {
          w.refNull({ abs: HT.none });
          this.def(r);
          return;
        }
        if (x.type.kind === "ref" && isSubStruct(this.m.program, x.type.name, sname)) {
          this.get(x);
          this.def(r);
          return;
        }
        if (x.type.kind === "fn") this.fail(`ref_cast of a function reference to '${sname}'`, b, i);
        const st = this.siteOf(b, i, op);
        this.get(x);
        w.refTest({ idx: s.typeIdx }, true).op(OP.i32_eqz).if();
        this.error(ERR.cast, st, () => {
          this.get(x);
          w.call(this.m.typeIdFunc()).i32Const(0).i32Const(0);
        });
        w.end();
        this.get(x);
        w.refCast({ idx: s.typeIdx }, true);
        this.def(r);
        return;
      }
      case "call": {
        const callee = op.attrs.callee as string;
        if (!this.m.graph(callee)) this.fail(`call of unknown graph '${callee}'`, b, i);
        const f = this.m.funcIndex(callee);
        if (tail) w.returnCall(f);
        else {
          w.call(f);
          this.def(r);
        }
        return;
      }
      case "call_ref": {
        const ft = (a[0] as Value).type;
        if (ft.kind !== "fn") this.fail("call_ref of a value that is not a function reference", b, i);
        const ti = this.m.types.fnRefType(ft);
        this.trap(this.siteOf(b, i, op), "call_ref");
        if (tail) w.returnCallRef(ti);
        else {
          w.callRef(ti);
          this.def(r);
        }
        return;
      }
      case "call_host":
        w.call(this.m.hostIndex(op.attrs.callee as string));
        this.def(r);
        return;
      case "getglobal":
        w.globalGet(this.m.globalIndex(op.attrs.callee as string));
        this.def(r);
        return;
      case "setglobal":
        w.globalSet(this.m.globalIndex(op.attrs.callee as string));
        return;
    }
    this.fail(`op '${name}' has no lowering`, b, i);
  }

  /** arraycopy with L3's checks, in L3's order: null source, null destination, negative length, ranges. */
  private lowerArrayCopy(b: Block, i: number, op: Op): void {
    const w = this.w;
    const [src, sp, dst, dp, n] = op.args as [Value, Value, Value, Value, Value];
    const arrName = op.attrs.type as string;
    const arr = this.m.layout.array(arrName);
    const st = this.siteOf(b, i, op);
    const sl = this.scratch(I32T);
    const dl = this.scratch(I32T);
    this.get(src);
    this.trap(st, `arraycopy source of '${arrName}'`);
    w.arrayLen().localSet(sl);
    this.get(dst);
    this.trap(st, `arraycopy destination of '${arrName}'`);
    w.arrayLen().localSet(dl);
    this.get(n);
    w.i32Const(0).op(OP.i32_lt_s).if();
    this.error(ERR.copyNegative, st, () => {
      this.get(n);
      w.i32Const(0).i32Const(0);
    });
    w.end();
    const range = (pos: Value, len: number, kind: number) => {
      // pos < 0 || n > len - pos
      this.get(pos);
      w.i32Const(0).op(OP.i32_lt_s);
      this.get(n);
      w.localGet(len);
      this.get(pos);
      w.op(OP.i32_sub).op(OP.i32_gt_s).op(OP.i32_or).if();
      this.error(kind, st, () => {
        this.get(pos);
        this.get(n);
        w.localGet(len);
      });
      w.end();
    };
    range(sp, sl, ERR.copySource);
    range(dp, dl, ERR.copyDest);
    this.get(dst);
    this.get(dp);
    this.get(src);
    this.get(sp);
    this.get(n);
    w.arrayCopy(arr.typeIdx, arr.typeIdx);
  }
}

/** The LL type name of a value's type, for messages. */
export function describeType(t: LLType): string {
  return isRefType(t) ? typeToString(t) : t.kind;
}

/** Write a scalar constant (i32, bool, i64, f64); false for other types (references), written by the caller. */
export function writeScalarConst(w: CodeWriter, t: LLType, v: Const["value"]): boolean {
  switch (t.kind) {
    case "i32":
      w.i32Const(v as number);
      return true;
    case "bool":
      w.i32Const(v ? 1 : 0);
      return true;
    case "i64":
      w.i64Const(BigInt(v as bigint));
      return true;
    case "f64":
      w.f64Const(v as number);
      return true;
    default:
      return false;
  }
}
