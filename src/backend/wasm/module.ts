// Whole-module compilation. `compileProgram` translates a Program to one Wasm GC module: the
// canonical rec group of its types, runtime and host imports, one function per graph, globals, an
// exported funcref table for code compiled later, and exported heap accessors (allocate, read and
// write fields and items, array length, type id) for code outside Wasm. `compileLinkedModule`
// compiles more graphs later (JIT code) into a module that declares the identical rec group and
// imports what its graphs use of the base module (functions, globals, runtime and host imports),
// so both share objects and functions.
//
// Function index space: runtime imports, host imports, [linked: imported base functions], then
// the graphs, then internal helpers and accessors.

import type { Block, Const, Graph, Op, Program, Value } from "../../ir/graph.ts";
import { exitLinks, exitOperands, graphParams } from "../../ir/graph.ts";
import type { LLType } from "../../ir/types.ts";
import { typeToString } from "../../ir/types.ts";
import type { Export, FuncBody, GlobalEntry, Import, ModuleSpec, ValType } from "./emitter.ts";
import { CodeWriter, HT, I32T, I64T, F64T, OP, absRef, assembleModule, refType, valTypeKey } from "./emitter.ts";
import type { ModuleContext, RuntimeImport, Site, TrapSite } from "./lower.ts";
import { compileFunction, raiseImport, writeScalarConst } from "./lower.ts";
import type { LayoutOptions } from "./types.ts";
import { BackendError, HIDDEN_SLOT, Layout, ModuleTypes } from "./types.ts";

export interface CompileOptions extends LayoutOptions {
  /** Initial size of the exported funcref table (default 0; it grows as code is installed). */
  tableSize?: number;
  /** Module name (shows in stack traces; must be unique among live modules). Default: a fresh name. */
  name?: string;
  /** Write the type names of the rec group in the name section (default true; nothing reads them at run time). */
  typeNames?: boolean;
}

export interface GraphStats {
  readonly name: string;
  readonly localsBefore: number;
  readonly localsAfter: number;
  readonly stackValues: number;
  readonly codeBytes: number;
}

export interface ModuleStats {
  readonly graphs: number;
  readonly bytes: number;
  readonly compileMs: number;
  /** Locals the graphs would need with one per SSA value (params excluded), and after allocation. */
  readonly localsBefore: number;
  readonly localsAfter: number;
  /** Values kept on the operand stack instead of a local. */
  readonly stackValues: number;
  /** Dispatch nodes added for irreducible control flow. */
  readonly dispatches: number;
  readonly perGraph: GraphStats[];
}

/** Everything the instantiation side needs to know about a compiled module. */
export interface CompiledModule {
  readonly name: string;
  readonly program: Program;
  readonly layout: Layout;
  readonly bytes: Uint8Array;
  readonly stats: ModuleStats;
  /** Graphs defined in this module (exported under their names). */
  readonly graphs: Map<string, Graph>;
  /** Failure sites, by id (see lower.ts). */
  readonly sites: Site[];
  /** Instructions that may trap, by byte offset in the module. */
  readonly traps: Map<number, TrapSite>;
  /** Heap objects imported as constants: import ("consts", String(i)) is objects[i] (an object used with two types appears twice). */
  readonly objects: unknown[];
  /** Base graphs this module imports (linked modules): import ("base", name). */
  readonly importedGraphs: string[];
  /** Types of the lifted constants (linked modules): import ("lift", String(i)) holds the i-th one's value. */
  readonly lifted: readonly LLType[];
  /** True for a module compiled by compileLinkedModule. */
  readonly linked: boolean;
}

/** The runtime imports every module has (module "rt"), in index order, with their Wasm signatures. */
export const RUNTIME_IMPORTS: readonly { name: RuntimeImport; params: ValType[] }[] = [
  { name: "error", params: [I32T, I32T, I32T, I32T, I32T] },
  { name: "raise_i32", params: [I32T, I32T] },
  { name: "raise_bool", params: [I32T, I32T] },
  { name: "raise_i64", params: [I64T, I32T] },
  { name: "raise_f64", params: [F64T, I32T] },
  { name: "raise_ref", params: [absRef(HT.any), I32T] },
  { name: "raise_fn", params: [absRef(HT.func), I32T] },
];

