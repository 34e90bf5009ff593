// Lowering calls and `new`: module-level functions (`call`), methods (direct or through a dispatch
// graph, see classes.ts), static methods, `super.m(...)`, the hints module (host functions →
// `call_host`; promote, isConstant; fail("...") → `raise` of a message index; idiv/imod → a zero
// check then int_div/int_mod; driver.mergePoint/canEnterJit → JIT hint ops), Math functions, and
// `new` of classes, typed arrays and Array<C>.

import ts from "typescript";
import { i32c } from "../ir/builder.ts";
import type { DriverDef, Value } from "../ir/graph.ts";
import { STD_HOSTS } from "../ir/hosts.ts";
import type { ScalarOpName } from "../ir/ops.ts";
import type { LLType } from "../ir/types.ts";
import { F64, I32, typeToString } from "../ir/types.ts";
import { ctorOf, findStatic, methodTarget } from "./classes.ts";
import { excerpt, Rejected } from "./diagnostics.ts";
import { coerce, isMath, lowerExpr, lowerIdentifier, lowerOperand, skipParens } from "./expr.ts";
import type { FnLowerer } from "./lower.ts";
import { toF64, toI32, toI32Bits } from "./numeric.ts";
import { isLibDeclaration } from "./tsprogram.ts";
import { arrayType, typedArrayType, typeFromNode } from "./typemap.ts";
import type { FuncInfo } from "./world.ts";

const K = ts.SyntaxKind;

/** A call; returns its value, or null for calls without one (void, never). */
export function lowerCall(fl: FnLowerer, e: ts.CallExpression, expected: LLType | undefined): Value | null {
  if (e.questionDotToken) throw fl.report.error(e, "optional calls (`?.()`) are not supported");
  if (e.typeArguments) throw fl.report.error(e.typeArguments[0] as ts.Node, "type arguments in calls are not supported");
  const callee = skipParens(e.expression);
  if (callee.kind === K.SuperKeyword) {
    fl.superCall(e);
    return null;
  }
  if (ts.isIdentifier(callee)) {
    const sym = fl.w.resolve(callee);
    const hint = fl.w.hintName(sym);
    if (hint !== undefined) return hintCall(fl, hint, e, expected);
    const d = fl.w.decl(sym);
    if (d && ts.isFunctionDeclaration(d)) {
      if (!ts.isSourceFile(d.parent)) throw fl.report.error(callee, "nested functions are not supported (no closures)");
      if (d.getSourceFile().isDeclarationFile)
        throw fl.report.error(callee, `'${callee.text}' is a library function, not supported in translated code`);
      return callFunc(fl, fl.w.funcFor(d, null), [], e);
    }
    if (d && isLibDeclaration(d))
      throw fl.report.error(callee, `'${callee.text}' from the JavaScript library is not supported in translated code`);
    if (d && (ts.isVariableDeclaration(d) || ts.isParameter(d)))
      throw fl.report.error(
        callee,
        `'${callee.text}' is not a function: function values are not supported yet`,
        "call a module-level function directly",
      );
    throw fl.report.error(callee, `cannot call '${excerpt(callee)}'`);
  }
  if (ts.isPropertyAccessExpression(callee)) {
    if (ts.isPrivateIdentifier(callee.name)) throw fl.report.error(callee.name, "#private methods are not supported", "use `private m()`");
    const name = callee.name.text;
    const recv = callee.expression;
    if (isMath(fl, recv)) return mathCall(fl, name, e);
    if (ts.isIdentifier(recv)) {
      const sym = fl.w.resolve(recv);
      const d = fl.w.decl(sym);
      if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isNewExpression(d.initializer)) {
        if (fl.w.hintName(fl.w.resolve(d.initializer.expression)) === "JitDriver") return driverCall(fl, d, name, e);
      }
      if (d && ts.isClassDeclaration(d)) {
        const cls = fl.w.classInfo(d);
        const m = findStatic(cls, name);
        if (!m) throw fl.report.error(callee, `class '${cls.name}' has no static method '${name}'`);
        return callFunc(fl, fl.w.funcFor(m.decl, m.cls), [], e);
      }
      if (recv.text === "console")
        throw fl.report.error(
          callee,
          "console is not available in translated code",
          "use printInt, printFloat, printChar or printBytes from the hints module",
        );
    }
    if (recv.kind === K.SuperKeyword) {
      const cls = fl.fi.cls?.parent;
      if (!cls || fl.fi.kind === "static") throw fl.report.error(recv, "`super.m(...)` outside a method of a subclass");
      const m = findMethodIn(fl, cls.name, name, callee);
      return callFunc(fl, fl.w.funcFor(m.decl, m.cls), [fl.ssa.read(fl.THIS)], e);
    }
    const made = skipParens(recv);
    if (name === "fill" && ts.isNewExpression(made) && isArrayConstructor(fl, made)) {
      const [v] = args(e, 1, fl, "fill");
      if (skipParens(v as ts.Expression).kind !== K.NullKeyword)
        throw fl.report.error(v as ts.Node, "a new Array<C | null>(n) can only be filled with null", "set the items one by one");
      return newArray(fl, made, expected, true);
    }
    const obj = lowerExpr(fl, recv);
    const t = obj.type;
    if (t.kind === "ref") {
      const cls = fl.w.classByStruct.get(t.name);
      if (cls) {
        const target = methodTarget(fl.w, cls, name, callee);
        if (!target) throw fl.report.error(callee.name, `class '${cls.name}' has no method '${name}'`);
        return callFunc(fl, target, [obj], e);
      }
      if (fl.w.ll.types.get(t.name)?.kind === "array")
        throw fl.report.error(callee, `the array method '.${name}()' is not supported`, "write a loop over the items");
    }
    throw fl.report.error(callee, `'${excerpt(recv)}' is a ${typeToString(t)}: it has no methods`);
  }
  throw fl.report.error(callee, `cannot call '${excerpt(callee)}'`, "call a function or a method by name");
}

