// Entering compiled code. Every `can_enter_jit<d> greens..., reds...` of a graph becomes a call of
// the driver's lookup graph, which finds the green key in a cache held in Wasm globals (a
// direct-mapped table: owners compared with ref_eq, scalar keys, a hit counter and the compiled
// code per slot), followed by a tail call of the code it answers with the reds. One lookup graph
// per driver keeps the sites small (continuation graphs hold copies of them). Only a miss, or a
// counter running out, calls the host function
// `__jit_enter_<d>` (JavaScript stays the authority on compiled code: it compiles, and answers
// with the code of a key whose slot was evicted). Compiled code does what the portal does from
// the merge point on and returns the portal's result, so the interpreter's frame can be left for
// good (Wasm `return_call_ref`). Drivers whose greens cannot be compared in Wasm (floats, i64,
// function references) call the host function at every visit, which counts in JavaScript. Exit
// sites (their greens constant) look up through an inline cache of the code each found.

import type { Block, DriverDef, Graph, Op, OpAttrs, Program, SourceLoc, Value, Var } from "../ir/graph.ts";
import { GraphBuilder, i32c, link, newVar } from "../ir/builder.ts";
import type { OpName } from "../ir/ops.ts";
import type { LLType } from "../ir/types.ts";
import { HIDDEN_SLOT, I32, NULL_T, fnType, ref } from "../ir/types.ts";
import { resultType } from "../ir/typing.ts";

export function enterHostName(driver: string): string {
  return `__jit_enter_${driver}`;
}

/** The first argument of the enter host function: why Wasm calls it. */
export const ENTER = {
  /** The key is not in its slot: answer with its code if compiled (the slot is claimed). Counts one visit. */
  miss: 0,
  /** The slot's counter ran out: compile (or answer null: the counter is then set very high). */
  hot: 1,
  /** No cache for this driver: count in JavaScript, compile at the threshold. */
  count: 2,
} as const;

/**
 * The second argument of the enter host function: what kind of site looks for compiled code. A
 * guest site is the interpreter's `can_enter_jit` (a guest loop header, or a function entry); an
 * exit site is an exit of compiled code looking for code at the green state it resumes at. The JIT
 * stops specializing at green states known from guest sites (each such loop gets code of its own).
 */
export const SITE = { guest: 0, exit: 1 } as const;
export type SiteKind = keyof typeof SITE;

/** Counter value after a refused compilation: the host is asked again only after this many visits. */
export const REFUSED_COUNT = 0x3fffffff;

/** The type of compiled code for a driver: the reds in, the portal's result out. */
export function compiledType(redTypes: readonly LLType[], result: LLType): LLType {
  return fnType(redTypes, result);
}

/**
 * The Wasm-side cache of one driver: its type, global and init graph names. Slot s of a cache of
 * N slots (N a power of two) holds `owners<j>[s]` for each object green j, `ints[s*stride + k]`
 * for each scalar green k (bools as 0/1), `ints[s*stride + stride-1]` the counter (0: slot free;
 * else visits left before the key is hot), and `codes[s]` the compiled code or null.
 */
export interface EntryCache {
  readonly driver: string;
  /** For each green: "obj" (compared by identity), or "int"/"bool" (a scalar key). */
  readonly kinds: readonly ("obj" | "int" | "bool")[];
  /** Scalars + 1 (the counter). */
  readonly stride: number;
  readonly ints: string;
  readonly codes: string;
  /** One per object green, in order. */
  readonly owners: readonly string[];
  readonly mask: string;
  readonly countdown: string;
  /** The counter start of a slot claimed by an exit (SITE.exit). */
  readonly countdownExit: string;
  /** The last number given to a green struct object (in its hidden slot) for the hash. */
  readonly objectIds: string;
  /** `init(slots, countdown, countdownExit)`: allocate fresh (empty) arrays; set the mask and the counter starts. */
  readonly init: string;
  /** `lookup(from, greens..., reds...)`: the key's compiled code, or null (counts the visit); `from` is a SITE kind. */
  readonly lookup: string;
  /**
   * The exits' inline cache: slot `id & (EXIT_IC_SLOTS - 1)` holds `id + 1` in `icIds` and the code
   * last found by exit site `id` in `icCodes` (only code, never null). Fresh (empty) after `init`.
   */
  readonly icIds: string;
  readonly icCodes: string;
  /** `exitLookup(id, greens..., reds...)`: `lookup(SITE.exit, ...)` through the inline cache of exit site `id`. */
  readonly exitLookup: string;
}

