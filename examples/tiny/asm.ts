// The tiny assembler: the readable text form of tiny programs (functions, labels, one instruction
// per line, comments) to the code array that examples/tiny/interp.ts runs, and back (disassemble).
// Host code: run by `prepare` before the interpreter starts, in every mode; never translated.
// The text form and the bytecode layout are described in README.md beside this file.

/** What an instruction's operand is: none, an integer, a label (jump target), a local, a function. */
export type OperandKind = "none" | "int" | "label" | "local" | "func";

export interface OpcodeInfo {
  readonly name: string;
  readonly code: number;
  readonly operand: OperandKind;
}

/** Every opcode, by mnemonic. The numbers are the `OP_*` constants of interp.ts (a test checks it). */
export const OPCODES: readonly OpcodeInfo[] = [
  { name: "push", code: 1, operand: "int" },
  { name: "pop", code: 2, operand: "none" },
  { name: "dup", code: 3, operand: "none" },
  { name: "swap", code: 4, operand: "none" },
  { name: "over", code: 5, operand: "none" },
  { name: "add", code: 6, operand: "none" },
  { name: "sub", code: 7, operand: "none" },
  { name: "mul", code: 8, operand: "none" },
  { name: "div", code: 9, operand: "none" },
  { name: "mod", code: 10, operand: "none" },
  { name: "neg", code: 11, operand: "none" },
  { name: "and", code: 12, operand: "none" },
  { name: "or", code: 13, operand: "none" },
  { name: "xor", code: 14, operand: "none" },
  { name: "shl", code: 15, operand: "none" },
  { name: "shr", code: 16, operand: "none" },
  { name: "lt", code: 17, operand: "none" },
  { name: "le", code: 18, operand: "none" },
  { name: "eq", code: 19, operand: "none" },
  { name: "ne", code: 20, operand: "none" },
  { name: "gt", code: 21, operand: "none" },
  { name: "ge", code: 22, operand: "none" },
  { name: "jump", code: 23, operand: "label" },
  { name: "jz", code: 24, operand: "label" },
  { name: "jnz", code: 25, operand: "label" },
  { name: "get", code: 26, operand: "local" },
  { name: "set", code: 27, operand: "local" },
  { name: "call", code: 28, operand: "func" },
  { name: "ret", code: 29, operand: "none" },
  { name: "print", code: 30, operand: "none" },
  { name: "printc", code: 31, operand: "none" },
  { name: "aload", code: 32, operand: "none" },
  { name: "astore", code: 33, operand: "none" },
];

const BY_NAME = new Map(OPCODES.map((o) => [o.name, o]));
const BY_CODE = new Map(OPCODES.map((o) => [o.code, o]));

export function opcodeByCode(code: number): OpcodeInfo | undefined {
  return BY_CODE.get(code);
}

/** Layout of the code array (see README.md): header, function table, instructions. */
export const HEADER = 2;
export const FUNC_SIZE = 3;
/** Limits the interpreter checks too (interp.ts): locals per function, guest memory words. */
export const MAX_LOCALS = 256;
export const MAX_MEMORY = 1 << 24;

export interface FunctionInfo {
  readonly name: string;
  readonly nargs: number;
  readonly nlocals: number;
  /** Entry pc in the code array. */
  readonly entry: number;
  /** Source line of the `func` directive. */
  readonly line: number;
}

export interface Assembled {
  readonly code: Int32Array;
  /** Words of guest memory (the `memory` directive; 0 without it). */
  readonly memory: number;
  readonly functions: readonly FunctionInfo[];
  readonly main: number;
}

/** Errors in a tiny source file; the message lists each as `path:line: message`. */
export class AsmError extends Error {
  override name = "AsmError";
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join("\n"));
    this.errors = errors;
  }
}

interface PendingFunc {
  name: string;
  nargs: number;
  nlocals: number;
  line: number;
  /** Instruction words, relative to the function's first instruction; operands to resolve are patched later. */
  words: number[];
  labels: Map<string, number>;
  fixups: { at: number; kind: "label" | "func"; name: string; line: number }[];
}

const INT_RE = /^[-+]?(0x[0-9a-f]+|[0-9]+)$/i;
const NAME_RE = /^[A-Za-z_.$][\w.$]*$/;
const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, "0": 0, "\\": 92, "'": 39 };

/** An integer literal (decimal, 0x hex, or a character 'c' with \n \t \r \0 \\ \' escapes), or null. */
function parseInt32(text: string): number | null {
  let v: number;
  if (INT_RE.test(text)) {
    const neg = text.startsWith("-");
    const digits = text.replace(/^[-+]/, "");
    v = Number(digits);
    if (neg) v = -v;
  } else if (/^'([^\\']|\\.)'$/.test(text)) {
    const body = text.slice(1, -1);
    if (body.length === 2) {
      const e = ESCAPES[body[1] as string];
      if (e === undefined) return null;
      v = e;
    } else {
      v = body.charCodeAt(0);
    }
  } else {
    return null;
  }
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) return null;
  return v;
}

