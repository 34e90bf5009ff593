// Local allocation, the backend's register allocation. SSA values (and block parameters, which
// are written on edges) get Wasm locals by live range: liveness is computed on the flow graph,
// each variable's live range is the set of program points (in the emission order of the
// structured code) where it is live, with holes, and a variable takes the first local of its Wasm
// type whose ranges do not overlap its own — preferring the local of a variable it is moved from
// or to on an edge, so that most block-parameter moves disappear. Values used exactly once, by the
// op or exit that follows their definition in the same block (in operand push order), stay on the
// Wasm operand stack and get no local at all.

import type { Block, Op, Value, Var } from "../../ir/graph.ts";
import type { ValType } from "./emitter.ts";
import { valTypeKey } from "./emitter.ts";
import type { FlowEdge, FlowNode, SNode, Structure } from "./cfg.ts";

/** What an op or exit reads, and which operands its lowering pushes first (those may come from the stack). */
export interface UsePlan {
  /** Every value read (vars among them are uses for liveness). */
  readonly reads: readonly Value[];
  /** Operands in the order the lowering pushes them before anything else; a prefix of these may be stack-resident. */
  readonly stackOrder: readonly Value[];
}

export interface AllocInput {
  readonly structure: Structure;
  /** Wasm types of the function's params (the start block's params get locals 0..n-1). */
  readonly params: readonly Var[];
  readonly planOp: (op: Op) => UsePlan;
  readonly planExit: (node: FlowNode) => UsePlan;
  readonly valType: (v: Var) => ValType;
}

export interface Allocation {
  /** Local index of each variable that lives in a local. */
  readonly local: Map<Var, number>;
  /** Variables left on the operand stack between their definition and their only use. */
  readonly onStack: Set<Var>;
  /** Types of the declared locals after the params. */
  readonly locals: ValType[];
  /** Variables that would each need a local without allocation (excluding params and stack values). */
  readonly before: number;
  readonly stats: { vars: number; stackValues: number; localsAfter: number };
}

function edgeArgs(e: FlowEdge): Value[] {
  return e.link ? e.link.args : [];
}

function edgeDefs(e: FlowEdge): Var[] {
  const out: Var[] = [];
  if (e.final?.block) for (const p of (e.final.block as Block).params) out.push(p);
  for (const l of e.labels) out.push(l.label);
  return out;
}

/** Decide which op results stay on the operand stack. */
function decideStack(blocks: readonly FlowNode[], useCount: Map<Var, number>, input: AllocInput): Set<Var> {
  const onStack = new Set<Var>();
  for (const n of blocks) {
    const b = n.block;
    if (!b) continue;
    const pending: Var[] = [];
    const consume = (plan: UsePlan) => {
      // Longest prefix of stackOrder that equals the top of `pending`.
      let k = 0;
      const so = plan.stackOrder;
      for (let len = Math.min(so.length, pending.length); len > 0; len--) {
        let ok = true;
        for (let j = 0; j < len && ok; j++) if (so[j] !== pending[pending.length - len + j]) ok = false;
        if (ok) {
          k = len;
          break;
        }
      }
      for (let j = pending.length - k; j < pending.length; j++) onStack.add(pending[j] as Var);
      pending.length -= k;
      // Any other pending value this op reads must live in a local instead.
      if (pending.length > 0 && plan.reads.length > 0) {
        let w = 0;
        for (const v of pending) if (!plan.reads.includes(v)) pending[w++] = v;
        pending.length = w;
      }
    };
    for (const op of b.ops) {
      consume(input.planOp(op));
      const r = op.result;
      if (r && useCount.get(r) === 1) pending.push(r);
    }
    consume(input.planExit(n));
    // Values still pending at the end of the block are not in onStack: they get locals.
  }
  return onStack;
}

type Range = [number, number];

/**
 * Liveness of the allocated variables (`isVar`) on the flow graph: one bit per variable, a
 * use/def summary per node, and round-robin iteration in reverse order until nothing changes.
 * An edge defines its final block's parameters and the label variables it sets, and reads its
 * link's arguments; a dispatch node also keeps alive what its targets need.
 */
class Liveness {
  private readonly index = new Map<Var, number>();
  private readonly byIndex: Var[] = [];
  private readonly words: number;
  private readonly liveIn = new Map<FlowNode, Uint32Array>();
  private readonly empty: Uint32Array;
  /** Per edge: the complement of what it defines, and its arguments. */
  private readonly edgeDef = new Map<FlowEdge, Uint32Array>();
  private readonly edgeUse = new Map<FlowEdge, Uint32Array>();
  /** Per edge: what it defines (its final block's parameters and its labels), and its labels. */
  readonly edgeDefs = new Map<FlowEdge, Uint32Array>();
  readonly edgeLabels = new Map<FlowEdge, Uint32Array>();

