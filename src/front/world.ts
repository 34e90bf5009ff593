// The closed world of one interpreter: the TypeScript program and checker, the LL Program being
// built, and what has been found reachable from the entry so far — functions and methods (one
// graph each, declared when first referenced and lowered from a worklist), classes (structs),
// module-level constants (folded), module-level `let`s (globals), JIT drivers and guest error
// messages. Also: resolving identifiers to declarations and recognising the hints module's names.

import ts from "typescript";
import { GraphBuilder } from "../ir/builder.ts";
import type { DriverDef, GraphFlags, Program } from "../ir/graph.ts";
import { newProgram } from "../ir/graph.ts";
import { declareStdHosts } from "../ir/hosts.ts";
import type { LLType } from "../ir/types.ts";
import { I32, NULL_T, VOID } from "../ir/types.ts";
import type { ClassInfo } from "./classes.ts";
import { classOf, ctorOf } from "./classes.ts";
import type { ConstVal } from "./consts.ts";
import { constEval } from "./consts.ts";
import type { Reporter } from "./diagnostics.ts";
import { nodeLoc, Rejected } from "./diagnostics.ts";
import { isHintsFile, isUserFile } from "./tsprogram.ts";
import { typeFromNode, typeFromTsType } from "./typemap.ts";

export type FuncDecl = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration;

export interface ParamInfo {
  readonly name: string;
  readonly type: LLType;
  /** The parameter's symbol (the SSA key of the variable), null for `this`. */
  readonly symbol: ts.Symbol | null;
  /** The declared type could not be mapped (reported): uses of the parameter are rejected silently. */
  readonly broken: boolean;
}

/** The signature of a function, method or constructor. */
export interface Signature {
  /** The declaration; for an implicit constructor, the class. */
  readonly decl: FuncDecl | ts.ClassDeclaration;
  readonly kind: "function" | "method" | "static" | "ctor";
  readonly cls: ClassInfo | null;
  /** Parameters of the graph, `this` first for methods and constructors. */
  readonly params: ParamInfo[];
  readonly result: LLType;
  /** Declared to return `never`: a call ends the block. */
  readonly neverReturns: boolean;
  /** False when the signature had errors (reported): calls are rejected silently. */
  readonly ok: boolean;
  /** The graph name before it is made unique. */
  readonly baseName: string;
}

/** One function, method or constructor: a graph. */
export interface FuncInfo extends Signature {
  readonly gb: GraphBuilder;
  lowered: boolean;
}

export class World {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly ll: Program;
  readonly report: Reporter;
  readonly funcs = new Map<ts.Node, FuncInfo>();
  private readonly signatures = new Map<ts.Node, Signature>();
  readonly classes = new Map<ts.ClassDeclaration, ClassInfo>();
  /** Struct name → class. */
  readonly classByStruct = new Map<string, ClassInfo>();
  readonly globals = new Map<ts.Symbol, string>();
  readonly driverBySymbol = new Map<ts.Symbol, DriverDef>();
  readonly worklist: FuncInfo[] = [];
  /** Source ranges of everything translated, per file: TypeScript errors inside them are reported. */
  readonly translatedRanges = new Map<ts.SourceFile, [number, number][]>();
  private readonly constCache = new Map<ts.Symbol, ConstVal | null>();
  private readonly usedNames = new Set<string>();
  private subclassMap: Map<ts.ClassDeclaration, ts.ClassDeclaration[]> | null = null;

  constructor(program: ts.Program, report: Reporter) {
    this.program = program;
    this.checker = program.getTypeChecker();
    this.report = report;
    this.ll = newProgram();
    declareStdHosts(this.ll);
  }

  /** Mark a declaration as translated (its TypeScript errors are reported). */
  translated(node: ts.Node): void {
    const sf = node.getSourceFile();
    const list = this.translatedRanges.get(sf) ?? [];
    list.push([node.getFullStart(), node.getEnd()]);
    this.translatedRanges.set(sf, list);
  }

