// A translated program, instantiated: `instantiateProgram` compiles (or takes) the module, binds
// its imports (host functions from JS, the runtime's error functions, heap object constants) and
// returns a TranslatedModule: call graphs with JS values (marshalled in and out), a WasmHeap over
// the exported accessors, globals, the funcref table, and `link` to compile and instantiate more
// graphs at run time as a module sharing types, heap, globals and table with this one.

import type { Const, Graph, Program } from "../../ir/graph.ts";
import { graphParams } from "../../ir/graph.ts";
import type { ItemType, LLType } from "../../ir/types.ts";
import { typeToString } from "../../ir/types.ts";
import type { LLValue } from "../../llinterp/heap.ts";
import type { HostImpl } from "../../llinterp/hosts.ts";
import { defaultHosts } from "../../llinterp/hosts.ts";
import { LLError } from "../../llinterp/interp.ts";
import { WasmHeap } from "./heap.ts";
import { BackendError } from "./types.ts";
import type { CompiledModule, CompileOptions } from "./module.ts";
import { EXPORT, compileLinkedModule, compileProgram, linkedObjects } from "./module.ts";
import { convertError, hostFailure, registerModule, runtimeImports } from "./runtime.ts";

export interface InstantiateOptions {
  /** Host function implementations (default: defaultHosts(), the standard I/O functions). */
  hosts?: Map<string, HostImpl>;
  /** Options for compiling when given a Program. */
  compile?: CompileOptions;
}

type Exports = Record<string, unknown>;
// biome-ignore lint/complexity/noBannedTypes: Wasm exported functions are plain JS functions
type Fn = Function;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  if (typeof v === "bigint") return `bigint ${v}n`;
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return typeof v;
}

function typedKindFits(v: unknown, item: ItemType): boolean {
  switch (item.kind) {
    case "i32":
      return v instanceof Int32Array;
    case "f64":
      return v instanceof Float64Array;
    case "u8":
      return v instanceof Uint8Array;
    default:
      return false;
  }
}

/** A module compiled later and linked to a TranslatedModule (see TranslatedModule.link). */
export interface LinkedModule {
  readonly compiled: CompiledModule;
  /** The V8 module (shared by the modules relinked from this one). */
  readonly module: WebAssembly.Module;
  readonly instance: WebAssembly.Instance;
  /** The Wasm function of one of its graphs. */
  functionOf(graph: string): Fn;
}

export class TranslatedModule {
  readonly compiled: CompiledModule;
  readonly program: Program;
  readonly instance: WebAssembly.Instance;
  readonly exports: Exports;
  readonly heap: WasmHeap;
  readonly table: WebAssembly.Table;
  readonly hosts: Map<string, HostImpl>;
  /** Every graph callable here: the program's and those of linked modules. */
  private readonly graphs = new Map<string, Graph>();
  private readonly hostImports: Record<string, Fn>;
  /** The imports from "base" that every linked module has (type-id helper, table, globals). */
  private linkBase: Record<string, unknown> | null = null;

  constructor(compiled: CompiledModule, hosts: Map<string, HostImpl>) {
    this.compiled = compiled;
    this.program = compiled.program;
    this.hosts = hosts;
    // The heap needs the exports and the imports need the heap: bind through a late reference.
    let heap: WasmHeap | null = null;
    const getHeap = (): WasmHeap => heap as WasmHeap;
    this.hostImports = makeHostImports(this.program, hosts, getHeap);
    registerModule(compiled);
    const describer = {
      typeName: (o: object) => getHeap().typeName(o),
      typeNameById: (id: number) => getHeap().typeNameById(id),
      fnName: (f: unknown) => getHeap().fnName(f),
      messages: this.program.messages,
    };
    const imports: WebAssembly.Imports = {
      rt: runtimeImports(compiled, describer),
      hosts: this.hostImports,
      consts: Object.fromEntries(compiled.objects.map((o, i) => [String(i), o])),
    };
    this.instance = new WebAssembly.Instance(wasmModule(compiled), imports);
    this.exports = this.instance.exports as Exports;
    heap = new WasmHeap(compiled.layout, this.exports);
    this.heap = heap;
    heap.registerFunctions(compiled.graphs.keys(), this.exports);
    this.table = this.exports[EXPORT.table] as WebAssembly.Table;
    for (const [n, g] of compiled.graphs) this.graphs.set(n, g);
  }

