// Lowering expressions: constants, variables (SSA reads), globals, fields, array items,
// operators (with the integer rules of numeric.ts), assignments, conditions (short-circuit `&&`,
// `||`, `!` and comparisons lowered straight to branches), `?:`, casts and array literals. Calls
// and `new` are in calls.ts. Every function here returns a typed LL value or throws Rejected after
// reporting what to write instead.

import ts from "typescript";
import { boolc, constant, f64c, i32c, nullc } from "../ir/builder.ts";
import type { Block, Value } from "../ir/graph.ts";
import { isAssignable, structDef } from "../ir/graph.ts";
import type { LLType } from "../ir/types.ts";
import { BOOL, F64, I32, typeEq, typeToString } from "../ir/types.ts";
import { lowerCall, lowerNew } from "./calls.ts";
import { findField, findMethod } from "./classes.ts";
import type { ConstVal } from "./consts.ts";
import { isI32 } from "./consts.ts";
import { excerpt, Rejected } from "./diagnostics.ts";
import type { FnLowerer } from "./lower.ts";
import type { Chain, Operand } from "./numeric.ts";
import { arith, bitwise, compareNumbers, materialize, opType, toI32Bits, wrapChain } from "./numeric.ts";
import { isLibDeclaration } from "./tsprogram.ts";
import { typeFromNode } from "./typemap.ts";

const K = ts.SyntaxKind;

export function skipParens(e: ts.Expression): ts.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x)) x = x.expression;
  return x;
}

// ---- constants --------------------------------------------------------------------------------

/** The constant an expression folds to, with the scalar type its declaration names (if any). */
function constantOf(fl: FnLowerer, e: ts.Expression): { value: ConstVal; type: LLType | null } | undefined {
  const x = skipParens(e);
  if (ts.isIdentifier(x)) {
    const sym = fl.w.resolve(x);
    if (!sym) return undefined;
    const lc = fl.localConsts.get(sym);
    if (lc) return lc;
    if (fl.ssa.typeOf(sym) || fl.poisoned.has(sym)) return undefined;
    const v = fl.w.constOfSymbol(sym);
    if (v === null) return undefined;
    const d = fl.w.decl(sym);
    const type = d && ts.isVariableDeclaration(d) && d.type ? typeFromNode(fl.w, d.type, "local") : null;
    return { value: v, type: type && (type.kind === "i32" || type.kind === "f64" || type.kind === "bool") ? type : null };
  }
  if (ts.isNumericLiteral(x) || ts.isBinaryExpression(x) || ts.isPrefixUnaryExpression(x) || ts.isConditionalExpression(x)) {
    // local consts are folded too (constValue reads any `const` with a constant initialiser)
    const v = fl.w.constValue(x);
    return v === undefined ? undefined : { value: v, type: null };
  }
  if (x.kind === K.TrueKeyword || x.kind === K.FalseKeyword) return { value: x.kind === K.TrueKeyword, type: null };
  return undefined;
}

/** An operand for arithmetic: a constant number stays untyped until its use decides. */
export function lowerOperand(fl: FnLowerer, e: ts.Expression, expected?: LLType): Operand {
  const c = constantOf(fl, e);
  if (c && typeof c.value === "number" && c.type === null) return { kind: "num", n: c.value, node: e };
  return { kind: "value", v: lowerExpr(fl, e, expected), node: e };
}

// ---- conversions ------------------------------------------------------------------------------

/** `v` as a value of type `to`: exact, widening i32 → f64, null → any reference, subclass → class. */
export function coerce(fl: FnLowerer, v: Value, to: LLType, node: ts.Node, what: string): Value {
  const from = v.type;
  if (typeEq(from, to)) return v;
  if (from.kind === "null" && (to.kind === "ref" || to.kind === "fn")) return constant(to, null);
  if (from.kind === "i32" && to.kind === "f64") {
    if (v.kind === "const") return f64c(v.value as number);
    return fl.val("cast_int_to_float", [v], {}, node);
  }
  if (from.kind === "ref" && to.kind === "ref" && isAssignable(fl.w.ll, from, to)) return v;
  const a = typeToString(from);
  const b = typeToString(to);
  let fix: string | undefined;
  if (from.kind === "f64" && to.kind === "i32") fix = "convert explicitly: `x | 0` truncates toward zero, `Math.floor(x) | 0` rounds down";
  else if (from.kind === "bool" && to.kind === "i32") fix = "write `c ? 1 : 0`";
  else if ((from.kind === "i32" || from.kind === "f64") && to.kind === "bool") fix = "compare explicitly, e.g. `x !== 0`";
  else if (from.kind === "ref" && to.kind === "ref" && isAssignable(fl.w.ll, to, from)) fix = `downcast explicitly: \`x as ${b}\``;
  else if (from.kind === "ref" && to.kind === "ref" && b.startsWith("Immutable"))
    fix = "immutable arrays come from the host (prepare's results) in this version; keep this one mutable";
  else if (from.kind === "ref" && to.kind === "ref" && b === `ReadonlyArray<${a.slice(6, -1)}>`)
    fix =
      "the specializer trusts that readonly items never change: make the array readonly where it is created (`const a: readonly C[] = [x, y]`), or take Array<C> here";
  else if (from.kind === "void") fix = "this call returns no value";
  throw fl.report.error(node, `${what} must be a ${b}, but '${excerpt(node)}' is a ${a}`, fix);
}