function findMethodIn(fl: FnLowerer, structName: string, name: string, at: ts.Node) {
  for (let c = fl.w.classByStruct.get(structName) ?? null; c; c = c.parent) {
    const m = c.methods.get(name);
    if (m) {
      if (!m.body) throw fl.report.error(at, `'super.${name}' is abstract`);
      return { cls: c, decl: m };
    }
  }
  throw fl.report.error(at, `no method '${name}' in the parent classes`);
}

/** Call a graph: `first` are values already lowered (the receiver), then the call's arguments. */
function callFunc(fl: FnLowerer, f: FuncInfo, first: Value[], e: ts.CallExpression | ts.NewExpression): Value | null {
  if (!f.ok) throw new Rejected(); // its signature was reported
  const args: Value[] = [...first];
  const given = e.arguments ?? ts.factory.createNodeArray();
  const params = f.params.slice(first.length);
  if (given.length !== params.length)
    throw fl.report.error(e, `'${f.gb.graph.name}' takes ${params.length} arguments, not ${given.length}`);
  params.forEach((p, i) => {
    const a = given[i] as ts.Expression;
    args.push(coerce(fl, lowerExpr(fl, a, p.type), p.type, a, `argument '${p.name}'`));
  });
  const r = fl.emit("call", args, { callee: f.gb.graph.name }, e);
  if (f.neverReturns) {
    fl.raiseMessage(`internal: '${f.gb.graph.name}' returned`, e);
    return null;
  }
  return r;
}

function args(e: ts.CallExpression, n: number, fl: FnLowerer, what: string): ts.Expression[] {
  if (e.arguments.length !== n) throw fl.report.error(e, `${what} takes ${n} argument${n === 1 ? "" : "s"}, not ${e.arguments.length}`);
  for (const a of e.arguments) if (ts.isSpreadElement(a)) throw fl.report.error(a, "spread is not supported");
  return [...e.arguments];
}

// ---- the hints module -------------------------------------------------------------------------

