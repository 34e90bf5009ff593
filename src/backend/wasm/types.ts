// Layout of a Program's types in Wasm GC: every struct, array and function type of the program in
// ONE rec group, in a deterministic order, so that a module compiled later (JIT code) can declare
// the identical group and share objects and function references with the translated module.
// Structs use Wasm subtyping for single inheritance (the parent's fields first); all fields and
// items are mutable at the Wasm level (immutability is an IR fact for the specializer, and code
// outside Wasm must be able to build objects through accessors). u8 items are packed i8.

import type { Graph, Program } from "../../ir/graph.ts";
import { allFields, graphParams } from "../../ir/graph.ts";
import type { FieldDef, ItemType, LLType, StructDef } from "../../ir/types.ts";
import { HIDDEN_SLOT, typeToString } from "../../ir/types.ts";
import type { CompType, FieldType, StorageType, TypeEntry, ValType } from "./emitter.ts";
import { F64T, HT, I8S, I32T, I64T, absRef, refType, valTypeKey } from "./emitter.ts";

/** Thrown when a program cannot be laid out or compiled (names the place and the problem). */
export class BackendError extends Error {
  override name = "BackendError";
}

/** Name of the hidden i32 field given to structs whose objects the JIT keys data on (see ir/types.ts). */
export { HIDDEN_SLOT };

export interface FieldLayout {
  readonly name: string;
  /** Wasm field index in the struct (hidden slot, then the root's fields, then the subclasses'). */
  readonly index: number;
  readonly type: LLType;
  /** The struct that declares the field. */
  readonly owner: string;
}

export interface StructLayout {
  readonly name: string;
  readonly typeIdx: number;
  /** Every field, the root's first, without the hidden slot. */
  readonly fields: FieldLayout[];
  readonly byName: Map<string, FieldLayout>;
  /** True if the struct (through its root) has the hidden i32 slot at field index 0. */
  readonly hiddenSlot: boolean;
  readonly final: boolean;
}

export interface ArrayLayout {
  readonly name: string;
  readonly typeIdx: number;
  readonly item: ItemType;
}

export interface LayoutOptions {
  /**
   * Which struct hierarchies get a hidden mutable i32 field (index 0 of the root), for the JIT's
   * per-object counters and entries: "greens" (default) = structs that are green operands of a
   * jit_merge_point; "none"; or a list of struct names.
   */
  hiddenSlots?: "greens" | "none" | readonly string[];
}

/** A key naming an LL function signature (LL types, so that bool and i32 stay distinct). */
export function sigKey(params: readonly LLType[], result: LLType): string {
  let s = "fn(";
  for (let i = 0; i < params.length; i++) s += (i > 0 ? ", " : "") + typeText(params[i] as LLType);
  return `${s}) -> ${typeText(result)}`;
}

/** typeToString, with function types' text made once. */
function typeText(t: LLType): string {
  return t.kind === "fn" ? fnKey(t) : t.kind === "ref" ? t.name : t.kind;
}

/** sigKey of a function type, made once per type object (LL types are immutable). */
const fnKeys = new WeakMap<LLType, string>();
export function fnKey(t: LLType & { kind: "fn" }): string {
  let k = fnKeys.get(t);
  if (k === undefined) {
    k = sigKey(t.params, t.result);
    fnKeys.set(t, k);
  }
  return k;
}

/** The canonical layout of a program's types (computed once, shared by every module that links to it). */
export class Layout {
  readonly program: Program;
  /** The rec group, in type index order (the group starts at type index 0). */
  readonly group: CompType[] = [];
  /** A readable name for each group type (for the name section and messages). */
  readonly groupNames: string[] = [];
  readonly structs = new Map<string, StructLayout>();
  readonly arrays = new Map<string, ArrayLayout>();
  /** Function types of the group by signature key. */
  readonly funcTypes = new Map<string, number>();
  /** Struct and array names by type index, for the type-id test (most derived first). */
  readonly typeIdOrder: string[] = [];