  constructor(nodes: readonly FlowNode[], isVar: (v: Value) => v is Var, exitPlan: (n: FlowNode) => UsePlan, opPlan: (op: Op) => UsePlan) {
    const id = (v: Var): number => {
      let k = this.index.get(v);
      if (k === undefined) {
        k = this.byIndex.length;
        this.index.set(v, k);
        this.byIndex.push(v);
      }
      return k;
    };
    // number every variable that can be live: reads, edge arguments and definitions
    const useIds: number[][] = [];
    const defIds: number[][] = [];
    for (const n of nodes) {
      const uses: number[] = [];
      const defs: number[] = [];
      const defined = new Set<Var>();
      if (n.block)
        for (const op of n.block.ops) {
          for (const v of opPlan(op).reads) if (isVar(v) && !defined.has(v)) uses.push(id(v));
          if (op.result) {
            defined.add(op.result);
            defs.push(id(op.result));
          }
        }
      for (const v of exitPlan(n).reads) if (isVar(v) && !defined.has(v)) uses.push(id(v));
      useIds.push(uses);
      defIds.push(defs);
      for (const e of n.out) {
        for (const a of edgeArgs(e)) if (isVar(a)) id(a);
        for (const d of edgeDefs(e)) id(d);
      }
    }
    const w = (this.words = (this.byIndex.length + 31) >>> 5);
    this.empty = new Uint32Array(w);
    const bits = (ids: readonly number[]): Uint32Array => {
      const b = new Uint32Array(w);
      for (const k of ids) b[k >>> 5] = (b[k >>> 5] as number) | (1 << (k & 31));
      return b;
    };
    const use: Uint32Array[] = [];
    const notDef: Uint32Array[] = [];
    nodes.forEach((n, i) => {
      use.push(bits(useIds[i] as number[]));
      const nd = bits(defIds[i] as number[]);
      for (let k = 0; k < w; k++) nd[k] = ~(nd[k] as number);
      notDef.push(nd);
      this.liveIn.set(n, new Uint32Array(w));
      for (const e of n.out) {
        const defs = bits(edgeDefs(e).map(id));
        this.edgeDefs.set(e, defs);
        this.edgeLabels.set(e, bits(e.labels.map((l) => id(l.label))));
        this.edgeDef.set(
          e,
          defs.map((x) => ~x),
        );
        this.edgeUse.set(e, bits(edgeArgs(e).filter(isVar).map(id)));
      }
    });
    const out = new Uint32Array(w);
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = nodes.length - 1; i >= 0; i--) {
        const n = nodes[i] as FlowNode;
        this.outInto(n, out);
        const cur = this.liveIn.get(n) as Uint32Array;
        const u = use[i] as Uint32Array;
        const nd = notDef[i] as Uint32Array;
        for (let k = 0; k < w; k++) {
          const x = ((u[k] as number) | ((out[k] as number) & (nd[k] as number))) >>> 0;
          if (x !== cur[k]) {
            cur[k] = x;
            changed = true;
          }
        }
      }
    }
  }

  /** How many variables are numbered. */
  get size(): number {
    return this.byIndex.length;
  }

  /** The number of a variable (every variable of the function that can be live has one). */
  indexOf(v: Var): number {
    return this.index.get(v) as number;
  }

  /** The variable of a number. */
  varOf(k: number): Var {
    return this.byIndex[k] as Var;
  }

  /** Arguments of an edge (the variables it reads). */
  argsOf(e: FlowEdge): Uint32Array {
    return this.edgeUse.get(e) as Uint32Array;
  }

  /** Live into node `n` (shared: do not change). */
  inOf(n: FlowNode): Uint32Array {
    return this.liveIn.get(n) ?? this.empty;
  }

  /** Live out of node `n` (a fresh set). */
  outOf(n: FlowNode): Uint32Array {
    const out = new Uint32Array(this.words);
    this.outInto(n, out);
    return out;
  }

  private outInto(n: FlowNode, out: Uint32Array): void {
    const w = this.words;
    out.fill(0);
    for (const e of n.out) {
      // live before the edge: (live into its final block - what it defines) + its arguments
      const t = this.inOf(e.final ?? e.to);
      const nd = this.edgeDef.get(e) as Uint32Array;
      const u = this.edgeUse.get(e) as Uint32Array;
      for (let k = 0; k < w; k++) out[k] = (out[k] as number) | ((t[k] as number) & (nd[k] as number)) | (u[k] as number);
      if (n.kind === "dispatch") {
        const d = this.inOf(e.to);
        for (let k = 0; k < w; k++) out[k] = (out[k] as number) | (d[k] as number);
      }
    }
  }
}

