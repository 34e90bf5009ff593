// Local allocation, the backend's register allocation. SSA values (and block parameters, which
// are written on edges) get Wasm locals by live range: liveness is computed on the flow graph,
// each variable's live range is the set of program points (in the emission order of the
// structured code) where it is live, with holes, and a variable takes the first local of its Wasm
// type whose ranges do not overlap its own — preferring the local of a variable it is moved from
// or to on an edge, so that most block-parameter moves disappear. Values used exactly once, by the
// op or exit that follows their definition in the same block (in operand push order), stay on the
// Wasm operand stack and get no local at all.

import type { Block, Op, Value, Var } from "../../ir/graph.ts";
import type { LLType } from "../../ir/types.ts";
import type { ValType } from "./emitter.ts";
import { valTypeKey } from "./emitter.ts";
import type { FlowEdge, FlowGraph, FlowNode, SNode, Structure } from "./cfg.ts";

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
  /** Local index of a variable that lives in a local (undefined: none). */
  localOf(v: Var): number | undefined;
  /** Is the variable left on the operand stack between its definition and its only use? */
  onStack(v: Var): boolean;
  /** The plan of op `i` of a reachable block node (planOp's, made once). */
  planOf(n: FlowNode, i: number): UsePlan;
  /** Types of the declared locals after the params. */
  readonly locals: ValType[];
  /** Variables that would each need a local without allocation (excluding params and stack values). */
  readonly before: number;
  readonly stats: { vars: number; stackValues: number; localsAfter: number };
}

/**
 * Numbers for the variables of one function, 0, 1, 2... in order of first sight. Variable ids
 * are global but compact within a graph (the builder numbers them in sequence), so the numbers
 * are found through a table indexed by id; variables outside the table's id range (dispatch
 * labels, say) go through a Map.
 */
class VarNumbers {
  readonly vars: Var[] = [];
  private readonly lo: number;
  private readonly slots: Int32Array;
  private readonly other = new Map<Var, number>();

  constructor(lo: number, hi: number, defs: number) {
    const span = hi - lo + 1;
    const table = span > 0 && span <= 4 * defs + 1024;
    this.lo = table ? lo : 0;
    this.slots = new Int32Array(table ? span : 0).fill(-1);
  }

  /** The number of `v`, or -1. */
  get(v: Var): number {
    const i = v.id - this.lo;
    if (i >= 0 && i < this.slots.length) {
      const k = this.slots[i] as number;
      return k >= 0 && this.vars[k] === v ? k : (this.other.get(v) ?? -1);
    }
    return this.other.get(v) ?? -1;
  }

  /** The number of `v`, given now if it had none. */
  add(v: Var): number {
    const k = this.get(v);
    if (k >= 0) return k;
    const n = this.vars.length;
    this.vars.push(v);
    const i = v.id - this.lo;
    if (i >= 0 && i < this.slots.length && (this.slots[i] as number) < 0) this.slots[i] = n;
    else this.other.set(v, n);
    return n;
  }

  get size(): number {
    return this.vars.length;
  }
}

const NO_RANGES: readonly number[] = [];
const NO_OPS: readonly Op[] = [];

/** The plans of a function's nodes: op plans in one list (a node's from opStart[node id]), exit plans by node id. */
interface Plans {
  readonly ops: UsePlan[];
  readonly opStart: Int32Array;
  readonly exits: UsePlan[];
}

/** Decide which op results stay on the operand stack (flags by variable number). */
function decideStack(nodes: readonly FlowNode[], plans: Plans, uses: Int32Array, nums: VarNumbers): Uint8Array {
  const onStack = new Uint8Array(nums.size);
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
    for (let j = pending.length - k; j < pending.length; j++) onStack[nums.get(pending[j] as Var)] = 1;
    pending.length -= k;
    // Any other pending value this op reads must live in a local instead.
    if (pending.length > 0 && plan.reads.length > 0) {
      let w = 0;
      for (let j = 0; j < pending.length; j++) {
        const v = pending[j] as Var;
        if (!plan.reads.includes(v)) pending[w++] = v;
      }
      pending.length = w;
    }
  };
  for (let ni = 0; ni < nodes.length; ni++) {
    const n = nodes[ni] as FlowNode;
    const b = n.block;
    if (!b) continue;
    pending.length = 0;
    const at = plans.opStart[n.id] as number;
    for (let i = 0; i < b.ops.length; i++) {
      consume(plans.ops[at + i] as UsePlan);
      const r = (b.ops[i] as Op).result;
      if (r && uses[nums.get(r)] === 1) pending.push(r);
    }
    consume(plans.exits[n.id] as UsePlan);
    // Values still pending at the end of the block are not on the stack: they get locals.
  }
  return onStack;
}

