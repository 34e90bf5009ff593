// Text form of LL graphs, the parser: text → Program. Reads what `print.ts` writes and what people
// write by hand in tests; resolves forward references (types, graphs, blocks and variables used
// before their declaration); reports the first error as `file:line:col: message` (ParseError).
// It checks syntax and names only: types and SSA are the verifier's job (verify.ts).

import type {
  Block,
  Const,
  ConstValue,
  DriverDef,
  Exit,
  Graph,
  GraphFlags,
  Link,
  Op,
  OpAttrs,
  Program,
  SourceLoc,
  Value,
  Var,
} from "./graph.ts";
import { newProgram } from "./graph.ts";
import { newVar } from "./builder.ts";
import type { OpName } from "./ops.ts";
import { isOpName } from "./ops.ts";
import type { FieldDef, ItemType, LLType } from "./types.ts";
import { BOOL, F64, I32, I64, NULL_T, VOID } from "./types.ts";

export class ParseError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message without the position. */
  readonly reason: string;
  constructor(file: string, line: number, col: number, reason: string) {
    super(`${file}:${line}:${col}: ${reason}`);
    this.name = "ParseError";
    this.file = file;
    this.line = line;
    this.col = col;
    this.reason = reason;
  }
}

export interface ParseOptions {
  /** Heap objects for `#name` constants. */
  objects?: Map<string, unknown>;
  /** Add the declarations and graphs to this program instead of a new one. */
  into?: Program;
}

type TokKind = "name" | "string" | "num" | "punct" | "loc" | "eof";

interface Tok {
  readonly kind: TokKind;
  /** name: the name; string: the decoded string; num/punct: the text; loc: "file:line:col". */
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

const PUNCT = ["->", "(", ")", "{", "}", "[", "]", "<", ">", ",", ":", "=", "*", ".", "@", "#", "%"];
const NAME_RE = /[A-Za-z_$][\w$]*(?:\.[\w$]+)*/y;
const NUM_RE = /-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?L?|inf)/y;
const LOC_RE = /^;\s*@\s*(.+):(\d+):(\d+)\s*$/;

function tokenize(text: string, file: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const err = (msg: string): never => {
    throw new ParseError(file, line, i - lineStart + 1, msg);
  };
  while (i < text.length) {
    const c = text[i] as string;
    const col = i - lineStart + 1;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === ";") {
      let end = text.indexOf("\n", i);
      if (end < 0) end = text.length;
      const m = LOC_RE.exec(text.slice(i, end));
      if (m) toks.push({ kind: "loc", text: `${m[1]}:${m[2]}:${m[3]}`, line, col });
      i = end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      if (text[j] !== '"') err("unterminated string");
      let s: string;
      try {
        s = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        return err("bad escape in string (strings use JSON syntax)");
      }
      toks.push({ kind: "string", text: s, line, col });
      i = j + 1;
      continue;
    }
    NUM_RE.lastIndex = i;
    const num = /[-\d]/.test(c) ? NUM_RE.exec(text) : null;
    if (num && !(c === "-" && text[i + 1] === ">")) {
      toks.push({ kind: "num", text: num[0], line, col });
      i += num[0].length;
      continue;
    }
    NAME_RE.lastIndex = i;
    const name = NAME_RE.exec(text);
    if (name) {
      toks.push({ kind: "name", text: name[0], line, col });
      i += name[0].length;
      continue;
    }
    const p = PUNCT.find((x) => text.startsWith(x, i));
    if (!p) err(`unexpected character '${c}'`);
    toks.push({ kind: "punct", text: p as string, line, col });
    i += (p as string).length;
  }
  toks.push({ kind: "eof", text: "", line, col: i - lineStart + 1 });
  return toks;
}

const EXIT_WORDS: ReadonlySet<string> = new Set(["jump", "branch", "switch", "return", "raise", "none"]);
const TYPE_ATTR_OPS: ReadonlySet<string> = new Set([
  "new",
  "getfield",
  "setfield",
  "newarray",
  "newarray_init",
  "getitem",
  "setitem",
  "arraylen",
  "arraycopy",
  "ref_test",
  "ref_cast",
]);
const CALLEE_OPS: ReadonlySet<string> = new Set(["call", "call_host", "getglobal", "setglobal", "jit_merge_point", "can_enter_jit"]);
const FLAGS: ReadonlySet<string> = new Set(["elidable", "dontLookInside", "unrollSafe", "portal"]);

