// The verifier of LL graphs: checks a Program's declarations and every graph (types of operands and
// results, SSA with dominance, links against block params, exits, call arities, JIT drivers) and
// reports every problem it finds, each naming its place (graph, block, op) as in the text form.

import type { Block, Const, Graph, Op, Program, SourceLoc, Value, Var } from "./graph.ts";
import { allFields, exitLinks, exitOperands, isAssignable, locToString, reachableBlocks, structDef } from "./graph.ts";
import type { OpName } from "./ops.ts";
import { dominators, dominates } from "./dominators.ts";
import { isOpName } from "./ops.ts";
import { blockLabels, printValue, varNames } from "./print.ts";
import { expectedOperands, resultType, TypingError } from "./typing.ts";
import type { ItemType, LLType } from "./types.ts";
import { isRefLike, typeEq, typeToString } from "./types.ts";

/** One problem found by the verifier, with its place. */
export class VerifyIssue {
  /** The graph, or null for a problem in a declaration. */
  readonly graph: string | null;
  /** The block's label (as printed), or null for a graph-level problem. */
  readonly block: string | null;
  /** Index of the op in its block (from 0), "exit" for the block's exit, null for the block itself. */
  readonly op: number | "exit" | null;
  readonly opName: string | null;
  /** For problems in declarations: what is declared, e.g. "struct 'Frame'". */
  readonly decl: string | null;
  readonly message: string;
  readonly loc: SourceLoc | undefined;
  constructor(
    where: { graph?: string; block?: string; op?: number | "exit"; opName?: string; decl?: string; loc?: SourceLoc },
    message: string,
  ) {
    this.graph = where.graph ?? null;
    this.block = where.block ?? null;
    this.op = where.op ?? null;
    this.opName = where.opName ?? null;
    this.decl = where.decl ?? null;
    this.message = message;
    this.loc = where.loc;
  }

  /** `graph 'fact', block 'rec', op 2 (int_mul): operand 1 (%r) is f64, expected i32` (prefixed by the source location if known). */
  toString(): string {
    const parts: string[] = [];
    if (this.decl !== null) parts.push(this.decl);
    if (this.graph !== null) parts.push(`graph '${this.graph}'`);
    if (this.block !== null) parts.push(`block '${this.block}'`);
    if (this.op === "exit") parts.push("exit");
    else if (this.op !== null) parts.push(`op ${this.op}${this.opName ? ` (${this.opName})` : ""}`);
    const s = `${parts.join(", ")}: ${this.message}`;
    return this.loc ? `${locToString(this.loc)}: ${s}` : s;
  }
}

/** Thrown by `assertValid`: every issue, one per line. */
export class VerifyError extends Error {
  readonly issues: readonly VerifyIssue[];
  constructor(issues: readonly VerifyIssue[]) {
    super(`invalid LL program (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${issues.map((i) => `  ${i}`).join("\n")}`);
    this.name = "VerifyError";
    this.issues = issues;
  }
}

/** Problems with a type: references to undeclared types, void where a value type is needed. */
function typeProblem(p: Program, t: ItemType, allowVoid: boolean): string | null {
  switch (t.kind) {
    case "void":
      return allowVoid ? null : "void is not a value type";
    case "ref":
      return p.types.has(t.name) ? null : `unknown type '${t.name}'`;
    case "fn": {
      for (const x of t.params) {
        const e = typeProblem(p, x, false);
        if (e) return e;
      }
      return typeProblem(p, t.result, true);
    }
    default:
      return null;
  }
}

