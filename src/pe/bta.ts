// Binding-time analysis: which values of the interpreter's graphs are green (computable while
// specializing, from the JIT driver's greens and immutable data) and which are red (known only
// when the residual code runs). Polyvariant: a graph is analysed once per pattern of green/red
// parameters it is inlined with. The specializer itself folds online (whatever is constant folds);
// it uses binding times to decide what stays a constant in the key of a shared residual block, and
// this module reports contradictions — a declared green that depends on a red value — with the
// source location of the op and the origin of the red value.

import type { Block, Graph, Op, Program, Value, Var } from "../ir/graph.ts";
import { exitLinks, findField } from "../ir/graph.ts";
import { isScalarOp } from "../ir/ops.ts";
import type { DriverDef } from "../ir/graph.ts";
import type { NGraph } from "./normalize.ts";
import { normalize } from "./normalize.ts";
import { PEError, opPlace } from "./errors.ts";

/** Why a variable is red: a description of its origin, or the red operand it was computed from. */
interface RedReason {
  readonly text: string;
  readonly from?: Var;
}

/** The binding times of one graph in one context (the green/red pattern of its parameters). */
export interface BTContext {
  readonly key: string;
  readonly ng: NGraph;
  /** Red variables of the normalized graph (everything else reachable is green). */
  readonly red: ReadonlySet<Var>;
  /** True when every value the graph returns is green. */
  readonly returnsGreen: boolean;
}

const INLINE_LIMIT = 64;

export class BindingTimes {
  readonly program: Program;
  readonly portal: Graph;
  readonly driver: DriverDef;
  /** Contradictions found, as complete messages (file:line:col first when known). */
  readonly errors: string[] = [];
  private readonly contexts = new Map<string, BTContext>();
  private readonly inProgress = new Set<string>();
  private readonly reasons = new Map<Var, RedReason>();
  private readonly errorSet = new Set<string>();
  private portalCtx: BTContext | null = null;
  private readonly entryContexts = new Map<string, BTContext | null>();
  /** Every graph name looked up in the program, and what it was (undefined: absent). */
  private readonly resolved = new Map<string, Graph | undefined>();

  constructor(program: Program, portal: Graph, driver: DriverDef) {
    this.program = program;
    this.portal = portal;
    this.driver = driver;
  }

  /**
   * Do these results hold for program `p` too? True when `p` shares this program's types and
   * globals and every graph looked up so far is the same object in `p` (copies of a program's
   * graph table, as the JIT makes, keep the interpreter's graphs).
   */
  validFor(p: Program, portal: Graph, driver: DriverDef): boolean {
    if (p === this.program) return portal === this.portal && driver === this.driver;
    if (portal !== this.portal || driver !== this.driver || p.types !== this.program.types || p.globals !== this.program.globals)
      return false;
    for (const [name, g] of this.resolved) if (p.graphs.get(name) !== g) return false;
    return true;
  }

  private graph(name: string): Graph | undefined {
    const g = this.program.graphs.get(name);
    this.resolved.set(name, g);
    return g;
  }

  /** The portal, analysed from its merge points: the driver's greens green, everything else there red. */
  portalContext(): BTContext {
    if (!this.portalCtx) {
      const ng = normalize(this.program, this.portal);
      if (ng.mergeBlocks.size === 0) throw new PEError(`graph '${this.portal.name}' has no jit_merge_point: it cannot be a portal`);
      this.portalCtx = this.analyze(ng, "portal", [...ng.mergeBlocks], (b) => this.mergeSeeds(ng, b));
    }
    return this.portalCtx;
  }

  /**
   * The portal entered at its start (a call of the portal specialized as a direct call), with
   * parameters green where `mask` is true: the merge points keep their own seeds (as in
   * `portalContext`), so everything from the first merge point on has the same binding times.
   * Null when the greens reaching a merge point from the start would be red (nothing is recorded
   * as a contradiction then: the call simply stays an ordinary call).
   */
  portalEntryContext(mask: readonly boolean[]): BTContext | null {
    const key = `${this.portal.name}@entry(${mask.map((m) => (m ? "g" : "r")).join("")})`;
    const found = this.entryContexts.get(key);
    if (found !== undefined) return found;
    const ctx = this.analyzeEntry(key, mask);
    this.entryContexts.set(key, ctx);
    return ctx;
  }

