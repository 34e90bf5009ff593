// The run-time JIT driver. Before translation, `prepareJit` rewrites the interpreter's
// can_enter_jit sites into lookups in a cache held in Wasm globals, which count visits and
// tail-call compiled code (see enter.ts). The host function behind them is called on a miss and
// when a key's counter runs out: it specializes the portal for those greens (src/pe), compiles the
// residual graph with its exit and continuation graphs into a Wasm module linked to the
// translated one, and answers with the compiled function, which the site keeps in its slot.
//
// JavaScript stays the authority on compiled code: green objects are Wasm GC references that
// cannot be hashed, so entries live in a WeakMap keyed by the first green object, then in a trie
// with one level per other green; a key whose slot was evicted finds its code there again.

import type { DriverDef, Graph, Op, Program, Var } from "../ir/graph.ts";
import { I32, type LLType, typeToString, VOID } from "../ir/types.ts";
import { cloneGraph } from "../ir/clone.ts";
import { CodeTable, CodeWriter } from "../ir/codes.ts";
import type { Heap, LLValue } from "../llinterp/heap.ts";
import type { HostImpl } from "../llinterp/hosts.ts";
import type { LinkedModule, TranslatedModule } from "../backend/wasm/index.ts";
import type { ExitInfo, PromotedAt, PromoteSite, Residual } from "../pe/index.ts";
import {
  CleanupMemo,
  exitNeedsNoBridge,
  formatResidual,
  linkBridge,
  mergePointContinuation,
  specializeAt,
  specializeExit,
} from "../pe/index.ts";
import { shareKey } from "./share.ts";
import { ENTER, SITE, type SiteKind, cacheInitName, enterHostName, insertJitEntries } from "./enter.ts";

export interface JitOptions {
  /** Times a green key must be reached at a can_enter_jit before it is compiled (default 1000). */
  threshold?: number;
  /**
   * Times a green key reached only by exits of compiled code (the code after a loop) must be
   * looked up before it is compiled (default 10 times `threshold`: such code is compiled in small
   * pieces, each paying a compilation's fixed cost).
   */
  exitThreshold?: number;
  /** Residual ops per compilation (the specializer's budget; default 4000). */
  budget?: number;
  /**
   * Guest calls made direct calls of the portal specialized for them, per compilation (default 8;
   * 0: every guest call in compiled code calls the interpreter's portal). See SpecializeOptions.
   */
  maxCallees?: number;
  /** Total Wasm bytes of compiled code; past it nothing more is compiled (default 16 MiB). */
  codeBudget?: number;
  /**
   * Most linked modules (each compilation, bridge and new promote case is one, and stays alive);
   * past it nothing more is compiled (default 2000).
   */
  maxCompilations?: number;
  /** Exits through the same exit of compiled code before its continuation is specialized (a bridge; default 1000). */
  bridgeThreshold?: number;
  /** Most bridges per compilation (default 16). */
  maxBridges?: number;
  /** Slots of the Wasm-side entry cache (a power of two; default 65536). */
  cacheSize?: number;
  /** Called with a report of each compilation (the --jit-log option). */
  log?: (text: string) => void;
}

export interface JitStats {
  compilations: number;
  failures: number;
  /** Wasm bytes of all compiled modules. */
  bytes: number;
  /** Time spent specializing and compiling, ms. */
  compileMs: number;
  /** Of compileMs: specializing (the specializer and its cleanup); the rest is the Wasm backend and V8. */
  specializeMs: number;
  /** Guest instructions (distinct green states at merge points) specialized, summed over compilations. */
  guestInstructions: number;
  residualOps: number;
  /** Bridges compiled (exits whose continuation now runs specialized code). */
  bridges: number;
  /** Hot exits not bridged: entry guards, bridges over a bound, or specializations that failed. */
  bridgesRefused: number;
  /** Keys specialized again with a new value at a promote (hot promote exits), and those refused. */
  promoteCases: number;
  promoteCasesRefused: number;
  /** Calls of the enter host function: cache misses and counters run out (every visit for a driver without a cache). */
  entryCalls: number;
  /**
   * Of the modules linked: those that run the code of an earlier one (the same graphs but for
   * their exits' constants, see share.ts), instantiated again instead of compiled.
   */
  shared: number;
  /** Specializations whose residual graph was cleaned up before (the cleanup's copy taken, pe/cleanmemo.ts). */
  cleanupsReused: number;
}