/** Common type of the two arms of `?:`. */
function unify(fl: FnLowerer, a: LLType, b: LLType, node: ts.Node): LLType {
  if (typeEq(a, b)) return a;
  if (a.kind === "null" && (b.kind === "ref" || b.kind === "fn")) return b;
  if (b.kind === "null" && (a.kind === "ref" || a.kind === "fn")) return a;
  if ((a.kind === "i32" && b.kind === "f64") || (a.kind === "f64" && b.kind === "i32")) return F64;
  if (a.kind === "ref" && b.kind === "ref") {
    if (isAssignable(fl.w.ll, a, b)) return b;
    if (isAssignable(fl.w.ll, b, a)) return a;
    for (let s = structDef(fl.w.ll, a.name); s; s = s.parent ? structDef(fl.w.ll, s.parent) : undefined) {
      const t: LLType = { kind: "ref", name: s.name };
      if (isAssignable(fl.w.ll, b, t)) return t;
    }
  }
  throw fl.report.error(
    node,
    `the two arms of '?:' have different types (${typeToString(a)} and ${typeToString(b)})`,
    "give both arms the same type",
  );
}

// ---- the expression dispatcher ----------------------------------------------------------------

/** The value of an expression (`expected` types constants and picks f64 arithmetic when asked). */
export function lowerExpr(fl: FnLowerer, e0: ts.Expression, expected?: LLType): Value {
  const e = skipParens(e0);
  const c = constantOf(fl, e);
  if (c) {
    if (typeof c.value === "boolean") return boolc(c.value);
    return materialize(fl, c.value, c.type ?? (expected?.kind === "f64" || expected?.kind === "i32" ? expected : undefined), e);
  }
  switch (e.kind) {
    case K.Identifier:
      return lowerIdentifier(fl, e as ts.Identifier);
    case K.ThisKeyword:
      if (fl.fi.kind === "function" || fl.fi.kind === "static") throw fl.report.error(e, "`this` outside a method");
      return fl.ssa.read(fl.THIS);
    case K.NullKeyword:
      return nullc();
    case K.PropertyAccessExpression:
      return lowerProperty(fl, e as ts.PropertyAccessExpression);
    case K.ElementAccessExpression:
      return lowerElement(fl, e as ts.ElementAccessExpression);
    case K.CallExpression: {
      const v = lowerCall(fl, e as ts.CallExpression, expected);
      if (v === null) {
        if (fl.isDead) return zeroFor(expected);
        throw fl.report.error(e, `'${excerpt(e)}' returns no value`);
      }
      return v;
    }
    case K.NewExpression:
      return lowerNew(fl, e as ts.NewExpression, expected);
    case K.BinaryExpression:
      return lowerBinary(fl, e as ts.BinaryExpression, expected);
    case K.PrefixUnaryExpression:
      return lowerPrefix(fl, e as ts.PrefixUnaryExpression, expected);
    case K.PostfixUnaryExpression:
      return lowerIncDec(fl, e as ts.PostfixUnaryExpression, false);
    case K.ConditionalExpression:
      return lowerTernary(fl, e as ts.ConditionalExpression, expected);
    case K.AsExpression:
    case K.TypeAssertionExpression:
      return lowerCast(fl, e as ts.AsExpression | ts.TypeAssertion);
    case K.NonNullExpression:
    case K.SatisfiesExpression:
      return lowerExpr(fl, (e as ts.NonNullExpression).expression, expected);
    case K.ArrayLiteralExpression:
      return lowerArrayLiteral(fl, e as ts.ArrayLiteralExpression, expected);
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
    case K.TemplateExpression:
      throw fl.report.error(
        e,
        "strings are not supported yet",
        'the only string allowed is the message literal of fail("..."); print text with printChar/printBytes',
      );
    case K.ArrowFunction:
    case K.FunctionExpression:
      throw fl.report.error(e, "closures are not supported", "declare a module-level function and call it directly");
    case K.ObjectLiteralExpression:
      throw fl.report.error(
        e,
        "object literals are not supported (except as the argument of mergePoint/canEnterJit)",
        "declare a class and use `new`",
      );
    case K.BigIntLiteral:
      throw fl.report.error(e, "bigint is not supported", "use i32 or f64");
    case K.TypeOfExpression:
      throw fl.report.error(e, "`typeof` is not supported", "types are static: use `instanceof` for classes");
    case K.AwaitExpression:
      throw fl.report.error(e, "async code is not supported");
    case K.YieldExpression:
      throw fl.report.error(e, "generators are not supported", "write a loop");
    case K.DeleteExpression:
      throw fl.report.error(e, "`delete` is not supported");
    case K.VoidExpression:
      throw fl.report.error(e, "`void` expressions are not supported");
    case K.SpreadElement:
      throw fl.report.error(e, "spread is not supported", "pass the values one by one");
    case K.SuperKeyword:
      throw fl.report.error(e, "`super` can only be called (`super(...)`) or used for a method (`super.m(...)`)");
    case K.RegularExpressionLiteral:
      throw fl.report.error(e, "regular expressions are not supported");
  }
  throw fl.report.error(e, `this expression is not supported: '${excerpt(e)}'`);
}

