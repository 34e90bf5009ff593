// Classes → structs, methods → graphs, virtual calls. A class is a struct with its own fields
// (single inheritance: the parent's fields come first); `readonly` fields are immutable; a
// `@virtualizable f g[*]` JSDoc tag declares the virtualizable fields. Methods are graphs named
// `Class.method` taking `this` first; the constructor is `Class.constructor(this, ...)`, run after
// `new<Class>` has made the object with zeroed fields (it runs the parent's constructor through
// `super(...)`, then the field initialisers, then its body).
//
// Virtual calls (closed world): a call of method m on a receiver of static class C calls C's
// implementation directly when no subclass of C overrides m. Otherwise it calls the dispatch graph
// `C.m$dispatch`, a chain of `ref_test<D>` over the overriding subclasses D, deepest first, each
// calling D's implementation, falling back to C's. When the receiver's class is known (a constant
// or a virtual object) the specializer folds every test of the chain.

import ts from "typescript";
import { GraphBuilder, i32c } from "../ir/builder.ts";
import type { Block } from "../ir/graph.ts";
import { isAssignable } from "../ir/graph.ts";
import type { FieldDef, LLType, StructDef } from "../ir/types.ts";
import { HIDDEN_SLOT, ref, typeToString } from "../ir/types.ts";
import { nodeLoc, Rejected } from "./diagnostics.ts";
import { typeFromNode } from "./typemap.ts";
import type { FuncInfo, Signature, World } from "./world.ts";

export interface FieldInfo {
  readonly name: string;
  readonly type: LLType;
  readonly mutable: boolean;
  readonly decl: ts.PropertyDeclaration;
}

export interface ClassInfo {
  readonly decl: ts.ClassDeclaration;
  /** The struct name. */
  readonly name: string;
  readonly parent: ClassInfo | null;
  readonly depth: number;
  /** Own fields (not the parent's). */
  readonly fields: Map<string, FieldInfo>;
  /** Own instance methods (abstract ones have no body). */
  readonly methods: Map<string, ts.MethodDeclaration>;
  readonly statics: Map<string, ts.MethodDeclaration>;
  readonly ctorDecl: ts.ConstructorDeclaration | null;
  /** Own fields with initialisers, in declaration order. */
  readonly initialised: ts.PropertyDeclaration[];
  /** Dispatch graphs made so far, by method name. */
  readonly dispatch: Map<string, FuncInfo>;
}

/** The class of a declaration, declaring its struct (and its ancestors') on first use. */
export function classOf(w: World, decl: ts.ClassDeclaration): ClassInfo {
  const known = w.classes.get(decl);
  if (known) return known;
  if (!decl.name) throw w.report.error(decl, "anonymous classes are not supported", "give the class a name");
  let parent: ClassInfo | null = null;
  const heritage = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  if (heritage) {
    const pd = w.parentDecl(decl);
    if (!pd)
      throw w.report.error(heritage, "a class may only extend another class of the interpreter", "declare the parent class yourself");
    parent = classOf(w, pd);
  }
  if (decl.typeParameters)
    w.report.error(decl.typeParameters[0] as ts.Node, "generic classes are not supported", "write the class for the concrete type");
  const name = w.uniqueName(decl.name.text);
  const virt = virtualizableTag(decl);
  const fieldDefs: FieldDef[] = [];
  const struct: StructDef = {
    kind: "struct",
    name,
    parent: parent?.name ?? null,
    fields: fieldDefs,
    ...(virt ? { virtualizable: virt.names } : {}),
  };
  w.ll.types.set(name, struct);
  const info: ClassInfo = {
    decl,
    name,
    parent,
    depth: parent ? parent.depth + 1 : 0,
    fields: new Map(),
    methods: new Map(),
    statics: new Map(),
    ctorDecl: null,
    initialised: [],
    dispatch: new Map(),
  };
  w.classes.set(decl, info);
  w.classByStruct.set(name, info);
  w.translated(decl);
  let ctorDecl: ts.ConstructorDeclaration | null = null;
  for (const m of decl.members) {
    try {
      if (ts.isPropertyDeclaration(m)) {
        const f = fieldOf(w, info, m);
        info.fields.set(f.name, f);
        fieldDefs.push({ name: f.name, type: f.type, mutable: f.mutable });
        if (m.initializer) info.initialised.push(m);
      } else if (ts.isMethodDeclaration(m)) {
        if (!ts.isIdentifier(m.name)) throw w.report.error(m.name, "method names must be plain identifiers");
        const isStatic = (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static) !== 0;
        const isAbstract = (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Abstract) !== 0;
        if (!m.body && !isAbstract) continue; // an overload signature
        if (m.asteriskToken) throw w.report.error(m, "generators are not supported", "write a loop");
        if ((ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Async) !== 0) throw w.report.error(m, "async methods are not supported");
        (isStatic ? info.statics : info.methods).set(m.name.text, m);
      } else if (ts.isConstructorDeclaration(m)) {
        if (m.body) ctorDecl = m;
      } else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
        throw w.report.error(m, "getters and setters are not supported", "write a method, e.g. `getX(): i32`");
      } else if (ts.isClassStaticBlockDeclaration(m)) {
        throw w.report.error(m, "static blocks are not supported", "initialise module-level variables instead");
      } else if (ts.isIndexSignatureDeclaration(m)) {
        throw w.report.error(m, "index signatures are not supported", "use an array field");
      }
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
    }
  }
  (info as { ctorDecl: ts.ConstructorDeclaration | null }).ctorDecl = ctorDecl;
  if (virt) checkVirtualizable(w, info, virt.tag, virt.names);
  return info;
}

