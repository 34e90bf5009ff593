// LL graphs: typed SSA control-flow graphs. Blocks have parameters (no phi nodes), hold
// three-address operations and end in one exit whose links carry the target block's arguments.
// A Program is the closed world: type declarations, host functions, globals and graphs.

import type { ArrayDef, FieldDef, HostDef, LLType, StructDef, TypeDef } from "./types.ts";
import { typeEq } from "./types.ts";
import type { OpName } from "./ops.ts";

/** A place in a source file, carried by ops for error messages (1-based line and column). */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export function locToString(loc: SourceLoc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : "<unknown>";
}

/** An SSA variable. Identity is the object; `name` is a readable hint, unique names are made by the printer. */
export interface Var {
  readonly kind: "var";
  readonly id: number;
  name: string;
  readonly type: LLType;
}

/**
 * The value of a constant:
 * - number for i32 (an integer in [-2^31, 2^31)) and f64,
 * - bigint for i64, boolean for bool, null for null references,
 * - { fn } for a function reference (by graph name),
 * - { obj } for a reference to an existing heap object (made by the specializer from green data;
 *   printed as `#label` where `label` is the object's name in the printer's object table).
 */
export type ConstValue = number | bigint | boolean | null | { readonly fn: string } | { readonly obj: unknown };

export interface Const {
  readonly kind: "const";
  readonly type: LLType;
  readonly value: ConstValue;
}

export type Value = Var | Const;

/** Static parameters of an op (which struct/field, which callee...), fixed when the graph is built. */
export interface OpAttrs {
  /** Struct or array type name: new, getfield, setfield, newarray, getitem, setitem, arraylen, ref_test, ref_cast. */
  type?: string;
  /** Field name: getfield, setfield. */
  field?: string;
  /** Graph name for `call`; host function name for `call_host`; global name for getglobal/setglobal; driver name for JIT hints. */
  callee?: string;
}

export interface Op {
  readonly op: OpName;
  readonly args: Value[];
  /** The defined variable, or null for ops whose result type is void. */
  readonly result: Var | null;
  readonly attrs: OpAttrs;
  loc?: SourceLoc;
}

export interface Link {
  target: Block;
  args: Value[];
}

export type Exit =
  | { kind: "jump"; link: Link }
  | { kind: "branch"; cond: Value; ifTrue: Link; ifFalse: Link }
  /** Cases with distinct i32 values; `default` is taken for any other value. */
  | { kind: "switch"; value: Value; cases: { value: number; link: Link }[]; default: Link }
  | { kind: "return"; value: Value | null }
  /** Leaves the graph with an exception value; it propagates through calls (no handlers yet). */
  | { kind: "raise"; value: Value }
  /** Placeholder while a block is being built; the verifier rejects it. */
  | { kind: "none" };

export interface Block {
  label: string;
  params: Var[];
  ops: Op[];
  exit: Exit;
}

/** Hints on a whole graph. */
export interface GraphFlags {
  /** Pure: with all arguments constant, a call may be folded at specialization time. */
  elidable?: boolean;
  /** The specializer never inlines it: calls stay residual. */
  dontLookInside?: boolean;
  /** Loops in it may be unrolled by the specializer when their exit conditions are green. */
  unrollSafe?: boolean;
  /** The interpreter's main loop (the function holding the jit_merge_point). */
  portal?: boolean;
}

export interface Graph {
  name: string;
  /** The start block is blocks[0]; its params are the graph's params. */
  blocks: Block[];
  result: LLType;
  flags: GraphFlags;
  loc?: SourceLoc;
}

export function graphParams(g: Graph): Var[] {
  const start = g.blocks[0];
  return start ? start.params : [];
}

export interface GlobalDef {
  readonly name: string;
  readonly type: LLType;
  readonly mutable: boolean;
  /** The initial value; for ref types only null (objects are made by an init graph). */
  readonly init: Const;
}

/** A JIT driver: which merge-point arguments are green and which are red. */
export interface DriverDef {
  readonly name: string;
  readonly greens: readonly string[];
  readonly reds: readonly string[];
  /** Reds that are virtualizable frames (their struct declares `virtualizable`). */
  readonly virtualizables?: readonly string[];
}

export interface Program {
  types: Map<string, TypeDef>;
  hosts: Map<string, HostDef>;
  globals: Map<string, GlobalDef>;
  drivers: Map<string, DriverDef>;
  graphs: Map<string, Graph>;
  /** Graph names callable from outside (the VM's exports). */
  entries: string[];
  /**
   * Guest error messages. By convention `raise` with an i32 constant k reports the guest error
   * messages[k] (what `fail("...")` in an interpreter lowers to); any other raised value that
   * reaches the top is reported as an unhandled raise.
   */
  messages: string[];
}