function zeroFor(t: LLType | undefined): Value {
  if (!t || t.kind === "i32") return i32c(0);
  if (t.kind === "f64") return f64c(0);
  if (t.kind === "bool") return boolc(false);
  return t.kind === "ref" ? constant(t, null) : nullc();
}

/** An expression used as a statement (its value, if any, is dropped). */
export function lowerExprStatement(fl: FnLowerer, e0: ts.Expression): void {
  const e = skipParens(e0);
  if (ts.isCallExpression(e)) {
    lowerCall(fl, e, undefined);
    return;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === K.CommaToken) {
    lowerExprStatement(fl, e.left);
    lowerExprStatement(fl, e.right);
    return;
  }
  lowerExpr(fl, e);
}

// ---- names ------------------------------------------------------------------------------------

function isModuleLevel(d: ts.VariableDeclaration): boolean {
  const list = d.parent;
  return ts.isVariableDeclarationList(list) && ts.isVariableStatement(list.parent) && ts.isSourceFile(list.parent.parent);
}

function inside(node: ts.Node, outer: ts.Node): boolean {
  return node.getSourceFile() === outer.getSourceFile() && node.pos >= outer.pos && node.end <= outer.end;
}

/** The value of a name; `sym` is given for the shorthand `{ pc }` of mergePoint. */
export function lowerIdentifier(fl: FnLowerer, id: ts.Identifier, symbol?: ts.Symbol): Value {
  const sym = symbol ? fl.w.unalias(symbol) : fl.w.resolve(id);
  const name = id.text;
  if (!sym) throw fl.report.error(id, `cannot resolve '${name}'`);
  if (fl.poisoned.has(sym)) throw new Rejected();
  if (fl.ssa.typeOf(sym)) return fl.ssa.read(sym);
  const lc = fl.localConsts.get(sym);
  if (lc) return typeof lc.value === "boolean" ? boolc(lc.value) : materialize(fl, lc.value, lc.type ?? undefined, id);
  const hint = fl.w.hintName(sym);
  if (hint !== undefined) throw fl.report.error(id, `'${hint}' from the hints module cannot be used as a value`, "call it");
  const d = fl.w.decl(sym);
  if (name === "undefined" && (!d || d.getSourceFile().isDeclarationFile))
    throw fl.report.error(id, "`undefined` is not supported", "use null for references, or a sentinel number");
  if (d && (ts.isVariableDeclaration(d) || ts.isParameter(d))) {
    if (inside(d, fl.fi.decl)) throw new Rejected(); // its declaration was rejected (reported there)
    if (ts.isVariableDeclaration(d) && isModuleLevel(d)) {
      const list = d.parent as ts.VariableDeclarationList;
      if (list.flags & ts.NodeFlags.Const) {
        if (d.initializer && ts.isNewExpression(d.initializer) && fl.w.hintName(fl.w.resolve(d.initializer.expression)) === "JitDriver")
          throw fl.report.error(id, `the JIT driver '${name}' can only be used as ${name}.mergePoint({...}) or ${name}.canEnterJit({...})`);
        throw fl.report.error(
          id,
          `module-level constant '${name}' is not a number or boolean constant expression`,
          "create objects in the entry function (or in prepare) and pass them as arguments",
        );
      }
      const g = fl.w.globalFor(sym, id);
      return fl.val("getglobal", [], { callee: g }, id);
    }
    throw fl.report.error(id, `'${name}' belongs to an enclosing function: closures are not supported`, "pass it as an argument");
  }
  if (d && ts.isFunctionDeclaration(d))
    throw fl.report.error(id, `the function '${name}' is used as a value: function references are not supported yet`, "call it directly");
  if (d && ts.isClassDeclaration(d)) throw fl.report.error(id, `the class '${name}' is used as a value`, `use \`new ${name}(...)\``);
  if (d && ts.isEnumDeclaration(d)) throw fl.report.error(id, "enums are not supported", "use module-level `const` numbers");
  if (d && isLibDeclaration(d)) throw fl.report.error(id, `'${name}' from the JavaScript library is not supported in translated code`);
  throw fl.report.error(id, `'${name}' cannot be used in translated code`);
}

// ---- fields and items -------------------------------------------------------------------------

const MATH_CONSTANTS = new Set(["PI", "E", "LN2", "LN10", "LOG2E", "LOG10E", "SQRT2", "SQRT1_2"]);

/** Is `e` the global `Math` object? */
export function isMath(fl: FnLowerer, e: ts.Expression): boolean {
  if (!ts.isIdentifier(e) || e.text !== "Math") return false;
  const d = fl.w.decl(fl.w.resolve(e));
  return !d || isLibDeclaration(d);
}

