// Lowering one function, method or constructor body to its LL graph: statements and control flow
// (if/else, while, do/while, for, labelled break/continue, switch on integers, return), local
// variables through the SSA builder, constructors (super call, field initialisers). Expressions
// are in expr.ts. A construct outside the subset is reported and abandons only the statement it is
// in, so one run reports many problems.

import ts from "typescript";
import { i32c } from "../ir/builder.ts";
import type { Block, OpAttrs, Value, Var } from "../ir/graph.ts";
import type { OpName } from "../ir/ops.ts";
import type { LLType } from "../ir/types.ts";
import { typeToString } from "../ir/types.ts";
import { ctorOf, findField } from "./classes.ts";
import type { ConstVal } from "./consts.ts";
import { isI32 } from "./consts.ts";
import { excerpt, nodeLoc, Rejected } from "./diagnostics.ts";
import { coerce, lowerCond, lowerExpr, lowerExprStatement } from "./expr.ts";
import type { Liveness } from "../ir/liveness.ts";
import { computeLiveness, liveAfter } from "../ir/liveness.ts";
import { SSABuilder } from "./ssa.ts";
import { typeFromNode } from "./typemap.ts";
import type { FuncInfo, World } from "./world.ts";

interface Target {
  readonly label: string | null;
  readonly breakTo: Block;
  /** Null for switch statements and labelled blocks. */
  readonly continueTo: Block | null;
}

/** A local `const` folded to a constant (with its declared scalar type, if annotated). */
export interface LocalConst {
  readonly value: ConstVal;
  readonly type: LLType | null;
}

export class FnLowerer {
  readonly w: World;
  readonly fi: FuncInfo;
  readonly ssa: SSABuilder;
  /** SSA key of `this`. */
  readonly THIS = { name: "this" };
  /** Variables whose declaration was rejected: uses are rejected silently. */
  readonly poisoned = new Set<object>();
  readonly localConsts = new Map<ts.Symbol, LocalConst>();
  private readonly targets: Target[] = [];
  /** Blocks made by `dead()`: unreachable code after return, break, fail(). */
  private readonly deadBlocks = new Set<Block>();
  private superDone = false;
  /** Some statement was rejected: the end-of-function check would only repeat the problem. */
  private rejected = false;

  constructor(w: World, fi: FuncInfo) {
    this.w = w;
    this.fi = fi;
    this.ssa = new SSABuilder(fi.gb);
  }

  get report() {
    return this.w.report;
  }

  // ---- emitting ---------------------------------------------------------------------------------

  /** Append an op located at `node`. */
  emit(op: OpName, args: Value[], attrs: OpAttrs, node: ts.Node): Var | null {
    this.fi.gb.loc = nodeLoc(node);
    return this.fi.gb.op(op, args, attrs);
  }

  val(op: OpName, args: Value[], attrs: OpAttrs, node: ts.Node): Var {
    const r = this.emit(op, args, attrs, node);
    if (!r) throw new Error(`op ${op} produced no value`);
    return r;
  }

  /** Continue in a fresh unreachable block (after return, break, continue, fail). */
  dead(): void {
    this.ssa.dead();
    this.deadBlocks.add(this.ssa.cur);
  }

  /** Is the current block known to be unreachable? */
  get isDead(): boolean {
    return this.deadBlocks.has(this.ssa.cur);
  }

  /** End the block with a guest error (fail("...")), then continue in a dead block. */
  raiseMessage(text: string, node: ts.Node): void {
    this.fi.gb.loc = nodeLoc(node);
    this.ssa.close({ kind: "raise", value: i32c(this.w.messageIndex(text)) });
    this.dead();
  }

  // ---- the whole function -----------------------------------------------------------------------

  run(): void {
    const { fi, ssa } = this;
    fi.params.forEach((p, i) => {
      const key = p.symbol ?? this.THIS;
      ssa.declare(key, p.name, p.type);
      ssa.write(key, fi.gb.params[i] as Var);
      if (p.broken) this.poisoned.add(key);
    });
    const d = fi.decl;
    if (ts.isClassDeclaration(d)) this.implicitConstructor();
    else {
      if (!d.body) throw this.report.error(d, "a function without a body cannot be translated");
      if (fi.kind === "ctor" && !fi.cls?.parent) this.fieldInitialisers(d);
      this.statements(d.body.statements);
    }
    let end: Block | null = null;
    if (!ssa.closed) {
      if (fi.result.kind === "void") ssa.close({ kind: "return", value: null });
      else {
        // reported below if reachable (then the program is not used, so no message is needed)
        end = ssa.cur;
        ssa.close({ kind: "raise", value: i32c(0) });
      }
    }
    ssa.finish();
    if (!this.rejected) this.checkMergePoints();
    if (end && !this.rejected && fi.gb.graph.blocks.includes(end)) {
      const at = !ts.isClassDeclaration(d) && d.body ? (d.body.getLastToken() ?? d) : d;
      this.report.error(
        at,
        `'${fi.gb.graph.name}' can reach its end without returning a value`,
        'add a return (or fail("...")) at the end',
      );
    }
  }