function fieldOf(w: World, c: ClassInfo, m: ts.PropertyDeclaration): FieldInfo {
  const flags = ts.getCombinedModifierFlags(m);
  if (flags & ts.ModifierFlags.Static) throw w.report.error(m, "static fields are not supported", "use a module-level variable");
  if (ts.isPrivateIdentifier(m.name)) throw w.report.error(m.name, "#private fields are not supported", "use `private x: T`");
  if (!ts.isIdentifier(m.name)) throw w.report.error(m.name, "field names must be plain identifiers");
  if (m.questionToken) throw w.report.error(m, "optional fields are not supported", "use `x: C | null` for an optional reference");
  if (flags & ts.ModifierFlags.Ambient) throw w.report.error(m, "`declare` fields are not supported");
  const name = m.name.text;
  if (name === HIDDEN_SLOT)
    throw w.report.error(m.name, `the field name '${name}' is reserved (the JIT's hidden slot of green objects)`, "give it another name");
  for (let p = c.parent; p; p = p.parent) {
    if (p.fields.has(name))
      throw w.report.error(m.name, `field '${name}' is already declared in the parent class '${p.name}'`, "give it another name");
  }
  if (!m.type) throw w.report.error(m.name, `field '${name}' needs a type annotation`, "e.g. `count: i32 = 0`");
  const type = typeFromNode(w, m.type, "field");
  return { name, type, mutable: (flags & ts.ModifierFlags.Readonly) === 0, decl: m };
}

function virtualizableTag(decl: ts.ClassDeclaration): { tag: ts.JSDocTag; names: string[] } | null {
  for (const tag of ts.getJSDocTags(decl)) {
    if (tag.tagName.text !== "virtualizable") continue;
    const text = ts.getTextOfJSDocComment(tag.comment) ?? "";
    return { tag, names: text.split(/[\s,]+/).filter((s) => s !== "") };
  }
  return null;
}

function checkVirtualizable(w: World, c: ClassInfo, tag: ts.JSDocTag, names: string[]): void {
  if (names.length === 0) w.report.error(tag, "@virtualizable names no fields", "list them, e.g. `@virtualizable pc sp stack[*]`");
  for (const n of names) {
    const items = n.endsWith("[*]");
    const fname = items ? n.slice(0, -3) : n;
    const f = findField(c, fname);
    if (!f) {
      w.report.error(tag, `@virtualizable names '${fname}', which is not a field of class '${c.name}'`);
      continue;
    }
    if (items && !(f.type.kind === "ref" && w.ll.types.get(f.type.name)?.kind === "array"))
      w.report.error(tag, `@virtualizable '${n}': field '${fname}' is not an array`, `write '${fname}' without [*]`);
  }
}

/** A field of the class or of an ancestor. */
export function findField(c: ClassInfo, name: string): FieldInfo | undefined {
  for (let k: ClassInfo | null = c; k; k = k.parent) {
    const f = k.fields.get(name);
    if (f) return f;
  }
  return undefined;
}

/** The implementation of instance method `name` that class `c` has (own or inherited). */
export function findMethod(c: ClassInfo, name: string): { cls: ClassInfo; decl: ts.MethodDeclaration } | undefined {
  for (let k: ClassInfo | null = c; k; k = k.parent) {
    const m = k.methods.get(name);
    if (m) return { cls: k, decl: m };
  }
  return undefined;
}