/**
 * Liveness of the allocated variables (`isVar`) on the flow graph: one bit per variable, a
 * use/def summary per node, and round-robin iteration in reverse order until nothing changes.
 * An edge defines its final block's parameters and the label variables it sets, and reads its
 * link's arguments; a dispatch node also keeps alive what its targets need.
 * Storage is flat: the live-in sets of all nodes in one array (by node id), and the variables a
 * node or edge reads and defines as lists of numbers in one array (by position and edge id).
 */
class Liveness {
  readonly words: number;
  /** Live into each node: `words` words per node id. */
  private readonly liveIn: Uint32Array;
  /** Variable numbers: per node (by position in the order) its upward-exposed reads then its defs; per edge its arguments, parameters, labels. */
  private readonly lists: number[] = [];
  /** Per edge id: start of its arguments, of its parameters, of its labels, end (in `lists`). */
  private readonly edgeAt: Int32Array;
  private readonly scratch: Uint32Array;

  /** The variable number of each bit. */
  readonly varOfBit: readonly number[];

  constructor(
    flow: FlowGraph,
    nodes: readonly FlowNode[],
    nums: VarNumbers,
    isVar: (v: Value) => v is Var,
    plans: Plans,
    global: LiveBits,
  ) {
    // per node position: start of its reads, start of its defs, end (in `lists`)
    const nodeAt = new Int32Array(3 * nodes.length);
    this.edgeAt = new Int32Array(4 * flow.edges);
    this.varOfBit = global.varOfBit;
    this.summarize(nodes, nums, isVar, plans, nodeAt, global.bitOf);
    const w = (this.words = (global.varOfBit.length + 31) >>> 5);
    this.liveIn = new Uint32Array(flow.nodes.length * w);
    this.scratch = new Uint32Array(2 * w);
    this.solve(nodes, nodeAt);
  }

  /** The variables each node reads (before defining them) and defines, and each edge reads and defines. */
  private summarize(
    nodes: readonly FlowNode[],
    nums: VarNumbers,
    isVar: (v: Value) => v is Var,
    plans: Plans,
    nodeAt: Int32Array,
    bitOf: Int32Array,
  ): void {
    // the bit of a variable (-1: it lives inside one node and needs none)
    const id = (v: Var): number => bitOf[nums.get(v)] as number;
    const lists = this.lists;
    const edgeAt = this.edgeAt;
    // definedIn[k]: 1 + the position of the node that defines variable k (0: none yet)
    const definedIn: number[] = [];
    const defs: number[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as FlowNode;
      nodeAt[3 * i] = lists.length;
      defs.length = 0;
      const at = plans.opStart[n.id] as number;
      if (n.block)
        for (let j = 0; j < n.block.ops.length; j++) {
          const op = n.block.ops[j] as Op;
          const reads = (plans.ops[at + j] as UsePlan).reads;
          for (let r = 0; r < reads.length; r++) {
            const v = reads[r] as Value;
            if (isVar(v)) {
              const k = id(v);
              if (k >= 0 && definedIn[k] !== i + 1) lists.push(k);
            }
          }
          if (op.result) {
            const k = id(op.result);
            if (k >= 0) {
              definedIn[k] = i + 1;
              defs.push(k);
            }
          }
        }
      const ereads = (plans.exits[n.id] as UsePlan).reads;
      for (let r = 0; r < ereads.length; r++) {
        const v = ereads[r] as Value;
        if (isVar(v)) {
          const k = id(v);
          if (k >= 0 && definedIn[k] !== i + 1) lists.push(k);
        }
      }
      nodeAt[3 * i + 1] = lists.length;
      for (let d = 0; d < defs.length; d++) lists.push(defs[d] as number);
      nodeAt[3 * i + 2] = lists.length;
      const out = n.out;
      for (let j = 0; j < out.length; j++) {
        const e = out[j] as FlowEdge;
        const at = 4 * e.id;
        edgeAt[at] = lists.length;
        if (e.link) {
          const args = e.link.args;
          for (let k = 0; k < args.length; k++) {
            const a = args[k] as Value;
            if (isVar(a)) lists.push(id(a));
          }
        }
        edgeAt[at + 1] = lists.length;
        if (e.final?.block) {
          const ps = (e.final.block as Block).params;
          for (let k = 0; k < ps.length; k++) lists.push(id(ps[k] as Var));
        }
        edgeAt[at + 2] = lists.length;
        for (let k = 0; k < e.labels.length; k++) lists.push(id((e.labels[k] as { label: Var }).label));
        edgeAt[at + 3] = lists.length;
      }
    }
  }