/** Export names of the accessors and helpers (graphs are exported under their own names). */
export const EXPORT = {
  table: "__table",
  typeId: "__typeid",
  global: (name: string) => `global ${name}`,
  newStruct: (s: string) => `new ${s}`,
  getField: (s: string, f: string) => `get ${s}.${f}`,
  setField: (s: string, f: string) => `set ${s}.${f}`,
  newArray: (a: string) => `new ${a}`,
  getItem: (a: string) => `get ${a}`,
  setItem: (a: string) => `set ${a}`,
  length: (a: string) => `len ${a}`,
} as const;

let moduleCounter = 0;
function freshName(): string {
  return `unfold${++moduleCounter}`;
}

/** What a set of graphs refers to (to fix the import lists before any function is lowered). */
interface Refs {
  /** Graphs named by calls and function constants. */
  graphs: Set<string>;
  /** Heap object constants, in order of appearance (op arguments, exit operands, link arguments). */
  objects: Const[];
  /** Host functions called. */
  hosts: Set<string>;
  /** Globals read or written. */
  globals: Set<string>;
  /** Runtime imports the lowering may call (a superset: ops that may fail, raises by type). */
  runtime: Set<RuntimeImport>;
  /** Whether the lowering may call the type-id helper (failed casts). */
  typeId: boolean;
}

/** Ops whose lowering may call the runtime's `error` (see lower.ts). */
const MAY_FAIL = new Set([
  "int_div",
  "int_mod",
  "llong_div",
  "llong_mod",
  "int_add_ovf",
  "int_sub_ovf",
  "int_mul_ovf",
  "int_neg_ovf",
  "newarray",
  "getitem",
  "setitem",
  "arraycopy",
  "ref_cast",
]);

/** One walk over the graphs' ops and exits: what they name and may call. */
function scanRefs(graphs: Iterable<Graph>): Refs {
  const refs: Refs = { graphs: new Set(), objects: [], hosts: new Set(), globals: new Set(), runtime: new Set(), typeId: false };
  const value = (v: Value) => {
    if (v.kind !== "const") return;
    const c = v.value;
    if (c === null || typeof c !== "object") return;
    if ("fn" in c) refs.graphs.add(c.fn);
    else if ("obj" in c) refs.objects.push(v);
  };
  const valueAll = (vs: readonly Value[]) => {
    for (let k = 0; k < vs.length; k++) value(vs[k] as Value);
  };
  for (const g of graphs)
    for (let bi = 0; bi < g.blocks.length; bi++) {
      const b = g.blocks[bi] as Block;
      const ops = b.ops;
      for (let oi = 0; oi < ops.length; oi++) {
        const o = ops[oi] as Op;
        const name = o.op;
        if (name === "call") {
          if (o.attrs.callee) refs.graphs.add(o.attrs.callee);
        } else if (name === "call_host") refs.hosts.add(o.attrs.callee as string);
        else if (name === "getglobal" || name === "setglobal") refs.globals.add(o.attrs.callee as string);
        else if (MAY_FAIL.has(name)) {
          refs.runtime.add("error");
          if (name === "ref_cast") refs.typeId = true;
        }
        const args = o.args;
        for (let k = 0; k < args.length; k++) value(args[k] as Value);
      }
      // exitOperands, then exitLinks' arguments (without making their arrays)
      const e = b.exit;
      switch (e.kind) {
        case "jump":
          valueAll(e.link.args);
          break;
        case "branch":
          value(e.cond);
          valueAll(e.ifTrue.args);
          valueAll(e.ifFalse.args);
          break;
        case "switch":
          value(e.value);
          for (const c of e.cases) for (const a of c.link.args) value(a);
          for (const a of e.default.args) value(a);
          break;
        case "return":
          if (e.value) value(e.value);
          break;
        case "raise":
          refs.runtime.add(raiseImport(e.value.type));
          value(e.value);
          break;
        default:
          for (const v of exitOperands(e)) value(v);
          for (const l of exitLinks(e)) for (const a of l.args) value(a);
      }
    }
  return refs;
}

/** Builds one module (base or linked). */
class ModuleBuilder implements ModuleContext {
  readonly program: Program;
  readonly layout: Layout;
  readonly types: ModuleTypes;
  readonly imports: Import[] = [];
  readonly exports: Export[] = [];
  readonly funcs: number[] = [];
  readonly bodies: FuncBody[] = [];
  readonly globals: GlobalEntry[] = [];
  readonly funcNames = new Map<number, string>();
  readonly sites: Site[] = [];
  readonly declared = new Set<number>();
  private readonly runtimeIdx = new Map<RuntimeImport, number>();
  private readonly hostIdx = new Map<string, number>();
  private readonly graphIdx = new Map<string, number>();
  private readonly globalIdx = new Map<string, number>();
  /** Global index of each heap object constant, by object and then by Wasm type (one import per pair). */
  private readonly objectIdx = new Map<unknown, Map<string, number>>();
  /** Global index of each lifted constant (by the constant object). */
  private readonly liftedIdx = new Map<Const, number>();
  private readonly defined: Map<string, Graph>;
  private typeIdIdx = -1;
  private nFuncImports = 0;
  private nGlobalImports = 0;