export function findStatic(c: ClassInfo, name: string): { cls: ClassInfo; decl: ts.MethodDeclaration } | undefined {
  for (let k: ClassInfo | null = c; k; k = k.parent) {
    const m = k.statics.get(name);
    if (m) return { cls: k, decl: m };
  }
  return undefined;
}

/** The constructor graph of a class, or null when making an object needs no code. */
export function ctorOf(w: World, c: ClassInfo): FuncInfo | null {
  if (c.ctorDecl) return w.funcFor(c.ctorDecl, c);
  if (c.initialised.length > 0 || (c.parent && ctorOf(w, c.parent))) return w.funcFor(c.decl, c);
  return null;
}

/** Every subclass of `c`, transitively (declaring their structs). */
export function allSubclasses(w: World, c: ClassInfo): ClassInfo[] {
  const out: ClassInfo[] = [];
  const visit = (k: ClassInfo) => {
    for (const d of w.subclassesOf(k.decl)) {
      try {
        const s = classOf(w, d);
        out.push(s);
        visit(s);
      } catch (e) {
        if (!(e instanceof Rejected)) throw e;
      }
    }
  };
  visit(c);
  return out;
}

/**
 * The graph to call for `recv.name(...)` where recv's static class is `c`: the implementation, or
 * a dispatch graph when subclasses override it. Undefined when there is no such method.
 */
export function methodTarget(w: World, c: ClassInfo, name: string, at: ts.Node): FuncInfo | undefined {
  const impl = findMethod(c, name);
  if (!impl) return undefined;
  const overriders = allSubclasses(w, c).filter((s) => s.methods.has(name));
  if (overriders.length === 0) {
    if (!impl.decl.body) throw w.report.error(at, `method '${name}' of class '${c.name}' is abstract and has no implementation`);
    return w.funcFor(impl.decl, impl.cls);
  }
  const base = w.signatureOf(impl.decl, impl.cls);
  const known = c.dispatch.get(name);
  if (known) return known;
  overriders.sort((a, b) => b.depth - a.depth);
  const params = [{ name: "this", type: ref(c.name), symbol: null, broken: false }, ...base.params.slice(1)];
  const gb = new GraphBuilder(w.ll, w.uniqueName(`${c.name}.${name}$dispatch`), params, base.result, {});
  gb.graph.loc = nodeLoc(impl.decl.name);
  const fi: FuncInfo = { ...base, params, gb, lowered: true, cls: c, baseName: gb.graph.name };
  c.dispatch.set(name, fi);
  const [self, ...args] = gb.params;
  const callAndReturn = (target: FuncInfo, recv: typeof self) => {
    const r = gb.op("call", [recv as NonNullable<typeof self>, ...args], { callee: target.gb.graph.name });
    if (target.neverReturns) gb.raise(i32c(w.messageIndex(`internal: '${target.gb.graph.name}' returned`)));
    else gb.ret(base.result.kind === "void" ? null : r);
  };
  for (const d of overriders) {
    const decl = d.methods.get(name) as ts.MethodDeclaration;
    const target = w.funcFor(decl, d);
    checkOverride(w, base, target, decl);
    const yes: Block = gb.block(`is_${d.name}`);
    const no: Block = gb.block(`not_${d.name}`);
    const t = gb.val("ref_test", [self as NonNullable<typeof self>], { type: d.name });
    gb.branch(t, { target: yes, args: [] }, { target: no, args: [] });
    gb.at(yes);
    callAndReturn(target, gb.val("ref_cast", [self as NonNullable<typeof self>], { type: d.name }));
    gb.at(no);
  }
  if (impl.decl.body) callAndReturn(w.funcFor(impl.decl, impl.cls), self);
  else gb.raise(i32c(w.messageIndex(`abstract method ${c.name}.${name} called`)));
  return fi;
}

function checkOverride(w: World, base: Signature, over: FuncInfo, decl: ts.MethodDeclaration): void {
  const a = base.params.slice(1);
  const b = over.params.slice(1);
  const bad = (what: string) =>
    w.report.error(decl.name, `override '${over.gb.graph.name}' ${what}`, "give overrides the same parameter and result types");
  if (a.length !== b.length) {
    bad(`takes ${b.length} parameters, the method it overrides takes ${a.length}`);
    return;
  }
  a.forEach((p, i) => {
    const q = b[i] as (typeof b)[number];
    if (!isAssignable(w.ll, p.type, q.type)) bad(`has parameter '${q.name}' of type ${typeToString(q.type)}, not ${typeToString(p.type)}`);
  });
  if (!isAssignable(w.ll, over.result, base.result) && !over.neverReturns)
    bad(`returns ${typeToString(over.result)}, not ${typeToString(base.result)}`);
}