  /** Iterate in reverse order until nothing changes: live in = reads + (live out - defs). */
  private solve(nodes: readonly FlowNode[], nodeAt: Int32Array): void {
    const w = this.words;
    const lists = this.lists;
    const out = new Uint32Array(w);
    const liveIn = this.liveIn;
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = nodes.length - 1; i >= 0; i--) {
        const n = nodes[i] as FlowNode;
        // live in = reads + (live out - defs)
        this.outInto(n, out);
        for (let j = nodeAt[3 * i + 1] as number, e = nodeAt[3 * i + 2] as number; j < e; j++) clearBit(out, lists[j] as number);
        for (let j = nodeAt[3 * i] as number, e = nodeAt[3 * i + 1] as number; j < e; j++) setBit(out, lists[j] as number);
        const base = n.id * w;
        for (let k = 0; k < w; k++) {
          const x = out[k] as number;
          if (x !== liveIn[base + k]) {
            liveIn[base + k] = x;
            changed = true;
          }
        }
      }
    }
  }

  /** Live into node `n`, as `words` words from `inStart(n)` of `inSets` (shared: do not change). */
  get inSets(): Uint32Array {
    return this.liveIn;
  }

  inStart(n: FlowNode): number {
    return n.id * this.words;
  }

  /** The variable numbers of an edge: arguments [at, at+1), parameters [at+1, at+2), labels [at+2, at+3) of `edgeLists`, at = 4 * id. */
  get edgeLists(): readonly number[] {
    return this.lists;
  }

  get edgeBounds(): Int32Array {
    return this.edgeAt;
  }

  /** Live out of node `n`, into `out` (`words` words). */
  outInto(n: FlowNode, out: Uint32Array): void {
    const w = this.words;
    const liveIn = this.liveIn;
    const lists = this.lists;
    const edgeAt = this.edgeAt;
    out.fill(0);
    const t = this.scratch;
    const outs = n.out;
    for (let i = 0; i < outs.length; i++) {
      const e = outs[i] as FlowEdge;
      // live before the edge: (live into its final target - what it defines) + its arguments
      const from = (e.final ?? e.to).id * w;
      const at = 4 * e.id;
      const a0 = edgeAt[at] as number;
      const d0 = edgeAt[at + 1] as number;
      const end = edgeAt[at + 3] as number;
      if (d0 === end) for (let k = 0; k < w; k++) out[k] = (out[k] as number) | (liveIn[from + k] as number);
      else {
        for (let k = 0; k < w; k++) t[k] = liveIn[from + k] as number;
        for (let j = d0; j < end; j++) clearBit(t, lists[j] as number);
        for (let k = 0; k < w; k++) out[k] = (out[k] as number) | (t[k] as number);
      }
      for (let j = a0; j < d0; j++) setBit(out, lists[j] as number);
      if (n.kind === "dispatch") {
        const d = e.to.id * w;
        for (let k = 0; k < w; k++) out[k] = (out[k] as number) | (liveIn[d + k] as number);
      }
    }
  }
}