  /** The graph `name` (of the program or of a linked module). */
  graph(name: string): Graph {
    const g = this.graphs.get(name);
    if (!g) throw new LLError("unknown graph", `unknown graph '${name}'`, null);
    return g;
  }

  /**
   * Call a graph with JS values: numbers (i32, f64), bigints (i64), booleans, typed arrays or
   * arrays of numbers (copied into a new Wasm array of the parameter's type; typed arrays are
   * copied back afterwards, as L3 shares them), Wasm objects, {fn} references. Returns the result
   * as a JS value (objects stay opaque Wasm references; read them through `heap`).
   */
  call(graph: string, args: readonly unknown[]): unknown {
    const g = this.graph(graph);
    const params = graphParams(g);
    if (args.length !== params.length)
      throw new LLError("argument", `graph '${graph}' takes ${params.length} arguments, got ${args.length}`, null);
    const copyBack: { js: { length: number; [i: number]: unknown }; ref: object; array: string }[] = [];
    const wargs = params.map((p, i) => this.marshalIn(args[i], p.type, `argument ${i + 1} of '${graph}'`, copyBack));
    const f = this.heap.functionOf(graph);
    let r: unknown;
    try {
      r = f(...wargs);
    } catch (e) {
      throw convertError(e);
    } finally {
      for (const c of copyBack) this.heap.arrayTo(c.ref, c.array, c.js);
    }
    return g.result.kind === "void" ? undefined : this.heap.fromWasm(r, g.result);
  }

  /** Call a graph with LL values (as L3 takes them; heap objects must be this module's). */
  callLL(graph: string, args: readonly LLValue[]): LLValue {
    const g = this.graph(graph);
    const params = graphParams(g);
    if (args.length !== params.length)
      throw new LLError("argument", `graph '${graph}' takes ${params.length} arguments, got ${args.length}`, null);
    const wargs = params.map((p, i) => this.heap.toWasm(args[i] as LLValue, p.type));
    try {
      const r = this.heap.functionOf(graph)(...wargs);
      return g.result.kind === "void" ? null : this.heap.fromWasm(r, g.result);
    } catch (e) {
      throw convertError(e);
    }
  }