function lowerProperty(fl: FnLowerer, e: ts.PropertyAccessExpression): Value {
  if (ts.isPrivateIdentifier(e.name)) throw fl.report.error(e.name, "#private names are not supported", "use `private x`");
  const name = e.name.text;
  if (e.questionDotToken) throw fl.report.error(e, "optional chaining (`?.`) is not supported", "test for null with `if (x !== null)`");
  if (isMath(fl, e.expression)) {
    if (MATH_CONSTANTS.has(name)) return f64c(Math[name as "PI"]);
    throw fl.report.error(e, `Math.${name} is not a supported constant`);
  }
  if (e.expression.kind === K.SuperKeyword)
    throw fl.report.error(e, "`super.x` is only supported for method calls", "read the field with `this.x`");
  const sd = ts.isIdentifier(e.expression) ? fl.w.decl(fl.w.resolve(e.expression)) : undefined;
  if (sd && ts.isClassDeclaration(sd)) throw fl.report.error(e, "static fields are not supported", "use a module-level variable");
  if (sd && ts.isEnumDeclaration(sd)) throw fl.report.error(e, "enums are not supported", "use module-level `const` numbers");
  const obj = lowerExpr(fl, e.expression);
  return readMember(fl, obj, name, e);
}

function readMember(fl: FnLowerer, obj: Value, name: string, e: ts.Node): Value {
  const t = obj.type;
  if (t.kind !== "ref") throw fl.report.error(e, `'${excerpt(e)}': a ${typeToString(t)} has no properties`);
  const def = fl.w.ll.types.get(t.name);
  if (def?.kind === "array") {
    if (name === "length") return fl.val("arraylen", [obj], { type: t.name }, e);
    throw fl.report.error(e, `'.${name}' of arrays is not supported`, "only `.length` and indexing `a[i]`: write a loop");
  }
  const cls = fl.w.classByStruct.get(t.name);
  if (!cls) throw fl.report.error(e, `'${excerpt(e)}': unknown class ${t.name}`);
  const f = findField(cls, name);
  if (f) return fl.val("getfield", [obj], { type: t.name, field: name }, e);
  if (findMethod(cls, name)) throw fl.report.error(e, `the method '${name}' is used as a value`, `call it: ${name}(...)`);
  throw fl.report.error(e, `class '${cls.name}' has no field '${name}'`);
}

function arrayOf(fl: FnLowerer, arr: Value, node: ts.Node): string {
  const t = arr.type;
  if (t.kind === "ref" && fl.w.ll.types.get(t.name)?.kind === "array") return t.name;
  throw fl.report.error(node, `'${excerpt(node)}' is a ${typeToString(t)}, not an array`);
}

function lowerElement(fl: FnLowerer, e: ts.ElementAccessExpression): Value {
  if (e.questionDotToken) throw fl.report.error(e, "optional chaining (`?.`) is not supported");
  const arr = lowerExpr(fl, e.expression);
  const name = arrayOf(fl, arr, e.expression);
  const i = coerce(fl, lowerExpr(fl, e.argumentExpression, I32), I32, e.argumentExpression, "an array index");
  return fl.val("getitem", [arr, i], { type: name }, e);
}

// ---- assignment -------------------------------------------------------------------------------

interface LValue {
  readonly type: LLType;
  get(): Value;
  set(v: Value): void;
}

function lvalue(fl: FnLowerer, e0: ts.Expression): LValue {
  const e = skipParens(e0);
  if (ts.isIdentifier(e)) {
    const sym = fl.w.resolve(e);
    if (!sym) throw fl.report.error(e, `cannot resolve '${e.text}'`);
    if (fl.poisoned.has(sym)) throw new Rejected();
    const t = fl.ssa.typeOf(sym);
    if (t) return { type: t, get: () => fl.ssa.read(sym), set: (v) => fl.ssa.write(sym, v) };
    const d = fl.w.decl(sym);
    if (d && ts.isVariableDeclaration(d) && isModuleLevel(d) && !((d.parent as ts.VariableDeclarationList).flags & ts.NodeFlags.Const)) {
      const g = fl.w.globalFor(sym, e);
      const gt = fl.w.ll.globals.get(g)?.type as LLType;
      return {
        type: gt,
        get: () => fl.val("getglobal", [], { callee: g }, e),
        set: (v) => void fl.emit("setglobal", [v], { callee: g }, e),
      };
    }
    if (d && inside(d, fl.fi.decl)) throw new Rejected();
    throw fl.report.error(
      e,
      `cannot assign to '${e.text}' here`,
      "assign local variables, parameters, fields, array items or module-level `let`s",
    );
  }
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
    if (isMath(fl, e.expression)) throw fl.report.error(e, "cannot assign to Math");
    const obj = lowerExpr(fl, e.expression);
    const name = e.name.text;
    const t = obj.type;
    const cls = t.kind === "ref" ? fl.w.classByStruct.get(t.name) : undefined;
    if (t.kind === "ref" && fl.w.ll.types.get(t.name)?.kind === "array" && name === "length")
      throw fl.report.error(e, "the length of an array cannot change", "make a new array");
    const f = cls ? findField(cls, name) : undefined;
    if (!cls || !f || t.kind !== "ref") throw fl.report.error(e, `'${excerpt(e)}' is not a field`);
    return {
      type: f.type,
      get: () => fl.val("getfield", [obj], { type: t.name, field: name }, e),
      set: (v) => void fl.emit("setfield", [obj, v], { type: t.name, field: name }, e),
    };
  }
  if (ts.isElementAccessExpression(e)) {
    const arr = lowerExpr(fl, e.expression);
    const name = arrayOf(fl, arr, e.expression);
    const i = coerce(fl, lowerExpr(fl, e.argumentExpression, I32), I32, e.argumentExpression, "an array index");
    const def = fl.w.ll.types.get(name);
    const item = def?.kind === "array" ? (def.item.kind === "u8" ? I32 : def.item) : I32;
    return {
      type: item,
      get: () => fl.val("getitem", [arr, i], { type: name }, e),
      set: (v) => void fl.emit("setitem", [arr, i, v], { type: name }, e),
    };
  }
  throw fl.report.error(e, `cannot assign to '${excerpt(e)}'`);
}