/** The variables `n`'s out-edges read or set (their links' variable arguments, then their labels), in `into` (emptied first). */
function edgeVars(n: FlowNode, into: Var[]): Var[] {
  into.length = 0;
  const out = n.out;
  for (let j = 0; j < out.length; j++) {
    const e = out[j] as FlowEdge;
    if (e.link) {
      const args = e.link.args;
      for (let k = 0; k < args.length; k++) {
        const a = args[k] as Value;
        if (a.kind === "var") into.push(a);
      }
    }
    for (let k = 0; k < e.labels.length; k++) into.push((e.labels[k] as { label: Var }).label);
  }
  return into;
}

function setBit(b: Uint32Array, k: number): void {
  b[k >>> 5] = (b[k >>> 5] as number) | (1 << (k & 31));
}

function clearBit(b: Uint32Array, k: number): void {
  b[k >>> 5] = (b[k >>> 5] as number) & ~(1 << (k & 31));
}

/** Number the variables, plan every op and exit, count the reads of each variable. */
function numberAndPlan(
  input: AllocInput,
  nodes: readonly FlowNode[],
  flow: FlowGraph,
): { nums: VarNumbers; plans: Plans; uses: Int32Array } {
  // Number the variables: the table of ids spans the definitions (params, results, labels).
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let defs = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as FlowNode;
    const b = n.block;
    if (b) {
      const ps = b.params;
      for (let j = 0; j < ps.length; j++) {
        const id = (ps[j] as Var).id;
        if (id < lo) lo = id;
        if (id > hi) hi = id;
        defs++;
      }
      const ops = b.ops;
      for (let j = 0; j < ops.length; j++) {
        const r = (ops[j] as Op).result;
        if (!r) continue;
        if (r.id < lo) lo = r.id;
        if (r.id > hi) hi = r.id;
        defs++;
      }
    }
    const l = n.label;
    if (l) {
      if (l.id < lo) lo = l.id;
      if (l.id > hi) hi = l.id;
      defs++;
    }
  }
  const nums = new VarNumbers(lo, hi, defs);
  const scratch: Var[] = [];
  // Plans of ops and exits, every variable numbered (reads, results, edge arguments, parameters, labels).
  const plans: Plans = { ops: [], opStart: new Int32Array(flow.nodes.length), exits: new Array(flow.nodes.length) };
  const planOps = plans.ops;
  for (let i = 0; i < input.params.length; i++) nums.add(input.params[i] as Var);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as FlowNode;
    plans.opStart[n.id] = planOps.length;
    const b = n.block;
    if (b) {
      const ps = b.params;
      for (let j = 0; j < ps.length; j++) nums.add(ps[j] as Var);
      const ops = b.ops;
      for (let j = 0; j < ops.length; j++) {
        const op = ops[j] as Op;
        const p = input.planOp(op);
        planOps.push(p);
        const rs = p.reads;
        for (let k = 0; k < rs.length; k++) {
          const v = rs[k] as Value;
          if (v.kind === "var") nums.add(v);
        }
        if (op.result) nums.add(op.result);
      }
    }
    const ep = input.planExit(n);
    plans.exits[n.id] = ep;
    for (let k = 0; k < ep.reads.length; k++) {
      const v = ep.reads[k] as Value;
      if (v.kind === "var") nums.add(v);
    }
    const ev = edgeVars(n, scratch);
    for (let k = 0; k < ev.length; k++) nums.add(ev[k] as Var);
  }
  // Use counts (every read of a var: ops, exits, edge arguments).
  const uses = new Int32Array(nums.size);
  const bumpAll = (vs: readonly Value[]) => {
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k] as Value;
      if (v.kind === "var") {
        const x = nums.get(v);
        uses[x] = (uses[x] as number) + 1;
      }
    }
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as FlowNode;
    const at = plans.opStart[n.id] as number;
    if (n.block) for (let j = 0; j < n.block.ops.length; j++) bumpAll((planOps[at + j] as UsePlan).reads);
    bumpAll((plans.exits[n.id] as UsePlan).reads);
    const out = n.out;
    for (let j = 0; j < out.length; j++) {
      const e = out[j] as FlowEdge;
      if (e.link) bumpAll(e.link.args);
    }
  }
  return { nums, plans, uses };
}