/** Slots of the exits' inline cache (a power of two). */
export const EXIT_IC_SLOTS = 4096;

/** The cache plan for a driver whose greens have these types, or null if one cannot be compared in Wasm. */
function cachePlan(driver: DriverDef, greenTypes: readonly LLType[]): EntryCache | null {
  const kinds: ("obj" | "int" | "bool")[] = [];
  for (const t of greenTypes) {
    if (t.kind === "ref") kinds.push("obj");
    else if (t.kind === "i32") kinds.push("int");
    else if (t.kind === "bool") kinds.push("bool");
    else return null;
  }
  const base = `__jit.${driver.name}`;
  const owners: string[] = [];
  kinds.forEach((k, i) => {
    if (k === "obj") owners.push(`${base}.owners${i}`);
  });
  return {
    driver: driver.name,
    kinds,
    stride: kinds.filter((k) => k !== "obj").length + 1,
    ints: `${base}.ints`,
    codes: `${base}.codes`,
    owners,
    mask: `${base}.mask`,
    countdown: `${base}.countdown`,
    countdownExit: `${base}.countdownExit`,
    objectIds: `${base}.objectIds`,
    init: cacheInitName(driver.name),
    lookup: `${base}.lookup`,
    icIds: `${base}.icIds`,
    icCodes: `${base}.icCodes`,
    exitLookup: `${base}.exitLookup`,
  };
}

/**
 * Declare the driver's enter host function (params: the reason (ENTER), greens, reds, as typed at
 * `site`; result: a reference to compiled code) and, if its greens allow, its cache: array types,
 * globals and init graph. Returns the compiled-code type and the cache (null: host path only).
 */
export function declareEntry(p: Program, driver: DriverDef, site: Op, result: LLType): { code: LLType; cache: EntryCache | null } {
  const types = site.args.map((a) => a.type);
  const greenTypes = types.slice(0, driver.greens.length);
  const ft = compiledType(types.slice(driver.greens.length), result);
  const name = enterHostName(driver.name);
  if (!p.hosts.has(name)) p.hosts.set(name, { name, params: [I32, I32, ...types], result: ft });
  const cache = cachePlan(driver, greenTypes);
  if (cache && !p.graphs.has(cache.init)) {
    declareCache(p, cache, greenTypes, ft);
    declareLookup(p, driver, cache, types, ft);
    declareExitLookup(p, driver, cache, types, ft);
  }
  return { code: ft, cache };
}

function declareCache(p: Program, c: EntryCache, greenTypes: readonly LLType[], ft: LLType): void {
  const arrays: [string, LLType][] = [
    [c.ints, I32],
    [c.codes, ft],
    [c.icIds, I32],
    [c.icCodes, ft],
  ];
  let j = 0;
  greenTypes.forEach((t, i) => {
    if (c.kinds[i] === "obj") arrays.push([c.owners[j++] as string, t]);
  });
  for (const [n, item] of arrays) {
    p.types.set(n, { kind: "array", name: n, item, mutable: true });
    p.globals.set(n, { name: n, type: ref(n), mutable: true, init: { kind: "const", type: { kind: "null" }, value: null } });
  }
  for (const n of [c.mask, c.countdown, c.countdownExit, c.objectIds])
    p.globals.set(n, { name: n, type: I32, mutable: true, init: i32c(0) });
  const b = new GraphBuilder(
    p,
    c.init,
    [
      { name: "slots", type: I32 },
      { name: "countdown", type: I32 },
      { name: "countdownExit", type: I32 },
    ],
    { kind: "void" },
  );
  const [slots, countdown, countdownExit] = b.params as [Var, Var, Var];
  for (const [n] of arrays) {
    const len = n === c.ints ? b.val("int_mul", [slots, i32c(c.stride)]) : n === c.icIds || n === c.icCodes ? i32c(EXIT_IC_SLOTS) : slots;
    b.op("setglobal", [b.val("newarray", [len], { type: n })], { callee: n });
  }
  b.op("setglobal", [b.val("int_sub", [slots, i32c(1)])], { callee: c.mask });
  b.op("setglobal", [countdown], { callee: c.countdown });
  b.op("setglobal", [countdownExit], { callee: c.countdownExit });
  b.ret();
}