  /** A name not used yet by a graph, type or global (`base`, then `base$2`, ...). */
  uniqueName(base: string): string {
    let n = base;
    for (let k = 2; this.usedNames.has(n) || this.ll.types.has(n); k++) n = `${base}$${k}`;
    this.usedNames.add(n);
    return n;
  }

  // ---- symbols ----------------------------------------------------------------------------------

  /** The symbol a name refers to, with imports followed to the original declaration. */
  resolve(node: ts.Node): ts.Symbol | undefined {
    const s = this.checker.getSymbolAtLocation(node);
    return s ? this.unalias(s) : undefined;
  }

  unalias(s: ts.Symbol): ts.Symbol {
    if (s.flags & ts.SymbolFlags.Alias) {
      try {
        return this.checker.getAliasedSymbol(s);
      } catch {
        return s;
      }
    }
    return s;
  }

  /** The name of a hints-module export that `s` is, or undefined. */
  hintName(s: ts.Symbol | undefined): string | undefined {
    const d = s?.declarations?.[0];
    return d && isHintsFile(d.getSourceFile()) ? s?.name : undefined;
  }

  decl(s: ts.Symbol | undefined): ts.Declaration | undefined {
    return s?.valueDeclaration ?? s?.declarations?.[0];
  }

  // ---- constants and globals ----------------------------------------------------------------------