/** Each variable's live range (by number): [start, end, start, end, ...] over the emission order. */
function liveRanges(
  structure: Structure,
  nums: VarNumbers,
  live: Liveness,
  plans: Plans,
  uses: Int32Array,
  isVar: (v: Value) => v is Var,
): (number[] | undefined)[] {
  // ---- live ranges over the emission order ----
  const words = live.words;
  const varOfBit = live.varOfBit;
  const liveOut = new Uint32Array(words);
  const eDefs = new Uint32Array(words);
  const eLabels = new Uint32Array(words);
  const eArgs = new Uint32Array(words);
  // each variable's ranges by number, as [start, end, start, end, ...] (sorted, disjoint)
  const ranges: (number[] | undefined)[] = new Array(nums.size);
  const addRange = (k: number, s: number, e: number) => {
    const list = ranges[k];
    if (!list) {
      ranges[k] = [s, e];
      return;
    }
    const n = list.length;
    if (n > 0 && s <= (list[n - 1] as number) + 1 && s >= (list[n - 2] as number)) list[n - 1] = Math.max(list[n - 1] as number, e);
    else list.push(s, e);
  };
  let pos = 0;
  // where each open variable's range ends (-1: not open), by number, and which were opened
  const openAt = new Int32Array(nums.size).fill(-1);
  const opened: number[] = [];
  const open = (k: number, at: number) => {
    if ((openAt[k] as number) >= 0) return;
    openAt[k] = at;
    opened.push(k);
  };
  // ranges of the results defined in a segment, as (number, start, end), latest op first
  const defRanges: number[] = [];
  const codeSegment = (n: FlowNode) => {
    const ops = n.block ? n.block.ops : NO_OPS;
    const start = pos;
    const exitPos = start + 2 * ops.length;
    const end = exitPos + 1;
    pos = end + 1;
    opened.length = 0;
    defRanges.length = 0;
    live.outInto(n, liveOut);
    for (let w = 0; w < words; w++) {
      let x = liveOut[w] as number;
      while (x !== 0) {
        open(varOfBit[(w << 5) + 31 - Math.clz32(x & -x)] as number, end);
        x &= x - 1;
      }
    }
    const ereads = (plans.exits[n.id] as UsePlan).reads;
    for (let j = 0; j < ereads.length; j++) {
      const v = ereads[j] as Value;
      if (isVar(v)) open(nums.get(v), exitPos);
    }
    const at = plans.opStart[n.id] as number;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i] as Op;
      const u = start + 2 * i;
      const r = op.result;
      // A result nobody reads is dropped: it needs no local.
      if (r && isVar(r) && (uses[nums.get(r)] as number) > 0) {
        const k = nums.get(r);
        const e = openAt[k] as number;
        defRanges.push(k, u + 1, e >= 0 ? e : u + 1);
        openAt[k] = -1;
      }
      const reads = (plans.ops[at + i] as UsePlan).reads;
      for (let j = 0; j < reads.length; j++) {
        const v = reads[j] as Value;
        if (isVar(v)) open(nums.get(v), u);
      }
    }
    // In order of start: the variables live at the segment's start, then the results, earliest first.
    for (let j = 0; j < opened.length; j++) {
      const k = opened[j] as number;
      const e = openAt[k] as number;
      if (e < 0) continue;
      addRange(k, start, e);
      openAt[k] = -1;
    }
    for (let j = defRanges.length - 3; j >= 0; j -= 3)
      addRange(defRanges[j] as number, defRanges[j + 1] as number, defRanges[j + 2] as number);
  };
  const edgeSegment = (e: FlowEdge) => {
    const u = pos;
    pos += 2;
    // after the moves: live into the target and the labels set; before: that minus what the edge defines, plus its arguments
    const inSets = live.inSets;
    const into = live.inStart(e.final ?? e.to);
    const lists = live.edgeLists;
    const at = 4 * e.id;
    const bounds = live.edgeBounds;
    const a0 = bounds[at] as number;
    const p0 = bounds[at + 1] as number;
    const l0 = bounds[at + 2] as number;
    const end = bounds[at + 3] as number;
    for (let j = p0; j < end; j++) setBit(eDefs, lists[j] as number);
    for (let j = l0; j < end; j++) setBit(eLabels, lists[j] as number);
    for (let j = a0; j < p0; j++) setBit(eArgs, lists[j] as number);
    for (let w = 0; w < words; w++) {
      const after = ((inSets[into + w] as number) | (eLabels[w] as number)) >>> 0;
      const d = eDefs[w] as number;
      const before = ((after & ~d) | (eArgs[w] as number)) >>> 0;
      let all = (after | before | d) >>> 0;
      while (all !== 0) {
        const bit = 31 - Math.clz32(all & -all);
        all = (all & (all - 1)) >>> 0;
        const m = 1 << bit;
        const k = varOfBit[(w << 5) + bit] as number;
        if (before & m) addRange(k, u, after & m ? u + 1 : u);
        else addRange(k, u + 1, u + 1);
      }
    }
    for (let j = a0; j < end; j++) {
      const k = (lists[j] as number) >>> 5;
      eDefs[k] = 0;
      eLabels[k] = 0;
      eArgs[k] = 0;
    }
  };
  const walk = (list: readonly SNode[]) => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as SNode;
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

  return ranges;
}