/** Problems with a constant: its value does not fit its type. */
function constProblem(p: Program, c: Const): string | null {
  const v = c.value;
  const t = c.type;
  const bad = (): string =>
    `constant ${String(typeof v === "object" && v !== null ? JSON.stringify(v) : v)} is not a valid ${typeToString(t)}`;
  switch (t.kind) {
    case "i32":
      return typeof v === "number" && (v | 0) === v && !Object.is(v, -0) ? null : bad();
    case "i64":
      return typeof v === "bigint" && BigInt.asIntN(64, v) === v ? null : bad();
    case "f64":
      return typeof v === "number" ? null : bad();
    case "bool":
      return typeof v === "boolean" ? null : bad();
    case "null":
      return v === null ? null : bad();
    case "void":
      return "a constant cannot have type void";
    case "ref":
      if (!p.types.has(t.name)) return `unknown type '${t.name}'`;
      return v === null || (typeof v === "object" && "obj" in v) ? null : bad();
    case "fn": {
      const e = typeProblem(p, t, false);
      if (e) return e;
      if (v === null) return null;
      if (typeof v !== "object" || !("fn" in v)) return bad();
      const g = p.graphs.get(v.fn);
      if (!g) return `function reference to unknown graph '${v.fn}'`;
      const sig: LLType = { kind: "fn", params: (g.blocks[0]?.params ?? []).map((x) => x.type), result: g.result };
      return typeEq(sig, t) ? null : `@${v.fn} has type ${typeToString(sig)}, not ${typeToString(t)}`;
    }
  }
}

/** Ops whose `null` expected operand must still be a reference. */
const REF_OPERAND_OPS: ReadonlySet<string> = new Set(["ref_is_null", "ref_eq", "ref_test", "ref_cast"]);

class GraphVerifier {
  readonly issues: VerifyIssue[] = [];
  readonly names: Map<Var, string>;
  readonly labels: Map<Block, string>;
  /** Where each variable is defined: its block and position (-1 for a block param, else the op index). */
  readonly defs = new Map<Var, { block: Block; pos: number }>();
  readonly idom: Map<Block, Block>;
  readonly reachable: Set<Block>;
  readonly inGraph: Set<Block>;
  readonly p: Program;
  readonly g: Graph;
  readonly owners: Map<Var, string>;

  constructor(p: Program, g: Graph, owners: Map<Var, string>) {
    this.p = p;
    this.g = g;
    this.owners = owners;
    this.names = varNames(g);
    this.labels = blockLabels(g);
    this.idom = dominators(g.blocks[0]).idom;
    this.reachable = new Set(reachableBlocks(g));
    this.inGraph = new Set(g.blocks);
  }

  v(x: Value): string {
    return printValue(x, this.names, { program: this.p });
  }

  report(b: Block | null, op: number | "exit" | null, message: string, o?: Op): void {
    this.issues.push(
      new VerifyIssue(
        {
          graph: this.g.name,
          ...(b ? { block: this.labels.get(b) as string } : {}),
          ...(op !== null ? { op } : {}),
          ...(o ? { opName: o.op } : {}),
          ...(o?.loc ? { loc: o.loc } : !b && this.g.loc ? { loc: this.g.loc } : {}),
        },
        message,
      ),
    );
  }

  run(): VerifyIssue[] {
    const g = this.g;
    if (g.blocks.length === 0) {
      this.report(null, null, "graph has no blocks");
      return this.issues;
    }
    const rt = typeProblem(this.p, g.result, true);
    if (rt) this.report(null, null, `result type: ${rt}`);
    const byLabel = new Map<string, number>();
    for (const b of g.blocks) byLabel.set(b.label, (byLabel.get(b.label) ?? 0) + 1);
    for (const [label, n] of byLabel)
      if (n > 1) this.report(null, null, `block label '${label}' is used by ${n} blocks (labels must be unique)`);
    this.collectDefs();
    for (const b of g.blocks) {
      b.ops.forEach((o, i) => {
        this.checkOp(b, i, o);
      });
      this.checkExit(b);
    }
    return this.issues;
  }