/**
 * Rewrite every can_enter_jit in `g` (see the file comment). `portalResult` is the result type of
 * the portal the driver belongs to; `g` must return the same type (it is the portal or a copy of a
 * piece of it). `from` says what kind of sites they are (SITE). Returns the number of sites
 * rewritten.
 */
export function insertJitEntries(
  p: Program,
  g: Graph,
  portalResult: LLType,
  from: SiteKind = "guest",
  exitSiteId?: () => number | undefined,
): number {
  let count = 0;
  // A site in a graph that does not return the portal's result cannot hand over to compiled code.
  if (g.result.kind !== portalResult.kind) return 0;
  for (let bi = 0; bi < g.blocks.length; bi++) {
    const b = g.blocks[bi] as Block;
    const i = b.ops.findIndex((o) => o.op === "can_enter_jit");
    if (i < 0) continue;
    const site = b.ops[i] as Op;
    const driver = p.drivers.get(site.attrs.callee ?? "");
    if (!driver) continue;
    const { code, cache } = declareEntry(p, driver, site, portalResult);
    // an exit's site whose greens are constants always looks for the same key: it keeps what it
    // found in the exits' inline cache, under an id from exitSiteId (undefined once ids run out)
    const ic = from === "exit" && exitSiteId && site.args.slice(0, driver.greens.length).every((a) => a.kind === "const");
    const added = rewriteSite(p, b, i, site, driver, code, cache, portalResult, SITE[from], ic ? exitSiteId() : undefined);
    // `rest` (the rest of the block, which may hold more sites) comes next: the loop reaches it.
    g.blocks.splice(bi + 1, 0, ...added);
    count++;
  }
  return count;
}

/** Appends ops to a block, with the site's location (also used by reenter.ts). */
export class Ops {
  readonly p: Program;
  readonly loc: SourceLoc | undefined;
  block: Block;
  constructor(p: Program, loc: SourceLoc | undefined, block: Block) {
    this.p = p;
    this.loc = loc;
    this.block = block;
  }
  /** End the current block with a branch on `cond`. */
  branch(cond: Value, ifTrue: Block, ifFalse: Block, trueArgs: Value[] = [], falseArgs: Value[] = []): void {
    this.block.exit = { kind: "branch", cond, ifTrue: { target: ifTrue, args: trueArgs }, ifFalse: { target: ifFalse, args: falseArgs } };
  }
  op(op: OpName, args: Value[], attrs: OpAttrs = {}, name = "v"): Var | null {
    const rt = resultType(
      this.p,
      op,
      attrs,
      args.map((a) => a.type),
    );
    const result = rt.kind === "void" ? null : newVar(rt, name);
    const o: Op = { op, args, result, attrs };
    if (this.loc) o.loc = this.loc;
    this.block.ops.push(o);
    return result;
  }
  val(op: OpName, args: Value[], attrs: OpAttrs = {}, name = "v"): Var {
    return this.op(op, args, attrs, name) as Var;
  }
}