const COMPOUND: Partial<Record<ts.SyntaxKind, string>> = {
  [K.PlusEqualsToken]: "+",
  [K.MinusEqualsToken]: "-",
  [K.AsteriskEqualsToken]: "*",
  [K.SlashEqualsToken]: "/",
  [K.PercentEqualsToken]: "%",
  [K.AmpersandEqualsToken]: "&",
  [K.BarEqualsToken]: "|",
  [K.CaretEqualsToken]: "^",
  [K.LessThanLessThanEqualsToken]: "<<",
  [K.GreaterThanGreaterThanEqualsToken]: ">>",
  [K.GreaterThanGreaterThanGreaterThanEqualsToken]: ">>>",
};

function lowerAssign(fl: FnLowerer, e: ts.BinaryExpression): Value {
  const op = e.operatorToken.kind;
  if (op === K.EqualsToken) {
    const lv = lvalue(fl, e.left);
    const v = coerce(fl, lowerExpr(fl, e.right, lv.type), lv.type, e.right, `the value assigned to '${excerpt(e.left)}'`);
    lv.set(v);
    return v;
  }
  const sym = COMPOUND[op];
  if (!sym)
    throw fl.report.error(e.operatorToken, `the operator '${e.operatorToken.getText()}' is not supported`, "write the assignment out");
  const lv = lvalue(fl, e.left);
  if (lv.type.kind === "i32" && "+-*/%".includes(sym)) {
    const x = excerpt(e.left);
    const y = excerpt(e.right);
    const fix =
      sym === "+" || sym === "-"
        ? `write \`${x} = (${x} ${sym} ${y}) | 0\``
        : sym === "*"
          ? `write \`${x} = Math.imul(${x}, ${y})\``
          : `write \`${x} = ${sym === "/" ? "idiv" : "imod"}(${x}, ${y})\``;
    throw fl.report.error(e, `\`${sym}=\` on an i32 does not keep it in range`, fix);
  }
  const cur: Operand = { kind: "value", v: lv.get(), node: e.left };
  const r = lowerOperand(fl, e.right, lv.type.kind === "f64" ? F64 : undefined);
  const v = "+-*/%".includes(sym) ? arith(fl, sym, cur, r, lv.type, e) : bitwise(fl, sym, cur, r, e);
  const out = coerce(fl, v, lv.type, e, `the result of '${excerpt(e)}'`);
  lv.set(out);
  return out;
}

function lowerIncDec(fl: FnLowerer, e: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, prefix: boolean): Value {
  const inc = e.operator === K.PlusPlusToken;
  const lv = lvalue(fl, e.operand);
  if (lv.type.kind !== "f64") {
    const x = excerpt(e.operand);
    throw fl.report.error(
      e,
      `\`${e.getText()}\` on a ${typeToString(lv.type)} can leave the i32 range`,
      `write \`${x} = (${x} ${inc ? "+" : "-"} 1) | 0\``,
    );
  }
  const cur = lv.get();
  const next = fl.val(inc ? "float_add" : "float_sub", [cur, f64c(1)], {}, e);
  lv.set(next);
  return prefix ? next : cur;
}

// ---- operators --------------------------------------------------------------------------------

const ARITH: Partial<Record<ts.SyntaxKind, string>> = {
  [K.PlusToken]: "+",
  [K.MinusToken]: "-",
  [K.AsteriskToken]: "*",
  [K.SlashToken]: "/",
  [K.PercentToken]: "%",
};
const BITS: Partial<Record<ts.SyntaxKind, string>> = {
  [K.AmpersandToken]: "&",
  [K.BarToken]: "|",
  [K.CaretToken]: "^",
  [K.LessThanLessThanToken]: "<<",
  [K.GreaterThanGreaterThanToken]: ">>",
  [K.GreaterThanGreaterThanGreaterThanToken]: ">>>",
};
const COMPARE: Partial<Record<ts.SyntaxKind, string>> = {
  [K.LessThanToken]: "<",
  [K.LessThanEqualsToken]: "<=",
  [K.GreaterThanToken]: ">",
  [K.GreaterThanEqualsToken]: ">=",
  [K.EqualsEqualsEqualsToken]: "===",
  [K.ExclamationEqualsEqualsToken]: "!==",
};

function isAssignmentOp(k: ts.SyntaxKind): boolean {
  return k >= K.FirstAssignment && k <= K.LastAssignment;
}