  private marshalIn(
    v: unknown,
    t: LLType,
    what: string,
    copyBack: { js: { length: number; [i: number]: unknown }; ref: object; array: string }[],
  ): unknown {
    const bad = (expected: string): never => {
      throw new LLError("argument", `${what}: expected ${expected}, got ${describe(v)}`, null);
    };
    switch (t.kind) {
      case "i32":
        if (typeof v !== "number" || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) bad("an i32 (an integer in [-2^31, 2^31))");
        return v;
      case "f64":
        if (typeof v !== "number") bad("an f64 (a number)");
        return v;
      case "i64":
        if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
        if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) bad("an i64 (a bigint in [-2^63, 2^63))");
        return v;
      case "bool":
        if (typeof v !== "boolean") bad("a bool (true or false)");
        return v ? 1 : 0;
      case "null":
        if (v !== null) bad("null");
        return null;
      case "fn":
        if (v === null) return null;
        if (typeof v !== "object" || typeof (v as { fn?: unknown }).fn !== "string" || !this.graphs.has((v as { fn: string }).fn))
          bad(`a function reference {fn: <graph name>} of type ${typeToString(t)}`);
        return this.heap.functionOf((v as { fn: string }).fn);
      case "void":
        return bad("no value (void)");
      case "ref": {
        if (v === null) return null;
        const def = this.program.types.get(t.name);
        if (!def) return bad(`a value of unknown type '${t.name}'`);
        if (def.kind === "array" && (Array.isArray(v) || ArrayBuffer.isView(v))) {
          if (ArrayBuffer.isView(v)) {
            if (!typedKindFits(v, def.item)) bad(`an array for type '${t.name}' (${typeToString(def.item)} items)`);
            const ref = this.heap.arrayFrom(t.name, v as unknown as ArrayLike<unknown>);
            if (def.mutable) copyBack.push({ js: v as unknown as { length: number }, ref, array: t.name });
            return ref;
          }
          const arr = v as unknown[];
          const item: LLType = def.item.kind === "u8" ? { kind: "i32" } : def.item;
          const conv = arr.map((x, i) => {
            const w = this.marshalIn(x, item, `${what}, item ${i}`, copyBack);
            if (def.item.kind === "u8" && ((w as number) < 0 || (w as number) > 255))
              throw new LLError("argument", `${what}, item ${i}: expected a byte (0..255), got ${w}`, null);
            return w;
          });
          return this.fillArray(t.name, conv);
        }
        if (typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v)) return bad(`a '${t.name}' object`);
        return v;
      }
    }
  }

  private fillArray(name: string, items: unknown[]): object {
    // Items are already in Wasm form: build the array directly through the accessors.
    const make = this.exports[EXPORT.newArray(name)] as (n: number) => object;
    const set = this.exports[EXPORT.setItem(name)] as (a: object, i: number, v: unknown) => void;
    const r = make(items.length);
    items.forEach((x, i) => {
      set(r, i, x);
    });
    return r;
  }

  getGlobal(name: string): LLValue {
    const gd = this.program.globals.get(name);
    const g = this.exports[EXPORT.global(name)] as WebAssembly.Global | undefined;
    if (!gd || !g) throw new LLError("unknown global", `unknown global '${name}'`, null);
    return this.heap.fromWasm(g.value, gd.type);
  }

  setGlobal(name: string, v: LLValue): void {
    const gd = this.program.globals.get(name);
    const g = this.exports[EXPORT.global(name)] as WebAssembly.Global | undefined;
    if (!gd || !g) throw new LLError("unknown global", `unknown global '${name}'`, null);
    g.value = this.heap.toWasm(v, gd.type);
  }

  /**
   * Compile `graphs` at run time into a module linked to this one (same types, heap, globals and
   * table; base graphs imported) and instantiate it. Its graphs become callable through `call`
   * and usable as {fn} references.
   */
  link(graphs: readonly Graph[], opts: { name?: string; typeNames?: boolean; lifted?: readonly Const[] } = {}): LinkedModule {
    const compiled = compileLinkedModule(this.compiled, graphs, { ...opts, callable: this.graphs });
    registerModule(compiled);
    const module = new WebAssembly.Module(compiled.bytes);
    return this.instantiateLinked(compiled, module, graphs, compiled.objects, opts.lifted ?? []);
  }

  /**
   * Run `graphs` with the code of `template`, a module linked from graphs of the same shape:
   * the same ops, types, constants and callees outside them, in the same order, except for the
   * heap objects they name and the values of their lifted constants (`lifted`, in the order the
   * template's were given), as jit/share.ts makes sure. Nothing is compiled: the template's V8
   * module is instantiated again, and its functions are known under the names of `graphs`.
   */
  relink(template: LinkedModule, graphs: readonly Graph[], lifted: readonly Const[]): LinkedModule {
    const t = template.compiled;
    if (graphs.length !== t.graphs.size || lifted.length !== t.lifted.length)
      throw new BackendError(
        `relink: ${graphs.length} graphs and ${lifted.length} lifted constants for a module of ${t.graphs.size} and ${t.lifted.length}`,
      );
    return this.instantiateLinked(t, template.module, graphs, linkedObjects(this.compiled, graphs), lifted);
  }

  /** Instantiate a linked module's V8 module with these objects and lifted values, its functions named after `graphs` (in order). */
  private instantiateLinked(
    compiled: CompiledModule,
    module: WebAssembly.Module,
    graphs: readonly Graph[],
    objects: readonly unknown[],
    lifted: readonly Const[],
  ): LinkedModule {
    const heap = this.heap;
    const describer = {
      typeName: (o: object) => heap.typeName(o),
      typeNameById: (id: number) => heap.typeNameById(id),
      fnName: (f: unknown) => heap.fnName(f),
      messages: this.program.messages,
    };
    // What every linked module imports from "base" (made once), under the graphs it calls.
    if (!this.linkBase) {
      const fixed: Record<string, unknown> = {
        [EXPORT.typeId]: this.exports[EXPORT.typeId],
        [EXPORT.table]: this.table,
      };
      for (const g of this.program.globals.keys()) fixed[EXPORT.global(g)] = this.exports[EXPORT.global(g)];
      this.linkBase = fixed;
    }
    const base: Record<string, unknown> = Object.create(this.linkBase);
    for (const n of compiled.importedGraphs) base[n] = heap.functionOf(n);
    const imports: WebAssembly.Imports = {
      rt: runtimeImports(compiled, describer),
      hosts: this.hostImports,
      base: base as WebAssembly.ModuleImports,
      consts: Object.fromEntries(objects.map((o, i) => [String(i), o])),
    };
    if (lifted.length > 0) imports.lift = Object.fromEntries(lifted.map((c, i) => [String(i), liftedValue(c)]));
    const instance = new WebAssembly.Instance(module, imports);
    const exports = instance.exports as Exports;
    // the module's functions are exported under the names of the graphs it was compiled from
    const own = [...compiled.graphs.keys()];
    const named: Exports = {};
    graphs.forEach((g, i) => {
      named[g.name] = exports[own[i] as string];
    });
    heap.registerFunctions(
      graphs.map((g) => g.name),
      named,
    );
    for (const g of graphs) this.graphs.set(g.name, g);
    return {
      compiled,
      module,
      instance,
      functionOf: (g: string) => {
        const f = named[g];
        if (typeof f !== "function") throw new LLError("unknown graph", `unknown graph '${g}' in linked module ${compiled.name}`, null);
        return f;
      },
    };
  }

  /** Put graph `name`'s function in a new table slot; returns the slot index. */
  install(name: string): number {
    const f = this.heap.functionOf(name);
    const i = this.table.length;
    this.table.grow(1, f);
    return i;
  }
}