  private analyzeEntry(key: string, mask: readonly boolean[]): BTContext | null {
    const ng = normalize(this.program, this.portal);
    const start = ng.graph.blocks[0] as Block;
    if (ng.mergeBlocks.has(start)) return null;
    const before = this.errors.length;
    const ctx = this.analyze(ng, key, [start, ...ng.mergeBlocks], (b) =>
      b === start
        ? start.params.map((p, i) => (mask[i] ? null : { text: `parameter '${p.name}' of '${this.portal.name}' is red here` }))
        : this.mergeSeeds(ng, b),
    );
    if (this.errors.length === before) return ctx;
    for (const m of this.errors.splice(before)) this.errorSet.delete(m);
    this.contexts.delete(key);
    return null;
  }

  /** A graph inlined with parameters green where `mask` is true. */
  contextFor(g: Graph, mask: readonly boolean[]): BTContext {
    const key = `${g.name}(${mask.map((m) => (m ? "g" : "r")).join("")})`;
    const found = this.contexts.get(key);
    if (found && found.ng.orig === g) return found;
    const ng = normalize(this.program, g);
    const start = ng.graph.blocks[0] as Block;
    return this.analyze(ng, key, [start], (b) =>
      b === start ? start.params.map((p, i) => (mask[i] ? null : { text: `parameter '${p.name}' of '${g.name}' is red here` })) : [],
    );
  }

  /** Throw a PEError listing every contradiction, if any. */
  check(): void {
    this.portalContext();
    if (this.errors.length > 0) throw new PEError(this.errors.join("\n"));
  }

  /**
   * Why a variable is red, as a phrase: the ops that carried the red value to it and its origin,
   * e.g. "getfield<Machine.pc> (at run.ll:12:3) uses the red 'm'; 'm' is a red of driver 'vm' ...".
   */
  explain(v: Var): string {
    const steps: string[] = [];
    let cur: Var = v;
    const seen = new Set<Var>();
    for (;;) {
      const r = this.reasons.get(cur);
      if (!r) {
        steps.push(`'${cur.name}' is red`);
        break;
      }
      if (!r.text.includes("receives a red value")) steps.push(r.text);
      if (!r.from || seen.has(r.from)) break;
      seen.add(cur);
      cur = r.from;
    }
    if (steps.length > 4) steps.splice(3, steps.length - 4, "...");
    return steps.join("; ");
  }

  private mergeSeeds(ng: NGraph, b: Block): (RedReason | null)[] {
    const mp = b.ops[0] as Op;
    const ng1 = this.driver.greens.length;
    return b.params.map((p) => {
      const k = mp.args.indexOf(p);
      if (k >= 0 && k < ng1) return null;
      if (k >= ng1)
        return {
          text: `'${this.driver.reds[k - ng1] ?? p.name}' is a red of driver '${this.driver.name}' at the merge point ${opPlace(ng, b, 0, mp)}`,
        };
      return {
        text: `'${p.name}' is live at the merge point ${opPlace(ng, b, 0, mp)} but not named by driver '${this.driver.name}'`,
      };
    });
  }

  private error(msg: string): void {
    if (!this.errorSet.has(msg)) {
      this.errorSet.add(msg);
      this.errors.push(msg);
    }
  }