/** Give every variable with a live range a local (by number; -1: none): the params theirs, the others by first point. */
function assignLocals(
  input: AllocInput,
  nodes: readonly FlowNode[],
  nums: VarNumbers,
  ranges: readonly (number[] | undefined)[],
  isVar: (v: Value) => v is Var,
): { local: Int32Array; localTypes: ValType[]; assigned: number } {
  // ---- assignment ----
  // Move hints by number: the variables each one is moved to or from on an edge.
  const hints: (number[] | undefined)[] = new Array(nums.size);
  const hint = (a: number, b: number) => {
    let l = hints[a];
    if (!l) hints[a] = l = [];
    l.push(b);
  };
  for (let ni = 0; ni < nodes.length; ni++) {
    const out = (nodes[ni] as FlowNode).out;
    for (let j = 0; j < out.length; j++) {
      const e = out[j] as FlowEdge;
      const final = e.final?.block;
      if (!final || !e.link) continue;
      const args = e.link.args;
      for (let i = 0; i < args.length; i++) {
        const a = args[i] as Value;
        const p = final.params[i];
        if (p && isVar(a) && a !== p) {
          const ka = nums.get(a);
          const kp = nums.get(p);
          hint(ka, kp);
          hint(kp, ka);
        }
      }
    }
  }
  // each local's ranges: the union of its variables', [start, end, ...] sorted and disjoint
  const localRanges: number[][] = [];
  const localTypes: ValType[] = [];
  const localKey: string[] = [];
  // the local of each variable, by number (-1: none)
  const local = new Int32Array(nums.size).fill(-1);
  /** Do a local's ranges and a variable's share a point? */
  const overlaps = (a: readonly number[], b: readonly number[]): boolean => {
    const na = a.length;
    if (na === 0 || b.length === 0) return false;
    if ((a[na - 1] as number) < (b[0] as number) || (b[b.length - 1] as number) < (a[0] as number)) return false;
    for (let j = 0; j < b.length; j += 2) {
      const s = b[j] as number;
      const e = b[j + 1] as number;
      // the first range of `a` that ends at or after s (ends are increasing: the ranges are disjoint)
      let lo = 0;
      let hi = na >> 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((a[2 * mid + 1] as number) < s) lo = mid + 1;
        else hi = mid;
      }
      if (lo < na >> 1 && (a[2 * lo] as number) <= e) return true;
    }
    return false;
  };
  /** Add a variable's ranges (which overlap none of them) to a local's. */
  const insert = (a: number[], b: readonly number[]): void => {
    for (let j = 0; j < b.length; j += 2) {
      const s = b[j] as number;
      let lo = 0;
      let hi = a.length >> 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((a[2 * mid] as number) < s) lo = mid + 1;
        else hi = mid;
      }
      const at = 2 * lo;
      const n = a.length;
      if (at === n) a.push(s, b[j + 1] as number);
      else {
        // make room for the pair at `at` (without splice's array of removed items)
        a.push(a[n - 2] as number, a[n - 1] as number);
        for (let k = n - 1; k >= at + 2; k--) a[k] = a[k - 2] as number;
        a[at] = s;
        a[at + 1] = b[j + 1] as number;
      }
    }
  };
  const assign = (k: number, idx: number) => {
    local[k] = idx;
    insert(localRanges[idx] as number[], ranges[k] ?? NO_RANGES);
  };
  // Wasm type and its key, by LL type object (many variables share one)
  const typeMemo = new Map<LLType, { t: ValType; key: string }>();
  const typeOf = (v: Var): { t: ValType; key: string } => {
    let m = typeMemo.get(v.type);
    if (!m) {
      const t = input.valType(v);
      m = { t, key: valTypeKey(t) };
      typeMemo.set(v.type, m);
    }
    return m;
  };
  input.params.forEach((p, i) => {
    const pt = typeOf(p);
    localTypes.push(pt.t);
    localKey.push(pt.key);
    localRanges.push([]);
    assign(nums.get(p), i);
  });
  const vars = byFirstPoint(ranges, local, nums);
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < localKey.length; i++) {
    const k = localKey[i] as string;
    let l = byKey.get(k);
    if (!l) byKey.set(k, (l = []));
    l.push(i);
  }
  for (const k of vars) {
    const { t, key } = typeOf(nums.vars[k] as Var);
    const rs = ranges[k] as number[];
    let chosen = -1;
    const hs = hints[k];
    if (hs)
      for (let j = 0; j < hs.length; j++) {
        const li = local[hs[j] as number] as number;
        if (li >= 0 && localKey[li] === key && !overlaps(localRanges[li] as number[], rs)) {
          chosen = li;
          break;
        }
      }
    const same = chosen < 0 ? byKey.get(key) : undefined;
    if (same)
      for (let j = 0; j < same.length; j++) {
        const li = same[j] as number;
        if (!overlaps(localRanges[li] as number[], rs)) {
          chosen = li;
          break;
        }
      }
    if (chosen < 0) {
      chosen = localTypes.length;
      localTypes.push(t);
      localKey.push(key);
      localRanges.push([]);
      let l = byKey.get(key);
      if (!l) byKey.set(key, (l = []));
      l.push(chosen);
    }
    assign(k, chosen);
  }
  return { local, localTypes, assigned: vars.length };
}