function hintCall(fl: FnLowerer, hint: string, e: ts.CallExpression, expected: LLType | undefined): Value | null {
  const host = STD_HOSTS[hint];
  if (host) {
    const as = args(e, host.params.length, fl, hint);
    const vals = host.params.map((p, i) => {
      const a = as[i] as ts.Expression;
      return coerce(fl, lowerExpr(fl, a, p), p, a, `argument ${i + 1} of ${hint}`);
    });
    return fl.emit("call_host", vals, { callee: hint }, e);
  }
  switch (hint) {
    case "fail": {
      const [m] = args(e, 1, fl, "fail");
      const lit = skipParens(m as ts.Expression);
      if (!ts.isStringLiteral(lit) && !ts.isNoSubstitutionTemplateLiteral(lit))
        throw fl.report.error(lit, "the message of fail() must be a string literal", 'write fail("what went wrong")');
      fl.raiseMessage(lit.text, e);
      return null;
    }
    case "promote": {
      const [x] = args(e, 1, fl, "promote");
      const v = lowerExpr(fl, x as ts.Expression, expected);
      return fl.val("promote", [v], {}, e);
    }
    case "isConstant": {
      const [x] = args(e, 1, fl, "isConstant");
      return fl.val("is_constant", [lowerExpr(fl, x as ts.Expression)], {}, e);
    }
    case "idiv":
    case "imod":
      return divide(fl, hint, e);
  }
  throw fl.report.error(e.expression, `'${hint}' from the hints module is host-only: it cannot be called from translated code`);
}

/** idiv/imod: a guest error "division by zero" (as the hint raises untranslated), then the op. */
function divide(fl: FnLowerer, hint: "idiv" | "imod", e: ts.CallExpression): Value {
  const [a, b] = args(e, 2, fl, hint);
  const x = coerce(fl, lowerExpr(fl, a as ts.Expression, I32), I32, a as ts.Expression, `argument 1 of ${hint}`);
  const y = coerce(fl, lowerExpr(fl, b as ts.Expression, I32), I32, b as ts.Expression, `argument 2 of ${hint}`);
  const op = hint === "idiv" ? "int_div" : "int_mod";
  if (y.kind === "const" && y.value !== 0) return fl.val(op, [x, y], {}, e);
  const { ssa } = fl;
  const zero = ssa.block("divzero");
  const ok = ssa.block("divide");
  ssa.branch(fl.val("int_eq", [y, i32c(0)], {}, e), zero, ok);
  ssa.seal(zero);
  ssa.seal(ok);
  ssa.at(zero);
  fl.raiseMessage("division by zero", e);
  ssa.at(ok);
  return fl.val(op, [x, y], {}, e);
}

/** The DriverDef of a module-level `const d = new JitDriver({...})`, recorded on first use. */
function driverOf(fl: FnLowerer, d: ts.VariableDeclaration): DriverDef {
  const w = fl.w;
  const sym = w.checker.getSymbolAtLocation(d.name);
  if (!sym) throw fl.report.error(d, "cannot resolve the JIT driver");
  const known = w.driverBySymbol.get(sym);
  if (known) return known;
  w.translated(d);
  const init = d.initializer as ts.NewExpression;
  const spec = init.arguments?.[0];
  if (!spec || !ts.isObjectLiteralExpression(spec))
    throw fl.report.error(init, "a JitDriver needs an object literal: new JitDriver({ greens: [...], reds: [...] })");
  const lists: Record<string, string[]> = {};
  for (const p of spec.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name))
      throw fl.report.error(p, "expected `greens: [...]`, `reds: [...]` or `virtualizables: [...]`");
    const key = p.name.text;
    if (key !== "greens" && key !== "reds" && key !== "virtualizables") throw fl.report.error(p.name, `unknown JitDriver option '${key}'`);
    if (!ts.isArrayLiteralExpression(p.initializer)) throw fl.report.error(p.initializer, `'${key}' must be an array of string literals`);
    lists[key] = p.initializer.elements.map((x) => {
      if (!ts.isStringLiteral(x)) throw fl.report.error(x, `'${key}' must list variable names as string literals`);
      return x.text;
    });
  }
  const greens = lists.greens ?? [];
  const reds = lists.reds ?? [];
  const virtualizables = lists.virtualizables ?? [];
  const all = [...greens, ...reds];
  const dup = all.find((n, i) => all.indexOf(n) !== i);
  if (dup) throw fl.report.error(spec, `'${dup}' is listed twice among the greens and reds`);
  for (const v of virtualizables) if (!reds.includes(v)) throw fl.report.error(spec, `virtualizable '${v}' must be one of the reds`);
  const name = w.uniqueName(d.name.getText());
  const def: DriverDef = { name, greens, reds, ...(virtualizables.length > 0 ? { virtualizables } : {}) };
  w.ll.drivers.set(name, def);
  w.driverBySymbol.set(sym, def);
  return def;
}

const mergePointGraphs = new WeakMap<DriverDef, string>();

