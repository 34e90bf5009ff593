// Merging chains of checks that raise the same guest error (a cleanup pass, see cleanup.ts). An
// interpreter checks each step of a guest instruction sequence: Brainfuck's `>>>>` tests
// `ptr + k == LAST` before each move and fails with the same error. In residual code these are
// blocks each ending in `branch (x + c_i == K_i), <raise r>, next` with only pure, non-failing
// scalar ops between them. The chain raises r exactly when x is one of the K_i - c_i, and nothing
// observable happens between the tests, so when those values are contiguous the first test
// becomes one unsigned range test (x - lo <= hi - lo) and the others go.

import type { Block, Graph, Link, Op, Value, Var } from "../ir/graph.ts";
import { exitLinks } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import type { ScalarOpName } from "../ir/ops.ts";
import { BOOL, I32 } from "../ir/types.ts";

/** Scalar ops that cannot fail and have no effect: the only ops allowed between merged checks. */
const SAFE = new Set<ScalarOpName>([
  "int_add",
  "int_sub",
  "int_mul",
  "int_and",
  "int_or",
  "int_xor",
  "int_shl",
  "int_shr",
  "int_ushr",
  "int_neg",
  "int_invert",
  "int_eq",
  "int_ne",
  "int_lt",
  "int_le",
  "int_gt",
  "int_ge",
  "uint_lt",
  "uint_le",
  "uint_gt",
  "uint_ge",
  "bool_not",
  "bool_eq",
  "bool_ne",
]);

/** A check: the block's branch tests `root + off == k` and its true side only raises `raised`. */
interface Check {
  readonly root: Value;
  readonly off: number;
  readonly k: number;
  readonly raised: number;
  readonly cont: Link;
}

function i32Const(v: Value): number | null {
  return v.kind === "const" && v.type.kind === "i32" && typeof v.value === "number" ? v.value : null;
}

/** The number of links into each block from the blocks of `blocks`. */
function linkCounts(blocks: readonly Block[]): Map<Block, number> {
  const preds = new Map<Block, number>();
  for (let j = 0; j < blocks.length; j++) {
    const e = (blocks[j] as Block).exit;
    if (e.kind === "jump") preds.set(e.link.target, (preds.get(e.link.target) ?? 0) + 1);
    else if (e.kind === "branch") {
      preds.set(e.ifTrue.target, (preds.get(e.ifTrue.target) ?? 0) + 1);
      preds.set(e.ifFalse.target, (preds.get(e.ifFalse.target) ?? 0) + 1);
    } else if (e.kind === "switch") for (const l of exitLinks(e)) preds.set(l.target, (preds.get(l.target) ?? 0) + 1);
  }
  return preds;
}

