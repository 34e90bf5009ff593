// Text form of LL graphs, the printer: Program → text that `parse.ts` reads back. The output is
// canonical (stable order, unique per-graph names), so print → parse → print is the identity.
// The grammar is written down in docs/ir.md.

import type { Block, Const, Exit, Graph, Link, Op, Program, SourceLoc, Value, Var } from "./graph.ts";
import { exitLinks, exitOperands, locToString } from "./graph.ts";
import type { ItemType, LLType } from "./types.ts";
import { typeEq } from "./types.ts";

export interface PrintOptions {
  /** Print source locations of ops and graphs as trailing `; @ file:line:col` comments. */
  locs?: boolean;
  /**
   * Names of heap objects, printed as `#name` constants. Objects not in the map get fresh names
   * (`obj1`, `obj2`, ...) which are added to it, so the caller can hand them to the parser.
   */
  objects?: Map<unknown, string>;
}

/** Words that cannot be used unquoted as global names (types, graphs, fields...). */
const KEYWORDS: ReadonlySet<string> = new Set([
  "void",
  "bool",
  "i32",
  "i64",
  "f64",
  "u8",
  "null",
  "fn",
  "ref",
  "mut",
  "true",
  "false",
  "nan",
  "inf",
]);

/** A global name (type, field, graph, host, global, driver): bare when it is an identifier, else a JSON string. */
const NAME_RE = /^[A-Za-z_$][\w$]*(?:\.[\w$]+)*$/;

export function printName(s: string): string {
  return NAME_RE.test(s) && !KEYWORDS.has(s) ? s : JSON.stringify(s);
}

/** Field names are single identifiers (no dots), since `<Struct.field>` splits at the last dot. */
function printFieldName(s: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(s) && !KEYWORDS.has(s) ? s : JSON.stringify(s);
}

export function printType(t: ItemType): string {
  switch (t.kind) {
    case "ref":
      return printName(t.name);
    case "fn":
      return `fn(${t.params.map(printType).join(", ")}) -> ${printType(t.result)}`;
    default:
      return t.kind;
  }
}

/** A local name (variable or block label): a readable identifier, possibly with `.k` suffixes. */
function sanitizeLocal(s: string, fallback: string): string {
  if (NAME_RE.test(s)) return s;
  const t = s.replace(/[^\w$]/g, "_");
  if (t === "" || /^_*$/.test(t)) return fallback;
  return /^[0-9]/.test(t) ? `_${t}` : t;
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}.${k}`;
  used.add(name);
  return name;
}

/**
 * Unique names of a graph's variables, from Var.name: `%n`, `%n.1`, ... in definition order
 * (block params, then op results, block by block), then variables used but not defined here.
 */
export function varNames(g: Graph): Map<Var, string> {
  const names = new Map<Var, string>();
  const used = new Set<string>();
  const add = (v: Var): void => {
    if (!names.has(v)) names.set(v, uniqueName(sanitizeLocal(v.name, "v"), used));
  };
  for (const b of g.blocks) {
    for (const v of b.params) add(v);
    for (const o of b.ops) if (o.result) add(o.result);
  }
  for (const b of g.blocks) {
    for (const o of b.ops) for (const a of o.args) if (a.kind === "var") add(a);
    for (const a of exitOperands(b.exit)) if (a.kind === "var") add(a);
    for (const l of exitLinks(b.exit)) for (const a of l.args) if (a.kind === "var") add(a);
  }
  return names;
}

/** Unique block labels of a graph (blocks in order, then link targets outside the graph). */
export function blockLabels(g: Graph): Map<Block, string> {
  const labels = new Map<Block, string>();
  const used = new Set<string>();
  const add = (b: Block): void => {
    if (!labels.has(b)) labels.set(b, uniqueName(sanitizeLocal(b.label, "block"), used));
  };
  for (const b of g.blocks) add(b);
  for (const b of g.blocks) for (const l of exitLinks(b.exit)) add(l.target);
  return labels;
}

/** Shortest decimal that reads back as exactly this double; always with a dot or exponent. */
export function printF64(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0.0";
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function objectName(obj: unknown, objects: Map<unknown, string>): string {
  let name = objects.get(obj);
  if (name === undefined) {
    const taken = new Set(objects.values());
    for (let k = objects.size + 1; ; k++) {
      if (!taken.has(`obj${k}`)) {
        name = `obj${k}`;
        break;
      }
    }
    objects.set(obj, name);
  }
  return name;
}

/** The literal for a constant's value, and the type that literal has on its own (null: needs a type prefix). */
function literal(p: Program | null, c: Const, objects: Map<unknown, string>): { text: string; natural: LLType | null } {
  const v = c.value;
  if (typeof v === "number") {
    if (c.type.kind !== "f64" && Number.isInteger(v) && !Object.is(v, -0)) {
      return { text: String(v), natural: Number.isSafeInteger(v) && (v | 0) === v ? { kind: "i32" } : null };
    }
    return { text: printF64(v), natural: { kind: "f64" } };
  }
  if (typeof v === "bigint") return { text: `${v}L`, natural: BigInt.asIntN(64, v) === v ? { kind: "i64" } : null };
  if (typeof v === "boolean") return { text: String(v), natural: { kind: "bool" } };
  if (v === null) return { text: "null", natural: { kind: "null" } };
  if ("fn" in v) {
    const g = p?.graphs.get(v.fn);
    const natural: LLType | null = g ? { kind: "fn", params: (g.blocks[0]?.params ?? []).map((x) => x.type), result: g.result } : null;
    return { text: `@${printName(v.fn)}`, natural };
  }
  return { text: `#${printName(objectName(v.obj, objects))}`, natural: null };
}