  /** The initialiser of a `const` variable declaration that `id` refers to, or null. */
  readonly constInit = (id: ts.Identifier): ts.Expression | null => {
    const d = this.decl(this.resolve(id));
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !ts.isIdentifier(d.name)) return null;
    const list = d.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return null;
    return d.initializer;
  };

  /** The value of a constant expression (literals, consts, operators), or undefined. */
  constValue(e: ts.Expression): ConstVal | undefined {
    return constEval(e, this.constInit);
  }

  /** The folded value of a const symbol, or null when its initialiser is not constant. */
  constOfSymbol(s: ts.Symbol): ConstVal | null {
    if (this.constCache.has(s)) return this.constCache.get(s) as ConstVal | null;
    const d = this.decl(s);
    let v: ConstVal | null = null;
    if (
      d &&
      ts.isVariableDeclaration(d) &&
      d.initializer &&
      ts.isVariableDeclarationList(d.parent) &&
      d.parent.flags & ts.NodeFlags.Const
    ) {
      v = this.constValue(d.initializer) ?? null;
    }
    this.constCache.set(s, v);
    return v;
  }

  /** The LL global of a module-level `let`, declared on first use. */
  globalFor(s: ts.Symbol, use: ts.Node): string {
    const known = this.globals.get(s);
    if (known) return known;
    const d = this.decl(s) as ts.VariableDeclaration;
    this.translated(d);
    let type: LLType;
    if (d.type) type = typeFromNode(this, d.type, "global");
    else if (d.initializer && this.constValue(d.initializer) !== undefined) {
      const v = this.constValue(d.initializer);
      type = typeof v === "boolean" ? { kind: "bool" } : Number.isInteger(v) ? I32 : { kind: "f64" };
    } else throw this.report.error(d, `module-level variable '${d.name.getText()}' needs a type annotation`, "e.g. `let count: i32 = 0`");
    const init = this.globalInit(d, type, use);
    const name = this.uniqueName(d.name.getText());
    this.ll.globals.set(name, { name, type, mutable: true, init });
    this.globals.set(s, name);
    return name;
  }

  private globalInit(d: ts.VariableDeclaration, type: LLType, _use: ts.Node) {
    const bad = (): Rejected =>
      this.report.error(
        d.initializer ?? d,
        `module-level variable '${d.name.getText()}' must start with a constant value`,
        type.kind === "ref"
          ? "initialise it with `null` and create the object in the entry function"
          : "write a literal or a constant expression",
      );
    if (!d.initializer) {
      if (type.kind === "ref" || type.kind === "fn") return { kind: "const" as const, type, value: null };
      throw bad();
    }
    if (d.initializer.kind === ts.SyntaxKind.NullKeyword) {
      if (type.kind !== "ref") throw bad();
      return { kind: "const" as const, type: NULL_T, value: null };
    }
    const v = this.constValue(d.initializer);
    if (v === undefined) throw bad();
    if (type.kind === "bool" && typeof v === "boolean") return { kind: "const" as const, type, value: v };
    if (type.kind === "f64" && typeof v === "number") return { kind: "const" as const, type, value: v };
    if (type.kind === "i32" && typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)
      return { kind: "const" as const, type, value: v | 0 };
    throw bad();
  }

  // ---- messages ---------------------------------------------------------------------------------

  /** The index of a guest error message (Program.messages), added if new. */
  messageIndex(text: string): number {
    const i = this.ll.messages.indexOf(text);
    if (i >= 0) return i;
    this.ll.messages.push(text);
    return this.ll.messages.length - 1;
  }

  // ---- functions --------------------------------------------------------------------------------

  /** The graph of a function, method or constructor, declared (and queued for lowering) on first use. */
  funcFor(decl: FuncDecl | ts.ClassDeclaration, cls: ClassInfo | null): FuncInfo {
    const known = this.funcs.get(decl);
    if (known) return known;
    const sig = this.signatureOf(decl, cls);
    const flags = ts.isClassDeclaration(decl) ? {} : graphFlags(decl);
    const gb = new GraphBuilder(this.ll, this.uniqueName(sig.baseName), sig.params, sig.result, flags);
    gb.graph.loc = nodeLoc(ts.isClassDeclaration(decl) || ts.isConstructorDeclaration(decl) ? decl : (decl.name ?? decl));
    const fi: FuncInfo = { ...sig, gb, lowered: false };
    this.funcs.set(decl, fi);
    this.worklist.push(fi);
    this.translated(decl);
    return fi;
  }

  /** The parameters and result of a function, method or constructor (reported once if wrong). */
  signatureOf(decl: FuncDecl | ts.ClassDeclaration, cls: ClassInfo | null): Signature {
    const known = this.signatures.get(decl);
    if (known) return known;
    const ok = { value: true };
    const params: ParamInfo[] = [];
    let kind: FuncInfo["kind"] = "function";
    let baseName: string;
    let result: LLType = VOID;
    let neverReturns = false;
    if (ts.isClassDeclaration(decl) || ts.isConstructorDeclaration(decl)) {
      const c = cls as ClassInfo;
      kind = "ctor";
      baseName = `${c.name}.constructor`;
      params.push({ name: "this", type: { kind: "ref", name: c.name }, symbol: null, broken: false });
      if (ts.isConstructorDeclaration(decl)) params.push(...this.paramsOf(decl, ok));
      else if (c.parent) {
        const pc = ctorOf(this, c.parent);
        if (pc) params.push(...pc.params.slice(1));
      }
    } else {
      if (ts.isMethodDeclaration(decl)) {
        const c = cls as ClassInfo;
        const isStatic = (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Static) !== 0;
        kind = isStatic ? "static" : "method";
        baseName = `${c.name}.${decl.name.getText()}`;
        if (!isStatic) params.push({ name: "this", type: { kind: "ref", name: c.name }, symbol: null, broken: false });
      } else baseName = decl.name?.getText() ?? "function";
      const mods = ts.getCombinedModifierFlags(decl);
      if (mods & ts.ModifierFlags.Async) {
        this.report.error(decl.name ?? decl, "async functions are not supported", "write synchronous code");
        ok.value = false;
      }
      if (decl.asteriskToken) {
        this.report.error(decl.name ?? decl, "generators are not supported", "write a loop");
        ok.value = false;
      }
      if (decl.typeParameters) {
        this.report.error(decl.typeParameters[0] as ts.Node, "generic functions are not supported", "write one function per concrete type");
        ok.value = false;
      }
      params.push(...this.paramsOf(decl, ok));
      if (ok.value || !(mods & ts.ModifierFlags.Async)) {
        const r = this.resultOf(decl, ok);
        result = r.type;
        neverReturns = r.never;
      }
    }
    const sig: Signature = { decl, kind, cls, params, result, neverReturns, ok: ok.value, baseName };
    this.signatures.set(decl, sig);
    return sig;
  }

  private paramsOf(decl: ts.SignatureDeclaration, ok: { value: boolean }): ParamInfo[] {
    const out: ParamInfo[] = [];
    for (const p of decl.parameters) {
      let broken = false;
      const fail = (node: ts.Node, what: string, fix: string) => {
        this.report.error(node, what, fix);
        broken = true;
        ok.value = false;
      };
      if (!ts.isIdentifier(p.name)) fail(p.name, "destructuring parameters are not supported", "take the object and read its fields");
      else if (p.dotDotDotToken) fail(p, "rest parameters are not supported", "pass an array");
      else if (p.questionToken || p.initializer)
        fail(p, "optional parameters and default values are not supported", "pass every argument explicitly");
      let type: LLType = I32;
      if (!p.type) {
        if (!broken) fail(p.name, `parameter '${p.name.getText()}' needs a type annotation`, "e.g. `x: i32`, `y: f64`, `code: Int32Array`");
      } else {
        try {
          type = typeFromNode(this, p.type, "parameter");
        } catch (e) {
          if (!(e instanceof Rejected)) throw e;
          broken = true;
          ok.value = false;
        }
      }
      const symbol = this.checker.getSymbolAtLocation(p.name) ?? null;
      out.push({ name: p.name.getText(), type, symbol, broken });
    }
    return out;
  }

  private resultOf(decl: ts.FunctionDeclaration | ts.MethodDeclaration, ok: { value: boolean }): { type: LLType; never: boolean } {
    try {
      if (decl.type) {
        if (decl.type.kind === ts.SyntaxKind.NeverKeyword) return { type: VOID, never: true };
        return { type: typeFromNode(this, decl.type, "result"), never: false };
      }
      const sig = this.checker.getSignatureFromDeclaration(decl);
      const rt = sig ? this.checker.getReturnTypeOfSignature(sig) : undefined;
      if (rt && rt.flags & ts.TypeFlags.Never) return { type: VOID, never: true };
      return { type: typeFromTsType(this, rt, decl.name ?? decl, "result"), never: false };
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      ok.value = false;
      return { type: VOID, never: false };
    }
  }

  // ---- classes ----------------------------------------------------------------------------------

  classInfo(decl: ts.ClassDeclaration): ClassInfo {
    return classOf(this, decl);
  }

  /** Direct subclasses of a class, among every class of the user's files (closed world). */
  subclassesOf(decl: ts.ClassDeclaration): ts.ClassDeclaration[] {
    if (!this.subclassMap) {
      const m = new Map<ts.ClassDeclaration, ts.ClassDeclaration[]>();
      const visit = (n: ts.Node): void => {
        if (ts.isClassDeclaration(n)) {
          const parent = this.parentDecl(n);
          if (parent) m.set(parent, [...(m.get(parent) ?? []), n]);
        }
        ts.forEachChild(n, visit);
      };
      for (const sf of this.program.getSourceFiles()) if (isUserFile(sf)) visit(sf);
      this.subclassMap = m;
    }
    return this.subclassMap.get(decl) ?? [];
  }

  /** The class a class declaration extends, if any (null when it extends nothing or something unresolvable). */
  parentDecl(c: ts.ClassDeclaration): ts.ClassDeclaration | null {
    for (const h of c.heritageClauses ?? []) {
      if (h.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      const t = h.types[0];
      if (!t) continue;
      const d = this.decl(this.resolve(t.expression));
      return d && ts.isClassDeclaration(d) ? d : null;
    }
    return null;
  }
}

/** JSDoc hint tags of a function or method → graph flags. */
export function graphFlags(decl: ts.Node): GraphFlags {
  const flags: GraphFlags = {};
  for (const tag of ts.getJSDocTags(decl)) {
    const t = tag.tagName.text;
    if (t === "elidable") flags.elidable = true;
    else if (t === "dontLookInside") flags.dontLookInside = true;
    else if (t === "unrollSafe") flags.unrollSafe = true;
  }
  return flags;
}