function lowerBinary(fl: FnLowerer, e: ts.BinaryExpression, expected: LLType | undefined): Value {
  const op = e.operatorToken.kind;
  if (isAssignmentOp(op)) {
    if (op === K.AmpersandAmpersandEqualsToken || op === K.BarBarEqualsToken || op === K.QuestionQuestionEqualsToken)
      throw fl.report.error(e.operatorToken, `'${e.operatorToken.getText()}' is not supported`, "write an if statement");
    return lowerAssign(fl, e);
  }
  if (op === K.AmpersandAmpersandToken || op === K.BarBarToken) return condValue(fl, e);
  if (op === K.EqualsEqualsToken || op === K.ExclamationEqualsToken) {
    const strict = op === K.EqualsEqualsToken ? "===" : "!==";
    throw fl.report.error(e.operatorToken, `'${e.operatorToken.getText()}' is not supported`, `use '${strict}'`);
  }
  const cmp = COMPARE[op];
  if (cmp) return compare(fl, cmp, e);
  const ar = ARITH[op];
  if (ar) {
    const l = lowerOperand(fl, e.left, expected?.kind === "f64" ? F64 : undefined);
    const r = lowerOperand(fl, e.right, expected?.kind === "f64" ? F64 : undefined);
    return arith(fl, ar, l, r, expected, e);
  }
  const bits = BITS[op];
  if (bits) {
    if (bits === "|") {
      const zl = fl.w.constValue(e.left) === 0;
      const zr = fl.w.constValue(e.right) === 0;
      if (zl || zr) return wrapChain(fl, buildChain(fl, zr ? e.left : e.right), e);
    }
    const l = lowerOperand(fl, e.left);
    const r = lowerOperand(fl, e.right);
    return bitwise(fl, bits, l, r, e);
  }
  if (op === K.InstanceOfKeyword) {
    const d = fl.w.decl(fl.w.resolve(e.right));
    if (!d || !ts.isClassDeclaration(d)) throw fl.report.error(e.right, "`instanceof` needs a class of the interpreter on the right");
    const cls = fl.w.classInfo(d);
    const v = lowerExpr(fl, e.left);
    if (v.type.kind !== "ref") throw fl.report.error(e.left, "`instanceof` needs an object on the left");
    return fl.val("ref_test", [v], { type: cls.name }, e);
  }
  if (op === K.AsteriskAsteriskToken) throw fl.report.error(e.operatorToken, "`**` is not supported", "multiply explicitly");
  if (op === K.QuestionQuestionToken)
    throw fl.report.error(e.operatorToken, "`??` is not supported", "test for null with `x !== null ? x : y`");
  if (op === K.CommaToken) throw fl.report.error(e.operatorToken, "the comma operator is not supported", "write two statements");
  if (op === K.InKeyword) throw fl.report.error(e.operatorToken, "`in` is not supported");
  throw fl.report.error(e.operatorToken, `the operator '${e.operatorToken.getText()}' is not supported`);
}

/** The chain of + - under `| 0` (see numeric.ts); leaves are lowered left to right. */
function buildChain(fl: FnLowerer, e0: ts.Expression): Chain {
  const e = skipParens(e0);
  const c = constantOf(fl, e);
  if (c && typeof c.value === "number" && c.type === null) return { kind: "leaf", o: { kind: "num", n: c.value, node: e } };
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k === K.PlusToken || k === K.MinusToken) {
      const a = buildChain(fl, e.left);
      const b = buildChain(fl, e.right);
      return { kind: k === K.PlusToken ? "add" : "sub", a, b, node: e };
    }
    if (k === K.AsteriskToken) {
      const kl = fl.w.constValue(e.left);
      const kr = fl.w.constValue(e.right);
      if (typeof kr === "number" && Number.isInteger(kr)) return { kind: "mulk", a: buildChain(fl, e.left), k: kr, node: e };
      if (typeof kl === "number" && Number.isInteger(kl)) return { kind: "mulk", a: buildChain(fl, e.right), k: kl, node: e };
    }
    if (k === K.SlashToken || k === K.PercentToken) {
      // by a constant nonzero divisor, `(a / k) | 0` and `(a % k) | 0` are exactly int_div/int_mod
      const d = fl.w.constValue(e.right);
      if (typeof d === "number" && d !== 0 && isI32(d)) {
        const l = lowerOperand(fl, e.left);
        if (l.kind === "value" && l.v.type.kind === "i32") {
          const v = fl.val(k === K.SlashToken ? "int_div" : "int_mod", [l.v, i32c(d)], {}, e);
          return { kind: "leaf", o: { kind: "value", v, node: e } };
        }
        return {
          kind: "leaf",
          o: {
            kind: "value",
            v: arith(fl, k === K.SlashToken ? "/" : "%", l, { kind: "num", n: d, node: e.right }, undefined, e),
            node: e,
          },
        };
      }
    }
    if (k === K.GreaterThanGreaterThanGreaterThanToken) {
      const l = lowerOperand(fl, e.left);
      const r = lowerOperand(fl, e.right);
      return { kind: "leaf", o: { kind: "value", v: bitwise(fl, ">>>", l, r, e, true), node: e } };
    }
  }
  if (ts.isPrefixUnaryExpression(e)) {
    if (e.operator === K.MinusToken) return { kind: "neg", a: buildChain(fl, e.operand), node: e };
    if (e.operator === K.PlusToken) return buildChain(fl, e.operand);
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && isMath(fl, e.expression.expression)) {
    if (e.expression.name.text === "abs" && e.arguments.length === 1)
      return { kind: "abs", a: buildChain(fl, e.arguments[0] as ts.Expression), node: e };
  }
  return { kind: "leaf", o: lowerOperand(fl, e) };
}