function printConst(p: Program | null, c: Const, objects: Map<unknown, string>): string {
  const { text, natural } = literal(p, c, objects);
  return natural && typeEq(natural, c.type) ? text : `${printType(c.type)} ${text}`;
}

/** One operand: `%name` for a variable, a literal for a constant. */
export function printValue(v: Value, names?: Map<Var, string>, opts: PrintOptions & { program?: Program } = {}): string {
  if (v.kind === "var") return `%${names?.get(v) ?? sanitizeLocal(v.name, "v")}`;
  return printConst(opts.program ?? null, v, opts.objects ?? new Map());
}

/** Printer state for one graph. */
class GraphPrinter {
  readonly names: Map<Var, string>;
  readonly labels: Map<Block, string>;
  readonly objects: Map<unknown, string>;
  readonly p: Program;
  readonly g: Graph;
  readonly opts: PrintOptions;
  constructor(p: Program, g: Graph, opts: PrintOptions) {
    this.p = p;
    this.g = g;
    this.opts = opts;
    this.names = varNames(g);
    this.labels = blockLabels(g);
    this.objects = opts.objects ?? new Map();
  }

  value(v: Value): string {
    return v.kind === "var" ? `%${this.names.get(v)}` : printConst(this.p, v, this.objects);
  }

  decl(v: Var): string {
    return `%${this.names.get(v)}: ${printType(v.type)}`;
  }

  link(l: Link): string {
    return `${this.labels.get(l.target)}(${l.args.map((a) => this.value(a)).join(", ")})`;
  }

  loc(loc: SourceLoc | undefined): string {
    return this.opts.locs && loc ? ` ; @ ${locToString(loc)}` : "";
  }

  op(o: Op): string {
    let s = o.result ? `${this.decl(o.result)} = ${o.op}` : o.op;
    const a = o.attrs;
    if (a.type !== undefined && a.field !== undefined) s += `<${printName(a.type)}.${printFieldName(a.field)}>`;
    else if (a.type !== undefined) s += `<${printName(a.type)}>`;
    else if (a.callee !== undefined) s += `<${printName(a.callee)}>`;
    if (o.args.length > 0) s += ` ${o.args.map((v) => this.value(v)).join(", ")}`;
    return s + this.loc(o.loc);
  }

  exit(e: Exit): string {
    switch (e.kind) {
      case "jump":
        return `jump ${this.link(e.link)}`;
      case "branch":
        return `branch ${this.value(e.cond)}, ${this.link(e.ifTrue)}, ${this.link(e.ifFalse)}`;
      case "switch": {
        const cases = e.cases.map((c) => `${c.value}: ${this.link(c.link)}`);
        return `switch ${[this.value(e.value), ...cases, `default: ${this.link(e.default)}`].join(", ")}`;
      }
      case "return":
        return e.value ? `return ${this.value(e.value)}` : "return";
      case "raise":
        return `raise ${this.value(e.value)}`;
      case "none":
        return "none";
    }
  }