/**
 * The variables with a range and no local yet, by number, in order of their first point (ties by
 * variable id): a counting sort on the first point (points are dense), then ties in place.
 */
function byFirstPoint(ranges: readonly (number[] | undefined)[], local: Int32Array, nums: VarNumbers): number[] {
  let maxPoint = -1;
  let n = 0;
  for (let k = 0; k < ranges.length; k++) {
    const r = ranges[k];
    if (r === undefined || (local[k] as number) >= 0) continue;
    n++;
    if ((r[0] as number) > maxPoint) maxPoint = r[0] as number;
  }
  const start = new Int32Array(maxPoint + 2);
  for (let k = 0; k < ranges.length; k++) {
    const r = ranges[k];
    if (r !== undefined && (local[k] as number) < 0) start[(r[0] as number) + 1]++;
  }
  for (let p = 1; p < start.length; p++) start[p] = (start[p] as number) + (start[p - 1] as number);
  const out: number[] = new Array(n);
  for (let k = 0; k < ranges.length; k++) {
    const r = ranges[k];
    if (r === undefined || (local[k] as number) >= 0) continue;
    const p = r[0] as number;
    out[start[p] as number] = k;
    start[p] = (start[p] as number) + 1;
  }
  // ties (same first point): by variable id, insertion sort (runs are short)
  const vars = nums.vars;
  for (let i = 1; i < n; i++) {
    const k = out[i] as number;
    const p = (ranges[k] as number[])[0] as number;
    const id = (vars[k] as Var).id;
    let j = i - 1;
    while (j >= 0) {
      const kj = out[j] as number;
      if (((ranges[kj] as number[])[0] as number) !== p || (vars[kj] as Var).id <= id) break;
      out[j + 1] = kj;
      j--;
    }
    out[j + 1] = k;
  }
  return out;
}