/** Split a line into its tokens, keeping character literals such as ' ' and ';' whole. */
function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === "#" || c === ";") break;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    let j = i;
    if (c === "'") {
      j = i + 1;
      if (line[j] === "\\") j++;
      j++;
      if (line[j] === "'") j++;
    }
    while (j < line.length && !/[\s#;]/.test(line[j] as string)) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

/** Assemble tiny source text; `path` names the file in error messages. Throws AsmError listing every error. */
export function assemble(source: string, path = "<input>"): Assembled {
  const errors: string[] = [];
  const err = (line: number, msg: string) => errors.push(`${path}:${line}: ${msg}`);
  const funcs: PendingFunc[] = [];
  let memory = 0;
  let memoryLine = 0;
  let cur: PendingFunc | null = null;
  let brokenFunc = false;

  const lines = source.split("\n");
  for (let ln = 1; ln <= lines.length; ln++) {
    let toks = tokenize(lines[ln - 1] as string);
    // leading labels: `name:` (several may share a line, an instruction may follow)
    while (toks.length > 0 && (toks[0] as string).endsWith(":")) {
      const label = (toks[0] as string).slice(0, -1);
      toks = toks.slice(1);
      if (!NAME_RE.test(label)) err(ln, `bad label name '${label}'`);
      else if (cur === null) err(ln, `label '${label}' outside a function: write 'func <name> <nargs> <nlocals>' first`);
      else if (cur.labels.has(label)) err(ln, `label '${label}' is already defined in function '${cur.name}'`);
      else cur.labels.set(label, cur.words.length);
    }
    if (toks.length === 0) continue;
    const [head, ...rest] = toks as [string, ...string[]];
    const mnemonic = head.toLowerCase();

    if (mnemonic === "func") {
      if (rest.length !== 3) {
        err(ln, "expected 'func <name> <nargs> <nlocals>'");
        // check the body anyway, in a function that is not emitted
        cur = { name: rest[0] ?? "?", nargs: 0, nlocals: MAX_LOCALS, line: ln, words: [], labels: new Map(), fixups: [] };
        brokenFunc = true;
        continue;
      }
      const [name, a, l] = rest as [string, string, string];
      const nargs = parseInt32(a);
      const nlocals = parseInt32(l);
      if (!NAME_RE.test(name)) err(ln, `bad function name '${name}'`);
      else if (funcs.some((f) => f.name === name)) err(ln, `function '${name}' is already defined`);
      if (nargs === null || nargs < 0) err(ln, `bad argument count '${a}': expected an integer >= 0`);
      if (nlocals === null || nlocals < 0 || nlocals > MAX_LOCALS)
        err(ln, `bad local count '${l}': expected an integer from 0 to ${MAX_LOCALS}`);
      else if (nargs !== null && nlocals < nargs)
        err(ln, `function '${name}' has ${nargs} arguments but only ${nlocals} locals (arguments are the first locals)`);
      cur = { name, nargs: nargs ?? 0, nlocals: nlocals ?? 0, line: ln, words: [], labels: new Map(), fixups: [] };
      funcs.push(cur);
      continue;
    }
    if (mnemonic === "memory") {
      const n = rest.length === 1 ? parseInt32(rest[0] as string) : null;
      if (n === null || n < 0 || n > MAX_MEMORY) err(ln, `expected 'memory <words>' with 0 <= words <= ${MAX_MEMORY}`);
      else if (memoryLine !== 0) err(ln, `memory is already set on line ${memoryLine}`);
      else {
        memory = n;
        memoryLine = ln;
      }
      continue;
    }
    if (cur === null) {
      err(ln, `'${head}' outside a function: write 'func <name> <nargs> <nlocals>' first`);
      continue;
    }
    if (mnemonic === "word") {
      // a raw word, for testing the interpreter's checks (bad opcodes, truncated instructions)
      const n = rest.length === 1 ? parseInt32(rest[0] as string) : null;
      if (n === null) err(ln, "expected 'word <integer>'");
      else cur.words.push(n);
      continue;
    }
    const info = BY_NAME.get(mnemonic);
    if (!info) {
      err(ln, `unknown instruction '${head}'`);
      continue;
    }
    if (info.operand === "none") {
      if (rest.length !== 0) err(ln, `'${info.name}' takes no operand`);
      cur.words.push(info.code);
      continue;
    }
    if (rest.length !== 1) {
      err(ln, `'${info.name}' takes one operand (${operandDescription(info.operand)})`);
      continue;
    }
    const arg = rest[0] as string;
    cur.words.push(info.code);
    if (info.operand === "label" || info.operand === "func") {
      if (!NAME_RE.test(arg)) err(ln, `bad ${info.operand === "label" ? "label" : "function"} name '${arg}'`);
      cur.fixups.push({ at: cur.words.length, kind: info.operand, name: arg, line: ln });
      cur.words.push(0);
      continue;
    }
    const n = parseInt32(arg);
    if (n === null) err(ln, badInteger(info.name, info.operand, arg));
    else if (info.operand === "local" && (n < 0 || n >= cur.nlocals))
      err(ln, `local ${n} out of range: function '${cur.name}' has ${cur.nlocals} locals (0..${cur.nlocals - 1})`);
    cur.words.push(n ?? 0);
  }

  // layout: header, function table, then each function's instructions
  const start = HEADER + FUNC_SIZE * funcs.length;
  const entries: number[] = [];
  let pc = start;
  for (const f of funcs) {
    entries.push(pc);
    pc += f.words.length;
    if (f.words.length === 0) err(f.line, `function '${f.name}' has no instructions`);
  }
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  for (const [i, f] of funcs.entries()) {
    for (const fx of f.fixups) {
      if (fx.kind === "label") {
        const at = f.labels.get(fx.name);
        if (at === undefined) err(fx.line, `unknown label '${fx.name}' in function '${f.name}'`);
        else f.words[fx.at] = (entries[i] as number) + at;
      } else {
        const callee = funcIndex.get(fx.name);
        if (callee === undefined) err(fx.line, `unknown function '${fx.name}'`);
        else f.words[fx.at] = callee;
      }
    }
  }
  const main = funcIndex.get("main");
  if (main === undefined && !brokenFunc) err(lines.length, "no function 'main': write 'func main 0 <nlocals>'");
  else if (main !== undefined && (funcs[main] as PendingFunc).nargs !== 0)
    err((funcs[main] as PendingFunc).line, "function 'main' must take 0 arguments");
  if (errors.length > 0) throw new AsmError(errors);

  const code = new Int32Array(pc);
  code[0] = funcs.length;
  code[1] = main as number;
  const functions: FunctionInfo[] = [];
  for (const [i, f] of funcs.entries()) {
    const entry = entries[i] as number;
    code.set([entry, f.nargs, f.nlocals], HEADER + FUNC_SIZE * i);
    code.set(f.words, entry);
    functions.push({ name: f.name, nargs: f.nargs, nlocals: f.nlocals, entry, line: f.line });
  }
  return { code, memory, functions, main: main as number };
}

function badInteger(what: string, k: OperandKind, text: string): string {
  if (INT_RE.test(text)) return `'${what}': ${text} is out of the 32-bit integer range`;
  return `'${what}' expects ${operandDescription(k)}, not '${text}'`;
}

function operandDescription(k: OperandKind): string {
  switch (k) {
    case "int":
      return "an integer";
    case "label":
      return "a label";
    case "local":
      return "a local index";
    case "func":
      return "a function name";
    default:
      return "nothing";
  }
}

/** The interpreter's entry arguments for a tiny source file: `main(code, memorySize)`. */
export function prepare(source: string, path: string): unknown[] {
  const a = assemble(source, path);
  return [a.code, a.memory];
}

/** A readable listing of a code array: one instruction per line with its pc. */
export function disassemble(code: Int32Array): string {
  const out: string[] = [];
  const n = code[0] ?? 0;
  const entries = new Map<number, number>();
  for (let f = 0; f < n; f++) entries.set(code[HEADER + FUNC_SIZE * f] as number, f);
  out.push(`; ${n} functions, main = ${code[1]}`);
  let pc = HEADER + FUNC_SIZE * n;
  while (pc < code.length) {
    const f = entries.get(pc);
    if (f !== undefined) {
      const b = HEADER + FUNC_SIZE * f;
      out.push(`func f${f} ${code[b + 1]} ${code[b + 2]}`);
    }
    const info = BY_CODE.get(code[pc] as number);
    if (!info) {
      out.push(`${String(pc).padStart(6)}  word ${code[pc]}`);
      pc++;
    } else if (info.operand === "none") {
      out.push(`${String(pc).padStart(6)}  ${info.name}`);
      pc++;
    } else {
      const arg = pc + 1 < code.length ? String(code[pc + 1]) : "<missing>";
      out.push(`${String(pc).padStart(6)}  ${info.name} ${info.operand === "func" ? `f${arg}` : arg}`);
      pc += 2;
    }
  }
  return `${out.join("\n")}\n`;
}
