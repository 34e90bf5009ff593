// Counted loops in closed form (final-value replacement). A residual loop of one block whose only
// work is pure scalar arithmetic on its parameters — each parameter passed on unchanged or stepped
// by a constant (`p + c`, or `(p + c) & m` with m = 2^k - 1), one of them a counter stepped by
// ±1 under a mask while the loop runs until it is 0 — has a trip count computed from the
// counter's first value. Skipping all iterations but the last is unobservable (nothing but the
// parameters changes and nothing can fail), so the block runs once, on the values of the last
// iteration (first value + (trip count - 1) · step), and leaves. Brainfuck's `[-]` and `[->+<]`,
// once their cells are carried as loop items (loopitems.ts), become straight-line code. Part of
// the residual graph's cleanup (`cleanup.ts`).

import type { Block, Graph, Link, Op, Value, Var } from "../ir/graph.ts";
import { arrayDef, exitLinks } from "../ir/graph.ts";
import type { Program } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import { isPure } from "../ir/ops.ts";
import { I32 } from "../ir/types.ts";

/** How a loop parameter changes per iteration. */
type Step = { readonly kind: "same" } | { readonly kind: "step"; readonly c: number; readonly mask: number | null };

/** Close every counted loop of `g`; true if any changed. */
export function closeCountedLoops(p: Program, g: Graph): boolean {
  const defs = new Map<Var, Op>();
  for (const b of g.blocks) for (const o of b.ops) if (o.result) defs.set(o.result, o);
  // the links into each block, gathered once (on the first loop that gets that far): closing a
  // loop retargets only the links into its own header, which is not looked at again
  let incoming: Map<Block, Link[]> | null = null;
  const linksInto = (h: Block): readonly Link[] => {
    if (incoming === null) {
      const m = new Map<Block, Link[]>();
      for (const b of g.blocks)
        for (const l of exitLinks(b.exit)) {
          const ls = m.get(l.target);
          if (ls) ls.push(l);
          else m.set(l.target, [l]);
        }
      incoming = m;
    }
    return incoming.get(h) ?? [];
  };
  let changed = false;
  for (const h of [...g.blocks]) if (closeLoop(p, g, h, defs, linksInto)) changed = true;
  return changed;
}

function intConst(v: Value | undefined): number | null {
  return v !== undefined && v.kind === "const" && typeof v.value === "number" ? v.value : null;
}

/** `2^k - 1` for some k in 1..31, else false. */
function isLowMask(m: number | null): m is number {
  return m !== null && m > 0 && (m & (m + 1)) === 0;
}