  collectDefs(): void {
    const define = (v: Var, block: Block, pos: number, o?: Op): void => {
      const prev = this.defs.get(v);
      if (prev) {
        const where = prev.pos < 0 ? "as a parameter" : `by op ${prev.pos}`;
        this.report(
          block,
          pos < 0 ? null : pos,
          `%${this.names.get(v)} is defined twice (first in block '${this.labels.get(prev.block)}' ${where})`,
          o,
        );
        return;
      }
      this.defs.set(v, { block, pos });
    };
    for (const b of this.g.blocks) {
      for (const v of b.params) {
        define(v, b, -1);
        const e = typeProblem(this.p, v.type, false);
        if (e) this.report(b, null, `parameter %${this.names.get(v)}: ${e}`);
      }
      b.ops.forEach((o, i) => {
        if (o.result) define(o.result, b, i, o);
      });
    }
  }

  /** Check that `x`, used in block b at position pos (ops.length for the exit), is defined and dominates the use. */
  checkUse(b: Block, pos: number, x: Value, where: number | "exit", o?: Op): void {
    if (x.kind === "const") {
      const e = constProblem(this.p, x);
      if (e) this.report(b, where, e, o);
      return;
    }
    const d = this.defs.get(x);
    const name = `%${this.names.get(x)}`;
    if (!d) {
      const owner = this.owners.get(x);
      this.report(
        b,
        where,
        owner && owner !== this.g.name
          ? `uses ${name}, a variable of graph '${owner}'`
          : `uses ${name}, which is not defined in this graph`,
        o,
      );
      return;
    }
    if (!this.reachable.has(b)) return;
    if (d.block === b) {
      if (d.pos >= pos) this.report(b, where, `uses ${name} before its definition (op ${d.pos})`, o);
      return;
    }
    if (!this.reachable.has(d.block) || !dominates(this.idom, d.block, b)) {
      const at = d.pos < 0 ? "a parameter of" : `op ${d.pos} of`;
      this.report(b, where, `uses ${name}, whose definition (${at} block '${this.labels.get(d.block)}') does not dominate this use`, o);
    }
  }

  checkOp(b: Block, i: number, o: Op): void {
    if (!isOpName(o.op)) {
      this.report(b, i, `unknown op '${o.op}'`, o);
      return;
    }
    for (const a of o.args) this.checkUse(b, i, a, i, o);
    const op: OpName = o.op;
    const argTypes = o.args.map((a) => a.type);
    let expected: (LLType | null)[];
    let rt: LLType;
    try {
      expected = expectedOperands(this.p, op, o.attrs, o.args.length, argTypes);
      rt = resultType(this.p, op, o.attrs, argTypes);
    } catch (e) {
      if (!(e instanceof TypingError)) throw e;
      // typing.ts names the op first ("call: unknown graph 'g'"); the issue already names it
      this.report(b, i, e.message.startsWith(`${op}: `) ? e.message.slice(op.length + 2) : e.message, o);
      return;
    }
    if (expected.length !== o.args.length) {
      let msg = `takes ${expected.length} operand${expected.length === 1 ? "" : "s"}, got ${o.args.length}`;
      if (op === "call")
        msg = `graph '${o.attrs.callee}' takes ${expected.length} argument${expected.length === 1 ? "" : "s"}, got ${o.args.length}`;
      if (op === "call_host")
        msg = `host function '${o.attrs.callee}' takes ${expected.length} argument${expected.length === 1 ? "" : "s"}, got ${o.args.length}`;
      if (op === "call_ref")
        msg = `the function reference takes ${expected.length - 1} argument${expected.length === 2 ? "" : "s"}, got ${o.args.length - 1}`;
      if (op === "new") msg = `new<${o.attrs.type}> takes no operands or one per field (${expected.length}), got ${o.args.length}`;
      this.report(b, i, msg, o);
    } else {
      o.args.forEach((a, k) => {
        const want = expected[k];
        const what = `operand ${k} (${this.v(a)})`;
        if (want === null || want === undefined) {
          if (REF_OPERAND_OPS.has(op) && !isRefLike(a.type))
            this.report(b, i, `${what} is ${typeToString(a.type)}, expected a reference`, o);
          else if (a.type.kind === "void") this.report(b, i, `${what} is void`, o);
        } else if (!isAssignable(this.p, a.type, want)) {
          this.report(b, i, `${what} is ${typeToString(a.type)}, expected ${typeToString(want)}`, o);
        }
      });
    }
    if (rt.kind === "void" && o.result) this.report(b, i, `defines %${this.names.get(o.result)}, but ${op} produces no value`, o);
    else if (o.result && !typeEq(o.result.type, rt))
      this.report(
        b,
        i,
        `result %${this.names.get(o.result)} is declared ${typeToString(o.result.type)}, but ${op} produces ${typeToString(rt)}`,
        o,
      );
  }