/** Replace the site at b.ops[i] by the lookup and the tail call; returns the new blocks, `rest` first. */
function rewriteSite(
  p: Program,
  b: Block,
  i: number,
  site: Op,
  driver: DriverDef,
  code: LLType,
  cache: EntryCache | null,
  portalResult: LLType,
  from: number,
  icId: number | undefined,
): Block[] {
  const reds = site.args.slice(driver.greens.length);
  const rest: Block = { label: `${b.label}.nojit`, params: [], ops: b.ops.slice(i + 1), exit: b.exit };
  const f = newVar(code, "jitcode");
  const r: Var | null = portalResult.kind === "void" ? null : newVar(portalResult, "r");
  const enter: Block = {
    label: `${b.label}.jit`,
    params: [f],
    ops: [{ op: "call_ref", args: [f, ...reds], result: r, attrs: {} }],
    exit: { kind: "return", value: r },
  };
  b.ops = b.ops.slice(0, i);
  const e = new Ops(p, site.loc, b);
  const found = cache
    ? icId !== undefined
      ? e.val("call", [i32c(icId), ...site.args], { callee: cache.exitLookup }, "jitcode")
      : e.val("call", [i32c(from), ...site.args], { callee: cache.lookup }, "jitcode")
    : e.val("call_host", [i32c(ENTER.count), i32c(from), ...site.args], { callee: enterHostName(driver.name) }, "jitcode");
  e.branch(e.val("ref_is_null", [found], {}, "nojit"), rest, enter, [], [found]);
  return [rest, enter];
}

/**
 * The lookup graph of a cached driver: params the site kind (SITE), greens then reds (typed as
 * `types`), result the compiled code or null. See EntryCache and docs/jit.md.
 */
