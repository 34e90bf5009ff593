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

const EMPTY: ReadonlySet<Var> = new Set();

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
    let pending: Var[] = [];
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
      const matched = new Set(pending.slice(pending.length - k));
      for (const v of matched) onStack.add(v);
      pending = pending.slice(0, pending.length - k);
      // Any other pending value this op reads must live in a local instead.
      const readSet = new Set(plan.reads.filter((r): r is Var => r.kind === "var"));
      pending = pending.filter((v) => !readSet.has(v));
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

  // ---- liveness on the flow graph (block params are defined on edges) ----
  const liveIn = new Map<FlowNode, Set<Var>>();
  for (const n of nodes) liveIn.set(n, new Set());
  const liveBeforeEdge = (e: FlowEdge): Set<Var> => {
    const target = e.final ?? e.to;
    const s = new Set(liveIn.get(target) ?? EMPTY);
    for (const d of edgeDefs(e)) s.delete(d);
    for (const a of edgeArgs(e)) if (isVar(a)) s.add(a);
    return s;
  };
  const liveOutOf = (n: FlowNode): Set<Var> => {
    const s = new Set<Var>();
    for (const e of n.out) for (const v of liveBeforeEdge(e)) s.add(v);
    if (n.kind === "dispatch") for (const e of n.out) for (const v of liveIn.get(e.to) ?? EMPTY) s.add(v);
    return s;
  };
  const transfer = (n: FlowNode, out: Set<Var>): Set<Var> => {
    const live = new Set(out);
    for (const v of (exitPlans.get(n) as UsePlan).reads) if (isVar(v)) live.add(v);
    if (n.block) {
      const ops = n.block.ops;
      for (let i = ops.length - 1; i >= 0; i--) {
        const op = ops[i] as Op;
        if (op.result) live.delete(op.result);
        for (const v of (opPlans.get(op) as UsePlan).reads) if (isVar(v)) live.add(v);
      }
    }
    return live;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i] as FlowNode;
      const li = transfer(n, liveOutOf(n));
      const cur = liveIn.get(n) as Set<Var>;
      if (li.size !== cur.size) {
        liveIn.set(n, li);
        changed = true;
      } else
        for (const v of li)
          if (!cur.has(v)) {
            liveIn.set(n, li);
            changed = true;
            break;
          }
    }
  }

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
  const codeSegment = (n: FlowNode) => {
    const ops = n.block ? n.block.ops : [];
    const start = pos;
    const exitPos = start + 2 * ops.length;
    const end = exitPos + 1;
    pos = end + 1;
    const open = new Map<Var, number>();
    for (const v of liveOutOf(n)) open.set(v, end);
    for (const v of (exitPlans.get(n) as UsePlan).reads) if (isVar(v) && !open.has(v)) open.set(v, exitPos);
    const segRanges: [Var, number, number][] = [];
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i] as Op;
      const u = start + 2 * i;
      const r = op.result;
      // A result nobody reads is dropped: it needs no local.
      if (r && !onStack.has(r) && (useCount.get(r) ?? 0) > 0) {
        const e = open.get(r);
        segRanges.push([r, u + 1, e ?? u + 1]);
        open.delete(r);
      }
      for (const v of (opPlans.get(op) as UsePlan).reads) if (isVar(v) && !open.has(v)) open.set(v, u);
    }
    for (const [v, e] of open) segRanges.push([v, start, e]);
    segRanges.sort((a, b) => a[1] - b[1]);
    for (const [v, s, e] of segRanges) addRange(v, s, e);
  };
  const edgeSegment = (e: FlowEdge) => {
    const u = pos;
    pos += 2;
    const after = new Set(liveIn.get(e.final ?? e.to) ?? EMPTY);
    for (const l of e.labels) after.add(l.label);
    const defs = new Set(edgeDefs(e));
    const before = new Set<Var>();
    for (const v of after) if (!defs.has(v)) before.add(v);
    for (const a of edgeArgs(e)) if (isVar(a)) before.add(a);
    const segRanges: [Var, number, number][] = [];
    for (const v of before) segRanges.push([v, u, after.has(v) ? u + 1 : u]);
    for (const v of after) if (!before.has(v)) segRanges.push([v, u + 1, u + 1]);
    for (const d of defs) if (!after.has(d) && !before.has(d)) segRanges.push([d, u + 1, u + 1]);
    for (const [v, s, en] of segRanges) addRange(v, s, en);
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