  /**
   * Every value live across a merge point must be one of its greens or reds (compiled code is
   * entered and left there with exactly those values): report the others by their variable names.
   */
  private checkMergePoints(): void {
    const g = this.fi.gb.graph;
    let lv: Liveness | null = null;
    for (const b of g.blocks) {
      b.ops.forEach((o, i) => {
        if (o.op !== "jit_merge_point") return;
        lv ??= computeLiveness(g);
        const named = new Set(o.args);
        const missing = [...liveAfter(lv, b, i)].filter((v) => !named.has(v)).map((v) => `'${v.name}'`);
        if (missing.length === 0) return;
        const loc = o.loc ?? nodeLoc(this.fi.decl);
        const them = missing.length > 1 ? "them" : "it";
        this.report.at(
          loc,
          `${[...new Set(missing)].join(", ")} ${missing.length > 1 ? "are" : "is"} live across the merge point but neither green nor red`,
          `name ${them} in mergePoint (as a red, or a green if constant for a piece of guest code), or compute ${them} again after it`,
        );
      });
    }
  }

  private implicitConstructor(): void {
    const c = this.fi.cls;
    if (!c) return;
    const pc = c.parent ? ctorOf(this.w, c.parent) : null;
    if (pc) {
      const args = this.fi.gb.params;
      this.emit("call", [...args], { callee: pc.gb.graph.name }, c.decl);
    }
    this.fieldInitialisers(c.decl);
  }

  /** `this.f = <initialiser>` for the class's own fields that have one. */
  fieldInitialisers(_at: ts.Node): void {
    const c = this.fi.cls;
    if (!c) return;
    const self = this.ssa.read(this.THIS);
    for (const p of c.initialised) {
      this.guard(() => {
        const f = findField(c, p.name.getText());
        if (!f || !p.initializer) return;
        const v = coerce(this, lowerExpr(this, p.initializer, f.type), f.type, p.initializer, `field '${f.name}'`);
        this.emit("setfield", [self, v], { type: c.name, field: f.name }, p);
      });
    }
  }

  /** `super(...)` in a constructor: the parent's constructor, then this class's field initialisers. */
  superCall(e: ts.CallExpression): void {
    const c = this.fi.cls;
    if (this.fi.kind !== "ctor" || !c?.parent) throw this.report.error(e, "`super(...)` outside a constructor of a subclass");
    if (this.superDone) throw this.report.error(e, "`super(...)` must be called once, as a statement of the constructor");
    this.superDone = true;
    const pc = ctorOf(this.w, c.parent);
    if (pc) {
      if (!pc.ok) throw new Rejected();
      const args: Value[] = [this.ssa.read(this.THIS)];
      pc.params.slice(1).forEach((p, i) => {
        const a = e.arguments[i];
        if (!a) throw this.report.error(e, `missing argument '${p.name}'`);
        args.push(coerce(this, lowerExpr(this, a, p.type), p.type, a, `argument '${p.name}'`));
      });
      this.emit("call", args, { callee: pc.gb.graph.name }, e);
    } else if (e.arguments.length > 0) throw this.report.error(e, "the parent constructor takes no arguments");
    this.fieldInitialisers(e);
  }

  // ---- statements -------------------------------------------------------------------------------