function declareLookup(p: Program, driver: DriverDef, cache: EntryCache, types: readonly LLType[], code: LLType): void {
  const ng = driver.greens.length;
  const names = [...driver.greens, ...driver.reds];
  const params = types.map((t, k) => newVar(t, names[k] ?? "v"));
  const from = newVar(I32, "from");
  const start: Block = { label: "start", params: [from, ...params], ops: [], exit: { kind: "none" } };
  const blk = (label: string, ps: Var[] = []): Block => ({ label, params: ps, ops: [], exit: { kind: "none" } });
  const rest: Block = {
    label: "nojit",
    params: [],
    ops: [],
    exit: { kind: "return", value: { kind: "const", type: NULL_T, value: null } },
  };
  const f = newVar(code, "jitcode");
  const enter: Block = { label: "jit", params: [f], ops: [], exit: { kind: "return", value: f } };
  const greens = params.slice(0, ng);
  const e = new Ops(p, undefined, start);
  const callHost = (why: number): Var =>
    e.val("call_host", [i32c(why), from, ...params], { callee: enterHostName(driver.name) }, "jitcode");
  const toEnterOrRest = (fn: Var): void => e.branch(e.val("ref_is_null", [fn], {}, "nojit"), rest, enter, [], [fn]);
  // The slot: a hash of the greens (each step multiplies by an odd constant and adds the next
  // green; a last multiplication, then the high half folded into the low one, so that keys that
  // differ only above the mask's bits, pcs 1024 apart, say, get distinct slots), masked.
  // References cannot be hashed: a green array stands as its length (two bytecode arrays at the
  // same pc no longer share a slot when their lengths differ), a green struct as its number, kept
  // in its hidden slot (HIDDEN_SLOT) and given at its first lookup; null as 0.
  const scalars: Value[] = [];
  const hashed: Value[] = [];
  const hashBlocks: Block[] = [];
  /** `of(v)` computed in new blocks when v is not null, else 0; e goes on in the join. */
  const unlessNull = (v: Value, k: number, of: (joined: Block) => Value): Value => {
    const x = newVar(I32, "h");
    const some = blk(`some${k}`);
    const joined = blk(`hashed${k}`, [x]);
    hashBlocks.push(some);
    e.branch(e.val("ref_is_null", [v]), joined, some, [i32c(0)], []);
    e.block = some;
    const r = of(joined);
    e.block.exit = { kind: "jump", link: { target: joined, args: [r] } };
    hashBlocks.push(joined);
    e.block = joined;
    return x;
  };
  greens.forEach((v, k) => {
    const t = types[k] as LLType;
    if (cache.kinds[k] !== "obj") {
      const s = cache.kinds[k] === "bool" ? e.val("cast_bool_to_int", [v]) : v;
      scalars.push(s);
      hashed.push(s);
    } else if (t.kind === "ref" && p.types.get(t.name)?.kind === "array")
      hashed.push(unlessNull(v, k, () => e.val("arraylen", [v], { type: t.name })));
    else if (t.kind === "ref" && p.types.get(t.name)?.kind === "struct")
      hashed.push(
        unlessNull(v, k, (joined) => {
          // numbered already, else the next number
          const had = e.val("getfield", [v], { type: t.name, field: HIDDEN_SLOT }, "id");
          const fresh = blk(`number${k}`);
          hashBlocks.push(fresh);
          e.branch(e.val("int_eq", [had, i32c(0)]), fresh, joined, [], [had]);
          e.block = fresh;
          const n = e.val("int_add", [e.val("getglobal", [], { callee: cache.objectIds }), i32c(1)], {}, "id");
          e.op("setglobal", [n], { callee: cache.objectIds });
          e.op("setfield", [v, n], { type: t.name, field: HIDDEN_SLOT });
          return n;
        }),
      );
  });
  let h: Value = i32c(0);
  hashed.forEach((s, k) => {
    h = k === 0 ? s : e.val("int_add", [e.val("int_mul", [h, i32c(0x9e3779b1 | 0)]), s]);
  });
  if (hashed.length > 0) {
    h = e.val("int_mul", [h, i32c(0x9e3779b1 | 0)]);
    h = e.val("int_xor", [h, e.val("int_ushr", [h, i32c(16)])]);
  }
  const slot = e.val("int_and", [h, e.val("getglobal", [], { callee: cache.mask })], {}, "slot");
  const ints = e.val("getglobal", [], { callee: cache.ints });
  const base = cache.stride === 1 ? slot : e.val("int_mul", [slot, i32c(cache.stride)]);
  const at = (k: number): Value => (k === 0 ? base : e.val("int_add", [base, i32c(k)]));
  const miss = blk("miss");
  const blocks: Block[] = [rest];
  const next = (cond: Var, name: string): void => {
    const nb = blk(name);
    e.branch(cond, nb, miss);
    blocks.push(nb);
    e.block = nb;
  };
  // Compare the keys: scalars, then owners.
  scalars.forEach((s, k) => {
    next(e.val("int_eq", [e.val("getitem", [ints, at(k)], { type: cache.ints }), s]), `key${k}`);
  });
  let oj = 0;
  greens.forEach((v, k) => {
    if (cache.kinds[k] !== "obj") return;
    const owners = cache.owners[oj++] as string;
    next(e.val("ref_eq", [e.val("getitem", [e.val("getglobal", [], { callee: owners }), slot], { type: owners }), v]), `owner${k}`);
  });
  // Hit: the code, else count.
  const codes = e.val("getglobal", [], { callee: cache.codes });
  const hit = e.val("getitem", [codes, slot], { type: cache.codes }, "jitcode");
  const count = blk("count");
  blocks.push(count);
  e.branch(e.val("ref_is_null", [hit], {}, "nojit"), count, enter, [], [hit]);
  e.block = count;
  const ci = at(cache.stride - 1);
  const n = e.val("getitem", [ints, ci], { type: cache.ints }, "count");
  const dec = blk("dec");
  blocks.push(dec);
  // A free slot (counter 0) whose default keys happen to match is a miss.
  e.branch(e.val("int_eq", [n, i32c(0)], {}, "free"), miss, dec);
  e.block = dec;
  const n1 = e.val("int_sub", [n, i32c(1)], {}, "count");
  e.op("setitem", [ints, ci, n1], { type: cache.ints });
  const hot = blk("hot");
  blocks.push(hot);
  e.branch(e.val("int_eq", [n1, i32c(0)], {}, "hot"), hot, rest);
  // Hot: ask the host to compile; store the code, or make the counter very high.
  e.block = hot;
  const compiled = callHost(ENTER.hot);
  const refused = blk("refused");
  const store = blk("store");
  blocks.push(refused, store);
  e.branch(e.val("ref_is_null", [compiled], {}, "nojit"), refused, store);
  e.block = refused;
  e.op("setitem", [ints, ci, i32c(REFUSED_COUNT)], { type: cache.ints });
  e.block.exit = { kind: "jump", link: { target: rest, args: [] } };
  e.block = store;
  e.op("setitem", [codes, slot, compiled], { type: cache.codes });
  e.block.exit = { kind: "jump", link: { target: enter, args: [compiled] } };
  // Miss: ask the host for code, claim the slot.
  blocks.push(miss);
  e.block = miss;
  const found = callHost(ENTER.miss);
  scalars.forEach((s, k) => {
    e.op("setitem", [ints, at(k), s], { type: cache.ints });
  });
  oj = 0;
  greens.forEach((v, k) => {
    if (cache.kinds[k] !== "obj") return;
    const owners = cache.owners[oj++] as string;
    e.op("setitem", [e.val("getglobal", [], { callee: owners }), slot, v], { type: owners });
  });
  // the counter starts at countdown for a guest site, countdownExit for an exit (from is 0 or 1)
  const cd = e.val("getglobal", [], { callee: cache.countdown });
  const cdx = e.val("getglobal", [], { callee: cache.countdownExit });
  const first = e.val("int_add", [cd, e.val("int_mul", [from, e.val("int_sub", [cdx, cd])])]);
  e.op("setitem", [ints, at(cache.stride - 1), first], { type: cache.ints });
  e.op("setitem", [e.val("getglobal", [], { callee: cache.codes }), slot, found], { type: cache.codes });
  toEnterOrRest(found);
  blocks.push(enter);
  p.graphs.set(cache.lookup, { name: cache.lookup, blocks: [start, ...hashBlocks, ...blocks], result: code, flags: {} });
}