function driverCall(fl: FnLowerer, d: ts.VariableDeclaration, method: string, e: ts.CallExpression): null {
  if (method !== "mergePoint" && method !== "canEnterJit")
    throw fl.report.error(
      e.expression,
      `JitDriver has no method '${method}' usable in translated code`,
      "use mergePoint({...}) or canEnterJit({...})",
    );
  const def = driverOf(fl, d);
  const [arg] = args(e, 1, fl, method);
  const obj = skipParens(arg as ts.Expression);
  if (!ts.isObjectLiteralExpression(obj))
    throw fl.report.error(
      obj,
      `${method} takes an object naming every green and red`,
      `e.g. ${method}({ ${[...def.greens, ...def.reds].join(", ")} })`,
    );
  const given = new Map<string, Value>();
  for (const p of obj.properties) {
    if (ts.isShorthandPropertyAssignment(p)) {
      const sym = fl.w.checker.getShorthandAssignmentValueSymbol(p);
      given.set(p.name.text, lowerIdentifier(fl, p.name, sym));
    } else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) {
      given.set(p.name.text, lowerExpr(fl, p.initializer));
    } else throw fl.report.error(p, "expected `name` or `name: value`");
  }
  const names = [...def.greens, ...def.reds];
  for (const k of given.keys())
    if (!names.includes(k)) throw fl.report.error(obj, `'${k}' is neither a green nor a red of driver '${def.name}'`);
  const missing = names.filter((n) => !given.has(n));
  if (missing.length > 0)
    throw fl.report.error(obj, `${method} must name every green and red of driver '${def.name}': missing ${missing.join(", ")}`);
  for (const v of def.virtualizables ?? []) {
    const t = (given.get(v) as Value).type;
    const s = t.kind === "ref" ? fl.w.ll.types.get(t.name) : undefined;
    if (s?.kind !== "struct" || !s.virtualizable)
      throw fl.report.error(
        obj,
        `virtualizable '${v}' must be an object of a class with a @virtualizable tag (it is a ${typeToString(t)})`,
      );
  }
  const ops = names.map((n) => given.get(n) as Value);
  if (method === "mergePoint") {
    const here = fl.fi.gb.graph.name;
    const other = mergePointGraphs.get(def);
    if (other !== undefined && other !== here)
      throw fl.report.error(
        e,
        `driver '${def.name}' already has its merge point in '${other}'`,
        "a driver has one merge point, at the top of the dispatch loop",
      );
    mergePointGraphs.set(def, here);
    fl.fi.gb.graph.flags.portal = true;
    fl.emit("jit_merge_point", ops, { callee: def.name }, e);
  } else fl.emit("can_enter_jit", ops, { callee: def.name }, e);
  return null;
}

// ---- Math -------------------------------------------------------------------------------------

const FLOAT1: Record<string, ScalarOpName> = {
  floor: "float_floor",
  ceil: "float_ceil",
  trunc: "float_trunc",
  sqrt: "float_sqrt",
  abs: "float_abs",
};

function mathCall(fl: FnLowerer, name: string, e: ts.CallExpression): Value {
  if (name === "imul") {
    const [a, b] = args(e, 2, fl, "Math.imul");
    const x = toI32Bits(fl, lowerOperand(fl, a as ts.Expression));
    const y = toI32Bits(fl, lowerOperand(fl, b as ts.Expression));
    return fl.val("int_mul", [x, y], {}, e);
  }
  const f1 = FLOAT1[name];
  if (f1) {
    const [a] = args(e, 1, fl, `Math.${name}`);
    return fl.val(f1, [toF64(fl, lowerOperand(fl, a as ts.Expression, F64))], {}, e);
  }
  if (name === "min" || name === "max") {
    if (e.arguments.length < 1) throw fl.report.error(e, `Math.${name} needs at least one argument`);
    const ops = e.arguments.map((a) => lowerOperand(fl, a));
    const intLike = ops.every((o) => (o.kind === "num" ? Number.isInteger(o.n) && Math.abs(o.n) < 2 ** 31 : o.v.type.kind === "i32"));
    let acc = intLike ? toI32(fl, ops[0] as (typeof ops)[number]) : toF64(fl, ops[0] as (typeof ops)[number]);
    for (const o of ops.slice(1)) {
      const v = intLike ? toI32(fl, o) : toF64(fl, o);
      acc = fl.val(`${intLike ? "int" : "float"}_${name}` as ScalarOpName, [acc, v], {}, e);
    }
    return acc;
  }
  throw fl.report.error(e.expression, `Math.${name} is not supported yet`, "supported: Math.imul, abs, min, max, floor, ceil, trunc, sqrt");
}