/** The variables that liveness tracks, one bit each: those read or moved outside the node that defines them. */
interface LiveBits {
  /** Bit of each variable number (-1: none). */
  readonly bitOf: Int32Array;
  /** Variable number of each bit. */
  readonly varOfBit: number[];
}

/**
 * Variables live across nodes: block parameters, labels, edge arguments, and values read in a
 * node other than their definition's. The others (and stack values) live inside one node: their
 * ranges come from the node's own ops, and liveness need not carry them.
 */
function liveBits(nodes: readonly FlowNode[], plans: Plans, nums: VarNumbers, onStack: Uint8Array): LiveBits {
  const size = nums.size;
  const scratch: Var[] = [];
  const defNode = new Int32Array(size).fill(-1);
  const global = new Uint8Array(size);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as FlowNode;
    const b = n.block;
    if (!b) continue;
    for (let j = 0; j < b.params.length; j++) global[nums.get(b.params[j] as Var)] = 1;
    for (let j = 0; j < b.ops.length; j++) {
      const r = (b.ops[j] as Op).result;
      if (r) defNode[nums.get(r)] = n.id;
    }
  }
  const readAll = (vs: readonly Value[], n: FlowNode) => {
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k] as Value;
      if (v.kind !== "var") continue;
      const x = nums.get(v);
      if (defNode[x] !== n.id) global[x] = 1;
    }
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as FlowNode;
    const at = plans.opStart[n.id] as number;
    if (n.block) for (let j = 0; j < n.block.ops.length; j++) readAll((plans.ops[at + j] as UsePlan).reads, n);
    readAll((plans.exits[n.id] as UsePlan).reads, n);
    const ev = edgeVars(n, scratch);
    for (let k = 0; k < ev.length; k++) global[nums.get(ev[k] as Var)] = 1;
  }
  const bitOf = new Int32Array(size).fill(-1);
  const varOfBit: number[] = [];
  for (let k = 0; k < size; k++)
    if (global[k] && !onStack[k]) {
      bitOf[k] = varOfBit.length;
      varOfBit.push(k);
    }
  return { bitOf, varOfBit };
}

export function allocate(input: AllocInput): Allocation {
  const { structure } = input;
  const flow = structure.flow;
  const nodes = structure.info.order;
  const { nums, plans, uses } = numberAndPlan(input, nodes, flow);
  const onStack = decideStack(nodes, plans, uses, nums);
  const isVar = (v: Value): v is Var => v.kind === "var" && onStack[nums.get(v)] === 0;
  // liveness on the flow graph (block params are defined on edges), as bit sets
  const live = new Liveness(flow, nodes, nums, isVar, plans, liveBits(nodes, plans, nums, onStack));
  const ranges = liveRanges(structure, nums, live, plans, uses, isVar);
  const { local, localTypes, assigned } = assignLocals(input, nodes, nums, ranges, isVar);
  const nParams = input.params.length;
  const before = assigned;
  let stackValues = 0;
  for (let k = 0; k < onStack.length; k++) stackValues += onStack[k] as number;
  return {
    localOf: (v: Var) => {
      const k = nums.get(v);
      const l = k >= 0 ? (local[k] as number) : -1;
      return l >= 0 ? l : undefined;
    },
    onStack: (v: Var) => {
      const k = nums.get(v);
      return k >= 0 && onStack[k] === 1;
    },
    planOf: (n: FlowNode, i: number) => plans.ops[(plans.opStart[n.id] as number) + i] as UsePlan,
    locals: localTypes.slice(nParams),
    before,
    stats: { vars: before + nParams + stackValues, stackValues, localsAfter: localTypes.length - nParams },
  };
}