/** The JS value of a lifted (scalar) constant, for its imported global. */
function liftedValue(c: Const): number | bigint {
  switch (c.type.kind) {
    case "bool":
      return c.value ? 1 : 0;
    case "i64":
      return BigInt(c.value as bigint);
    case "i32":
    case "f64":
      return c.value as number;
    default:
      throw new BackendError(`lifted constant of type ${typeToString(c.type)}`);
  }
}

/** The "hosts" import object: each host function converts its arguments to LL values and calls the JS implementation. */
function makeHostImports(p: Program, hosts: Map<string, HostImpl>, heap: () => WasmHeap): Record<string, Fn> {
  const out: Record<string, Fn> = {};
  for (const [name, def] of p.hosts) {
    const impl = hosts.get(name);
    const params = def.params;
    const result = def.result;
    out[name] = (...wargs: unknown[]) => {
      if (!impl) throw new LLError("unknown host", `no implementation given for host function '${name}'`, null);
      const h = heap();
      const args = params.map((t, i) => h.fromWasm(wargs[i], t));
      let v: LLValue;
      try {
        v = impl(h, args);
      } catch (e) {
        throw hostFailure(name, e);
      }
      if (result.kind === "void") return undefined;
      if (v === undefined) throw new LLError("host", `host function '${name}' returned no value`, null);
      return h.toWasm(v, result);
    };
  }
  return out;
}

const wasmModules = new WeakMap<CompiledModule, WebAssembly.Module>();

/**
 * The V8 module of a compiled module, made once: instances of the same module share V8's code,
 * so functions that tiered up to optimized code in one run start optimized in the next.
 */
function wasmModule(compiled: CompiledModule): WebAssembly.Module {
  let m = wasmModules.get(compiled);
  if (!m) wasmModules.set(compiled, (m = new WebAssembly.Module(compiled.bytes)));
  return m;
}

/** Compile (if given a Program) and instantiate a translated module. */
export async function instantiateProgram(p: Program | CompiledModule, opts: InstantiateOptions = {}): Promise<TranslatedModule> {
  return instantiateProgramSync(p, opts);
}

/** The synchronous form of instantiateProgram (V8 compiles Wasm lazily, so this is fast). */
export function instantiateProgramSync(p: Program | CompiledModule, opts: InstantiateOptions = {}): TranslatedModule {
  const compiled = "bytes" in p ? p : compileProgram(p, opts.compile);
  return new TranslatedModule(compiled, opts.hosts ?? defaultHosts());
}
