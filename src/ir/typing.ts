// Typing rules of ops: the result type of an op from its name, static attrs and operand types,
// and the operand types it expects. Used by the builder, the parser and the verifier.

import type { OpAttrs, Program } from "./graph.ts";
import { allFields, arrayDef, findField, structDef } from "./graph.ts";
import { type ScalarOpName, isScalarOp, type OpName, scalarInfo } from "./ops.ts";
import type { LLType } from "./types.ts";
import { BOOL, HIDDEN_SLOT, I32, VOID, itemValueType, ref, typeToString } from "./types.ts";

/** Thrown for an op whose attrs or operands do not fit its typing rule. */
export class TypingError extends Error {}

function fail(msg: string): never {
  throw new TypingError(msg);
}

function needStruct(p: Program, attrs: OpAttrs, op: string) {
  const name = attrs.type ?? fail(`${op} needs a struct type`);
  return structDef(p, name) ?? fail(`${op}: unknown struct type '${name}'`);
}

function needArray(p: Program, attrs: OpAttrs, op: string) {
  const name = attrs.type ?? fail(`${op} needs an array type`);
  return arrayDef(p, name) ?? fail(`${op}: unknown array type '${name}'`);
}

/**
 * The operand types an op expects (null where any type fits, e.g. same_as), given the number of
 * operands it has. Throws TypingError when the attrs are wrong or the count cannot fit.
 */
export function expectedOperands(p: Program, op: OpName, attrs: OpAttrs, argc: number, argTypes: readonly LLType[]): (LLType | null)[] {
  if (isScalarOp(op)) return [...scalarInfo(op as ScalarOpName).params];
  switch (op) {
    case "same_as":
    case "promote":
    case "assert_green":
    case "is_constant":
      return [null];
    case "new": {
      const s = needStruct(p, attrs, op);
      const fields = allFields(p, s.name);
      return argc === 0 ? [] : fields.map((f) => f.type);
    }
    case "getfield":
    case "setfield": {
      const s = needStruct(p, attrs, op);
      const fname = attrs.field ?? fail(`${op} needs a field name`);
      if (fname === HIDDEN_SLOT) return op === "getfield" ? [ref(s.name)] : [ref(s.name), I32];
      const f = findField(p, s.name, fname) ?? fail(`${op}: struct '${s.name}' has no field '${fname}'`);
      return op === "getfield" ? [ref(s.name)] : [ref(s.name), f.type];
    }
    case "newarray":
      needArray(p, attrs, op);
      return [I32];
    case "newarray_init": {
      const a = needArray(p, attrs, op);
      return new Array(argc).fill(itemValueType(a.item));
    }
    case "getitem":
      return [ref(needArray(p, attrs, op).name), I32];
    case "setitem": {
      const a = needArray(p, attrs, op);
      return [ref(a.name), I32, itemValueType(a.item)];
    }
    case "arraylen":
      return [ref(needArray(p, attrs, op).name)];
    case "arraycopy": {
      const a = ref(needArray(p, attrs, op).name);
      return [a, I32, a, I32, I32];
    }
    case "ref_is_null":
      return [null];
    case "ref_eq":
      return [null, null];
    case "ref_test":
    case "ref_cast":
      needStruct(p, attrs, op);
      return [null];
    case "call": {
      const name = attrs.callee ?? fail("call needs a callee");
      const g = p.graphs.get(name) ?? fail(`call: unknown graph '${name}'`);
      const start = g.blocks[0];
      return start ? start.params.map((v) => v.type) : [];
    }
    case "call_ref": {
      const f = argTypes[0];
      if (f?.kind !== "fn") return fail(`call_ref: first operand must be a function reference, not ${f ? typeToString(f) : "nothing"}`);
      return [f, ...f.params];
    }
    case "call_host": {
      const name = attrs.callee ?? fail("call_host needs a host function name");
      const h = p.hosts.get(name) ?? fail(`call_host: unknown host function '${name}'`);
      return [...h.params];
    }
    case "getglobal": {
      const name = attrs.callee ?? fail("getglobal needs a global name");
      p.globals.get(name) ?? fail(`getglobal: unknown global '${name}'`);
      return [];
    }
    case "setglobal": {
      const name = attrs.callee ?? fail("setglobal needs a global name");
      const gl = p.globals.get(name) ?? fail(`setglobal: unknown global '${name}'`);
      if (!gl.mutable) fail(`setglobal: global '${name}' is immutable`);
      return [gl.type];
    }
    case "jit_merge_point":
    case "can_enter_jit": {
      const name = attrs.callee ?? fail(`${op} needs a driver name`);
      const d = p.drivers.get(name) ?? fail(`${op}: unknown JIT driver '${name}'`);
      const n = d.greens.length + d.reds.length;
      if (argc !== n) fail(`${op}<${name}> takes ${n} operands (greens then reds), got ${argc}`);
      return new Array(n).fill(null);
    }
  }
  return fail(`unknown op '${op}'`);
}

/** The result type of an op (VOID for ops that define no value). */
export function resultType(p: Program, op: OpName, attrs: OpAttrs, argTypes: readonly LLType[]): LLType {
  if (isScalarOp(op)) return scalarInfo(op as ScalarOpName).result;
  switch (op) {
    case "same_as":
    case "promote":
      return argTypes[0] ?? fail(`${op} needs one operand`);
    case "new":
      return ref(needStruct(p, attrs, op).name);
    case "getfield": {
      const s = needStruct(p, attrs, op);
      const fname = attrs.field ?? fail("getfield needs a field name");
      if (fname === HIDDEN_SLOT) return I32;
      return (findField(p, s.name, fname) ?? fail(`getfield: struct '${s.name}' has no field '${fname}'`)).type;
    }
    case "newarray":
    case "newarray_init":
      return ref(needArray(p, attrs, op).name);
    case "getitem":
      return itemValueType(needArray(p, attrs, op).item);
    case "arraylen":
      return I32;
    case "ref_is_null":
    case "ref_eq":
    case "ref_test":
    case "is_constant":
      return BOOL;
    case "ref_cast":
      return ref(needStruct(p, attrs, op).name);
    case "call": {
      const name = attrs.callee ?? fail("call needs a callee");
      return (p.graphs.get(name) ?? fail(`call: unknown graph '${name}'`)).result;
    }
    case "call_ref": {
      const f = argTypes[0];
      if (f?.kind !== "fn") return fail("call_ref: first operand must be a function reference");
      return f.result;
    }
    case "call_host": {
      const name = attrs.callee ?? fail("call_host needs a host function name");
      return (p.hosts.get(name) ?? fail(`call_host: unknown host function '${name}'`)).result;
    }
    case "getglobal": {
      const name = attrs.callee ?? fail("getglobal needs a global name");
      return (p.globals.get(name) ?? fail(`getglobal: unknown global '${name}'`)).type;
    }
    case "setfield":
    case "setitem":
    case "arraycopy":
    case "setglobal":
    case "jit_merge_point":
    case "can_enter_jit":
    case "assert_green":
      return VOID;
  }
  return fail(`unknown op '${op}'`);
}