/** A placeholder operand, replaced when its variable, block or graph is resolved. */
const PENDING: Const = { kind: "const", type: VOID, value: null };

function describe(t: Tok): string {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "string":
      return `string ${JSON.stringify(t.text)}`;
    case "loc":
      return "location comment";
    default:
      return `'${t.text}'`;
  }
}

interface GraphScope {
  graph: Graph;
  vars: Map<string, { v: Var; tok: Tok }>;
  blocks: Map<string, Block>;
  varUses: { name: string; tok: Tok; set: (v: Value) => void }[];
  labelUses: { name: string; tok: Tok; link: Link }[];
}

class Parser {
  readonly toks: Tok[];
  readonly file: string;
  readonly p: Program;
  readonly objects: Map<string, unknown> | undefined;
  pos = 0;
  /** Type names used, checked once every declaration has been read. */
  readonly typeUses: { name: string; tok: Tok }[] = [];
  /** `@g` constants whose type is g's signature, known once every graph has been read. */
  readonly fnUses: { name: string; tok: Tok; set: (c: Const) => void }[] = [];
  readonly declared = new Map<string, Tok>();

  constructor(text: string, file: string, opts: ParseOptions) {
    this.file = file;
    this.toks = tokenize(text, file);
    this.p = opts.into ?? newProgram();
    this.objects = opts.objects;
  }

  // --- tokens ---

  /** The next token, skipping location comments. */
  peek(k = 0): Tok {
    let i = this.pos;
    for (;;) {
      const t = this.toks[i] as Tok;
      if (t.kind !== "loc") {
        if (k === 0) return t;
        k--;
      }
      i++;
    }
  }

  next(): Tok {
    while ((this.toks[this.pos] as Tok).kind === "loc") this.pos++;
    return this.toks[this.pos++] as Tok;
  }

  /** A location comment right here (on the line of the previous token), if any. */
  takeLoc(): SourceLoc | undefined {
    const t = this.toks[this.pos] as Tok;
    const prev = this.toks[this.pos - 1];
    if (t.kind !== "loc" || (prev && prev.line !== t.line)) return undefined;
    this.pos++;
    const m = /^(.*):(\d+):(\d+)$/.exec(t.text) as RegExpExecArray;
    return { file: m[1] as string, line: Number(m[2]), col: Number(m[3]) };
  }

  fail(t: Tok, msg: string): never {
    throw new ParseError(this.file, t.line, t.col, msg);
  }

  isPunct(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "punct" && t.text === text;
  }

  isWord(text: string): boolean {
    const t = this.peek();
    return t.kind === "name" && t.text === text;
  }

  eat(text: string): boolean {
    if (this.isPunct(text)) {
      this.next();
      return true;
    }
    return false;
  }