  constructor(program: Program, layout: Layout, defined: Map<string, Graph>) {
    this.program = program;
    this.layout = layout;
    this.types = new ModuleTypes(layout);
    this.defined = defined;
  }

  // ---- ModuleContext ----
  graph(name: string): Graph | undefined {
    return this.defined.get(name) ?? this.imported.get(name) ?? this.program.graphs.get(name);
  }
  funcIndex(name: string): number {
    const i = this.graphIdx.get(name);
    if (i === undefined) throw new BackendError(`unknown graph '${name}'`);
    return i;
  }
  hostIndex(name: string): number {
    const i = this.hostIdx.get(name);
    if (i === undefined) throw new BackendError(`unknown host function '${name}'`);
    return i;
  }
  globalIndex(name: string): number {
    const i = this.globalIdx.get(name);
    if (i === undefined) throw new BackendError(`unknown global '${name}'`);
    return i;
  }
  runtime(name: RuntimeImport): number {
    const i = this.runtimeIdx.get(name);
    if (i === undefined) throw new BackendError(`runtime import '${name}' was not collected (internal error)`);
    return i;
  }
  typeIdFunc(): number {
    if (this.typeIdIdx < 0) throw new BackendError("the type-id helper was not collected (internal error)");
    return this.typeIdIdx;
  }
  objectConst(obj: unknown, type: LLType): number {
    const t = this.types.valType(type);
    const i = t ? this.objectIdx.get(obj)?.get(valTypeKey(t)) : undefined;
    if (i === undefined) throw new BackendError(`heap object constant of type ${typeToString(type)} was not collected (internal error)`);
    return i;
  }
  liftedGlobal(c: Const): number | undefined {
    return this.liftedIdx.size === 0 ? undefined : this.liftedIdx.get(c);
  }
  declareRef(f: number): void {
    this.declared.add(f);
  }
  site(s: Site): number {
    this.sites.push(s);
    return this.sites.length - 1;
  }

  // ---- building ----
  private importFunc(module: string, name: string, type: number): number {
    if (this.funcs.length > 0) throw new BackendError("internal: function import after definitions");
    this.imports.push({ module, name, desc: { kind: "func", type } });
    return this.nFuncImports++;
  }

  /** Import the runtime functions (all of them, or those in `used`), in RUNTIME_IMPORTS order. */
  importRuntime(used?: ReadonlySet<RuntimeImport>): void {
    for (const r of RUNTIME_IMPORTS)
      if (!used || used.has(r.name)) this.runtimeIdx.set(r.name, this.importFunc("rt", r.name, this.types.rawFuncType(r.params, [])));
  }

  /** Import the host functions (all of them, or those in `used`), by name. */
  importHosts(used?: ReadonlySet<string>): void {
    const names = [...(used ?? this.program.hosts.keys())].sort();
    for (const n of names) {
      const h = this.program.hosts.get(n);
      if (!h) continue;
      this.hostIdx.set(n, this.importFunc("hosts", n, this.types.funcType(h.params, h.result)));
    }
  }

  /** Graphs imported from module "base" (a linked module's callees). */
  readonly imported = new Map<string, Graph>();

  importGraph(g: Graph): void {
    this.imported.set(g.name, g);
    this.graphIdx.set(g.name, this.importFunc("base", g.name, this.signature(g)));
  }

  importTypeId(): void {
    this.typeIdIdx = this.importFunc("base", EXPORT.typeId, this.types.rawFuncType([absRef(HT.any)], [I32T]));
  }

  /** Import each (object, type) pair of heap object constants as an immutable global ("consts", index). */
  importObjects(objects: readonly ObjectConst[]): void {
    objects.forEach((o, i) => {
      let byType = this.objectIdx.get(o.obj);
      if (!byType) {
        byType = new Map();
        this.objectIdx.set(o.obj, byType);
      }
      byType.set(valTypeKey(o.type), this.nGlobalImports++);
      this.imports.push({ module: "consts", name: String(i), desc: { kind: "global", type: o.type, mutable: false } });
    });
  }