/** Merge the check chains of `g` (`preds`, if given: the links into each block from those of `g`); true if anything changed. */
export function mergeRangeChecks(g: Graph, preds: ReadonlyMap<Block, number> = linkCounts(g.blocks)): boolean {
  const blocks = g.blocks;
  // values as a root plus a constant offset (through int_add/int_sub of constants, and through
  // the parameters of blocks with one predecessor, which are their arguments)
  const alias = new Map<Var, Value>();
  const offsetOf = new Map<Var, { root: Value; off: number }>();
  const resolve = (v: Value): { root: Value; off: number } => {
    let x = v;
    for (let n = 0; x.kind === "var" && alias.has(x) && n < 10000; n++) x = alias.get(x) as Value;
    // each variable on the way now stands for x directly (chains of checks pass the same values
    // from block to block); an alias given to x later still follows, so answers stay the same
    for (let y = v; y.kind === "var" && y !== x; ) {
      const next = alias.get(y);
      if (next === undefined || next === x) break;
      alias.set(y, x);
      y = next;
    }
    return x.kind === "var" ? (offsetOf.get(x) ?? { root: x, off: 0 }) : { root: x, off: 0 };
  };
  // the parameters of a block with one predecessor are the arguments of its one link
  const aliasParams = (l: Link): void => {
    const ps = l.target.params;
    if (ps.length === 0 || preds.get(l.target) !== 1 || l.target === blocks[0]) return;
    for (let i = 0; i < ps.length; i++) {
      const a = l.args[i];
      if (a) alias.set(ps[i] as Var, a);
    }
  };
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j] as Block;
    const e = b.exit;
    if (e.kind === "jump") aliasParams(e.link);
    else if (e.kind === "branch") {
      aliasParams(e.ifTrue);
      aliasParams(e.ifFalse);
    } else if (e.kind === "switch") for (const l of exitLinks(e)) aliasParams(l);
    const ops = b.ops;
    for (let k = 0; k < ops.length; k++) {
      const o = ops[k] as Op;
      if (!o.result || (o.op !== "int_add" && o.op !== "int_sub")) continue;
      const a = o.args[0] as Value;
      const c = o.args[1] as Value;
      const ka = i32Const(a);
      const kc = i32Const(c);
      if (kc !== null && ka === null) {
        const r = resolve(a);
        offsetOf.set(o.result, { root: r.root, off: (r.off + (o.op === "int_add" ? kc : -kc)) | 0 });
      } else if (ka !== null && kc === null && o.op === "int_add") {
        const r = resolve(c);
        offsetOf.set(o.result, { root: r.root, off: (r.off + ka) | 0 });
      }
    }
  }
  const checkOf = (b: Block): Check | null => {
    const e = b.exit;
    if (e.kind !== "branch" || e.cond.kind !== "var") return null;
    const t = e.ifTrue.target;
    if (e.ifTrue.args.length > 0 || t.ops.length > 0 || t.exit.kind !== "raise") return null;
    const raised = i32Const(t.exit.value);
    if (raised === null) return null;
    const def = b.ops.find((o) => o.result === e.cond);
    if (def?.op !== "int_eq") return null;
    const [a, c] = def.args as [Value, Value];
    const k = i32Const(c) ?? i32Const(a);
    const x = i32Const(c) !== null ? a : c;
    if (k === null || i32Const(x) !== null) return null;
    const r = resolve(x);
    return { root: r.root, off: r.off, k, raised, cont: e.ifFalse };
  };
  const sameRoot = (a: Value, b: Value): boolean => a === b;
  let changed = false;
  const done = new Set<Block>();
  for (const b0 of [...g.blocks]) {
    if (done.has(b0)) continue;
    const first = checkOf(b0);
    if (!first) continue;
    const chain: Block[] = [b0];
    const values = [(first.k - first.off) | 0];
    let cur = first;
    for (;;) {
      const next = cur.cont.target;
      if (preds.get(next) !== 1 || next === g.blocks[0] || done.has(next) || chain.includes(next)) break;
      const c = checkOf(next);
      if (!c || c.raised !== first.raised || !sameRoot(c.root, first.root)) break;
      const cond = next.exit.kind === "branch" ? next.exit.cond : null;
      if (!next.ops.every((o) => o.result === cond || SAFE.has(o.op as ScalarOpName))) break;
      chain.push(next);
      values.push((c.k - c.off) | 0);
      cur = c;
    }
    for (const b of chain) done.add(b);
    if (chain.length < 2) continue;
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    if (hi - lo + 1 !== new Set(values).size) continue;
    // the first check tests the whole range; the others always continue
    const d = newVar(I32, "range");
    const inRange = newVar(BOOL, "inrange");
    const ops: Op[] = [
      { op: "int_sub", args: [first.root, constant(I32, lo)], result: d, attrs: {} },
      { op: "uint_le", args: [d, constant(I32, hi - lo)], result: inRange, attrs: {} },
    ];
    b0.ops.push(...ops);
    if (b0.exit.kind === "branch") b0.exit.cond = inRange;
    for (const b of chain.slice(1)) if (b.exit.kind === "branch") b.exit = { kind: "jump", link: b.exit.ifFalse };
    changed = true;
  }
  return changed;
}
