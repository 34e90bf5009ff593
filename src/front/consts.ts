// Compile-time constants: expressions made of literals, `const` declarations with constant
// initialisers and operators on them are evaluated here with JavaScript's own operators, so a
// folded constant is exactly the value the untranslated interpreter computes. Constants have no
// LL type of their own: a number becomes an i32 or an f64 where it is used (see numeric.ts).

import ts from "typescript";

export type ConstVal = number | boolean;

/** Resolves an identifier to the initialiser of a `const` declaration, or null. */
export type ConstLookup = (id: ts.Identifier) => ts.Expression | null;

/** The value of a constant expression, or undefined when it is not one. Never reports. */
export function constEval(e: ts.Expression, lookup: ConstLookup, active: Set<ts.Node> = new Set()): ConstVal | undefined {
  if (active.has(e)) return undefined;
  active.add(e);
  try {
    return evalNode(e, lookup, active);
  } finally {
    active.delete(e);
  }
}

function evalNode(e: ts.Expression, lookup: ConstLookup, active: Set<ts.Node>): ConstVal | undefined {
  const ev = (x: ts.Expression) => constEval(x, lookup, active);
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isParenthesizedExpression(e)) return ev(e.expression);
  if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return ev(e.expression);
  if (ts.isIdentifier(e)) {
    const init = lookup(e);
    return init ? ev(init) : undefined;
  }
  if (ts.isPrefixUnaryExpression(e)) {
    const v = ev(e.operand);
    if (v === undefined) return undefined;
    switch (e.operator) {
      case ts.SyntaxKind.MinusToken:
        return typeof v === "number" ? -v : undefined;
      case ts.SyntaxKind.PlusToken:
        return typeof v === "number" ? v : undefined;
      case ts.SyntaxKind.TildeToken:
        return typeof v === "number" ? ~v : undefined;
      case ts.SyntaxKind.ExclamationToken:
        return typeof v === "boolean" ? !v : undefined;
    }
    return undefined;
  }
  if (ts.isConditionalExpression(e)) {
    const c = ev(e.condition);
    if (typeof c !== "boolean") return undefined;
    return c ? ev(e.whenTrue) : ev(e.whenFalse);
  }
  if (ts.isBinaryExpression(e)) {
    const a = ev(e.left);
    if (a === undefined) return undefined;
    const b = ev(e.right);
    if (b === undefined) return undefined;
    return binary(e.operatorToken.kind, a, b);
  }
  return undefined;
}

function binary(op: ts.SyntaxKind, a: ConstVal, b: ConstVal): ConstVal | undefined {
  const K = ts.SyntaxKind;
  if (typeof a === "boolean" || typeof b === "boolean") {
    if (typeof a !== "boolean" || typeof b !== "boolean") return undefined;
    switch (op) {
      case K.AmpersandAmpersandToken:
        return a && b;
      case K.BarBarToken:
        return a || b;
      case K.EqualsEqualsEqualsToken:
        return a === b;
      case K.ExclamationEqualsEqualsToken:
        return a !== b;
    }
    return undefined;
  }
  switch (op) {
    case K.PlusToken:
      return a + b;
    case K.MinusToken:
      return a - b;
    case K.AsteriskToken:
      return a * b;
    case K.SlashToken:
      return a / b;
    case K.PercentToken:
      return a % b;
    case K.AsteriskAsteriskToken:
      return a ** b;
    case K.BarToken:
      return a | b;
    case K.AmpersandToken:
      return a & b;
    case K.CaretToken:
      return a ^ b;
    case K.LessThanLessThanToken:
      return a << b;
    case K.GreaterThanGreaterThanToken:
      return a >> b;
    case K.GreaterThanGreaterThanGreaterThanToken:
      return a >>> b;
    case K.LessThanToken:
      return a < b;
    case K.LessThanEqualsToken:
      return a <= b;
    case K.GreaterThanToken:
      return a > b;
    case K.GreaterThanEqualsToken:
      return a >= b;
    case K.EqualsEqualsEqualsToken:
      return a === b;
    case K.ExclamationEqualsEqualsToken:
      return a !== b;
  }
  return undefined;
}

/** Is `x` a number an i32 can hold exactly? (-0 counts as 0.) */
export function isI32(x: number): boolean {
  return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647;
}