  private analyze(ng: NGraph, key: string, entries: Block[], seeds: (b: Block) => (RedReason | null)[]): BTContext {
    this.inProgress.add(key);
    const red = new Set<Var>();
    const entrySet = new Set(entries);
    // reachable blocks from the entries
    const reach: Block[] = [];
    const seen = new Set<Block>();
    const work = [...entries];
    while (work.length > 0) {
      const b = work.pop() as Block;
      if (seen.has(b)) continue;
      seen.add(b);
      reach.push(b);
      for (const l of exitLinks(b.exit)) work.push(l.target);
    }
    const markRed = (v: Var, r: RedReason): boolean => {
      if (red.has(v)) return false;
      red.add(v);
      if (!this.reasons.has(v)) this.reasons.set(v, r);
      return true;
    };
    const isRed = (v: Value): boolean => v.kind === "var" && red.has(v);
    for (const b of entries)
      seeds(b).forEach((r, i) => {
        if (r) markRed(b.params[i] as Var, r);
      });
    // incoming links per block (from reachable blocks only)
    const incoming = new Map<Block, { from: Block; args: Value[] }[]>();
    for (const b of reach)
      for (const l of exitLinks(b.exit)) {
        const arr = incoming.get(l.target) ?? [];
        arr.push({ from: b, args: l.args });
        incoming.set(l.target, arr);
      }
    const unroll = !!ng.orig.flags.unrollSafe;
    let returnsGreen = true;
    let changed = true;
    while (changed) {
      changed = false;
      returnsGreen = true;
      for (const b of reach) {
        if (!entrySet.has(b)) {
          b.params.forEach((p, i) => {
            if (red.has(p)) return;
            for (const inc of incoming.get(b) ?? []) {
              const a = inc.args[i] as Value;
              if (isRed(a)) {
                changed = markRed(p, { text: `'${p.name}' receives a red value`, from: a as Var }) || changed;
                return;
              }
            }
            if (!unroll && ng.sharingHeaders.has(b)) {
              for (const inc of incoming.get(b) ?? []) {
                if (!this.invariant(inc.args[i] as Value, p, b, incoming, new Set())) {
                  changed =
                    markRed(p, {
                      text: `'${p.name}' changes around a loop in '${ng.name}' (block '${b.label}'), which is not @unrollSafe`,
                    }) || changed;
                  return;
                }
              }
            }
          });
        }
        b.ops.forEach((o, i) => {
          if (o.result && !red.has(o.result)) {
            const r = this.opRed(ng, b, i, o, isRed);
            if (r) changed = markRed(o.result, r) || changed;
          }
        });
        if (b.exit.kind === "return" && b.exit.value && isRed(b.exit.value)) returnsGreen = false;
      }
    }
    // contradictions
    for (const b of reach) {
      b.ops.forEach((o, i) => {
        if (o.op === "assert_green" && o.args[0] && isRed(o.args[0]))
          this.error(`${opPlace(ng, b, i, o)}: assert_green: the value is red: ${this.explain(o.args[0] as Var)}`);
        if (o.op === "can_enter_jit") this.checkGreens(ng, b, i, o, o.args, isRed, "can_enter_jit");
      });
      for (const l of exitLinks(b.exit)) {
        if (!ng.mergeBlocks.has(l.target)) continue;
        const mp = l.target.ops[0] as Op;
        const args = mp.args.map((a) => {
          const k = a.kind === "var" ? l.target.params.indexOf(a) : -1;
          return k >= 0 ? (l.args[k] as Value) : a;
        });
        this.checkGreens(ng, l.target, 0, mp, args, isRed, "jit_merge_point");
      }
    }
    const ctx: BTContext = { key, ng, red, returnsGreen };
    this.inProgress.delete(key);
    this.contexts.set(key, ctx);
    return ctx;
  }

  private checkGreens(ng: NGraph, b: Block, i: number, o: Op, args: Value[], isRed: (v: Value) => boolean, what: string): void {
    this.driver.greens.forEach((name, k) => {
      const a = args[k];
      if (a && isRed(a))
        this.error(
          `${opPlace(ng, b, i, o)}: the green '${name}' of driver '${this.driver.name}' at this ${what} depends on a red value: ${this.explain(a as Var)} (greens must be computed from greens and immutable data only)`,
        );
    });
  }