  checkExit(b: Block): void {
    const e = b.exit;
    const pos = b.ops.length;
    for (const x of exitOperands(e)) this.checkUse(b, pos, x, "exit");
    const bad = (msg: string): void => this.report(b, "exit", msg);
    switch (e.kind) {
      case "none":
        if (this.reachable.has(b)) bad("block has no exit (it must end in jump, branch, switch, return or raise)");
        break;
      case "branch":
        if (e.cond.type.kind !== "bool") bad(`branch condition ${this.v(e.cond)} is ${typeToString(e.cond.type)}, expected bool`);
        break;
      case "switch": {
        if (e.value.type.kind !== "i32") bad(`switch value ${this.v(e.value)} is ${typeToString(e.value.type)}, expected i32`);
        const seen = new Set<number>();
        for (const c of e.cases) {
          if ((c.value | 0) !== c.value) bad(`switch case value ${c.value} is not an i32`);
          else if (seen.has(c.value)) bad(`switch case value ${c.value} appears twice`);
          seen.add(c.value);
        }
        break;
      }
      case "return": {
        const r = this.g.result;
        if (r.kind === "void") {
          if (e.value) bad(`returns ${this.v(e.value)}, but graph '${this.g.name}' returns void`);
        } else if (!e.value) bad(`returns no value, but graph '${this.g.name}' returns ${typeToString(r)}`);
        else if (!isAssignable(this.p, e.value.type, r))
          bad(`returns ${this.v(e.value)} of type ${typeToString(e.value.type)}, expected ${typeToString(r)}`);
        break;
      }
      case "raise":
        if (e.value.type.kind === "void") bad("raises a void value");
        break;
      case "jump":
        break;
    }
    for (const l of exitLinks(e)) {
      const label = this.labels.get(l.target) as string;
      for (const a of l.args) this.checkUse(b, pos, a, "exit");
      if (!this.inGraph.has(l.target)) {
        bad(`jumps to block '${label}', which is not a block of graph '${this.g.name}'`);
        continue;
      }
      const ps = l.target.params;
      if (ps.length !== l.args.length) {
        bad(
          `link to '${label}' passes ${l.args.length} argument${l.args.length === 1 ? "" : "s"}, but the block has ${ps.length} parameter${ps.length === 1 ? "" : "s"}`,
        );
        continue;
      }
      l.args.forEach((a, k) => {
        const p = ps[k] as Var;
        if (!isAssignable(this.p, a.type, p.type))
          bad(
            `link to '${label}': argument ${k} (${this.v(a)}) is ${typeToString(a.type)}, but parameter %${this.names.get(p)} is ${typeToString(p.type)}`,
          );
      });
    }
  }
}

function ownersOf(p: Program): Map<Var, string> {
  const owners = new Map<Var, string>();
  for (const g of p.graphs.values())
    for (const b of g.blocks) {
      for (const v of b.params) if (!owners.has(v)) owners.set(v, g.name);
      for (const o of b.ops) if (o.result && !owners.has(o.result)) owners.set(o.result, g.name);
    }
  return owners;
}

/** Check one graph of a program. */
export function verifyGraph(p: Program, g: Graph): VerifyIssue[] {
  return new GraphVerifier(p, g, ownersOf(p)).run();
}