  /**
   * Import each lifted constant as an immutable global ("lift", index): the code reads the
   * global where the constant is used, so that instances of one module can hold other values.
   */
  importLifted(lifted: readonly Const[]): void {
    lifted.forEach((c, i) => {
      const t = this.types.valType(c.type);
      if (!t || "ref" in t) throw new BackendError(`lifted constant of type ${typeToString(c.type)}: only scalars can be lifted`);
      if (this.liftedIdx.has(c)) throw new BackendError("a lifted constant is given twice");
      this.liftedIdx.set(c, this.nGlobalImports++);
      this.imports.push({ module: "lift", name: String(i), desc: { kind: "global", type: t, mutable: false } });
    });
  }

  /** Import the globals in `used` (program order) from "base". */
  importGlobals(used: ReadonlySet<string>): void {
    for (const g of this.program.globals.values()) {
      if (!used.has(g.name)) continue;
      const t = this.types.valType(g.type);
      if (!t) throw new BackendError(`global '${g.name}' has type void`);
      this.imports.push({ module: "base", name: EXPORT.global(g.name), desc: { kind: "global", type: t, mutable: g.mutable } });
      this.globalIdx.set(g.name, this.nGlobalImports++);
    }
  }

  signature(g: Graph): number {
    return this.types.funcType(
      graphParams(g).map((v) => v.type),
      g.result,
    );
  }

  /** Reserve function indices for the defined graphs (before lowering, so calls can refer to any). */
  declareGraphs(graphs: Iterable<Graph>): Graph[] {
    const list = [...graphs];
    for (const g of list) {
      this.graphIdx.set(g.name, this.nFuncImports + this.funcs.length);
      this.funcs.push(this.signature(g));
      this.funcNames.set(this.graphIdx.get(g.name) as number, g.name);
      this.exports.push({ name: g.name, kind: "func", index: this.graphIdx.get(g.name) as number });
    }
    return list;
  }

  /** Add a function with a hand-written body; returns its index. */
  addFunc(name: string, params: ValType[], results: ValType[], code: CodeWriter, locals: ValType[] = [], exported = true): number {
    const idx = this.nFuncImports + this.funcs.length;
    this.funcs.push(this.types.rawFuncType(params, results));
    this.bodies.push({ locals, code: code.toBytes() });
    this.funcNames.set(idx, name);
    if (exported) this.exports.push({ name, kind: "func", index: idx });
    return idx;
  }

  defineGlobals(): void {
    for (const g of this.program.globals.values()) {
      const t = this.types.valType(g.type);
      if (!t) throw new BackendError(`global '${g.name}' has type void`);
      const init = new CodeWriter(16);
      writeConstInit(init, g.init, g.type, this);
      this.globalIdx.set(g.name, this.nGlobalImports + this.globals.length);
      this.globals.push({ type: t, mutable: g.mutable, init: init.toBytes() });
      this.exports.push({ name: EXPORT.global(g.name), kind: "global", index: this.globalIdx.get(g.name) as number });
    }
  }

  defineTypeId(): void {
    const c = new CodeWriter();
    this.layout.typeIdOrder.forEach((n, k) => {
      c.localGet(0)
        .refTest({ idx: this.layout.typeIndex(n) })
        .if()
        .i32Const(k)
        .op(OP.return)
        .end();
    });
    c.i32Const(-1);
    this.typeIdIdx = this.addFunc(EXPORT.typeId, [absRef(HT.any)], [I32T], c);
  }