function isNullLiteral(e: ts.Expression): boolean {
  return skipParens(e).kind === K.NullKeyword;
}

function compare(fl: FnLowerer, op: string, e: ts.BinaryExpression): Value {
  if (op === "===" || op === "!==") {
    if (isNullLiteral(e.left) || isNullLiteral(e.right)) {
      const other = isNullLiteral(e.left) ? e.right : e.left;
      const v = lowerExpr(fl, other);
      if (v.type.kind === "null") return boolc(op === "===");
      if (v.type.kind !== "ref" && v.type.kind !== "fn")
        throw fl.report.error(other, `'${excerpt(other)}' is a ${typeToString(v.type)}, it is never null`);
      const isNull = fl.val("ref_is_null", [v], {}, e);
      return op === "===" ? isNull : fl.val("bool_not", [isNull], {}, e);
    }
  }
  const l = lowerOperand(fl, e.left);
  const r = lowerOperand(fl, e.right);
  const tl = opType(l);
  const tr = opType(r);
  const numeric = (t: LLType | "num") => t === "num" || t.kind === "i32" || t.kind === "f64";
  if (numeric(tl) && numeric(tr)) return compareNumbers(fl, op, l, r, e);
  if (op !== "===" && op !== "!==") throw fl.report.error(e, `'${op}' compares numbers only`);
  const a = (l as { v: Value }).v;
  const b = (r as { v: Value }).v;
  if (!a || !b) throw fl.report.error(e, `cannot compare a number with '${excerpt(a ? e.right : e.left)}'`);
  if (a.type.kind === "bool" && b.type.kind === "bool") return fl.val(op === "===" ? "bool_eq" : "bool_ne", [a, b], {}, e);
  if (a.type.kind === "ref" && b.type.kind === "ref") {
    if (!isAssignable(fl.w.ll, a.type, b.type) && !isAssignable(fl.w.ll, b.type, a.type))
      throw fl.report.error(e, `comparing unrelated types ${typeToString(a.type)} and ${typeToString(b.type)}`);
    const eq = fl.val("ref_eq", [a, b], {}, e);
    return op === "===" ? eq : fl.val("bool_not", [eq], {}, e);
  }
  throw fl.report.error(e, `cannot compare a ${typeToString(a.type)} with a ${typeToString(b.type)}`);
}

function lowerPrefix(fl: FnLowerer, e: ts.PrefixUnaryExpression, expected: LLType | undefined): Value {
  switch (e.operator) {
    case K.PlusPlusToken:
    case K.MinusMinusToken:
      return lowerIncDec(fl, e, true);
    case K.ExclamationToken:
      return condValue(fl, e);
    case K.TildeToken:
      return fl.val("int_invert", [toI32Bits(fl, lowerOperand(fl, e.operand))], {}, e);
    case K.PlusToken: {
      const v = lowerExpr(fl, e.operand, expected);
      if (v.type.kind !== "i32" && v.type.kind !== "f64")
        throw fl.report.error(e, "unary `+` converts to a number: not supported", "write `c ? 1 : 0` for a bool");
      return v;
    }
    case K.MinusToken: {
      const v = lowerExpr(fl, e.operand, expected?.kind === "f64" ? F64 : undefined);
      if (v.type.kind === "f64") return fl.val("float_neg", [v], {}, e);
      if (v.type.kind === "i32") {
        if (expected?.kind === "f64") return fl.val("float_neg", [coerce(fl, v, F64, e.operand, "the operand")], {}, e);
        const x = excerpt(e.operand);
        throw fl.report.error(e, `\`-${x}\` on an i32 can leave the i32 range (-(-2^31) is 2^31)`, `write \`-${x} | 0\``);
      }
      throw fl.report.error(e, `cannot negate a ${typeToString(v.type)}`);
    }
  }
  throw fl.report.error(e, "this operator is not supported");
}

// ---- conditions -------------------------------------------------------------------------------

/** Branch to `t` if `e` is true, else to `f` (short-circuit operators become control flow). */
export function lowerCond(fl: FnLowerer, e0: ts.Expression, t: Block, f: Block): void {
  const e = skipParens(e0);
  const { ssa } = fl;
  const c = constantOf(fl, e);
  if (c && typeof c.value === "boolean") {
    ssa.jump(c.value ? t : f);
    return;
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === K.ExclamationToken) {
    lowerCond(fl, e.operand, f, t);
    return;
  }
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k === K.AmpersandAmpersandToken || k === K.BarBarToken) {
      const mid = ssa.block(k === K.AmpersandAmpersandToken ? "and" : "or");
      if (k === K.AmpersandAmpersandToken) lowerCond(fl, e.left, mid, f);
      else lowerCond(fl, e.left, t, mid);
      ssa.seal(mid);
      ssa.at(mid);
      lowerCond(fl, e.right, t, f);
      return;
    }
  }
  const v = lowerExpr(fl, e, BOOL);
  switch (v.type.kind) {
    case "bool":
      ssa.branch(v, t, f);
      return;
    case "i32":
      ssa.branch(fl.val("int_is_true", [v], {}, e), t, f);
      return;
    case "ref":
    case "fn":
      ssa.branch(fl.val("ref_is_null", [v], {}, e), f, t);
      return;
  }
  throw fl.report.error(e, `a condition must be a bool, not a ${typeToString(v.type)}`, "compare explicitly, e.g. `x !== 0`");
}