interface Entry {
  count: number;
  /** The compiled code ({fn} reference to its graph), once compiled. */
  code: LLValue;
  /** Compilation failed or was refused: never try again. */
  dead: boolean;
  /** Reached at a guest site (a loop header or function entry of the interpreter's). */
  guest: boolean;
  /** Looked up by an exit of compiled code (where a loop or a piece of code was left). */
  exit: boolean;
}

/**
 * Entries by key: the first object among the greens, then one part per other green (an object
 * other than the first is "obj", a function "@name", a bigint its digits, any other value itself):
 * a trie on those parts, which compare as the strings `<part>,<part>...` would.
 */
interface EntryNode {
  entry: Entry | null;
  next: Map<unknown, EntryNode> | null;
}

/** An object among the greens other than the first (see EntryNode). */
const OTHER_OBJECT = "obj";

/** One compilation: its residual (PE side), the entry it serves, and the bridges made from it. */
interface Compilation {
  readonly name: string;
  residual: Residual;
  /** The residual and its bridges (bridges of bridges too): the graphs linked again with each bridge. */
  residuals: Residual[];
  readonly entry: Entry;
  /** The key's greens, and the reds it was first entered with (for specializing it again). */
  readonly greens: readonly LLValue[];
  readonly reds: readonly LLValue[];
  /** Values seen at promotes of its code (by promoteKey): the cases it is specialized with. */
  promoted: ReadonlyMap<string, LLValue[]>;
  /** Times it was re-linked with a new bridge (fresh graph names per version). */
  version: number;
  bridges: number;
  /** Times it was specialized again with a new promoted value. */
  regrown: number;
  /** A bridge failed half-way: the PE-side program and the compiled code may differ; no more bridges. */
  frozen: boolean;
}

/** An exit of a compilation's residual graph or of one of its bridges, counted by the exit host function. */
interface ExitSite {
  readonly comp: Compilation;
  /** The residual (the compilation's or a bridge) the exit belongs to. */
  readonly owner: Residual;
  readonly index: number;
  count: number;
  /** Bridged, or refused: not counted any more. */
  done: boolean;
  /** A promote exit: the value it last left with (the key is specialized again with it). */
  value?: LLValue;
}

/**
 * The exit graphs of a residual's callees (the portal specialized for direct calls): exit sites
 * that look for code like any exit, and are not bridged.
 */
function calleeExitGraphs(r: Residual): Set<string> {
  return new Set(r.callees.flatMap((c) => c.exits.map((x) => x.graph)));
}

/** The host function compiled exit graphs call first, with their exit's id. */
export const EXIT_HOST = "__jit_exit";

const PROMOTE_EXIT_HOST = `${EXIT_HOST}_promote_`;

/**
 * The host function the exit graphs of promote exits call instead, with their exit's id and the
 * value promoted (one per type of promoted value, declared by prepareJit).
 */
export function promoteExitHost(t: LLType): string {
  return `${PROMOTE_EXIT_HOST}${typeToString(t).replace(/\W/g, "_")}`;
}

const DEFAULTS = {
  threshold: 1000,
  budget: 4000,
  maxCallees: 8,
  codeBudget: 16 << 20,
  maxCompilations: 2000,
  bridgeThreshold: 1000,
  maxBridges: 16,
  cacheSize: 65536,
};

