// Loop-carried array items in residual loops (scalar replacement of loop-carried memory): an item
// `a[i + c]` of a natural loop, with `a` and `i` loop-invariant, that only this loop's accesses to
// that very place can touch, is read once in a new pre-header, carried around the loop as a block
// parameter (reads use it, writes update it: a byte item as `v & 255`) and written back on every
// link that leaves the loop. Part of the residual graph's cleanup (`cleanup.ts`).

import type { Block, Graph, Link, Op, Program, Value, Var } from "../ir/graph.ts";
import { arrayDef, exitLinks, reachableBlocks } from "../ir/graph.ts";
import { constant, newVar } from "../ir/builder.ts";
import { isPure } from "../ir/ops.ts";
import { STD_HOSTS } from "../ir/hosts.ts";
import { I32, itemValueType } from "../ir/types.ts";
import { constKey } from "./abstract.ts";
import { addIncoming, type DefSites, type Incoming, type Loop, LoopCache, overlaps } from "./loops.ts";
import { substituteIn } from "./substitute.ts";

/** An item: an array value and an index `base + off` (base null: the constant `off`). */
interface Place {
  readonly type: string;
  readonly arr: Value;
  readonly base: Var | null;
  readonly off: number;
}

function sameValue(a: Value, b: Value): boolean {
  if (a.kind === "var" || b.kind === "var") return a === b;
  return a.value === b.value || constKey(a) === constKey(b);
}

function samePlace(a: Place, b: Place): boolean {
  return a.type === b.type && sameValue(a.arr, b.arr) && a.base === b.base && a.off === b.off;
}

/** Provably different items: the same array value at indices that differ by a constant. */
function distinct(a: Place, b: Place): boolean {
  return a.type !== b.type || (sameValue(a.arr, b.arr) && a.base === b.base && a.off !== b.off);
}

/** Carry the items of residual loops in block parameters; true if any loop changed. */
export function carryLoopItems(p: Program, g: Graph, cache: LoopCache = new LoopCache()): boolean {
  if (!g.blocks.some(mayHead)) return false;
  let changed = false;
  // each pass transforms loops that do not overlap one transformed in it; the next pass sees the
  // new blocks (outer loops of a transformed one)
  for (let n = 0; n < 16; n++) {
    const start = g.blocks[0];
    if (!start) return changed;
    const forest = cache.of(start);
    const { loops, rpo, num } = forest;
    const all = [...rpo];
    const sub = new Map<Var, Value>();
    const touched = new Set<Block>();
    // made when first needed: the labels in use (for the first new block), and the links into
    // each block from the blocks of `all` (for the first loop that may have items), kept up to
    // date as loops change
    let used: Set<string> | null = null;
    const labels = (): Set<string> => {
      used ??= new Set(rpo.map((b) => b.label));
      return used;
    };
    let incoming: Map<Block, Incoming[]> | null = null;
    // where the variables of the blocks of `rpo` are defined: what a loop that overlaps no changed
    // one asks about its own blocks' variables does not change as others do
    let sites: DefSites | null = null;
    for (const loop of loops) {
      if (overlaps(loop.body, touched)) continue;
      if (loop.header === g.blocks[0] || !mayHead(loop.header)) continue; // as transformLoop would find
      // (those of `rpo`, from the cache: changing them goes with a change of the control flow)
      incoming ??= cache.incomingOf(forest);
      sites ??= cache.sitesOf(forest);
      if (transformLoop(p, g, loop, num, all, incoming, sites, labels, sub)) for (const b of loop.body) touched.add(b);
    }
    if (touched.size === 0) break;
    substituteIn(all, sub);
    g.blocks = reachableBlocks(g);
    changed = true;
  }
  return changed;
}

/** Whether a block could be the header of a loop with carried items: its first op that is not pure accesses an item. */
function mayHead(b: Block): boolean {
  for (const o of b.ops) {
    if (o.op === "getitem" || o.op === "setitem") return true;
    if (!isPure(o.op)) return false;
  }
  return false;
}

/**
 * Carry the items of one loop; `all` (blocks, in reverse postorder before any change) gets the new
 * blocks, `incoming` (the links into each block from those of `all`) follows the changes, `sites`
 * says where the variables of those blocks are defined, and `labels` gives the labels in use.
 */