  constructor(program: Program, opts: LayoutOptions = {}) {
    this.program = program;
    const structs = [...program.types.values()].filter((t): t is StructDef => t.kind === "struct");
    const arrays = [...program.types.values()].filter((t) => t.kind === "array").sort((a, b) => cmp(a.name, b.name));
    for (const s of structs)
      if (s.parent !== null && !program.types.has(s.parent))
        throw new BackendError(`struct '${s.name}': parent '${s.parent}' is not declared`);
    // Structs: parents before children (Wasm requires supertypes to come first), names ordering siblings.
    const children = new Map<string | null, StructDef[]>();
    for (const s of structs) {
      const k = s.parent;
      const list = children.get(k) ?? [];
      list.push(s);
      children.set(k, list);
    }
    const ordered: StructDef[] = [];
    const visit = (parent: string | null) => {
      for (const s of (children.get(parent) ?? []).sort((a, b) => cmp(a.name, b.name))) {
        ordered.push(s);
        visit(s.name);
      }
    };
    visit(null);
    if (ordered.length !== structs.length) throw new BackendError("struct inheritance has a cycle");
    const hidden = hiddenRoots(program, opts.hiddenSlots ?? "greens");
    // Function types: every fn type mentioned in declarations and graphs, plus every graph signature.
    const fnKeys = new Map<string, { params: readonly LLType[]; result: LLType }>();
    const noteFn = (t: LLType | ItemType) => {
      if (t.kind !== "fn") return;
      const k = sigKey(t.params, t.result);
      if (fnKeys.has(k)) return;
      fnKeys.set(k, { params: t.params, result: t.result });
      for (const p of t.params) noteFn(p);
      noteFn(t.result);
    };
    for (const s of structs) for (const f of s.fields) noteFn(f.type);
    for (const a of arrays) noteFn(a.item);
    for (const g of program.globals.values()) noteFn(g.type);
    for (const h of program.hosts.values()) {
      for (const p of h.params) noteFn(p);
      noteFn(h.result);
    }
    for (const g of program.graphs.values()) noteGraph(g, noteFn);
    const fnList = [...fnKeys.entries()].sort((a, b) => cmp(a[0], b[0]));
    // Assign indices first (types may refer to each other in any direction inside the group).
    let idx = 0;
    for (const s of ordered) {
      const fields: FieldDef[] = allFields(program, s.name);
      const root = rootOf(program, s.name);
      const hasHidden = hidden.has(root);
      const owners = ownerMap(program, s.name);
      const laid = fields.map((f, i) => ({
        name: f.name,
        index: i + (hasHidden ? 1 : 0),
        type: f.type,
        owner: owners.get(f.name) ?? s.name,
      }));
      const final = !(children.get(s.name)?.length ?? 0);
      this.structs.set(s.name, {
        name: s.name,
        typeIdx: idx++,
        fields: laid,
        byName: new Map(laid.map((f) => [f.name, f])),
        hiddenSlot: hasHidden,
        final,
      });
    }
    for (const a of arrays) this.arrays.set(a.name, { name: a.name, typeIdx: idx++, item: a.item });
    for (const [k] of fnList) this.funcTypes.set(k, idx++);
    // Now the definitions.
    for (const s of ordered) {
      const sl = this.structs.get(s.name) as StructLayout;
      const fields: FieldType[] = [];
      if (sl.hiddenSlot) fields.push({ type: I32T, mutable: true });
      for (const f of sl.fields) fields.push({ type: this.storageType(f.type, `field '${s.name}.${f.name}'`), mutable: true });
      const supertype = s.parent === null ? null : (this.structs.get(s.parent) as StructLayout).typeIdx;
      this.group.push({ kind: "struct", fields, final: sl.final, supertype });
      this.groupNames.push(s.name);
    }
    for (const a of arrays) {
      const item: StorageType = a.item.kind === "u8" ? I8S : this.storageType(a.item, `items of array '${a.name}'`);
      this.group.push({ kind: "array", item: { type: item, mutable: true }, final: true, supertype: null });
      this.groupNames.push(a.name);
    }
    for (const [k, sig] of fnList) {
      this.group.push(this.funcComp(sig.params, sig.result, k));
      this.groupNames.push(k);
    }
    // Type ids: most derived structs first, so that a ref.test chain finds the exact type.
    for (let i = ordered.length - 1; i >= 0; i--) this.typeIdOrder.push((ordered[i] as StructDef).name);
    for (const a of arrays) this.typeIdOrder.push(a.name);
  }