  defineAccessors(): void {
    const L = this.layout;
    for (const s of L.structs.values()) {
      const ft = s.fields.map((f) => this.types.valType(f.type) as ValType);
      let c = new CodeWriter();
      if (s.hiddenSlot) c.i32Const(0);
      for (let i = 0; i < ft.length; i++) c.localGet(i);
      c.structNew(s.typeIdx);
      this.addFunc(EXPORT.newStruct(s.name), ft, [refType(s.typeIdx)], c);
      const own = s.fields.filter((f) => f.owner === s.name);
      const fields =
        s.hiddenSlot && isRoot(this.program, s.name) ? [{ name: HIDDEN_SLOT, index: 0, type: { kind: "i32" } as LLType }, ...own] : own;
      for (const f of fields) {
        const t = this.types.valType(f.type) as ValType;
        c = new CodeWriter();
        c.localGet(0).structGet(s.typeIdx, f.index);
        this.addFunc(EXPORT.getField(s.name, f.name), [refType(s.typeIdx)], [t], c);
        c = new CodeWriter();
        c.localGet(0).localGet(1).structSet(s.typeIdx, f.index);
        this.addFunc(EXPORT.setField(s.name, f.name), [refType(s.typeIdx), t], [], c);
      }
    }
    for (const a of L.arrays.values()) {
      const rt = refType(a.typeIdx);
      const it = a.item.kind === "u8" ? I32T : (this.types.valType(a.item) as ValType);
      let c = new CodeWriter();
      c.localGet(0).arrayNewDefault(a.typeIdx);
      this.addFunc(EXPORT.newArray(a.name), [I32T], [rt], c);
      c = new CodeWriter();
      c.localGet(0)
        .localGet(1)
        .arrayGet(a.typeIdx, a.item.kind === "u8");
      this.addFunc(EXPORT.getItem(a.name), [rt, I32T], [it], c);
      c = new CodeWriter();
      c.localGet(0).localGet(1).localGet(2).arraySet(a.typeIdx);
      this.addFunc(EXPORT.setItem(a.name), [rt, I32T, it], [], c);
      c = new CodeWriter();
      c.localGet(0).arrayLen();
      this.addFunc(EXPORT.length(a.name), [rt], [I32T], c);
    }
  }

  assemble(
    name: string,
    tables: ModuleSpec["tables"],
    graphs: Graph[],
    started: number,
    linked: boolean,
    objects: unknown[],
    importedGraphs: string[],
    typeNames: boolean,
  ): CompiledModule {
    // Lower the graphs (their bodies go first, in declaration order).
    const compiled = graphs.map((g) => compileFunction(this, g));
    const bodies = [...compiled.map((c) => c.body), ...this.bodies];
    const assembled = assembleModule({
      types: this.types.entries(),
      imports: this.imports,
      funcs: this.funcs,
      tables,
      globals: this.globals,
      exports: this.exports,
      declaredFuncs: [...this.declared].sort((a, b) => a - b),
      bodies,
      funcNames: this.funcNames,
      typeNames: typeNames ? this.types.names() : undefined,
      moduleName: name,
    });
    const traps = new Map<number, TrapSite>();
    compiled.forEach((c, i) => {
      const base = assembled.codeOffsets[i] as number;
      for (const t of c.traps) traps.set(base + t.offset, t);
    });
    const perGraph: GraphStats[] = compiled.map((c, i) => ({
      name: (graphs[i] as Graph).name,
      localsBefore: c.localsBefore,
      localsAfter: c.localsAfter,
      stackValues: c.stackValues,
      codeBytes: c.body.code.length,
    }));
    const sum = (f: (c: GraphStats) => number) => perGraph.reduce((s, c) => s + f(c), 0);
    return {
      name,
      program: this.program,
      layout: this.layout,
      bytes: assembled.bytes,
      stats: {
        graphs: graphs.length,
        bytes: assembled.bytes.length,
        compileMs: performance.now() - started,
        localsBefore: sum((c) => c.localsBefore),
        localsAfter: sum((c) => c.localsAfter),
        stackValues: sum((c) => c.stackValues),
        dispatches: compiled.reduce((s, c) => s + c.dispatches, 0),
        perGraph,
      },
      graphs: new Map(graphs.map((g) => [g.name, g])),
      sites: this.sites,
      traps,
      objects,
      importedGraphs,
      lifted: [...this.liftedIdx.keys()].map((c) => c.type),
      linked,
    };
  }
}

function isRoot(p: Program, name: string): boolean {
  const s = p.types.get(name);
  return s !== undefined && s.kind === "struct" && s.parent === null;
}

/** A constant expression for a global's initial value. */
function writeConstInit(w: CodeWriter, c: Const, t: LLType, m: ModuleBuilder): void {
  const v = c.value;
  if (writeScalarConst(w, t, v)) return;
  if (v === null) {
    w.refNull({ abs: t.kind === "fn" ? HT.nofunc : HT.none });
    return;
  }
  if (typeof v === "object" && "fn" in v) {
    const f = m.funcIndex(v.fn);
    m.declareRef(f);
    w.refFunc(f);
    return;
  }
  throw new BackendError(
    `global of type ${typeToString(t)}: only null can initialise a reference global (objects are made by an init graph)`,
  );
}