function transformLoop(
  p: Program,
  g: Graph,
  loop: Loop,
  num: ReadonlyMap<Block, number>,
  all: Block[],
  incoming: Map<Block, Incoming[]>,
  sites: DefSites,
  labels: () => Set<string>,
  sub: Map<Var, Value>,
): boolean {
  const { header: h, body } = loop;
  if (h === g.blocks[0]) return false;
  // only items the header accesses before anything that may fail can be carried
  if (!mayHead(h)) return false;
  const inLoop = (v: Var): boolean => {
    const b = sites.block(v);
    return b !== undefined && body.has(b);
  };
  const backLinks: Link[] = [];
  const entryLinks: Link[] = [];
  const backIn: Incoming[] = [];
  const entryIn: Incoming[] = [];
  for (const x of body) {
    for (const i of incoming.get(x) ?? []) {
      if (x === h) {
        (body.has(i.from) ? backLinks : entryLinks).push(i.link);
        (body.has(i.from) ? backIn : entryIn).push(i);
      } else if (!body.has(i.from)) return false; // entered elsewhere than the header
    }
  }
  // header params passed unchanged around the loop
  const invariantParam = new Set<Var>(h.params.filter((v, i) => backLinks.every((l) => l.args[i] === v)));
  const invariant = (v: Value): boolean => v.kind === "const" || !inLoop(v) || invariantParam.has(v);
  const place = (o: Op): Place | null => {
    const [arr, ix] = o.args;
    if (!arr || !ix || !invariant(arr) || arr.kind === "const") return null;
    let v: Value = ix;
    let off = 0;
    for (let depth = 0; depth < 8 && v.kind === "var"; depth++) {
      const d = inLoop(v) ? sites.op(v) : undefined;
      const c = d?.args[1];
      if (!d || (d.op !== "int_add" && d.op !== "int_sub") || c?.kind !== "const" || typeof c.value !== "number") break;
      off = (off + (d.op === "int_add" ? c.value : -c.value)) | 0;
      v = d.args[0] as Value;
    }
    if (v.kind === "const")
      return typeof v.value === "number" ? { type: o.attrs.type ?? "", arr, base: null, off: (off + v.value) | 0 } : null;
    return invariant(v) ? { type: o.attrs.type ?? "", arr, base: v, off } : null;
  };
  // every item access in the loop; give up on calls that may reach the heap
  const accesses: { op: Op; pl: Place | null; type: string }[] = [];
  const placeOf = new Map<Op, Place | null>();
  const poisoned = new Set<string>();
  for (const b of body) {
    for (const o of b.ops) {
      const type = o.attrs.type ?? "";
      switch (o.op) {
        case "getitem":
        case "setitem":
          accesses.push({ op: o, pl: place(o), type });
          placeOf.set(o, (accesses[accesses.length - 1] as { pl: Place | null }).pl);
          break;
        case "arraycopy":
          poisoned.add(type);
          break;
        case "call_host": {
          const std = Object.hasOwn(STD_HOSTS, o.attrs.callee ?? "");
          if (!std || o.args.some((a) => a.type.kind === "ref" || a.type.kind === "null")) return false;
          break;
        }
        case "call":
        case "call_ref":
        case "jit_merge_point":
        case "can_enter_jit":
          return false;
      }
    }
  }
  // an item no other access in the loop may touch
  const alone = (pl: Place): boolean =>
    !poisoned.has(pl.type) && accesses.every((x) => x.type !== pl.type || (x.pl !== null && (samePlace(x.pl, pl) || distinct(x.pl, pl))));
  // the items carried: those the header accesses before anything else could fail, in that order
  const items: { pl: Place; first: Op }[] = [];
  for (const o of h.ops) {
    if (o.op === "getitem" || o.op === "setitem") {
      const pl = placeOf.get(o);
      if (pl && items.some((it) => samePlace(it.pl, pl))) continue;
      if (!pl || !alone(pl)) break;
      items.push({ pl, first: o });
    } else if (!isPure(o.op)) break;
  }
  if (items.length === 0) return false;
  const itemOf = (o: Op): number => {
    const pl = placeOf.get(o);
    return pl ? items.findIndex((it) => samePlace(it.pl, pl)) : -1;
  };
  const byte = (pl: Place): boolean => arrayDef(p, pl.type)?.item.kind === "u8";
  const label = (base: string): string => {
    let l = base;
    const used = labels();
    for (let k = 1; used.has(l); k++) l = `${base}.${k}`;
    used.add(l);
    return l;
  };
  // the pre-header: the header's params, then the items read (with the first access's location)
  const preParams = h.params.map((v) => newVar(v.type, v.name));
  const outside = (v: Value): Value => {
    const i = v.kind === "var" ? h.params.indexOf(v) : -1;
    return i >= 0 ? (preParams[i] as Var) : v;
  };
  const preOps: Op[] = [];
  const loaded: Value[] = items.map(({ pl, first }) => {
    let ix: Value = constant(I32, pl.off);
    if (pl.base) {
      ix = outside(pl.base);
      if (pl.off !== 0) {
        const t = newVar(I32, "ix");
        preOps.push({ op: "int_add", args: [ix, constant(I32, pl.off)], result: t, attrs: {} });
        ix = t;
      }
    }
    const r = newVar(itemValueType(arrayDef(p, pl.type)?.item ?? I32), "item");
    preOps.push({
      op: "getitem",
      args: [outside(pl.arr), ix],
      result: r,
      attrs: { type: pl.type },
      ...(first.loc ? { loc: first.loc } : {}),
    });
    return r;
  });
  const preLink: Link = { target: h, args: [...preParams, ...loaded] };
  const pre: Block = { label: label(`${h.label}.pre`), params: preParams, ops: preOps, exit: { kind: "jump", link: preLink } };
  for (const l of entryLinks) l.target = pre;
  all.push(pre);
  incoming.set(pre, entryIn);
  incoming.set(h, backIn);
  addIncoming(incoming, pre, preLink);
  // the value of each item at the start and end of every loop block, in reverse postorder
  const loopBlocks = [...body].sort((a, b) => (num.get(a) as number) - (num.get(b) as number));
  const linksTo = new Map<Block, Link[]>();
  for (const b of loopBlocks)
    for (const l of exitLinks(b.exit)) if (body.has(l.target)) linksTo.set(l.target, [...(linksTo.get(l.target) ?? []), l]);
  const predOf = new Map<Link, Block>();
  for (const b of loopBlocks) for (const l of exitLinks(b.exit)) predOf.set(l, b);
  const atEnd = new Map<Block, Value[]>();
  const written = items.map(() => false);
  const withParams = new Map<Block, Var[]>();
  for (const b of loopBlocks) {
    const ins = linksTo.get(b) ?? [];
    let cur: Value[];
    if (b !== h && ins.length === 1) cur = [...(atEnd.get(predOf.get(ins[0] as Link) as Block) as Value[])];
    else {
      const ps = items.map(({ pl }) => newVar(itemValueType(arrayDef(p, pl.type)?.item ?? I32), "item"));
      b.params.push(...ps);
      withParams.set(b, ps);
      cur = [...ps];
    }
    const ops: Op[] = [];
    for (const o of b.ops) {
      const k = o.op === "getitem" || o.op === "setitem" ? itemOf(o) : -1;
      if (k < 0) {
        ops.push(o);
        continue;
      }
      if (o.op === "getitem") {
        if (o.result) sub.set(o.result, cur[k] as Value);
        continue;
      }
      written[k] = true;
      const v = o.args[2] as Value;
      if (!byte((items[k] as { pl: Place }).pl)) cur[k] = v;
      else if (v.kind === "const") cur[k] = constant(I32, (v.value as number) & 255);
      else {
        const t = newVar(I32, "item");
        ops.push({ op: "int_and", args: [v, constant(I32, 255)], result: t, attrs: {}, ...(o.loc ? { loc: o.loc } : {}) });
        cur[k] = t;
      }
    }
    b.ops = ops;
    atEnd.set(b, cur);
  }
  // links inside the loop pass the items to blocks that take them as params
  for (const b of loopBlocks) for (const l of exitLinks(b.exit)) if (withParams.has(l.target)) l.args.push(...(atEnd.get(b) as Value[]));
  // written items go back to memory on every link that leaves the loop, except links to a block
  // that only raises: nothing is caught (the IR has no handlers), so the run ends there and
  // nothing reads memory after it
  for (const b of loopBlocks) {
    for (const l of exitLinks(b.exit)) {
      if (body.has(l.target)) continue;
      if (l.target.ops.length === 0 && l.target.exit.kind === "raise") continue;
      const end = atEnd.get(b) as Value[];
      const stores: Op[] = [];
      items.forEach(({ pl }, k) => {
        if (!written[k]) return;
        let ix: Value = constant(I32, pl.off);
        if (pl.base) {
          ix = pl.base;
          if (pl.off !== 0) {
            const t = newVar(I32, "ix");
            stores.push({ op: "int_add", args: [pl.base, constant(I32, pl.off)], result: t, attrs: {} });
            ix = t;
          }
        }
        stores.push({ op: "setitem", args: [pl.arr, ix, end[k] as Value], result: null, attrs: { type: pl.type } });
      });
      if (stores.length === 0) continue;
      const ins = incoming.get(l.target) ?? [];
      if (ins.length === 1 && l.target !== g.blocks[0]) l.target.ops.unshift(...stores);
      else {
        const outLink: Link = { target: l.target, args: l.args };
        const out: Block = {
          label: label(`${b.label}.out`),
          params: [],
          ops: stores,
          exit: { kind: "jump", link: outLink },
        };
        const k = ins.findIndex((i) => i.link === l);
        if (k < 0) throw new Error("carryLoopItems: a link that leaves the loop is not among the links into its target");
        ins[k] = { from: out, link: outLink };
        l.target = out;
        l.args = [];
        all.push(out);
        incoming.set(out, [{ from: b, link: l }]);
      }
    }
  }
  return true;
}
