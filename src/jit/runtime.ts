// The run-time JIT driver. Before translation, `prepareJit` rewrites the interpreter's
// can_enter_jit sites into calls of a host function (see enter.ts). At run time that host
// function counts how often each green key (the driver's green values) is reached; when a key is
// hot it specializes the portal for those greens (src/pe), compiles the residual graph with its
// exit and continuation graphs into a Wasm module linked to the translated one, and from then on
// answers with the compiled function, which the interpreter tail-calls with the reds.
//
// Green objects are Wasm GC references: they cannot be hashed, so counters live in a WeakMap
// keyed by the first green object, then by the scalar greens.

import type { DriverDef, Graph, Program } from "../ir/graph.ts";
import { cloneGraph } from "../ir/clone.ts";
import type { Heap, LLValue } from "../llinterp/heap.ts";
import type { HostImpl } from "../llinterp/hosts.ts";
import type { TranslatedModule } from "../backend/wasm/index.ts";
import { formatResidual, specializeAt } from "../pe/index.ts";
import { enterHostName, insertJitEntries } from "./enter.ts";

export interface JitOptions {
  /** Times a green key must be reached at a can_enter_jit before it is compiled (default 40). */
  threshold?: number;
  /** Residual ops per compilation (the specializer's budget; default 4000). */
  budget?: number;
  /** Total Wasm bytes of compiled code; past it nothing more is compiled (default 16 MiB). */
  codeBudget?: number;
  /** Most compilations (each is one linked module); past it nothing more is compiled (default 2000). */
  maxCompilations?: number;
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
  /** Guest instructions (distinct green states at merge points) specialized, summed over compilations. */
  guestInstructions: number;
  residualOps: number;
}

interface Entry {
  count: number;
  /** The compiled code ({fn} reference to its graph), once compiled. */
  code: LLValue;
  /** Compilation failed or was refused: never try again. */
  dead: boolean;
}

const DEFAULTS = { threshold: 40, budget: 4000, codeBudget: 16 << 20, maxCompilations: 2000 };

export class Jit {
  /** The interpreter's program, as the front end made it: what the specializer reads. */
  readonly program: Program;
  /** The program that is translated: the same, with JIT entries at the can_enter_jit sites. */
  readonly translated: Program;
  readonly portal: Graph;
  readonly driver: DriverDef;
  readonly opts: Required<Omit<JitOptions, "log">> & Pick<JitOptions, "log">;
  readonly stats: JitStats = { compilations: 0, failures: 0, bytes: 0, compileMs: 0, guestInstructions: 0, residualOps: 0 };
  private tm: TranslatedModule | null = null;
  private readonly byObject = new WeakMap<object, Map<string, Entry>>();
  private readonly byScalars = new Map<string, Entry>();
  /** Graphs already compiled into some module (shared continuation graphs are compiled once). */
  private readonly compiled = new Set<string>();

  constructor(program: Program, translated: Program, portal: Graph, driver: DriverDef, opts: JitOptions) {
    this.program = program;
    this.translated = translated;
    this.portal = portal;
    this.driver = driver;
    this.opts = { ...DEFAULTS, ...dropUndefined(opts) };
  }

  /** The host functions translated code needs (pass them to instantiateProgram). */
  hosts(): Map<string, HostImpl> {
    return new Map([[enterHostName(this.driver.name), (heap: Heap, args: LLValue[]) => this.enter(heap, args)]]);
  }

  /** Bind to the translated module once it is instantiated. */
  attach(tm: TranslatedModule): void {
    this.tm = tm;
    for (const n of tm.compiled.graphs.keys()) this.compiled.add(n);
  }

  private entry(greens: readonly LLValue[]): Entry {
    let obj: object | null = null;
    const scalars: string[] = [];
    for (const g of greens) {
      if (g !== null && typeof g === "object" && !("fn" in g) && obj === null) obj = g;
      else scalars.push(typeof g === "object" && g !== null ? ("fn" in g ? `@${(g as { fn: string }).fn}` : "obj") : String(g));
    }
    const key = scalars.join(",");
    let map = this.byScalars;
    if (obj !== null) {
      let m = this.byObject.get(obj);
      if (!m) this.byObject.set(obj, (m = new Map()));
      map = m;
    }
    let e = map.get(key);
    if (!e) map.set(key, (e = { count: 0, code: null, dead: false }));
    return e;
  }

  /** The enter host function: count, compile when hot, answer with compiled code or null. */
  private enter(_heap: Heap, args: LLValue[]): LLValue {
    const greens = args.slice(0, this.driver.greens.length);
    const e = this.entry(greens);
    if (e.code !== null || e.dead) return e.code;
    if (++e.count < this.opts.threshold) return null;
    e.code = this.compile(greens, args.slice(this.driver.greens.length));
    if (e.code === null) e.dead = true;
    return e.code;
  }

  private compile(greens: LLValue[], reds: LLValue[]): LLValue {
    const tm = this.tm;
    if (!tm) throw new Error("JIT used before attach()");
    if (this.stats.compilations >= this.opts.maxCompilations || this.stats.bytes >= this.opts.codeBudget) return null;
    const t0 = performance.now();
    const name = `jit${this.stats.compilations + this.stats.failures}`;
    try {
      const r = specializeAt(this.program, this.portal.name, greens, {
        heap: tm.heap,
        reds,
        budget: this.opts.budget,
        call: (g: string, a: readonly LLValue[]) => tm.callLL(g, a),
        name,
      });
      // Compiled copies get JIT entries (continuation graphs hold can_enter_jit sites); the
      // specializer keeps reading the originals.
      const fresh = [r.graph, ...r.support]
        .filter((g) => !this.compiled.has(g.name))
        .map((g) => withEntries(this.translated, g, this.portal.result));
      const t1 = performance.now();
      const lm = tm.link(fresh, { name });
      for (const g of fresh) this.compiled.add(g.name);
      const t2 = performance.now();
      const s = this.stats;
      s.compilations++;
      s.bytes += lm.compiled.bytes.length;
      s.compileMs += t2 - t0;
      s.guestInstructions += r.stats.guestInstructions;
      s.residualOps += r.stats.ops;
      if (this.opts.log) {
        const key = this.driver.greens.map((n, i) => `${n}=${describe(greens[i])}`).join(", ");
        this.opts.log(
          `; jit: compiled ${name} for ${key}: ${lm.compiled.bytes.length} bytes of Wasm, ` +
            `specialize ${(t1 - t0).toFixed(2)} ms, compile ${(t2 - t1).toFixed(2)} ms\n${formatResidual(this.program, r)}\n`,
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
  const translated: Program = reuse ?? { ...p, hosts: new Map(p.hosts), graphs: new Map() };
  if (!reuse) for (const [n, g] of p.graphs) translated.graphs.set(n, withEntries(translated, g, found.portal.result));
  return new Jit(forPE, translated, found.portal, found.driver, opts);
}

function withEntries(p: Program, g: Graph, portalResult: Graph["result"]): Graph {
  const copy = cloneGraph(g, g.name).graph;
  insertJitEntries(p, copy, portalResult);
  return copy;
}