  graph(): string {
    const g = this.g;
    const flags = (["elidable", "dontLookInside", "unrollSafe", "portal"] as const).filter((f) => g.flags[f]);
    const lines = [
      `graph ${printName(g.name)} -> ${printType(g.result)}${flags.length ? ` [${flags.join(", ")}]` : ""} {${this.loc(g.loc)}`,
    ];
    for (const b of g.blocks) {
      lines.push(`${this.labels.get(b)}(${b.params.map((v) => this.decl(v)).join(", ")}):`);
      for (const o of b.ops) lines.push(`  ${this.op(o)}`);
      lines.push(`  ${this.exit(b.exit)}`);
    }
    lines.push("}");
    return lines.join("\n");
  }
}

/** One graph in the text form (no trailing newline). */
export function printGraph(p: Program, g: Graph, opts: PrintOptions = {}): string {
  return new GraphPrinter(p, g, opts).graph();
}

function printDeclarations(p: Program, objects: Map<unknown, string>): string[] {
  const sections: string[][] = [];
  const types: string[] = [];
  for (const t of p.types.values()) {
    if (t.kind === "array") {
      types.push(`array ${printName(t.name)} = ${t.mutable ? "mut " : ""}${printType(t.item)}`);
      continue;
    }
    const head = `struct ${printName(t.name)}${t.parent !== null ? ` : ${printName(t.parent)}` : ""}`;
    const fields = t.fields.map((f) => `${printFieldName(f.name)}: ${f.mutable ? "mut " : ""}${printType(f.type)}`);
    const virt = t.virtualizable ? ` virtualizable(${t.virtualizable.map(printVirtualizable).join(", ")})` : "";
    const oneLine = `${head} { ${fields.join(", ")} }${virt}`;
    if (fields.length === 0) types.push(`${head} {}${virt}`);
    else if (oneLine.length <= 100) types.push(oneLine);
    else types.push(`${head} {\n${fields.map((f) => `  ${f},`).join("\n")}\n}${virt}`);
  }
  sections.push(types);
  sections.push(
    [...p.hosts.values()].map((h) => `host ${printName(h.name)}(${h.params.map(printType).join(", ")}) -> ${printType(h.result)}`),
  );
  sections.push(
    [...p.globals.values()].map(
      (gl) => `global ${printName(gl.name)}: ${gl.mutable ? "mut " : ""}${printType(gl.type)} = ${printConst(p, gl.init, objects)}`,
    ),
  );
  sections.push(
    [...p.drivers.values()].map((d) => {
      const list = (xs: readonly string[]): string => xs.map(printName).join(", ");
      const virt = d.virtualizables && d.virtualizables.length > 0 ? ` virtualizables(${list(d.virtualizables)})` : "";
      return `driver ${printName(d.name)} greens(${list(d.greens)}) reds(${list(d.reds)})${virt}`;
    }),
  );
  sections.push(p.messages.map((m, i) => `message ${i} ${JSON.stringify(m)}`));
  sections.push(p.entries.map((e) => `entry ${printName(e)}`));
  return sections.filter((s) => s.length > 0).map((s) => s.join("\n"));
}

function printVirtualizable(s: string): string {
  return s.endsWith("[*]") ? `${printFieldName(s.slice(0, -3))}[*]` : printFieldName(s);
}

/**
 * A whole program: types, host functions, globals, drivers, messages, entries, then the graphs,
 * each in the Program's (insertion) order, separated by blank lines; ends with a newline.
 */
export function printProgram(p: Program, opts: PrintOptions = {}): string {
  const objects = opts.objects ?? new Map<unknown, string>();
  const o = { ...opts, objects };
  const parts = printDeclarations(p, objects);
  for (const g of p.graphs.values()) parts.push(printGraph(p, g, o));
  return `${parts.join("\n\n")}\n`;
}