/**
 * The exit lookup graph of a cached driver: params an exit site's id, greens then reds; result the
 * code `lookup(SITE.exit, ...)` answers, kept in the exits' inline cache (EntryCache.icIds) once
 * it is code. A site's greens are constants, so its key, and the key's code until the next `init`
 * (every change of a key's code resets the cache), are the same at every visit.
 */
function declareExitLookup(p: Program, driver: DriverDef, cache: EntryCache, types: readonly LLType[], code: LLType): void {
  const names = [...driver.greens, ...driver.reds];
  const params = types.map((t, k) => newVar(t, names[k] ?? "v"));
  const b = new GraphBuilder(
    p,
    cache.exitLookup,
    [{ name: "id", type: I32 }, ...params.map((v) => ({ name: v.name, type: v.type }))],
    code,
  );
  const [id, ...args] = b.params as Var[];
  const slot = b.val("int_and", [id as Var, i32c(EXIT_IC_SLOTS - 1)]);
  const tag = b.val("int_add", [id as Var, i32c(1)]);
  const ids = b.val("getglobal", [], { callee: cache.icIds });
  const codes = b.val("getglobal", [], { callee: cache.icCodes });
  const hit = b.val("int_eq", [b.val("getitem", [ids, slot], { type: cache.icIds }), tag]);
  const cached = b.block("cached");
  const look = b.block("look");
  const keep = b.block("keep");
  const none = b.block("none");
  b.branch(hit, link(cached), link(look));
  b.at(cached).ret(b.val("getitem", [codes, slot], { type: cache.icCodes }, "jitcode"));
  b.at(look);
  const found = b.val("call", [i32c(SITE.exit), ...args], { callee: cache.lookup }, "jitcode");
  b.branch(b.val("ref_is_null", [found]), link(none), link(keep));
  b.at(none).ret(found);
  b.at(keep);
  b.op("setitem", [ids, slot, tag], { type: cache.icIds });
  b.op("setitem", [codes, slot, found], { type: cache.icCodes });
  b.ret(found);
}

/** The name of a driver's cache init graph (present in the translated program when the driver has a cache). */
export function cacheInitName(driver: string): string {
  return `__jit.${driver}.init`;
}