export class Jit {
  /** The interpreter's program, as the front end made it: what the specializer reads. */
  readonly program: Program;
  /** The program that is translated: the same, with JIT entries at the can_enter_jit sites. */
  readonly translated: Program;
  readonly portal: Graph;
  readonly driver: DriverDef;
  readonly opts: Required<Omit<JitOptions, "log">> & Pick<JitOptions, "log">;
  readonly stats: JitStats = {
    compilations: 0,
    failures: 0,
    bytes: 0,
    compileMs: 0,
    specializeMs: 0,
    guestInstructions: 0,
    residualOps: 0,
    bridges: 0,
    bridgesRefused: 0,
    promoteCases: 0,
    promoteCasesRefused: 0,
    entryCalls: 0,
    shared: 0,
    cleanupsReused: 0,
  };
  private tm: TranslatedModule | null = null;
  private readonly byObject = new WeakMap<object, EntryNode>();
  private readonly byScalars: EntryNode = { entry: null, next: null };
  /** Graphs already compiled into some module (shared continuation graphs are compiled once). */
  private readonly compiled = new Set<string>();
  /** Modules linked so far (compilations, bridges, new promote cases), all alive: bounded by maxCompilations. */
  private linked = 0;
  /** Exit sites by id (the argument of the exit host function). */
  private readonly exits: ExitSite[] = [];
  /** Linked modules by the share key of their graphs (see share.ts): their code serves graphs of the same key. */
  private readonly modules = new CodeTable<LinkedModule>();
  /** The writer of share keys (its interned ids are those of every key). */
  private readonly keys = new CodeWriter();
  /** Residual graphs cleaned up so far, for specializations that make the same graph again (pe/cleanmemo.ts). */
  private readonly cleanups = new CleanupMemo();
  /**
   * The ids of exit sites in the exits' inline cache (enter.ts): one per site of an exit graph,
   * never reused (past 2^30 sites, which the bounds on compilations and bridges do not allow,
   * further sites look up without it).
   */
  private exitSites = 0;
  private readonly nextExitSite = (): number | undefined => (this.exitSites < 0x3fffffff ? ++this.exitSites : undefined);

  constructor(program: Program, translated: Program, portal: Graph, driver: DriverDef, opts: JitOptions) {
    this.program = program;
    this.translated = translated;
    this.portal = portal;
    this.driver = driver;
    const given = dropUndefined(opts);
    const threshold = given.threshold ?? DEFAULTS.threshold;
    this.opts = { ...DEFAULTS, exitThreshold: Math.min(10 * threshold, 0x3fffffff), ...given };
    const n = this.opts.cacheSize;
    if (!Number.isInteger(n) || n < 1 || n > 1 << 24 || (n & (n - 1)) !== 0)
      throw new Error(`jit: cacheSize must be a power of two from 1 to 2^24, not ${n}`);
  }

  /** The host functions translated code needs (pass them to instantiateProgram). */
  hosts(): Map<string, HostImpl> {
    const hosts = new Map<string, HostImpl>([
      [enterHostName(this.driver.name), (heap: Heap, args: LLValue[]) => this.enter(heap, args)],
      [EXIT_HOST, (_heap: Heap, args: LLValue[]) => this.exited(args[0] as number)],
    ]);
    for (const n of this.translated.hosts.keys())
      if (n.startsWith(PROMOTE_EXIT_HOST)) hosts.set(n, (_heap: Heap, args: LLValue[]) => this.exited(args[0] as number, args[1]));
    return hosts;
  }

  /** Bind to the translated module once it is instantiated. */
  attach(tm: TranslatedModule): void {
    this.tm = tm;
    for (const n of tm.compiled.graphs.keys()) this.compiled.add(n);
    this.resetCache();
  }

  /**
   * Empty the Wasm-side entry cache (fresh arrays), e.g. when a key's code changes: every key
   * misses once, and the host answers with its current code.
   */
  private resetCache(): void {
    const init = cacheInitName(this.driver.name);
    const tm = this.tm;
    if (!tm?.compiled.graphs.has(init)) return;
    // A claimed slot counts the visits after its first (the miss, counted here).
    const countdown = (t: number): number => Math.min(Math.max(1, t - 1), 0x3fffffff);
    tm.callLL(init, [this.opts.cacheSize, countdown(this.opts.threshold), countdown(this.opts.exitThreshold)]);
  }

  private entry(greens: readonly LLValue[]): Entry {
    let first = -1;
    for (let i = 0; i < greens.length; i++) {
      const g = greens[i];
      if (g !== null && typeof g === "object" && !("fn" in g)) {
        first = i;
        break;
      }
    }
    let node = this.byScalars;
    if (first >= 0) {
      const obj = greens[first] as object;
      let n = this.byObject.get(obj);
      if (!n) this.byObject.set(obj, (n = { entry: null, next: null }));
      node = n;
    }
    for (let i = 0; i < greens.length; i++) {
      if (i === first) continue;
      const g = greens[i];
      const part =
        typeof g === "object" && g !== null
          ? "fn" in g
            ? `@${(g as { fn: string }).fn}`
            : OTHER_OBJECT
          : typeof g === "bigint"
            ? String(g)
            : g;
      node.next ??= new Map();
      let n = node.next.get(part);
      if (!n) node.next.set(part, (n = { entry: null, next: null }));
      node = n;
    }
    node.entry ??= { count: 0, code: null, dead: false, guest: false, exit: false };
    return node.entry;
  }