// ---- new --------------------------------------------------------------------------------------

export function lowerNew(fl: FnLowerer, e: ts.NewExpression, expected: LLType | undefined): Value {
  const w = fl.w;
  const sym = w.resolve(e.expression);
  const d = w.decl(sym);
  const hint = w.hintName(sym);
  if (hint === "JitDriver")
    throw fl.report.error(
      e,
      "a JitDriver must be a module-level constant",
      "declare `const driver = new JitDriver({...})` at module level",
    );
  if (hint !== undefined) throw fl.report.error(e, `'new ${hint}' is host-only: not supported in translated code`);
  if (d && ts.isClassDeclaration(d) && !d.getSourceFile().isDeclarationFile) {
    if (e.typeArguments) throw fl.report.error(e, "generic classes are not supported");
    const cls = w.classInfo(d);
    const obj = fl.val("new", [], { type: cls.name }, e);
    const ctor = ctorOf(w, cls);
    if (ctor) callFunc(fl, ctor, [obj], e);
    else if ((e.arguments?.length ?? 0) > 0) throw fl.report.error(e, `class '${cls.name}' has no constructor taking arguments`);
    return obj;
  }
  const name = ts.isIdentifier(e.expression) ? e.expression.text : excerpt(e.expression);
  if (d && isLibDeclaration(d)) {
    const ta = typedArrayType(w, name);
    if (ta && ta.kind === "ref") {
      const a = e.arguments?.[0];
      if (!a || (e.arguments?.length ?? 0) !== 1) throw fl.report.error(e, `new ${name} takes one argument, the length`);
      const n = lowerExpr(fl, a, I32);
      if (n.type.kind !== "i32")
        throw fl.report.error(a, `new ${name}(...) takes a length (an i32)`, "create it with its length, then set its items");
      return fl.val("newarray", [n], { type: ta.name }, e);
    }
    if (name === "Array") return newArray(fl, e, expected, false);
    if (name === "Error" || name.endsWith("Error"))
      throw fl.report.error(e, "exceptions are not supported", 'report guest errors with fail("message")');
    throw fl.report.error(e, `'new ${name}' is not supported in translated code`, "use classes, typed arrays and Array<C>");
  }
  throw fl.report.error(e, `cannot create '${name}'`);
}

function isArrayConstructor(fl: FnLowerer, e: ts.NewExpression): boolean {
  const d = fl.w.decl(fl.w.resolve(e.expression));
  return ts.isIdentifier(e.expression) && e.expression.text === "Array" && d !== undefined && isLibDeclaration(d);
}

/**
 * `new Array<C | null>(n).fill(null)`: an array of n null references. Without the fill, the items
 * would be `undefined` untranslated (and null translated), so plain `new Array<C>(n)` is rejected.
 */
function newArray(fl: FnLowerer, e: ts.NewExpression, expected: LLType | undefined, filled: boolean): Value {
  if (!filled)
    throw fl.report.error(
      e,
      "the items of `new Array<C>(n)` are undefined until set (null when translated)",
      "write `new Array<C | null>(n).fill(null)`, or an array literal `[a, b, c]`",
    );
  let t: LLType | undefined;
  const ta = e.typeArguments?.[0];
  if (ta) {
    const item = typeFromNode(fl.w, ta, "element");
    if (item.kind !== "ref")
      throw fl.report.error(ta, `arrays of ${typeToString(item)} must be typed arrays`, "use Int32Array, Float64Array or Uint8Array");
    t = arrayType(fl.w, `Array<${item.name}>`, item, true);
  } else if (expected?.kind === "ref" && fl.w.ll.types.get(expected.name)?.kind === "array") t = expected;
  else throw fl.report.error(e, "`new Array(n)` needs its element type", "write `new Array<C>(n)`");
  const a = e.arguments?.[0];
  if (!a || (e.arguments?.length ?? 0) !== 1) throw fl.report.error(e, "new Array<C>(...) takes one argument, the length");
  const n = coerce(fl, lowerExpr(fl, a, I32), I32, a, "the length");
  if (t.kind !== "ref") throw new Rejected();
  return fl.val("newarray", [n], { type: t.name }, e);
}
