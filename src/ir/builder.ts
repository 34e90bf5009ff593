// Builder API for LL graphs: declare types and graphs in a Program, create blocks and variables,
// append ops (result types are computed by the typing rules) and close blocks with exits.
// Graphs can be declared first (signature only) and filled later, so calls may refer forward.

import type { Block, Const, ConstValue, Exit, Graph, GraphFlags, Link, OpAttrs, Program, SourceLoc, Value, Var } from "./graph.ts";
import type { OpName } from "./ops.ts";
import { resultType } from "./typing.ts";
import type { FieldDef, ItemType, LLType } from "./types.ts";
import { BOOL, F64, I32, I64, NULL_T } from "./types.ts";

let nextVarId = 1;

/** A fresh SSA variable (ids are unique in the process; names are hints). */
export function newVar(type: LLType, name = "v"): Var {
  return { kind: "var", id: nextVarId++, name, type };
}

export function constant(type: LLType, value: ConstValue): Const {
  return { kind: "const", type, value };
}

export const i32c = (n: number): Const => constant(I32, n | 0);
export const f64c = (n: number): Const => constant(F64, n);
export const i64c = (n: bigint): Const => constant(I64, BigInt.asIntN(64, n));
export const boolc = (b: boolean): Const => constant(BOOL, b);
export const nullc = (): Const => constant(NULL_T, null);

export function valueType(v: Value): LLType {
  return v.type;
}

export function link(target: Block, args: Value[] = []): Link {
  return { target, args };
}

export function declareStruct(p: Program, name: string, fields: FieldDef[], parent: string | null = null): void {
  p.types.set(name, { kind: "struct", name, parent, fields });
}

export function declareArray(p: Program, name: string, item: ItemType, mutable = true): void {
  p.types.set(name, { kind: "array", name, item, mutable });
}

export function declareHost(p: Program, name: string, params: LLType[], result: LLType): void {
  p.hosts.set(name, { name, params, result });
}

/** Builds one graph. Ops are appended to the current block (`at`). */
export class GraphBuilder {
  readonly program: Program;
  readonly graph: Graph;
  current: Block;
  /** Location given to ops appended from now on. */
  loc: SourceLoc | undefined;

  /**
   * Declare a graph (its start block gets one parameter per entry of `params`) and register it in
   * the program, replacing any earlier graph of that name.
   */
  constructor(program: Program, name: string, params: { name: string; type: LLType }[], result: LLType, flags: GraphFlags = {}) {
    this.program = program;
    const start: Block = { label: "start", params: params.map((p) => newVar(p.type, p.name)), ops: [], exit: { kind: "none" } };
    this.graph = { name, blocks: [start], result, flags };
    this.current = start;
    program.graphs.set(name, this.graph);
  }

  get params(): Var[] {
    return (this.graph.blocks[0] as Block).params;
  }

  /** A new empty block with parameters of the given types; not current until `at` is called. */
  block(label: string, params: { name: string; type: LLType }[] = []): Block {
    const b: Block = { label, params: params.map((p) => newVar(p.type, p.name)), ops: [], exit: { kind: "none" } };
    this.graph.blocks.push(b);
    return b;
  }

  at(b: Block): this {
    this.current = b;
    return this;
  }

  /** Append an op; returns its result variable, or null when the result type is void. */
  op(op: OpName, args: Value[], attrs: OpAttrs = {}, name = "v"): Var | null {
    const rt = resultType(this.program, op, attrs, args.map(valueType));
    const result = rt.kind === "void" ? null : newVar(rt, name);
    const o = { op, args, result, attrs, ...(this.loc ? { loc: this.loc } : {}) };
    this.current.ops.push(o);
    return result;
  }

  /** Append an op that must produce a value. */
  val(op: OpName, args: Value[], attrs: OpAttrs = {}, name = "v"): Var {
    const r = this.op(op, args, attrs, name);
    if (!r) throw new Error(`op ${op} produces no value`);
    return r;
  }

  close(exit: Exit): void {
    this.current.exit = exit;
  }

  jump(target: Block, args: Value[] = []): void {
    this.close({ kind: "jump", link: link(target, args) });
  }

  branch(cond: Value, ifTrue: Link, ifFalse: Link): void {
    this.close({ kind: "branch", cond, ifTrue, ifFalse });
  }

  switch(value: Value, cases: { value: number; link: Link }[], dflt: Link): void {
    this.close({ kind: "switch", value, cases, default: dflt });
  }

  ret(value: Value | null = null): void {
    this.close({ kind: "return", value });
  }

  raise(value: Value): void {
    this.close({ kind: "raise", value });
  }
}