function closeLoop(p: Program, g: Graph, h: Block, defs: Map<Var, Op>, linksInto: (h: Block) => readonly Link[]): boolean {
  const e = h.exit;
  if (e.kind !== "branch") return false;
  const back = e.ifTrue.target === h ? e.ifTrue : e.ifFalse.target === h ? e.ifFalse : null;
  const out = back === e.ifTrue ? e.ifFalse : e.ifTrue;
  if (!back || out.target === h || e.cond.kind !== "var") return false;
  const inH = new Set<Op>(h.ops);
  for (const o of h.ops) if (!isPure(o.op)) return false;
  // the condition: the counter's next value compared with 0, the loop going on while it is not 0
  const cop = defs.get(e.cond);
  if (!cop || !inH.has(cop) || (cop.op !== "int_ne" && cop.op !== "int_eq")) return false;
  if ((cop.op === "int_ne") !== (back === e.ifTrue)) return false;
  const [ca, cb] = cop.args as [Value, Value];
  const m = intConst(cb) === 0 ? ca : intConst(ca) === 0 ? cb : null;
  if (m?.kind !== "var") return false;
  // each parameter: unchanged, or stepped by a constant (masked or not)
  const steps: Step[] = [];
  for (let i = 0; i < h.params.length; i++) {
    const pv = h.params[i] as Var;
    const next = back.args[i] as Value;
    if (next === pv) {
      steps.push({ kind: "same" });
      continue;
    }
    if (pv.type.kind !== "i32" || next.kind !== "var") return false;
    let d = defs.get(next);
    let mask: number | null = null;
    if (d && inH.has(d) && d.op === "int_and") {
      mask = intConst(d.args[1]);
      if (!isLowMask(mask) || d.args[0]?.kind !== "var") return false;
      d = defs.get(d.args[0]);
    }
    if (!d || !inH.has(d)) return false;
    const [x, y] = d.args as [Value, Value];
    let c: number | null = null;
    if (d.op === "int_add") c = x === pv ? intConst(y) : y === pv ? intConst(x) : null;
    else if (d.op === "int_sub" && x === pv) c = intConst(y) === null ? null : -(intConst(y) as number) | 0;
    if (c === null) return false;
    steps.push({ kind: "step", c, mask });
  }
  const k = back.args.indexOf(m);
  const counter = steps[k];
  if (k < 0 || !counter || counter.kind !== "step" || counter.mask === null || (counter.c !== 1 && counter.c !== -1)) return false;
  // the entry links: a masked parameter must enter within its mask (its first value is then
  // what the closed form gives for zero steps)
  const entries = linksInto(h).filter((l) => l !== back);
  if (entries.length === 0) return false;
  for (const l of entries)
    for (let i = 0; i < steps.length; i++) {
      const st = steps[i] as Step;
      if (st.kind === "step" && st.mask !== null && !withinMask(p, l.args[i] as Value, st.mask, defs)) return false;
    }
  // a pre-header computes the values of the last iteration from the first ones
  const first = h.params.map((v) => newVar(v.type, v.name));
  const pre: Block = { label: `${h.label}.last`, params: first, ops: [], exit: { kind: "none" } };
  const op = (name: Op["op"], args: Value[], hint: string): Var => {
    const r = newVar(I32, hint);
    pre.ops.push({ op: name, args, result: r, attrs: {} });
    return r;
  };
  const v0 = first[k] as Var;
  // steps before the last: (v0 - 1) & mask counting down, (-v0 - 1) & mask counting up
  const before = op(
    "int_and",
    [
      counter.c === -1 ? op("int_sub", [v0, constant(I32, 1)], "v") : op("int_sub", [constant(I32, -1), v0], "v"),
      constant(I32, counter.mask),
    ],
    "steps",
  );
  const last: Value[] = first.map((v, i) => {
    const st = steps[i] as Step;
    if (st.kind === "same") return v;
    const moved =
      st.c === 1 || st.c === -1
        ? op(st.c === 1 ? "int_add" : "int_sub", [v, before], v.name)
        : op("int_add", [v, op("int_mul", [before, constant(I32, st.c)], "d")], v.name);
    return st.mask === null ? moved : op("int_and", [moved, constant(I32, st.mask)], v.name);
  });
  pre.exit = { kind: "jump", link: { target: h, args: last } };
  for (const l of entries) l.target = pre;
  h.exit = { kind: "jump", link: out };
  g.blocks.splice(g.blocks.indexOf(h), 0, pre);
  return true;
}

/** Whether `v` is known to be in [0, mask]: a constant, a masked value, or an item of a byte array. */
function withinMask(p: Program, v: Value, mask: number, defs: Map<Var, Op>): boolean {
  const c = intConst(v);
  if (c !== null) return c >= 0 && c <= mask;
  if (v.kind !== "var") return false;
  const d = defs.get(v);
  if (!d) return false;
  if (d.op === "int_and") {
    const m = intConst(d.args[1]) ?? intConst(d.args[0]);
    return m !== null && m >= 0 && m <= mask;
  }
  if (d.op === "getitem") {
    const item = arrayDef(p, d.attrs.type as string)?.item;
    return mask >= 255 && item?.kind === "u8";
  }
  return false;
}