  private storageType(t: LLType, what: string): ValType {
    const v = this.valTypeOrNull(t);
    if (!v) throw new BackendError(`${what}: type ${typeToString(t)} cannot be stored`);
    return v;
  }

  private funcComp(params: readonly LLType[], result: LLType, what: string): CompType {
    return {
      kind: "func",
      params: params.map((p) => this.storageType(p, `parameter of ${what}`)),
      results: result.kind === "void" ? [] : [this.storageType(result, `result of ${what}`)],
    };
  }

  /** One (nullable) reference type object per group type, shared by every use. */
  private readonly refTypes: ValType[] = [];

  private refTo(idx: number): ValType {
    let t = this.refTypes[idx];
    if (!t) this.refTypes[idx] = t = refType(idx);
    return t;
  }

  /** The Wasm value type of an LL type, or null for void. Function types must be in the group. */
  valTypeOrNull(t: LLType): ValType | null {
    switch (t.kind) {
      case "void":
        return null;
      case "bool":
      case "i32":
        return I32T;
      case "i64":
        return I64T;
      case "f64":
        return F64T;
      case "null":
        return absRef(HT.none);
      case "ref": {
        const s = this.structs.get(t.name) ?? this.arrays.get(t.name);
        if (!s) throw new BackendError(`unknown type '${t.name}'`);
        return this.refTo(s.typeIdx);
      }
      case "fn": {
        const i = this.funcTypes.get(fnKey(t));
        if (i === undefined) throw new BackendError(`function type ${typeToString(t)} is not in the program's type group`);
        return this.refTo(i);
      }
    }
  }

  private nameMap: Map<number, string> | null = null;

  /** Names of the group's types by type index (made once; do not change it). */
  groupNameMap(): Map<number, string> {
    if (!this.nameMap) {
      const m = new Map<number, string>();
      this.groupNames.forEach((n, i) => {
        m.set(i, n);
      });
      this.nameMap = m;
    }
    return this.nameMap;
  }

  /** The type index of a struct or array. */
  typeIndex(name: string): number {
    const s = this.structs.get(name) ?? this.arrays.get(name);
    if (!s) throw new BackendError(`unknown type '${name}'`);
    return s.typeIdx;
  }

  struct(name: string): StructLayout {
    const s = this.structs.get(name);
    if (!s) throw new BackendError(`unknown struct type '${name}'`);
    return s;
  }

  array(name: string): ArrayLayout {
    const a = this.arrays.get(name);
    if (!a) throw new BackendError(`unknown array type '${name}'`);
    return a;
  }

  field(struct: string, field: string): FieldLayout {
    const s = this.struct(struct);
    // the hidden slot: index 0 of the hierarchy's root (and of every struct below it)
    if (field === HIDDEN_SLOT && s.hiddenSlot) return { name: HIDDEN_SLOT, index: 0, type: { kind: "i32" }, owner: s.name };
    const f = s.byName.get(field);
    if (!f) throw new BackendError(`struct '${struct}' has no field '${field}'`);
    return f;
  }
}

/**
 * The types of one module: the program's canonical rec group first (identical in every module),
 * then function types that are not in the group, each on its own (canonical across modules by
 * structure).
 */
export class ModuleTypes {
  readonly layout: Layout;
  private readonly extra: CompType[] = [];
  private readonly extraByKey = new Map<string, number>();

  constructor(layout: Layout) {
    this.layout = layout;
  }

  /** Wasm value type of an LL type (null for void), adding standalone function types as needed. */
  valType(t: LLType): ValType | null {
    if (t.kind === "fn" && !this.layout.funcTypes.has(fnKey(t))) return refType(this.funcType(t.params, t.result));
    return this.layout.valTypeOrNull(t);
  }