  /** Does `v` carry the loop header parameter `p` unchanged (through block parameters only)? */
  private invariant(v: Value, p: Var, header: Block, incoming: Map<Block, { from: Block; args: Value[] }[]>, visiting: Set<Var>): boolean {
    if (v === p) return true;
    if (v.kind !== "var") return false;
    if (visiting.has(v)) return true;
    for (const [b, incs] of incoming) {
      if (b === header) continue;
      const k = b.params.indexOf(v);
      if (k < 0) continue;
      visiting.add(v);
      const ok = incs.every((inc) => this.invariant(inc.args[k] as Value, p, header, incoming, visiting));
      visiting.delete(v);
      return ok;
    }
    return false;
  }

  /** Why op `o`'s result is red, or null if it is green (given the current red set). */
  private opRed(ng: NGraph, b: Block, i: number, o: Op, isRed: (v: Value) => boolean): RedReason | null {
    const redArg = o.args.find(isRed) as Var | undefined;
    if (isScalarOp(o.op) && !redArg) return null;
    // the texts are built only for red results (most ops are looked at many times while green)
    const at = (): string => `(at ${opPlace(ng, b, i, o)})`;
    const a = o.attrs;
    const desc = (): string =>
      a.type !== undefined
        ? `${o.op}<${a.type}${a.field !== undefined ? `.${a.field}` : ""}>`
        : a.callee !== undefined
          ? `${o.op}<${a.callee}>`
          : o.op;
    const derived = (): RedReason | null => (redArg ? { text: `${desc()} ${at()} uses the red '${redArg.name}'`, from: redArg } : null);
    if (isScalarOp(o.op)) return derived();
    switch (o.op) {
      case "same_as":
      case "ref_is_null":
      case "ref_eq":
      case "ref_test":
      case "ref_cast":
      case "arraylen":
        return derived();
      case "promote":
      case "is_constant":
        return null;
      case "new":
      case "newarray":
      case "newarray_init":
        return { text: `${o.op}<${o.attrs.type}> ${at()} makes a new object at run time` };
      case "getfield": {
        if (redArg) return derived();
        const f = findField(this.program, o.attrs.type ?? "", o.attrs.field ?? "");
        if (f && !f.mutable) return null;
        return { text: `getfield<${o.attrs.type}.${o.attrs.field}> ${at()} reads a mutable field` };
      }
      case "getitem": {
        if (redArg) return derived();
        const a = this.program.types.get(o.attrs.type ?? "");
        if (a && a.kind === "array" && !a.mutable) return null;
        return { text: `getitem<${o.attrs.type}> ${at()} reads a mutable array` };
      }
      case "getglobal": {
        const gl = this.program.globals.get(o.attrs.callee ?? "");
        return gl && !gl.mutable ? null : { text: `getglobal<${o.attrs.callee}> ${at()} reads a mutable global` };
      }
      case "call": {
        const name = o.attrs.callee ?? "";
        const callee = this.graph(name);
        if (!callee) return { text: `call to unknown graph '${name}' ${at()}` };
        if (callee === this.portal || callee.flags.portal)
          return { text: `the call to the portal '${name}' ${at()} stays a residual call` };
        if (callee.flags.elidable && !redArg) return null;
        if (callee.flags.dontLookInside) return { text: `the call to '${name}' ${at()} stays a residual call (dontLookInside)` };
        const mask = o.args.map((a) => !isRed(a));
        const key = `${name}(${mask.map((m) => (m ? "g" : "r")).join("")})`;
        if (this.inProgress.has(key) || this.inProgress.size > INLINE_LIMIT)
          return { text: `the recursive call to '${name}' ${at()} stays a residual call` };
        const ctx = this.contextFor(callee, mask);
        return ctx.returnsGreen ? null : { text: `'${name}' called ${at()} returns a red value` };
      }
      case "call_ref":
        return { text: `the result of call_ref ${at()}` };
      case "call_host":
        return { text: `the result of host function '${o.attrs.callee}' ${at()}` };
      default:
        return derived() ?? { text: `${o.op} ${at()}` };
    }
  }
}