  /**
   * The enter host function (args: why (ENTER), the site kind (SITE), greens, reds): answer with
   * the key's compiled code, or compile it when hot (a counter in Wasm ran out, or the visits
   * counted here reach the threshold), or answer null.
   */
  private enter(_heap: Heap, args: LLValue[]): LLValue {
    this.stats.entryCalls++;
    const ng = this.driver.greens.length;
    const greens = args.slice(2, 2 + ng);
    const e = this.entry(greens);
    if (args[1] === SITE.guest) e.guest = true;
    else e.exit = true;
    if (e.code !== null || e.dead) return e.code;
    if (args[0] !== ENTER.hot && ++e.count < (e.guest ? this.opts.threshold : this.opts.exitThreshold)) return null;
    e.code = this.compile(e, greens, args.slice(2 + ng));
    if (e.code === null) e.dead = true;
    return e.code;
  }

  private compile(e: Entry, greens: LLValue[], reds: LLValue[]): LLValue {
    if (!this.tm) throw new Error("JIT used before attach()");
    if (this.linked >= this.opts.maxCompilations || this.stats.bytes >= this.opts.codeBudget) return null;
    const t0 = performance.now();
    const name = `jit${this.stats.compilations + this.stats.failures}`;
    try {
      const r = this.specializeEntry(name, e, greens, reds, undefined);
      const comp: Compilation = {
        name,
        residual: r,
        residuals: [r],
        entry: e,
        greens,
        reds,
        promoted: new Map(),
        version: 0,
        bridges: 0,
        regrown: 0,
        frozen: false,
      };
      const lm = this.install(comp, r, name, t0);
      this.stats.compilations++;
      if (this.opts.log) {
        const key = this.driver.greens.map((n, i) => `${n}=${describe(greens[i])}`).join(", ");
        this.opts.log(
          `; jit: compiled ${name} for ${key}: ${lm.sharedWith ? `the code of ${lm.sharedWith} (its exits' constants aside)` : `${lm.bytes} bytes of Wasm`}, ` +
            `specialize ${lm.specializeMs.toFixed(2)} ms, compile ${lm.compileMs.toFixed(2)} ms` +
            `${lm.dispatches > 0 ? `, ${lm.dispatches} dispatch nodes (irreducible loops)` : ""}\n${formatResidual(this.program, r)}\n`,
        );
      }
      return { fn: r.graph.name };
    } catch (err) {
      this.stats.failures++;
      this.stats.compileMs += performance.now() - t0;
      if (this.opts.log) {
        const key = this.driver.greens.map((n, i) => `${n}=${describe(greens[i])}`).join(", ");
        this.opts.log(`; jit: could not compile for ${key}; the interpreter keeps running it: ${(err as Error).message}\n`);
      }
      return null;
    }
  }

  /**
   * Specialize the portal at a key's greens (its residual graph named `name`); `promoted`: the
   * values seen at promotes of earlier code for the key (each becomes a guarded case).
   */
  private specializeEntry(
    name: string,
    e: Entry,
    greens: readonly LLValue[],
    reds: readonly LLValue[],
    promoted: ReadonlyMap<string, LLValue[]> | undefined,
  ): Residual {
    const tm = this.tm as TranslatedModule;
    return specializeAt(this.program, this.portal.name, greens, {
      heap: tm.heap,
      reds,
      budget: this.opts.budget,
      maxCallees: this.opts.maxCallees,
      call: (g: string, a: readonly LLValue[]) => tm.callLL(g, a),
      name,
      compiled: (g: readonly LLValue[]) => this.entry(g).code !== null,
      cleanups: this.cleanups,
      // A key reached only from exits (the code after a loop, say) is a piece of code between
      // loops: it stops where other code starts, at keys with code or that get code of their
      // own (loop headers, and the places where loops are left).
      stopAt: e.guest
        ? undefined
        : (g: readonly LLValue[]) => {
            const x = this.entry(g);
            return x.code !== null || x.guest || x.exit;
          },
      ...(promoted && promoted.size > 0 ? { promote: (site: PromoteSite) => promoted.get(promoteKey(site)) } : {}),
    });
  }

  /**
   * Compile a compilation's (new) residual graph `r` with its exit and continuation graphs not
   * compiled yet into one module linked to the translated one; its exits that may be bridged get
   * counters. Adds the module to the stats.
   */
  private install(
    comp: Compilation,
    r: Residual,
    name: string,
    t0: number,
  ): { bytes: number; specializeMs: number; compileMs: number; dispatches: number; sharedWith: string | null } {
    const tm = this.tm as TranslatedModule;
    // Compiled copies get JIT entries (continuation graphs hold can_enter_jit sites); the
    // specializer keeps reading the originals.
    // Exit graphs count their exits (for bridges).
    const exitOf = new Map(r.exits.map((x) => [x.graph, x.index]));
    const calleeExits = calleeExitGraphs(r);
    const fresh = [r.graph, ...r.support]
      .filter((g) => !this.compiled.has(g.name))
      .map((g) => {
        const k = exitOf.get(g.name);
        const c = withEntries(
          this.translated,
          g,
          this.portal.result,
          g.name,
          k === undefined && !calleeExits.has(g.name) ? "guest" : "exit",
          this.nextExitSite,
        );
        // exits that look for compiled code themselves, and loop exits, are not counted for bridges
        if (k !== undefined && !exitNeedsNoBridge(r.exits[k] as ExitInfo)) {
          this.exits.push({ comp, owner: r, index: k, count: 0, done: false });
          addExitCounter(c, this.exits.length - 1, this.promoteArg(r.exits[k] as ExitInfo));
        }
        return c;
      });
    // Exit graphs' constants are lifted: graphs that differ only in those run one module's code.
    const exitGraphs = new Set([...r.exits.map((x) => x.graph), ...calleeExits]);
    const { codes, lifted } = shareKey(fresh, new Set(fresh.filter((g) => exitGraphs.has(g.name))), this.keys);
    const t1 = performance.now();
    const template = this.modules.get(codes);
    const lm = template ? tm.relink(template, fresh, lifted) : tm.link(fresh, { name, lifted });
    if (template) this.stats.shared++;
    else this.modules.set(codes, lm);
    this.linked++;
    for (const g of fresh) this.compiled.add(g.name);
    const t2 = performance.now();
    const bytes = template ? 0 : lm.compiled.bytes.length;
    this.count(bytes, t2 - t0, t1 - t0, r);
    return {
      bytes,
      specializeMs: t1 - t0,
      compileMs: t2 - t1,
      dispatches: lm.compiled.stats.dispatches,
      sharedWith: template ? template.compiled.name : null,
    };
  }

  /**
   * A hot promote exit (of a compilation's residual graph or of one of its bridges): specialize
   * the compilation's key again with the values seen at that promote so far (the new one
   * included), each a guarded case that goes on in the same residual graph (back to its loop
   * header), and make that the key's code. Its bridges go with the old code (they are made again
   * where still needed). At most maxBridges values per promote and new specializations per key.
   */
  private regrow(site: ExitSite, at: PromotedAt, value: LLValue): void {
    const comp = site.comp;
    const t0 = performance.now();
    const what = `exit ${site.index} of ${site.owner.graph.name}`;
    const key = promoteKey(at);
    const values = comp.promoted.get(key) ?? [];
    const why = comp.frozen
      ? "an earlier bridge of this compilation failed"
      : values.length >= this.opts.maxBridges || comp.regrown >= this.opts.maxBridges
        ? `${values.length} values at the promote, ${comp.regrown} new cases of ${comp.name} already (maxBridges)`
        : this.stats.bytes >= this.opts.codeBudget
          ? "the code budget is spent"
          : this.linked >= this.opts.maxCompilations
            ? `${this.linked} modules linked already (maxCompilations)`
            : null;
    if (why !== null) {
      this.stats.promoteCasesRefused++;
      this.opts.log?.(`; jit: no new case for ${what}: ${why}\n`);
      return;
    }
    const promoted = new Map(comp.promoted);
    promoted.set(key, [...values, value]);
    let name = `${comp.name}.p${comp.regrown + 1}`;
    for (let i = 0; this.compiled.has(name) || this.program.graphs.has(name); i++) name = `${comp.name}.p${comp.regrown + 1}_${i}`;
    try {
      const r = this.specializeEntry(name, comp.entry, comp.greens, comp.reds, promoted);
      const lm = this.install(comp, r, name, t0);
      // the old code's exits are not counted any more: frames still running it finish in it
      for (const s of this.exits) if (s.comp === comp && s.owner !== r) s.done = true;
      comp.promoted = promoted;
      comp.residual = r;
      comp.residuals = [r];
      comp.bridges = 0;
      comp.regrown++;
      comp.entry.code = { fn: r.graph.name };
      this.resetCache();
      this.stats.promoteCases++;
      this.opts.log?.(
        `; jit: new case for ${what} (${describe(value)} at the promote; ${values.length + 1} value${values.length === 0 ? "" : "s"}): ` +
          `${comp.name} specialized again as ${name}, ${lm.sharedWith ? `the code of ${lm.sharedWith}` : `${lm.bytes} bytes of Wasm`}, specialize ${lm.specializeMs.toFixed(2)} ms, ` +
          `compile ${lm.compileMs.toFixed(2)} ms\n${formatResidual(this.program, r)}\n`,
      );
    } catch (err) {
      this.stats.promoteCasesRefused++;
      this.stats.compileMs += performance.now() - t0;
      this.opts.log?.(`; jit: no new case for ${what}: ${(err as Error).message}\n`);
    }
  }

  /** The exit host functions: count the exit (a promote exit: with its value); at the threshold, bridge it. */
  private exited(id: number, value?: LLValue): LLValue {
    const site = this.exits[id];
    if (!site || site.done) return null;
    if (value !== undefined) site.value = value;
    if (++site.count < this.opts.bridgeThreshold) return null;
    site.done = true;
    const exit = site.owner.exits[site.index];
    if (exit?.promoted && site.value !== undefined) this.regrow(site, exit.promoted, site.value);
    else this.bridge(site);
    return null;
  }

  /**
   * Specialize the continuation of a hot exit (a bridge), link it in the PE-side program, and
   * compile the compilation's residual graph again under fresh names, its exit graphs with it (the
   * bridged one now calls the bridge); the entry answers with the new code from then on. Frames
   * running the old code finish in it.
   */
  private bridge(site: ExitSite): void {
    const tm = this.tm;
    if (!tm) throw new Error("JIT used before attach()");
    const comp = site.comp;
    const r = site.owner;
    const exit = r.exits[site.index];
    const what = `exit ${site.index} of ${r.graph.name}`;
    const refuse = (why: string): void => {
      this.stats.bridgesRefused++;
      this.opts.log?.(`; jit: no bridge for ${what}: ${why}\n`);
    };
    const why = !exit
      ? "no such exit"
      : exit.reason === "guard"
        ? "an entry guard (the frame differs)"
        : exit.reason === "promote"
          ? "a promote whose value was not passed to the JIT (no exit host function for its type)"
          : comp.frozen
            ? "an earlier bridge of this compilation failed"
            : comp.bridges >= this.opts.maxBridges
              ? `${this.opts.maxBridges} bridges already (maxBridges)`
              : this.stats.bytes >= this.opts.codeBudget
                ? "the code budget is spent"
                : this.linked >= this.opts.maxCompilations
                  ? `${this.linked} modules linked already (maxCompilations)`
                  : null;
    if (why !== null || !exit) {
      refuse(why ?? "no such exit");
      return;
    }
    const t0 = performance.now();
    let linked = false;
    try {
      let bname = `${comp.name}.bridge${comp.bridges + 1}`;
      for (let i = 0; this.compiled.has(bname) || this.program.graphs.has(bname); i++)
        bname = `${comp.name}.bridge${comp.bridges + 1}_${i}`;
      const b = specializeExit(this.program, r, site.index, {
        name: bname,
        heap: tm.heap,
        budget: this.opts.budget,
        maxCallees: this.opts.maxCallees,
        call: (g: string, a: readonly LLValue[]) => tm.callLL(g, a),
        // a bridge ends where it reaches a loop with compiled code (its exit enters that code)
        compiled: (g: readonly LLValue[]) => this.entry(g).code !== null,
        cleanups: this.cleanups,
      });
      linkBridge(this.program, exit, b);
      linked = true;
      const version = ++comp.version;
      const rename = new Map<string, string>();
      const fresh = (base: string): string => {
        let n = `${base}.v${version}`;
        for (let i = 0; this.compiled.has(n) || this.program.graphs.has(n); i++) n = `${base}.v${version}_${i}`;
        rename.set(base, n);
        return n;
      };
      comp.residuals.push(b);
      for (const x of comp.residuals) {
        fresh(x.graph.name);
        for (const e of x.exits) fresh(e.graph);
      }
      // The residual graphs (the compilation's and its bridges) and their exit graphs under new
      // names; exits not bridged are counted as before, the new bridge's exits from now on.
      for (let k = 0; k < b.exits.length; k++)
        if (!exitNeedsNoBridge(b.exits[k] as ExitInfo)) this.exits.push({ comp, owner: b, index: k, count: 0, done: false });
      const sites = new Map<Residual, Map<number, number>>();
      this.exits.forEach((s, id) => {
        if (s.comp !== comp || s.done) return;
        let m = sites.get(s.owner);
        if (!m) sites.set(s.owner, (m = new Map()));
        m.set(s.index, id);
      });
      const graphs: Graph[] = [];
      const copy = (g: Graph, name: string, from: SiteKind = "guest"): Graph => {
        const c = withEntries(this.translated, g, this.portal.result, name, from, this.nextExitSite);
        for (const bl of c.blocks)
          for (const o of bl.ops)
            if (o.attrs.callee !== undefined && rename.has(o.attrs.callee)) o.attrs.callee = rename.get(o.attrs.callee);
        return c;
      };
      for (const x of comp.residuals) {
        graphs.push(copy(this.graphOf(x.graph.name), rename.get(x.graph.name) as string));
        for (const e of x.exits) {
          const c = copy(this.graphOf(e.graph), rename.get(e.graph) as string, "exit");
          const id = sites.get(x)?.get(e.index);
          if (id !== undefined) addExitCounter(c, id, this.promoteArg(x.exits[e.index] as ExitInfo));
          graphs.push(c);
        }
      }
      // The bridge's continuation graphs not compiled yet.
      const calleeExits = calleeExitGraphs(b);
      for (const g of b.support)
        if (!this.compiled.has(g.name) && !rename.has(g.name)) graphs.push(copy(g, g.name, calleeExits.has(g.name) ? "exit" : "guest"));
      const t1 = performance.now();
      const name = `${comp.name}.v${version}`;
      const lm = tm.link(graphs, { name });
      this.linked++;
      for (const g of graphs) this.compiled.add(g.name);
      const t2 = performance.now();
      comp.entry.code = { fn: rename.get(comp.residual.graph.name) as string };
      // The cache may hold the old code: empty it (the key finds the new code at its next miss).
      this.resetCache();
      comp.bridges++;
      this.stats.bridges++;
      this.count(lm.compiled.bytes.length, t2 - t0, t1 - t0, b);
      this.opts.log?.(
        `; jit: bridge for ${what} (${exit.reason}: ${exit.detail}): ${lm.compiled.bytes.length} bytes of Wasm ` +
          `(${comp.name} linked again as ${name}), specialize ${(t1 - t0).toFixed(2)} ms, compile ${(t2 - t1).toFixed(2)} ms\n` +
          `${formatResidual(this.program, b)}\n`,
      );
    } catch (err) {
      if (linked) comp.frozen = true;
      this.stats.compileMs += performance.now() - t0;
      refuse((err as Error).message);
    }
  }

  /** Add one compiled module (a compilation or a bridge) to the stats. */
  private count(bytes: number, ms: number, specializeMs: number, r: Residual): void {
    const s = this.stats;
    s.bytes += bytes;
    s.compileMs += ms;
    s.specializeMs += specializeMs;
    s.cleanupsReused = this.cleanups.stats.hits;
    for (const x of [r, ...r.callees]) {
      s.guestInstructions += x.stats.guestInstructions;
      s.residualOps += x.stats.ops;
    }
  }

  /** For a promote exit whose value's type has an exit host function: that host and the value's leaf. */
  private promoteArg(exit: ExitInfo): { host: string; leaf: number } | undefined {
    if (exit.reason !== "promote" || !exit.promoted) return undefined;
    const t = exit.leafTypes[exit.promoted.leaf];
    const host = t && promoteExitHost(t);
    return host && this.translated.hosts.has(host) ? { host, leaf: exit.promoted.leaf } : undefined;
  }

  private graphOf(name: string): Graph {
    const g = this.program.graphs.get(name);
    if (!g) throw new Error(`jit: graph '${name}' is not in the specializer's program`);
    return g;
  }
}

/**
 * Make `g` call the exit host function with `id` first; a promote exit calls its type's host with
 * the promoted value (a parameter of the exit graph) as well.
 */
function addExitCounter(g: Graph, id: number, promote?: { host: string; leaf: number }): void {
  const first = g.blocks[0];
  if (!first) return;
  const value = promote && first.params[promote.leaf];
  const op: Op = {
    op: "call_host",
    args: [{ kind: "const", type: I32, value: id }, ...(value ? [value as Var] : [])],
    result: null,
    attrs: { callee: value && promote ? promote.host : EXIT_HOST },
  };
  first.ops.unshift(op);
}

/** A promote's place (graph, block, op, the inlined frames' graphs, the guest instruction) as a key. */
function promoteKey(at: {
  readonly graph: string;
  readonly block: string;
  readonly op: number;
  readonly stack: readonly string[];
  readonly guest?: string | null;
}): string {
  return `${at.graph}|${at.block}|${at.op}|${at.stack.join(",")}|${at.guest ?? ""}`;
}

function describe(v: LLValue): string {
  if (v === null) return "null";
  if (typeof v === "object") return "fn" in v ? `@${(v as { fn: string }).fn}` : "#object";
  return String(v);
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The portal graph (holding the jit_merge_point) and its driver, or null if the program has none. */
export function findPortalAndDriver(p: Program): { portal: Graph; driver: DriverDef } | null {
  for (const g of p.graphs.values())
    for (const b of g.blocks)
      for (const o of b.ops)
        if (o.op === "jit_merge_point") {
          const driver = p.drivers.get(o.attrs.callee ?? "");
          if (driver) return { portal: g, driver };
        }
  return null;
}

/**
 * Prepare a program for the JIT before it is translated: a copy of it whose can_enter_jit sites
 * are JIT entries (`jit.translated`, the program to translate) and the Jit that serves them.
 * Null when the program has no merge point: there is nothing to compile. Each Jit has its own
 * counters and compiled code; pass `reuse` = an earlier Jit's `translated` to skip rebuilding it.
 */
export function prepareJit(p: Program, opts: JitOptions = {}, reuse?: Program): Jit | null {
  const found = findPortalAndDriver(p);
  if (!found) return null;
  // The specializer adds residual, exit and continuation graphs to the program it is given: give
  // it its own graph table, so that `p` stays as the front end made it.
  const forPE: Program = { ...p, graphs: new Map(p.graphs) };
  // `reuse`: the translated program of an earlier prepareJit of `p` (it never changes).
  // It gets the entry caches' types, globals and init graphs besides.
  const translated: Program = reuse ?? {
    ...p,
    types: new Map(p.types),
    globals: new Map(p.globals),
    hosts: new Map(p.hosts),
    graphs: new Map(),
  };
  if (!reuse) {
    translated.hosts.set(EXIT_HOST, { name: EXIT_HOST, params: [I32], result: VOID });
    // one exit host function per type of promoted value, for promote exits (their bridges need the value)
    for (const g of p.graphs.values())
      for (const b of g.blocks)
        for (const o of b.ops) {
          const t = o.op === "promote" ? o.args[0]?.type : undefined;
          if (t && t.kind !== "void")
            translated.hosts.set(promoteExitHost(t), { name: promoteExitHost(t), params: [I32, t], result: VOID });
        }
  }
  if (!reuse) for (const [n, g] of p.graphs) translated.graphs.set(n, withEntries(translated, g, found.portal.result));
  // The continuation at the merge point, where most exits resume, is translated with the
  // interpreter rather than compiled again with each VM's first compilation that needs it.
  const cont = mergePointContinuation(forPE, found.portal);
  const cg = forPE.graphs.get(cont);
  if (cg && !translated.graphs.has(cont)) translated.graphs.set(cont, withEntries(translated, cg, found.portal.result));
  return new Jit(forPE, translated, found.portal, found.driver, opts);
}

function withEntries(
  p: Program,
  g: Graph,
  portalResult: Graph["result"],
  name = g.name,
  from: SiteKind = "guest",
  exitSiteId?: () => number | undefined,
): Graph {
  const copy = cloneGraph(g, name).graph;
  insertJitEntries(p, copy, portalResult, from, exitSiteId);
  return copy;
}