  /** The type index for a function signature: the group's if there, else a standalone type. */
  funcType(params: readonly LLType[], result: LLType): number {
    const g = this.layout.funcTypes.get(sigKey(params, result));
    if (g !== undefined) return g;
    const ps = params.map((p) => this.valType(p) as ValType);
    const rs = result.kind === "void" ? [] : [this.valType(result) as ValType];
    return this.rawFuncType(ps, rs);
  }

  /** The type index of a function reference type's signature (funcType, through the key made once per type object). */
  fnRefType(t: LLType & { kind: "fn" }): number {
    const g = this.layout.funcTypes.get(fnKey(t));
    return g !== undefined ? g : this.funcType(t.params, t.result);
  }

  /** A standalone function type with these Wasm params and results. */
  rawFuncType(params: readonly ValType[], results: readonly ValType[]): number {
    let key = "(";
    for (let k = 0; k < params.length; k++) key += (k > 0 ? "," : "") + valTypeKey(params[k] as ValType);
    key += ")->(";
    for (let k = 0; k < results.length; k++) key += (k > 0 ? "," : "") + valTypeKey(results[k] as ValType);
    key += ")";
    let i = this.extraByKey.get(key);
    if (i === undefined) {
      i = this.layout.group.length + this.extra.length;
      this.extra.push({ kind: "func", params, results });
      this.extraByKey.set(key, i);
    }
    return i;
  }

  get count(): number {
    return this.layout.group.length + this.extra.length;
  }

  entries(): TypeEntry[] {
    const out: TypeEntry[] = [];
    if (this.layout.group.length > 0) out.push({ rec: this.layout.group });
    for (const t of this.extra) out.push({ single: t });
    return out;
  }

  /** Names of the group's types by index (one map per layout, shared by its modules: do not change it). */
  names(): Map<number, string> {
    return this.layout.groupNameMap();
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rootOf(p: Program, name: string): string {
  let cur = name;
  const seen = new Set<string>();
  for (;;) {
    const s = p.types.get(cur);
    if (s?.kind !== "struct" || s.parent === null || seen.has(cur)) return cur;
    seen.add(cur);
    cur = s.parent;
  }
}

/** Field name → the struct that declares it, for a struct and its ancestors. */
function ownerMap(p: Program, name: string): Map<string, string> {
  const m = new Map<string, string>();
  let cur: string | null = name;
  while (cur !== null) {
    const s = p.types.get(cur);
    if (s?.kind !== "struct") break;
    for (const f of s.fields) if (!m.has(f.name)) m.set(f.name, s.name);
    cur = s.parent;
  }
  return m;
}

function noteGraph(g: Graph, note: (t: LLType) => void): void {
  note({ kind: "fn", params: graphParams(g).map((v) => v.type), result: g.result });
  for (const b of g.blocks) {
    for (const v of b.params) note(v.type);
    for (const o of b.ops) {
      if (o.result) note(o.result.type);
      for (const a of o.args) note(a.type);
    }
  }
}

/** Root structs of the hierarchies that get a hidden slot. */
function hiddenRoots(p: Program, spec: "greens" | "none" | readonly string[]): Set<string> {
  const out = new Set<string>();
  if (spec === "none") return out;
  if (spec !== "greens") {
    for (const n of spec) {
      const s = p.types.get(n);
      if (s?.kind !== "struct") throw new BackendError(`hiddenSlots: '${n}' is not a struct type`);
      out.add(rootOf(p, n));
    }
    return out;
  }
  for (const g of p.graphs.values())
    for (const b of g.blocks)
      for (const o of b.ops) {
        if (o.op !== "jit_merge_point") continue;
        const d = p.drivers.get(o.attrs.callee ?? "");
        if (!d) continue;
        for (let i = 0; i < d.greens.length && i < o.args.length; i++) {
          const t = (o.args[i] as { type: LLType }).type;
          if (t.kind === "ref" && p.types.get(t.name)?.kind === "struct") out.add(rootOf(p, t.name));
        }
      }
  return out;
}