interface ObjectConst {
  readonly obj: unknown;
  readonly type: ValType;
}

/** The heap object constants of the graphs (from scanRefs), one per (object, Wasm type) pair, in order of appearance. */
function collectObjects(m: ModuleBuilder, consts: readonly Const[]): ObjectConst[] {
  const out: ObjectConst[] = [];
  const seen = new Map<unknown, Set<string>>();
  for (const v of consts) {
    const t = m.types.valType(v.type);
    if (!t || !("ref" in t)) throw new BackendError(`heap object constant with non-reference type ${typeToString(v.type)}`);
    const obj = (v.value as { obj: unknown }).obj;
    const keys = seen.get(obj) ?? new Set<string>();
    seen.set(obj, keys);
    if (keys.has(valTypeKey(t))) continue;
    keys.add(valTypeKey(t));
    out.push({ obj, type: t });
  }
  return out;
}

/**
 * The heap objects a module linked to `base` with these graphs imports ("consts", String(i)), as
 * compileLinkedModule lists them: graphs of the same shape as another module's (see
 * TranslatedModule.relink) list theirs in the same order.
 */
export function linkedObjects(base: CompiledModule, graphs: readonly Graph[]): unknown[] {
  const m = new ModuleBuilder(base.program, base.layout, new Map());
  return collectObjects(m, scanRefs(graphs).objects).map((o) => o.obj);
}

/** Translate a whole program to one Wasm GC module. */
export function compileProgram(p: Program, opts: CompileOptions = {}): CompiledModule {
  const started = performance.now();
  const layout = new Layout(p, opts);
  const m = new ModuleBuilder(p, layout, p.graphs);
  m.importRuntime();
  m.importHosts();
  const objects = collectObjects(m, scanRefs(p.graphs.values()).objects);
  m.importObjects(objects);
  const graphs = m.declareGraphs(p.graphs.values());
  m.defineGlobals();
  m.defineTypeId();
  m.defineAccessors();
  const tableSize = opts.tableSize ?? 0;
  m.exports.push({ name: EXPORT.table, kind: "table", index: 0 });
  return m.assemble(
    opts.name ?? freshName(),
    [{ type: absRef(HT.func), min: tableSize }],
    graphs,
    started,
    false,
    objects.map((o) => o.obj),
    [],
    opts.typeNames ?? true,
  );
}

/**
 * Compile more graphs later, as a module linked to `base`: identical rec group; the graphs, globals
 * and type-id helper its graphs use imported from module "base" (the base instance's exports), and
 * only the runtime and host functions they may call. No type names unless `typeNames`.
 * The new graphs may call each other and the graphs of `callable` (default: the base's graphs;
 * a TranslatedModule passes those of earlier linked modules too), imported from "base" by name.
 */
export function compileLinkedModule(
  base: CompiledModule,
  graphs: readonly Graph[],
  opts: { name?: string; callable?: ReadonlyMap<string, Graph>; typeNames?: boolean; lifted?: readonly Const[] } = {},
): CompiledModule {
  const started = performance.now();
  const p = base.program;
  const own = new Map<string, Graph>();
  for (const g of graphs) {
    if (own.has(g.name)) throw new BackendError(`graph '${g.name}' is given twice`);
    if (p.graphs.has(g.name) && p.graphs.get(g.name) !== g)
      throw new BackendError(`graph '${g.name}' already exists in the base program (give JIT graphs fresh names)`);
    own.set(g.name, g);
  }
  const m = new ModuleBuilder(p, base.layout, own);
  const refs = scanRefs(graphs);
  m.importRuntime(refs.runtime);
  m.importHosts(refs.hosts);
  const imported = [...refs.graphs].filter((n) => !own.has(n)).sort();
  const callable = opts.callable ?? base.graphs;
  for (const n of imported) {
    const g = callable.get(n);
    if (!g) throw new BackendError(`graph '${n}' is neither in the base module nor among the linked graphs`);
    m.importGraph(g);
  }
  if (refs.typeId) m.importTypeId();
  const objects = collectObjects(m, refs.objects);
  m.importObjects(objects);
  m.importGlobals(refs.globals);
  m.importLifted(opts.lifted ?? []);
  const list = m.declareGraphs(graphs);
  return m.assemble(
    opts.name ?? freshName(),
    [],
    list,
    started,
    true,
    objects.map((o) => o.obj),
    imported,
    opts.typeNames ?? false,
  );
}