export function newProgram(): Program {
  return {
    types: new Map(),
    hosts: new Map(),
    globals: new Map(),
    drivers: new Map(),
    graphs: new Map(),
    entries: [],
    messages: [],
  };
}

export function structDef(p: Program, name: string): StructDef | undefined {
  const t = p.types.get(name);
  return t && t.kind === "struct" ? t : undefined;
}

export function arrayDef(p: Program, name: string): ArrayDef | undefined {
  const t = p.types.get(name);
  return t && t.kind === "array" ? t : undefined;
}

/** All fields of a struct, the root ancestor's first (the layout order used by `new`). */
export function allFields(p: Program, name: string): FieldDef[] {
  const out: FieldDef[] = [];
  const chain: StructDef[] = [];
  let s = structDef(p, name);
  const seen = new Set<string>();
  while (s && !seen.has(s.name)) {
    seen.add(s.name);
    chain.unshift(s);
    s = s.parent ? structDef(p, s.parent) : undefined;
  }
  for (const c of chain) out.push(...c.fields);
  return out;
}

export function findField(p: Program, struct: string, field: string): FieldDef | undefined {
  return allFields(p, struct).find((f) => f.name === field);
}

/** True if struct `sub` is `sup` or inherits from it. */
export function isSubStruct(p: Program, sub: string, sup: string): boolean {
  const seen = new Set<string>();
  let s: string | null = sub;
  while (s !== null && !seen.has(s)) {
    if (s === sup) return true;
    seen.add(s);
    s = structDef(p, s)?.parent ?? null;
  }
  return false;
}

/** Can a value of type `from` be used where `to` is expected? (Subtyping: null and struct inheritance.) */
export function isAssignable(p: Program, from: LLType, to: LLType): boolean {
  if (from.kind === "null") return to.kind === "ref" || to.kind === "fn" || to.kind === "null";
  if (from.kind === "ref" && to.kind === "ref") return from.name === to.name || isSubStruct(p, from.name, to.name);
  return typeEq(from, to);
}

/** Calls `f` on each link of an exit, in the order of `exitLinks`, without making an array. */
export function forEachLink(e: Exit, f: (l: Link) => void): void {
  if (e.kind === "jump") f(e.link);
  else if (e.kind === "branch") {
    f(e.ifTrue);
    f(e.ifFalse);
  } else if (e.kind === "switch") {
    for (const c of e.cases) f(c.link);
    f(e.default);
  }
}

/** Every link leaving a block, in a fixed order. */
export function exitLinks(e: Exit): Link[] {
  switch (e.kind) {
    case "jump":
      return [e.link];
    case "branch":
      return [e.ifTrue, e.ifFalse];
    case "switch":
      return [...e.cases.map((c) => c.link), e.default];
    default:
      return [];
  }
}

/** Values an exit reads besides its links' arguments. */
export function exitOperands(e: Exit): Value[] {
  switch (e.kind) {
    case "branch":
      return [e.cond];
    case "switch":
      return [e.value];
    case "return":
      return e.value ? [e.value] : [];
    case "raise":
      return [e.value];
    default:
      return [];
  }
}

/**
 * The blocks reachable from the start block, in depth-first preorder (each block's exit links in
 * order). With `links`, also counts there the links into each block from those blocks; `seen`
 * receives the set of them.
 */
export function reachableBlocks(g: Graph, links?: Map<Block, number>, seen: Set<Block> = new Set()): Block[] {
  const out: Block[] = [];
  const start = g.blocks[0];
  if (!start) return out;
  const stack: Block[] = [start];
  const count = (t: Block): void => {
    if (links) links.set(t, (links.get(t) ?? 0) + 1);
    stack.push(t);
  };
  while (stack.length > 0) {
    const b = stack.pop() as Block;
    if (seen.has(b)) continue;
    seen.add(b);
    out.push(b);
    // the targets of exitLinks(b.exit), last first (so that the first is visited first)
    const e = b.exit;
    if (e.kind === "jump") count(e.link.target);
    else if (e.kind === "branch") {
      count(e.ifFalse.target);
      count(e.ifTrue.target);
    } else if (e.kind === "switch") {
      count(e.default.target);
      for (let i = e.cases.length - 1; i >= 0; i--) count((e.cases[i] as { link: Link }).link.target);
    }
  }
  return out;
}

/** Predecessor lists, for the reachable blocks. */
export function predecessors(g: Graph): Map<Block, Block[]> {
  const preds = new Map<Block, Block[]>();
  const blocks = reachableBlocks(g);
  for (const b of blocks) preds.set(b, []);
  for (const b of blocks) for (const l of exitLinks(b.exit)) preds.get(l.target)?.push(b);
  return preds;
}

export function isConst(v: Value): v is Const {
  return v.kind === "const";
}