  /** Run `f`; a rejected construct abandons only it. */
  guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      this.rejected = true;
      if (this.ssa.closed) this.dead();
    }
  }

  statements(list: readonly ts.Statement[]): void {
    for (const s of list) this.statement(s);
  }

  statement(s: ts.Statement, label: string | null = null): void {
    this.guard(() => this.statementInner(s, label));
  }

  private statementInner(s: ts.Statement, label: string | null): void {
    const K = ts.SyntaxKind;
    switch (s.kind) {
      case K.Block:
        this.statements((s as ts.Block).statements);
        return;
      case K.EmptyStatement:
        return;
      case K.VariableStatement:
        this.variables((s as ts.VariableStatement).declarationList);
        return;
      case K.ExpressionStatement:
        this.expressionStatement((s as ts.ExpressionStatement).expression);
        return;
      case K.IfStatement:
        this.ifStatement(s as ts.IfStatement);
        return;
      case K.WhileStatement:
        this.whileStatement(s as ts.WhileStatement, label);
        return;
      case K.DoStatement:
        this.doStatement(s as ts.DoStatement, label);
        return;
      case K.ForStatement:
        this.forStatement(s as ts.ForStatement, label);
        return;
      case K.BreakStatement:
      case K.ContinueStatement:
        this.jumpStatement(s as ts.BreakOrContinueStatement);
        return;
      case K.ReturnStatement:
        this.returnStatement(s as ts.ReturnStatement);
        return;
      case K.SwitchStatement:
        this.switchStatement(s as ts.SwitchStatement, label);
        return;
      case K.LabeledStatement:
        this.labeled(s as ts.LabeledStatement);
        return;
      case K.ForOfStatement:
      case K.ForInStatement:
        throw this.report.error(
          s,
          `'${s.kind === K.ForOfStatement ? "for...of" : "for...in"}' loops are not supported`,
          "write `for (let i = 0; i < a.length; i = (i + 1) | 0)`",
        );
      case K.ThrowStatement:
        throw this.report.error(s, "exceptions are not supported", 'report guest errors with fail("message")');
      case K.TryStatement:
        throw this.report.error(s, "try/catch is not supported", 'report guest errors with fail("message"); they end the run');
      case K.FunctionDeclaration:
        throw this.report.error(
          s,
          "nested functions are not supported (no closures)",
          "declare the function at module level and pass what it needs",
        );
      case K.ClassDeclaration:
        throw this.report.error(s, "classes must be declared at module level");
      case K.DebuggerStatement:
        return;
    }
    throw this.report.error(s, `this statement is not supported: '${excerpt(s)}'`);
  }

  private expressionStatement(e: ts.Expression): void {
    if (ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.SuperKeyword) {
      this.superCall(e);
      return;
    }
    lowerExprStatement(this, e);
  }

  private variables(list: ts.VariableDeclarationList): void {
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    if (!(list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)))
      throw this.report.error(list, "`var` is not supported", "use `let` or `const`");
    for (const d of list.declarations) this.guard(() => this.variable(d, isConst));
  }

  private variable(d: ts.VariableDeclaration, isConst: boolean): void {
    if (!ts.isIdentifier(d.name)) throw this.report.error(d.name, "destructuring is not supported", "declare one variable per value");
    const sym = this.w.checker.getSymbolAtLocation(d.name);
    if (!sym) throw this.report.error(d.name, "cannot resolve this variable");
    const name = d.name.text;
    try {
      const declared = d.type ? typeFromNode(this.w, d.type, "local") : null;
      if (
        isConst &&
        d.initializer &&
        (declared === null || declared.kind === "i32" || declared.kind === "f64" || declared.kind === "bool")
      ) {
        const v = this.w.constValue(d.initializer);
        if (v !== undefined) {
          checkConstType(this, v, declared, d.initializer);
          this.localConsts.set(sym, { value: v, type: declared });
          return;
        }
      }
      let value: Value;
      let type: LLType;
      if (d.initializer) {
        const v = lowerExpr(this, d.initializer, declared ?? undefined);
        if (declared) {
          type = declared;
          value = coerce(this, v, declared, d.initializer, `'${name}'`);
        } else {
          if (v.type.kind === "null")
            throw this.report.error(
              d.name,
              `the type of '${name}' cannot be inferred from null`,
              `annotate it: \`let ${name}: C | null = null\``,
            );
          if (v.type.kind === "void") throw this.report.error(d.initializer, "this call returns no value");
          type = v.type;
          value = v;
        }
      } else {
        if (!declared)
          throw this.report.error(d.name, `'${name}' needs a type annotation or an initialiser`, `e.g. \`let ${name}: i32 = 0\``);
        type = declared;
        value = zeroOf(type);
      }
      this.ssa.declare(sym, name, type);
      this.ssa.write(sym, value);
    } catch (e) {
      if (e instanceof Rejected) this.poisoned.add(sym);
      throw e;
    }
  }

  private ifStatement(s: ts.IfStatement): void {
    const { ssa } = this;
    const thenB = ssa.block("then");
    const join = ssa.block("endif");
    const elseB = s.elseStatement ? ssa.block("else") : join;
    lowerCond(this, s.expression, thenB, elseB);
    ssa.seal(thenB);
    if (elseB !== join) ssa.seal(elseB);
    ssa.at(thenB);
    this.statement(s.thenStatement);
    if (!ssa.closed) ssa.jump(join);
    if (s.elseStatement) {
      ssa.at(elseB);
      this.statement(s.elseStatement);
      if (!ssa.closed) ssa.jump(join);
    }
    ssa.seal(join);
    ssa.at(join);
  }

  /** Run `body` with a break/continue target pushed. */
  private withTarget(t: Target, body: () => void): void {
    this.targets.push(t);
    try {
      body();
    } finally {
      this.targets.pop();
    }
  }

  private whileStatement(s: ts.WhileStatement, label: string | null): void {
    const { ssa } = this;
    const head = ssa.block("while");
    const body = ssa.block("body");
    const exit = ssa.block("endwhile");
    ssa.jump(head);
    ssa.at(head);
    lowerCond(this, s.expression, body, exit);
    ssa.seal(body);
    ssa.at(body);
    this.withTarget({ label, breakTo: exit, continueTo: head }, () => this.statement(s.statement));
    if (!ssa.closed) ssa.jump(head);
    ssa.seal(head);
    ssa.seal(exit);
    ssa.at(exit);
  }

  private doStatement(s: ts.DoStatement, label: string | null): void {
    const { ssa } = this;
    const body = ssa.block("do");
    const test = ssa.block("dowhile");
    const exit = ssa.block("enddo");
    ssa.jump(body);
    ssa.at(body);
    this.withTarget({ label, breakTo: exit, continueTo: test }, () => this.statement(s.statement));
    if (!ssa.closed) ssa.jump(test);
    ssa.seal(test);
    ssa.at(test);
    lowerCond(this, s.expression, body, exit);
    ssa.seal(body);
    ssa.seal(exit);
    ssa.at(exit);
  }

  private forStatement(s: ts.ForStatement, label: string | null): void {
    const { ssa } = this;
    if (s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) this.variables(s.initializer);
      else lowerExprStatement(this, s.initializer);
    }
    const head = ssa.block("for");
    const body = ssa.block("body");
    const next = ssa.block("next");
    const exit = ssa.block("endfor");
    ssa.jump(head);
    ssa.at(head);
    if (s.condition) lowerCond(this, s.condition, body, exit);
    else ssa.jump(body);
    ssa.seal(body);
    ssa.at(body);
    this.withTarget({ label, breakTo: exit, continueTo: next }, () => this.statement(s.statement));
    if (!ssa.closed) ssa.jump(next);
    ssa.seal(next);
    ssa.at(next);
    if (s.incrementor) {
      const inc = s.incrementor;
      this.guard(() => lowerExprStatement(this, inc));
    }
    if (!ssa.closed) ssa.jump(head);
    ssa.seal(head);
    ssa.seal(exit);
    ssa.at(exit);
  }

  private labeled(s: ts.LabeledStatement): void {
    const label = s.label.text;
    const inner = s.statement;
    if (ts.isWhileStatement(inner) || ts.isDoStatement(inner) || ts.isForStatement(inner) || ts.isSwitchStatement(inner)) {
      this.statement(inner, label);
      return;
    }
    const exit = this.ssa.block(`end_${label}`);
    this.withTarget({ label, breakTo: exit, continueTo: null }, () => this.statement(inner));
    if (!this.ssa.closed) this.ssa.jump(exit);
    this.ssa.seal(exit);
    this.ssa.at(exit);
  }

  private jumpStatement(s: ts.BreakOrContinueStatement): void {
    const isBreak = s.kind === ts.SyntaxKind.BreakStatement;
    const label = s.label?.text ?? null;
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i] as Target;
      if (label !== null ? t.label !== label : !isBreak && t.continueTo === null) continue;
      const to = isBreak ? t.breakTo : t.continueTo;
      if (!to) throw this.report.error(s, `'continue ${label}' names a label that is not a loop`);
      this.fi.gb.loc = nodeLoc(s);
      this.ssa.jump(to);
      this.dead();
      return;
    }
    throw this.report.error(
      s,
      `'${s.getText()}' has no enclosing ${isBreak ? "loop or switch" : "loop"}${label ? ` labelled '${label}'` : ""}`,
    );
  }

  private returnStatement(s: ts.ReturnStatement): void {
    const r = this.fi.result;
    let v: Value | null = null;
    if (s.expression) {
      if (r.kind === "void") lowerExprStatement(this, s.expression);
      else v = coerce(this, lowerExpr(this, s.expression, r), r, s.expression, "the returned value");
    } else if (r.kind !== "void") throw this.report.error(s, `'${this.fi.gb.graph.name}' must return a ${typeToString(r)}`);
    this.fi.gb.loc = nodeLoc(s);
    this.ssa.close({ kind: "return", value: v });
    this.dead();
  }

  private switchStatement(s: ts.SwitchStatement, label: string | null): void {
    const { ssa } = this;
    const subject = coerce(this, lowerExpr(this, s.expression, { kind: "i32" }), { kind: "i32" }, s.expression, "the switch value");
    if (subject.type.kind !== "i32") throw this.report.error(s.expression, "switch works on i32 values only", "use if/else");
    const clauses = s.caseBlock.clauses;
    const blocks: Block[] = clauses.map((c) => {
      if (ts.isDefaultClause(c)) return ssa.block("default");
      const v = this.w.constValue(c.expression);
      return ssa.block(typeof v === "number" && isI32(v) ? `case${v < 0 ? `_${-v}` : v}` : "case");
    });
    const exit = ssa.block("endswitch");
    // An empty clause shares the block of the next non-empty one (`case 1: case 2: ...`).
    const entry: Block[] = [];
    let nextNonEmpty: Block = exit;
    for (let i = clauses.length - 1; i >= 0; i--) {
      if ((clauses[i] as ts.CaseOrDefaultClause).statements.length > 0) nextNonEmpty = blocks[i] as Block;
      entry[i] = nextNonEmpty;
    }
    const cases: { value: number; link: { target: Block; args: Value[] } }[] = [];
    const seen = new Set<number>();
    let dflt: Block = exit;
    let bad = false;
    clauses.forEach((c, i) => {
      if (ts.isDefaultClause(c)) {
        dflt = entry[i] as Block;
        return;
      }
      const v = caseValue(this, c.expression);
      if (v === null) {
        bad = true;
        return;
      }
      if (seen.has(v)) return; // a later duplicate is never taken
      seen.add(v);
      cases.push({ value: v, link: { target: entry[i] as Block, args: [] } });
    });
    if (bad) throw new Rejected();
    this.fi.gb.loc = nodeLoc(s);
    ssa.close({ kind: "switch", value: subject, cases, default: { target: dflt, args: [] } });
    this.withTarget({ label, breakTo: exit, continueTo: null }, () => {
      clauses.forEach((c, i) => {
        if (c.statements.length === 0) return;
        const b = blocks[i] as Block;
        ssa.seal(b);
        ssa.at(b);
        this.statements(c.statements);
        // falling through into the next clause
        if (!ssa.closed) ssa.jump(entry[i + 1] ?? exit);
      });
    });
    ssa.seal(exit);
    ssa.at(exit);
  }
}