function verifyDeclarations(p: Program): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  const at = (decl: string, message: string): void => {
    issues.push(new VerifyIssue({ decl }, message));
  };
  for (const [key, t] of p.types) {
    const decl = `${t.kind} '${t.name}'`;
    if (key !== t.name) at(decl, `is registered under the name '${key}'`);
    if (t.kind === "array") {
      const e = typeProblem(p, t.item, false);
      if (e) at(decl, `item type: ${e}`);
      continue;
    }
    if (t.parent !== null) {
      if (!structDef(p, t.parent)) at(decl, `parent '${t.parent}' is not a declared struct`);
      const seen = new Set<string>([t.name]);
      for (let s = structDef(p, t.parent); s; s = s.parent !== null ? structDef(p, s.parent) : undefined) {
        if (seen.has(s.name)) {
          at(decl, `inheritance cycle through '${s.name}'`);
          break;
        }
        seen.add(s.name);
      }
    }
    const names = new Set<string>();
    for (const f of allFields(p, t.name)) {
      if (names.has(f.name)) at(decl, `field '${f.name}' is declared twice (with the parents' fields)`);
      names.add(f.name);
    }
    for (const f of t.fields) {
      const e = typeProblem(p, f.type, false);
      if (e) at(decl, `field '${f.name}': ${e}`);
    }
    for (const v of t.virtualizable ?? []) {
      const items = v.endsWith("[*]");
      const fname = items ? v.slice(0, -3) : v;
      const f = allFields(p, t.name).find((x) => x.name === fname);
      if (!f) at(decl, `virtualizable '${v}' names no field of the struct`);
      else if (items && !(f.type.kind === "ref" && p.types.get(f.type.name)?.kind === "array"))
        at(decl, `virtualizable '${v}': field '${fname}' is not an array reference`);
    }
  }
  for (const h of p.hosts.values()) {
    for (const [i, t] of h.params.entries()) {
      const e = typeProblem(p, t, false);
      if (e) at(`host '${h.name}'`, `parameter ${i}: ${e}`);
    }
    const e = typeProblem(p, h.result, true);
    if (e) at(`host '${h.name}'`, `result: ${e}`);
  }
  for (const gl of p.globals.values()) {
    const decl = `global '${gl.name}'`;
    const e = typeProblem(p, gl.type, false);
    if (e) {
      at(decl, e);
      continue;
    }
    const c = constProblem(p, gl.init);
    if (c) at(decl, `initial value: ${c}`);
    else if (!isAssignable(p, gl.init.type, gl.type))
      at(decl, `initial value has type ${typeToString(gl.init.type)}, expected ${typeToString(gl.type)}`);
  }
  for (const d of p.drivers.values()) {
    const decl = `driver '${d.name}'`;
    for (const g of d.greens) if (d.reds.includes(g)) at(decl, `'${g}' is both green and red`);
    for (const v of d.virtualizables ?? []) if (!d.reds.includes(v)) at(decl, `virtualizable '${v}' is not one of the reds`);
  }
  for (const e of p.entries) if (!p.graphs.has(e)) at(`entry '${e}'`, "is not a graph of the program");
  for (const [key, g] of p.graphs) if (key !== g.name) at(`graph '${g.name}'`, `is registered under the name '${key}'`);
  return issues;
}

/** Check a whole program: declarations, then every graph. Returns every problem found (empty if valid). */
export function verifyProgram(p: Program): VerifyIssue[] {
  const issues = verifyDeclarations(p);
  const owners = ownersOf(p);
  for (const g of p.graphs.values()) issues.push(...new GraphVerifier(p, g, owners).run());
  return issues;
}

/** Throw a VerifyError listing every problem, if there is any. */
export function assertValid(p: Program): void {
  const issues = verifyProgram(p);
  if (issues.length > 0) throw new VerifyError(issues);
}