export function allocate(input: AllocInput): Allocation {
  const { structure } = input;
  const nodes = structure.info.order;
  // Use counts (every read of a var: ops, exits, edge arguments).
  const useCount = new Map<Var, number>();
  const bump = (v: Value) => {
    if (v.kind === "var") useCount.set(v, (useCount.get(v) ?? 0) + 1);
  };
  const opPlans = new Map<Op, UsePlan>();
  const exitPlans = new Map<FlowNode, UsePlan>();
  for (const n of nodes) {
    if (n.block) {
      for (const op of n.block.ops) {
        const p = input.planOp(op);
        opPlans.set(op, p);
        for (const v of p.reads) bump(v);
      }
    }
    const ep = input.planExit(n);
    exitPlans.set(n, ep);
    for (const v of ep.reads) bump(v);
    for (const e of n.out) for (const a of edgeArgs(e)) bump(a);
  }
  const cached: AllocInput = { ...input, planOp: (op) => opPlans.get(op) as UsePlan, planExit: (n) => exitPlans.get(n) as UsePlan };
  const onStack = decideStack(nodes, useCount, cached);
  const isVar = (v: Value): v is Var => v.kind === "var" && !onStack.has(v);

  // ---- liveness on the flow graph (block params are defined on edges), as bit sets ----
  const live = new Liveness(
    nodes,
    isVar,
    (n) => exitPlans.get(n) as UsePlan,
    (op) => opPlans.get(op) as UsePlan,
  );

  // ---- live ranges over the emission order ----
  const ranges = new Map<Var, Range[]>();
  const addRange = (v: Var, s: number, e: number) => {
    let list = ranges.get(v);
    if (!list) {
      list = [];
      ranges.set(v, list);
    }
    const last = list[list.length - 1];
    if (last && s <= last[1] + 1 && s >= last[0]) last[1] = Math.max(last[1], e);
    else list.push([s, e]);
  };
  let pos = 0;
  // where each open variable's range ends (-1: not open), by number, and which were opened
  const openAt = new Int32Array(live.size).fill(-1);
  const opened: number[] = [];
  const open = (k: number, at: number) => {
    if ((openAt[k] as number) >= 0) return;
    openAt[k] = at;
    opened.push(k);
  };
  const codeSegment = (n: FlowNode) => {
    const ops = n.block ? n.block.ops : [];
    const start = pos;
    const exitPos = start + 2 * ops.length;
    const end = exitPos + 1;
    pos = end + 1;
    opened.length = 0;
    forEachBit(live.outOf(n), (k) => open(k, end));
    for (const v of (exitPlans.get(n) as UsePlan).reads) if (isVar(v)) open(live.indexOf(v), exitPos);
    const segRanges: [Var, number, number][] = [];
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i] as Op;
      const u = start + 2 * i;
      const r = op.result;
      // A result nobody reads is dropped: it needs no local.
      if (r && !onStack.has(r) && (useCount.get(r) ?? 0) > 0) {
        const k = live.indexOf(r);
        const e = openAt[k] as number;
        segRanges.push([r, u + 1, e >= 0 ? e : u + 1]);
        openAt[k] = -1;
      }
      for (const v of (opPlans.get(op) as UsePlan).reads) if (isVar(v)) open(live.indexOf(v), u);
    }
    for (const k of opened) {
      const e = openAt[k] as number;
      if (e < 0) continue;
      segRanges.push([live.varOf(k), start, e]);
      openAt[k] = -1;
    }
    segRanges.sort((a, b) => a[1] - b[1]);
    for (const [v, s, e] of segRanges) addRange(v, s, e);
  };
  const edgeSegment = (e: FlowEdge) => {
    const u = pos;
    pos += 2;
    // after the moves: live into the target and the labels set; before: that minus what the edge defines, plus its arguments
    const into = live.inOf(e.final ?? e.to);
    const labels = live.edgeLabels.get(e) as Uint32Array;
    const defs = live.edgeDefs.get(e) as Uint32Array;
    const args = live.argsOf(e);
    for (let w = 0; w < into.length; w++) {
      const after = ((into[w] as number) | (labels[w] as number)) >>> 0;
      const d = defs[w] as number;
      const before = ((after & ~d) | (args[w] as number)) >>> 0;
      let all = (after | before | d) >>> 0;
      while (all !== 0) {
        const bit = 31 - Math.clz32(all & -all);
        all = (all & (all - 1)) >>> 0;
        const m = 1 << bit;
        const v = live.varOf((w << 5) + bit);
        if (before & m) addRange(v, u, after & m ? u + 1 : u);
        else addRange(v, u + 1, u + 1);
      }
    }
  };
  const walk = (list: readonly SNode[]) => {
    for (const s of list) {
      switch (s.k) {
        case "block":
        case "loop":
          walk(s.body);
          break;
        case "if":
        case "case_if":
          walk(s.body);
          break;
        case "code":
          codeSegment(s.node);
          break;
        case "edge":
          edgeSegment(s.edge);
          break;
        default:
          break;
      }
    }
  };
  walk(structure.body);

  // ---- assignment ----
  const moveHints = new Map<Var, Var[]>();
  const hint = (a: Var, b: Var) => {
    const l = moveHints.get(a) ?? [];
    l.push(b);
    moveHints.set(a, l);
  };
  for (const n of nodes)
    for (const e of n.out) {
      const final = e.final?.block;
      if (!final || !e.link) continue;
      e.link.args.forEach((a, i) => {
        const p = final.params[i];
        if (p && isVar(a) && a !== p) {
          hint(a, p);
          hint(p, a);
        }
      });
    }
  const localRanges: Range[][] = [];
  const localTypes: ValType[] = [];
  const localKey: string[] = [];
  const local = new Map<Var, number>();
  const overlaps = (a: readonly Range[], b: readonly Range[]): boolean => {
    if (a.length === 0 || b.length === 0) return false;
    if ((a[a.length - 1] as Range)[1] < (b[0] as Range)[0] || (b[b.length - 1] as Range)[1] < (a[0] as Range)[0]) return false;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i] as Range;
      const y = b[j] as Range;
      if (x[1] < y[0]) i++;
      else if (y[1] < x[0]) j++;
      else return true;
    }
    return false;
  };
  const merge = (a: Range[], b: readonly Range[]): Range[] => {
    const out: Range[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x = a[i];
      const y = b[j];
      const take = y === undefined || (x !== undefined && x[0] <= y[0]) ? (a[i++] as Range) : (b[j++] as Range);
      const last = out[out.length - 1];
      if (last && take[0] <= last[1] + 1) last[1] = Math.max(last[1], take[1]);
      else out.push([take[0], take[1]]);
    }
    return out;
  };
  const assign = (v: Var, idx: number) => {
    local.set(v, idx);
    localRanges[idx] = merge(localRanges[idx] as Range[], ranges.get(v) ?? []);
  };
  input.params.forEach((p, i) => {
    localTypes.push(input.valType(p));
    localKey.push(valTypeKey(input.valType(p)));
    localRanges.push([]);
    assign(p, i);
  });
  const nParams = input.params.length;
  const vars = [...ranges.keys()].filter((v) => !local.has(v));
  vars.sort((a, b) => ((ranges.get(a) as Range[])[0] as Range)[0] - ((ranges.get(b) as Range[])[0] as Range)[0] || a.id - b.id);
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < localKey.length; i++) {
    const k = localKey[i] as string;
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  }
  for (const v of vars) {
    const t = input.valType(v);
    const key = valTypeKey(t);
    const rs = ranges.get(v) as Range[];
    let chosen = -1;
    for (const h of moveHints.get(v) ?? []) {
      const li = local.get(h);
      if (li !== undefined && localKey[li] === key && !overlaps(localRanges[li] as Range[], rs)) {
        chosen = li;
        break;
      }
    }
    if (chosen < 0)
      for (const li of byKey.get(key) ?? [])
        if (!overlaps(localRanges[li] as Range[], rs)) {
          chosen = li;
          break;
        }
    if (chosen < 0) {
      chosen = localTypes.length;
      localTypes.push(t);
      localKey.push(key);
      localRanges.push([]);
      byKey.set(key, [...(byKey.get(key) ?? []), chosen]);
    }
    assign(v, chosen);
  }
  const before = vars.length;
  return {
    local,
    onStack,
    locals: localTypes.slice(nParams),
    before,
    stats: { vars: before + nParams + onStack.size, stackValues: onStack.size, localsAfter: localTypes.length - nParams },
  };
}

/** Call `f` with the number of every bit set, in increasing order. */
function forEachBit(b: Uint32Array, f: (k: number) => void): void {
  for (let w = 0; w < b.length; w++) {
    let x = b[w] as number;
    while (x !== 0) {
      f((w << 5) + 31 - Math.clz32(x & -x));
      x &= x - 1;
    }
  }
}