function zeroOf(t: LLType): Value {
  switch (t.kind) {
    case "i32":
      return i32c(0);
    case "f64":
      return { kind: "const", type: t, value: 0 };
    case "bool":
      return { kind: "const", type: t, value: false };
    default:
      return { kind: "const", type: t, value: null };
  }
}

/** A case label's value: a constant i32. Reports and returns null otherwise. */
function caseValue(fl: FnLowerer, e: ts.Expression): number | null {
  const v = fl.w.constValue(e);
  if (typeof v === "number" && isI32(v)) return v | 0;
  fl.report.error(
    e,
    `case labels must be constant integers, not '${excerpt(e)}'`,
    "use literals or module-level `const` numbers, or if/else",
  );
  return null;
}

function checkConstType(fl: FnLowerer, v: ConstVal, declared: LLType | null, at: ts.Node): void {
  if (!declared) return;
  const ok =
    (declared.kind === "bool" && typeof v === "boolean") ||
    (declared.kind === "f64" && typeof v === "number") ||
    (declared.kind === "i32" && typeof v === "number" && isI32(v));
  if (!ok)
    throw fl.report.error(
      at,
      `the constant ${String(v)} is not a ${declared.kind}`,
      declared.kind === "i32" ? "write an integer in [-2^31, 2^31), or `| 0`" : undefined,
    );
}

/** Lower every queued function of the world until the worklist is empty. */
export function lowerAll(w: World): void {
  for (let fi = w.worklist.shift(); fi; fi = w.worklist.shift()) {
    if (fi.lowered) continue;
    fi.lowered = true;
    const fl = new FnLowerer(w, fi);
    try {
      fl.run();
    } catch (e) {
      if (e instanceof Rejected) continue;
      const at = ts.isClassDeclaration(fi.decl) ? fi.decl : fi.decl;
      const msg = e instanceof Error ? e.message : String(e);
      w.report.error(at, `internal error of the front end while lowering '${fi.gb.graph.name}': ${msg}`, "please report it with this file");
    }
  }
}