/** A condition as a bool value (for `&&`, `||`, `!` in value positions). */
function condValue(fl: FnLowerer, e: ts.Expression): Value {
  const { ssa } = fl;
  if (ts.isPrefixUnaryExpression(e) && e.operator === K.ExclamationToken) {
    const inner = skipParens(e.operand);
    const simple = !(
      ts.isBinaryExpression(inner) &&
      (inner.operatorToken.kind === K.AmpersandAmpersandToken || inner.operatorToken.kind === K.BarBarToken)
    );
    if (simple) {
      const v = lowerExpr(fl, inner, BOOL);
      if (v.type.kind === "bool") return fl.val("bool_not", [v], {}, e);
    }
  }
  const t = ssa.block("true");
  const f = ssa.block("false");
  const join = ssa.block("bool", [{ name: "c", type: BOOL }]);
  lowerCond(fl, e, t, f);
  ssa.seal(t);
  ssa.seal(f);
  ssa.at(t);
  ssa.jump(join, [boolc(true)]);
  ssa.at(f);
  ssa.jump(join, [boolc(false)]);
  ssa.seal(join);
  ssa.at(join);
  return join.params[0] as Value;
}

function lowerTernary(fl: FnLowerer, e: ts.ConditionalExpression, expected: LLType | undefined): Value {
  const { ssa } = fl;
  const t = ssa.block("then");
  const f = ssa.block("else");
  lowerCond(fl, e.condition, t, f);
  ssa.seal(t);
  ssa.seal(f);
  const arms: { end: Block; v: Value; node: ts.Node }[] = [];
  for (const [b, x] of [
    [t, e.whenTrue],
    [f, e.whenFalse],
  ] as const) {
    ssa.at(b);
    const v = lowerExpr(fl, x, expected);
    if (!fl.isDead) arms.push({ end: ssa.cur, v, node: x });
  }
  if (arms.length === 0) return zeroFor(expected);
  let type = (arms[0] as (typeof arms)[number]).v.type;
  for (const a of arms.slice(1)) type = unify(fl, type, a.v.type, e);
  if (type.kind === "null") type = expected?.kind === "ref" ? expected : type;
  if (type.kind === "void") throw fl.report.error(e, "the arms of '?:' have no value");
  const join = ssa.block("endif", [{ name: "x", type }]);
  for (const a of arms) {
    ssa.at(a.end);
    ssa.jump(join, [coerce(fl, a.v, type, a.node, "this arm")]);
  }
  ssa.seal(join);
  ssa.at(join);
  return join.params[0] as Value;
}

// ---- casts and literals -----------------------------------------------------------------------

function lowerCast(fl: FnLowerer, e: ts.AsExpression | ts.TypeAssertion): Value {
  if (ts.isConstTypeReference(e.type)) throw fl.report.error(e, "`as const` is not supported");
  const to = typeFromNode(fl.w, e.type, "local");
  const v = lowerExpr(fl, e.expression, to);
  if (typeEq(v.type, to)) return v;
  if (v.type.kind === "null" && to.kind === "ref") return constant(to, null);
  if (v.type.kind === "ref" && to.kind === "ref") {
    if (isAssignable(fl.w.ll, v.type, to)) return v;
    if (isAssignable(fl.w.ll, to, v.type) && structDef(fl.w.ll, to.name)) return fl.val("ref_cast", [v], { type: to.name }, e);
  }
  if ((v.type.kind === "i32" || v.type.kind === "f64") && (to.kind === "i32" || to.kind === "f64"))
    throw fl.report.error(
      e,
      "`as` does not convert numbers",
      to.kind === "i32" ? "use `x | 0` to truncate an f64 to an i32" : "an i32 converts to f64 by assignment",
    );
  throw fl.report.error(e, `cannot cast a ${typeToString(v.type)} to ${typeToString(to)}`);
}

function lowerArrayLiteral(fl: FnLowerer, e: ts.ArrayLiteralExpression, expected: LLType | undefined): Value {
  const def = expected?.kind === "ref" ? fl.w.ll.types.get(expected.name) : undefined;
  if (def?.kind !== "array" || def.item.kind === "u8" || (def.item.kind !== "ref" && def.item.kind !== "fn"))
    throw fl.report.error(
      e,
      "array literals are only supported where an Array<C> is expected",
      "annotate the variable, e.g. `const a: Array<C> = [x, y]`",
    );
  const item = def.item;
  const items = e.elements.map((x) => coerce(fl, lowerExpr(fl, x, item), item, x, "an array item"));
  return fl.val("newarray_init", items, { type: def.name }, e);
}