  expect(text: string, what?: string): Tok {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== text) this.fail(t, `expected '${text}'${what ? ` ${what}` : ""}, found ${describe(t)}`);
    return t;
  }

  expectWord(text: string): Tok {
    const t = this.next();
    if (t.kind !== "name" || t.text !== text) this.fail(t, `expected '${text}', found ${describe(t)}`);
    return t;
  }

  /** A global name: identifier (dots allowed) or string. */
  name(what: string): { name: string; tok: Tok } {
    const t = this.next();
    if (t.kind !== "name" && t.kind !== "string") this.fail(t, `expected ${what}, found ${describe(t)}`);
    return { name: t.text, tok: t };
  }

  /** A local name (variable or label): an identifier, dots allowed. */
  localName(what: string): { name: string; tok: Tok } {
    const t = this.next();
    if (t.kind !== "name") this.fail(t, `expected ${what}, found ${describe(t)}`);
    return { name: t.text, tok: t };
  }

  /** The tokens of a list `( x, y, ... )`. */
  list<T>(item: () => T, open = "(", close = ")"): T[] {
    this.expect(open);
    const out: T[] = [];
    while (!this.isPunct(close)) {
      out.push(item());
      if (!this.eat(",")) break;
    }
    this.expect(close, "to end the list");
    return out;
  }

  // --- types and constants ---

  type(): LLType {
    const t = this.peek();
    if (t.kind === "name") {
      switch (t.text) {
        case "void":
          this.next();
          return VOID;
        case "bool":
          this.next();
          return BOOL;
        case "i32":
          this.next();
          return I32;
        case "i64":
          this.next();
          return I64;
        case "f64":
          this.next();
          return F64;
        case "null":
          this.next();
          return NULL_T;
        case "fn": {
          this.next();
          const params = this.list(() => this.type());
          this.expect("->", "before the function's result type");
          return { kind: "fn", params, result: this.type() };
        }
        case "ref": {
          // `ref Name` is accepted as a synonym of `Name`
          const n = this.peek(1);
          if (n.kind === "name" || n.kind === "string") {
            this.next();
            return this.type();
          }
          break;
        }
        case "u8":
        case "mut":
          this.fail(t, `'${t.text}' is not allowed here (u8 is for array items, mut for fields, array items and globals)`);
      }
    }
    if (t.kind !== "name" && t.kind !== "string") this.fail(t, `expected a type, found ${describe(t)}`);
    this.next();
    this.typeUses.push({ name: t.text, tok: t });
    return { kind: "ref", name: t.text };
  }

  itemType(): ItemType {
    if (this.isWord("u8")) {
      this.next();
      return { kind: "u8" };
    }
    return this.type();
  }

  /** True if the next token starts a constant (literal or typed constant). */
  startsConst(): boolean {
    const t = this.peek();
    if (t.kind === "num" || t.kind === "string") return true;
    if (t.kind === "punct") return t.text === "@" || t.text === "#";
    return t.kind === "name";
  }

  /** A literal; `natural` is its type on its own (null for `#obj`, which needs a type before it). */
  literal(): { value: ConstValue; natural: LLType | null; tok: Tok; fnName?: string } {
    const t = this.next();
    if (t.kind === "num") {
      const s = t.text;
      if (s === "inf" || s === "-inf") return { value: s === "inf" ? Infinity : -Infinity, natural: F64, tok: t };
      if (s.endsWith("L")) {
        if (/[.eE]/.test(s)) this.fail(t, `bad i64 literal '${s}'`);
        const v = BigInt(s.slice(0, -1));
        if (BigInt.asIntN(64, v) !== v) this.fail(t, `integer ${s} does not fit in i64`);
        return { value: v, natural: I64, tok: t };
      }
      if (/[.eE]/.test(s)) return { value: Number(s), natural: F64, tok: t };
      const v = Number(s);
      if ((v | 0) !== v || !Number.isSafeInteger(v))
        this.fail(t, `integer ${s} does not fit in i32 (write ${s}L for an i64, ${s}.0 for an f64)`);
      return { value: v, natural: I32, tok: t };
    }
    if (t.kind === "name") {
      if (t.text === "true" || t.text === "false") return { value: t.text === "true", natural: BOOL, tok: t };
      if (t.text === "null") return { value: null, natural: NULL_T, tok: t };
      if (t.text === "nan") return { value: Number.NaN, natural: F64, tok: t };
      if (t.text === "inf") return { value: Infinity, natural: F64, tok: t };
    }
    if (t.kind === "punct" && t.text === "@") {
      const { name } = this.name("a graph name after '@'");
      return { value: { fn: name }, natural: null, tok: t, fnName: name };
    }
    if (t.kind === "punct" && t.text === "#") {
      const { name, tok } = this.name("an object name after '#'");
      if (!this.objects?.has(name)) this.fail(tok, `unknown object #${name} (objects are passed to the parser in opts.objects)`);
      return { value: { obj: this.objects.get(name) }, natural: null, tok: t };
    }
    return this.fail(t, `expected a value, found ${describe(t)}`);
  }

  /** A constant: a literal, or `type literal`. Calls `set` (maybe later, for `@g`) with the constant. */
  constant(set: (c: Const) => void): void {
    const t = this.peek();
    const typed = (t.kind === "name" && !["true", "false", "null", "nan", "inf"].includes(t.text)) || t.kind === "string";
    if (typed) {
      const type = this.type();
      const lit = this.literal();
      let value = lit.value;
      if (type.kind === "i64" && typeof value === "number" && Number.isInteger(value)) value = BigInt(value);
      set({ kind: "const", type, value });
      return;
    }
    const lit = this.literal();
    if (lit.fnName !== undefined) {
      this.fnUses.push({ name: lit.fnName, tok: lit.tok, set });
      set(PENDING);
      return;
    }
    if (!lit.natural) this.fail(lit.tok, "an object constant needs its type before it, e.g. `Code #prog`");
    set({ kind: "const", type: lit.natural, value: lit.value });
  }

  // --- declarations ---

  declare(kind: string, name: string, tok: Tok): void {
    const key = `${kind} ${name}`;
    const prev = this.declared.get(key);
    if (prev) this.fail(tok, `${kind} '${name}' is declared twice (first at line ${prev.line})`);
    this.declared.set(key, tok);
  }

  program(): Program {
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") break;
      if (t.kind !== "name")
        this.fail(t, `expected a declaration (struct, array, host, global, driver, message, entry, graph), found ${describe(t)}`);
      switch (t.text) {
        case "struct":
          this.struct();
          break;
        case "array":
          this.array();
          break;
        case "host":
          this.host();
          break;
        case "global":
          this.global();
          break;
        case "driver":
          this.driver();
          break;
        case "message":
          this.message();
          break;
        case "entry": {
          this.next();
          const { name, tok } = this.name("a graph name");
          this.pendingGraphs.push({ name, tok, what: "entry" });
          this.p.entries.push(name);
          break;
        }
        case "graph":
          this.graph();
          break;
        default:
          this.fail(t, `expected a declaration (struct, array, host, global, driver, message, entry, graph), found ${describe(t)}`);
      }
    }
    this.resolveProgram();
    return this.p;
  }

  readonly pendingGraphs: { name: string; tok: Tok; what: string }[] = [];

  typeName(what: string): { name: string; tok: Tok } {
    const n = this.name(what);
    if (this.p.types.has(n.name) && !this.declared.has(`type ${n.name}`))
      this.fail(n.tok, `type '${n.name}' already exists in the program`);
    this.declare("type", n.name, n.tok);
    return n;
  }

  struct(): void {
    this.next();
    const { name } = this.typeName("a struct name");
    let parent: string | null = null;
    if (this.eat(":")) {
      const par = this.name("the parent struct's name");
      this.typeUses.push({ name: par.name, tok: par.tok });
      parent = par.name;
    }
    const seen = new Set<string>();
    const fields = this.list(
      (): FieldDef => {
        const f = this.name("a field name");
        if (seen.has(f.name)) this.fail(f.tok, `field '${f.name}' is declared twice in struct '${name}'`);
        seen.add(f.name);
        this.expect(":", "after the field name");
        const mutable = this.isWord("mut");
        if (mutable) this.next();
        return { name: f.name, type: this.type(), mutable };
      },
      "{",
      "}",
    );
    let virtualizable: string[] | undefined;
    if (this.isWord("virtualizable")) {
      this.next();
      virtualizable = this.list(() => {
        const f = this.name("a field name");
        if (this.eat("[")) {
          this.expect("*");
          this.expect("]");
          return `${f.name}[*]`;
        }
        return f.name;
      });
    }
    this.p.types.set(name, { kind: "struct", name, parent, fields, ...(virtualizable ? { virtualizable } : {}) });
  }

  array(): void {
    this.next();
    const { name } = this.typeName("an array name");
    this.expect("=", "after the array name");
    const mutable = this.isWord("mut");
    if (mutable) this.next();
    this.p.types.set(name, { kind: "array", name, item: this.itemType(), mutable });
  }

  host(): void {
    this.next();
    const { name, tok } = this.name("a host function name");
    this.declare("host", name, tok);
    const params = this.list(() => this.type());
    this.expect("->", "before the host function's result type");
    this.p.hosts.set(name, { name, params, result: this.type() });
  }

  global(): void {
    this.next();
    const { name, tok } = this.name("a global name");
    this.declare("global", name, tok);
    this.expect(":", "after the global's name");
    const mutable = this.isWord("mut");
    if (mutable) this.next();
    const type = this.type();
    this.expect("=", "before the global's initial value");
    const def = { name, type, mutable, init: PENDING };
    this.constant((c) => {
      (def as { init: Const }).init = c;
    });
    this.p.globals.set(name, def);
  }

  driver(): void {
    this.next();
    const { name, tok } = this.name("a driver name");
    this.declare("driver", name, tok);
    const names = (): string[] => this.list(() => this.name("a variable name").name);
    this.expectWord("greens");
    const greens = names();
    this.expectWord("reds");
    const reds = names();
    let virtualizables: string[] | undefined;
    if (this.isWord("virtualizables")) {
      this.next();
      virtualizables = names();
    }
    const d: DriverDef = { name, greens, reds, ...(virtualizables ? { virtualizables } : {}) };
    this.p.drivers.set(name, d);
  }

  message(): void {
    this.next();
    const t = this.next();
    if (t.kind !== "num" || !/^\d+$/.test(t.text)) this.fail(t, `expected a message number, found ${describe(t)}`);
    if (Number(t.text) !== this.p.messages.length)
      this.fail(t, `message numbers must count up from 0 without gaps: expected ${this.p.messages.length}, found ${t.text}`);
    const s = this.next();
    if (s.kind !== "string") this.fail(s, `expected the message text as a string, found ${describe(s)}`);
    this.p.messages.push(s.text);
  }

  // --- graphs ---

  graph(): void {
    this.next();
    const { name, tok } = this.name("a graph name");
    this.declare("graph", name, tok);
    if (this.p.graphs.has(name)) this.fail(tok, `graph '${name}' already exists in the program`);
    this.expect("->", "before the graph's result type (e.g. `graph f -> i32 {`)");
    const result = this.type();
    const flags: GraphFlags = {};
    if (this.isPunct("[")) {
      for (const f of this.list(() => this.localName("a flag"), "[", "]")) {
        if (!FLAGS.has(f.name)) this.fail(f.tok, `unknown graph flag '${f.name}' (flags: ${[...FLAGS].join(", ")})`);
        (flags as Record<string, boolean>)[f.name] = true;
      }
    }
    const open = this.expect("{", "to start the graph's blocks");
    const loc = this.takeLoc();
    const graph: Graph = { name, blocks: [], result, flags, ...(loc ? { loc } : {}) };
    const scope: GraphScope = { graph, vars: new Map(), blocks: new Map(), varUses: [], labelUses: [] };
    while (!this.isPunct("}")) {
      const t = this.peek();
      if (t.kind === "eof") this.fail(t, `end of input inside graph '${name}' (missing '}')`);
      if (graph.blocks.length > 0 && !(t.kind === "name" && this.isPunct("(", 1))) {
        const last = graph.blocks[graph.blocks.length - 1] as Block;
        this.fail(t, `expected a block \`label(params):\` or '}' after the exit of block '${last.label}', found ${describe(t)}`);
      }
      this.block(scope);
    }
    this.next();
    if (graph.blocks.length === 0) this.fail(open, `graph '${name}' has no blocks (the first block's params are the graph's params)`);
    for (const u of scope.varUses) {
      const d = scope.vars.get(u.name);
      if (!d) this.fail(u.tok, `unknown variable %${u.name} in graph '${name}'`);
      u.set(d.v);
    }
    for (const u of scope.labelUses) {
      const b = scope.blocks.get(u.name);
      if (!b) this.fail(u.tok, `unknown block '${u.name}' in graph '${name}'`);
      u.link.target = b;
    }
    this.p.graphs.set(name, graph);
  }

  defineVar(scope: GraphScope): Var {
    this.expect("%");
    const { name, tok } = this.localName("a variable name after '%'");
    const prev = scope.vars.get(name);
    if (prev) this.fail(tok, `variable %${name} is defined twice in graph '${scope.graph.name}' (first at line ${prev.tok.line})`);
    this.expect(":", `after %${name} (a definition gives its type: %${name}: i32)`);
    const v = newVar(this.type(), name);
    scope.vars.set(name, { v, tok });
    return v;
  }

  block(scope: GraphScope): void {
    const { name, tok } = this.localName("a block label");
    if (scope.blocks.has(name)) this.fail(tok, `block '${name}' is defined twice in graph '${scope.graph.name}'`);
    if (!this.isPunct("(")) this.fail(this.peek(), `expected '(' after block label '${name}' (a block starts with \`${name}(params):\`)`);
    const params = this.list(() => this.defineVar(scope));
    this.expect(":", `after block '${name}(...)'`);
    const block: Block = { label: name, params, ops: [], exit: { kind: "none" } };
    scope.blocks.set(name, block);
    scope.graph.blocks.push(block);
    for (;;) {
      const t = this.peek();
      if (t.kind === "name" && EXIT_WORDS.has(t.text)) {
        block.exit = this.exit(scope);
        this.endOfLine(t, "the exit");
        return;
      }
      if (t.kind === "punct" && t.text === "}")
        this.fail(t, `block '${name}' has no exit (end it with jump, branch, switch, return or raise)`);
      if (t.kind === "name" && this.isPunct("(", 1)) this.fail(t, `block '${name}' has no exit before block '${t.text}'`);
      block.ops.push(this.op(scope));
    }
  }

  /** After an op or exit starting at `start`: nothing else on its line (a location comment aside). */
  endOfLine(start: Tok, what: string): SourceLoc | undefined {
    const loc = this.takeLoc();
    const t = this.peek();
    if (t.kind !== "eof" && t.line === start.line) this.fail(t, `unexpected ${describe(t)} after ${what} (one op or exit per line)`);
    return loc;
  }

  sameLine(start: Tok): boolean {
    const t = this.peek();
    return t.kind !== "eof" && t.line === start.line;
  }

  operand(scope: GraphScope, set: (v: Value) => void): void {
    if (this.isPunct("%")) {
      this.next();
      const { name, tok } = this.localName("a variable name after '%'");
      scope.varUses.push({ name, tok, set });
      set(PENDING);
      return;
    }
    if (!this.startsConst()) this.fail(this.peek(), `expected an operand (%var or constant), found ${describe(this.peek())}`);
    this.constant(set);
  }

  op(scope: GraphScope): Op {
    const start = this.peek();
    let result: Var | null = null;
    if (this.isPunct("%")) {
      result = this.defineVar(scope);
      this.expect("=", `after %${result.name}: <type> (an op is \`%x: type = opname operands\`)`);
    }
    const o = this.next();
    if (o.kind !== "name") this.fail(o, `expected an op name, found ${describe(o)}`);
    if (!isOpName(o.text)) this.fail(o, `unknown op '${o.text}'`);
    const op: OpName = o.text;
    const attrs: OpAttrs = {};
    if (this.isPunct("<") && this.peek().line === o.line) {
      const lt = this.next();
      const n = this.name(`the static argument of ${op}`);
      if (TYPE_ATTR_OPS.has(op)) {
        let type = n.name;
        let field: string | undefined;
        if (this.eat(".")) field = this.name("a field name").name;
        else if (n.tok.kind === "name" && (op === "getfield" || op === "setfield")) {
          const dot = type.lastIndexOf(".");
          if (dot < 0) this.fail(n.tok, `${op} needs <Struct.field>, found <${type}>`);
          field = type.slice(dot + 1);
          type = type.slice(0, dot);
        }
        attrs.type = type;
        if (field !== undefined) attrs.field = field;
        this.typeUses.push({ name: type, tok: n.tok });
      } else if (CALLEE_OPS.has(op)) {
        attrs.callee = n.name;
      } else {
        this.fail(lt, `op ${op} takes no static argument <...>`);
      }
      this.expect(">", `to close ${op}<...>`);
    }
    const args: Value[] = [];
    if (this.sameLine(start) && this.peek().kind !== "loc") {
      do {
        const i = args.length;
        args.push(PENDING);
        this.operand(scope, (v) => {
          args[i] = v;
        });
      } while (this.eat(","));
    }
    const loc = this.endOfLine(start, `op ${op}`);
    return { op, args, result, attrs, ...(loc ? { loc } : {}) };
  }

  link(scope: GraphScope): Link {
    const { name, tok } = this.localName("a block label");
    const link: Link = { target: null as unknown as Block, args: [] };
    scope.labelUses.push({ name, tok, link });
    if (this.isPunct("(")) {
      this.next();
      while (!this.isPunct(")")) {
        const i = link.args.length;
        link.args.push(PENDING);
        this.operand(scope, (v) => {
          link.args[i] = v;
        });
        if (!this.eat(",")) break;
      }
      this.expect(")", `to end the arguments of '${name}'`);
    }
    return link;
  }

  exit(scope: GraphScope): Exit {
    const t = this.next();
    switch (t.text) {
      case "jump":
        return { kind: "jump", link: this.link(scope) };
      case "branch": {
        const e = { kind: "branch", cond: PENDING as Value } as Exit & { kind: "branch" };
        this.operand(scope, (v) => {
          e.cond = v;
        });
        this.expect(",", "after the branch condition");
        e.ifTrue = this.link(scope);
        this.expect(",", "between the branch targets");
        e.ifFalse = this.link(scope);
        return e;
      }
      case "switch": {
        const e = { kind: "switch", value: PENDING as Value, cases: [] } as unknown as Exit & { kind: "switch" };
        this.operand(scope, (v) => {
          e.value = v;
        });
        for (;;) {
          this.expect(",", "in the switch (cases are `k: label(args)`, ending with `default: label(args)`)");
          const c = this.next();
          if (c.kind === "name" && c.text === "default") {
            this.expect(":", "after default");
            e.default = this.link(scope);
            return e;
          }
          if (c.kind !== "num" || !/^-?\d+$/.test(c.text)) this.fail(c, `expected a case value (an i32) or default, found ${describe(c)}`);
          const value = Number(c.text);
          if ((value | 0) !== value) this.fail(c, `case value ${c.text} does not fit in i32`);
          this.expect(":", "after the case value");
          e.cases.push({ value, link: this.link(scope) });
        }
      }
      case "return": {
        const e: Exit = { kind: "return", value: null };
        if (this.sameLine(t) && this.peek().kind !== "loc")
          this.operand(scope, (v) => {
            e.value = v;
          });
        return e;
      }
      case "raise": {
        const e = { kind: "raise", value: PENDING as Value } as Exit & { kind: "raise" };
        this.operand(scope, (v) => {
          e.value = v;
        });
        return e;
      }
      default:
        return { kind: "none" };
    }
  }

  resolveProgram(): void {
    for (const u of this.typeUses) if (!this.p.types.has(u.name)) this.fail(u.tok, `unknown type '${u.name}'`);
    for (const u of this.fnUses) {
      const g = this.p.graphs.get(u.name);
      if (!g)
        this.fail(
          u.tok,
          `unknown graph '${u.name}' in @${u.name} (to refer to a graph declared elsewhere, give its type: fn(...) -> T @name)`,
        );
      u.set({
        kind: "const",
        type: { kind: "fn", params: (g.blocks[0]?.params ?? []).map((v) => v.type), result: g.result },
        value: { fn: u.name },
      });
    }
    for (const u of this.pendingGraphs)
      if (!this.p.graphs.has(u.name)) this.fail(u.tok, `${u.what} '${u.name}' is not a graph of the program`);
  }
}

/** Parse a program in the text form. Throws ParseError (file:line:col: message) at the first error. */
export function parseProgram(text: string, file = "<input>", opts: ParseOptions = {}): Program {
  return new Parser(text, file, opts).program();
}

/** Parse one type (`i32`, `Frame`, `fn(i32) -> bool`...) against a program's declared types. */
export function parseType(text: string, p: Program, file = "<input>"): LLType {
  const parser = new Parser(text, file, { into: p });
  const t = parser.type();
  const rest = parser.peek();
  if (rest.kind !== "eof") parser.fail(rest, `unexpected ${describe(rest)} after the type`);
  for (const u of parser.typeUses) if (!p.types.has(u.name)) parser.fail(u.tok, `unknown type '${u.name}'`);
  return t;
}
