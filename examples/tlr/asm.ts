// The tlr assembler: the text form of tlr programs (one instruction per line, labels, comments, an
// `input` directive) to the code array that examples/tlr/interp.ts runs, and back (disassemble).
// Host code: run by `prepare` before the interpreter starts, in every mode; never translated.

export type OperandKind = "none" | "register" | "int" | "label";

export interface OpcodeInfo {
  readonly name: string;
  readonly code: number;
  readonly operand: OperandKind;
}

/** Every instruction. The numbers are the constants of interp.ts (a test checks it). */
export const OPCODES: readonly OpcodeInfo[] = [
  { name: "MOV_A_R", code: 1, operand: "register" },
  { name: "MOV_R_A", code: 2, operand: "register" },
  { name: "JUMP_IF_A", code: 3, operand: "label" },
  { name: "SET_A", code: 4, operand: "int" },
  { name: "ADD_R_TO_A", code: 5, operand: "register" },
  { name: "RETURN_A", code: 6, operand: "none" },
  { name: "ALLOCATE", code: 7, operand: "int" },
  { name: "NEG_A", code: 8, operand: "none" },
];

/** Most registers a program may allocate (interp.ts checks it too). */
export const MAX_REGISTERS = 256;

const BY_NAME = new Map(OPCODES.map((o) => [o.name, o]));
const BY_CODE = new Map(OPCODES.map((o) => [o.code, o]));

/** Errors in a tlr source file; the message lists each as `path:line: message`. */
export class TlrAsmError extends Error {
  override name = "TlrAsmError";
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join("\n"));
    this.errors = errors;
  }
}

export interface Assembled {
  readonly code: Int32Array;
  /** The accumulator's initial value (the `input` directive; 0 without it). */
  readonly input: number;
  /** Label name → pc. */
  readonly labels: ReadonlyMap<string, number>;
}

const INT = /^[-+]?(0x[0-9a-f]+|\d+)$/i;
const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseInt32(text: string): number | null {
  if (!INT.test(text)) return null;
  const neg = text.startsWith("-");
  const digits = text.replace(/^[-+]/, "");
  const v = (neg ? -1 : 1) * Number(digits);
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}

/** Assemble tlr source text; `path` names the file in error messages. Throws TlrAsmError listing every error. */
export function assemble(source: string, path: string): Assembled {
  const errors: string[] = [];
  const words: number[] = [];
  const labels = new Map<string, number>();
  /** Label operands to resolve at the end: the word's index, the label, the line. */
  const fixups: { at: number; label: string; line: number }[] = [];
  let input: number | null = null;
  const lines = source.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const err = (m: string) => errors.push(`${path}:${line}: ${m}`);
    let rest = raw.replace(/[#;].*$/, "").trim();
    // labels, possibly several, before an instruction
    for (let m = /^([^\s:]+):\s*/.exec(rest); m !== null; m = /^([^\s:]+):\s*/.exec(rest)) {
      const name = m[1] as string;
      if (!LABEL.test(name)) err(`bad label name '${name}'`);
      else if (labels.has(name)) err(`label '${name}' is defined twice`);
      else labels.set(name, words.length);
      rest = rest.slice(m[0].length);
    }
    if (rest === "") continue;
    const parts = rest.split(/\s+/);
    const mnemonic = (parts[0] as string).toUpperCase();
    const args = parts.slice(1);
    if (mnemonic === "INPUT") {
      const v = args.length === 1 ? parseInt32(args[0] as string) : null;
      if (v === null) err(`'input' expects one integer, not '${args.join(" ")}'`);
      else if (input !== null) err("'input' is given twice");
      else input = v;
      continue;
    }
    const info = BY_NAME.get(mnemonic);
    if (!info) {
      err(`unknown instruction '${parts[0]}' (instructions: ${OPCODES.map((o) => o.name).join(", ")})`);
      continue;
    }
    if (info.operand === "none") {
      if (args.length !== 0) err(`'${info.name}' takes no operand`);
      words.push(info.code);
      continue;
    }
    if (args.length !== 1) {
      err(`'${info.name}' expects one operand (${describe(info.operand)})`);
      continue;
    }
    const text = args[0] as string;
    words.push(info.code);
    if (info.operand === "label") {
      if (LABEL.test(text)) {
        fixups.push({ at: words.length, label: text, line });
        words.push(0);
      } else err(`'${info.name}' expects a label, not '${text}'`);
      continue;
    }
    const v = parseInt32(text);
    if (v === null) err(`'${info.name}' expects ${describe(info.operand)}, not '${text}'`);
    else if (info.operand === "register" && (v < 0 || v >= MAX_REGISTERS)) err(`register ${v} is out of range (0 to ${MAX_REGISTERS - 1})`);
    else if (info.name === "ALLOCATE" && (v < 0 || v > MAX_REGISTERS)) err(`ALLOCATE ${v}: a program has 0 to ${MAX_REGISTERS} registers`);
    words.push(v ?? 0);
  }
  for (const f of fixups) {
    const pc = labels.get(f.label);
    if (pc === undefined) errors.push(`${path}:${f.line}: unknown label '${f.label}'`);
    else if (pc >= words.length) errors.push(`${path}:${f.line}: label '${f.label}' is at the end of the program, where no instruction is`);
    else words[f.at] = pc;
  }
  if (words.length === 0 && errors.length === 0) errors.push(`${path}: the program has no instructions`);
  if (errors.length > 0) throw new TlrAsmError(errors);
  return { code: Int32Array.from(words), input: input ?? 0, labels };
}

function describe(k: OperandKind): string {
  return k === "register" ? "a register number" : k === "label" ? "a label" : k === "int" ? "an integer" : "nothing";
}

/** The interpreter's entry arguments for a tlr source file: `main(code, input)`. */
export function prepare(source: string, path: string): unknown[] {
  const a = assemble(source, path);
  return [a.code, a.input];
}

/** A readable listing of a code array: one instruction per line with its pc. */
export function disassemble(code: Int32Array): string {
  const out: string[] = [];
  let pc = 0;
  while (pc < code.length) {
    const info = BY_CODE.get(code[pc] as number);
    if (!info) {
      out.push(`${String(pc).padStart(4)}  word ${code[pc]}`);
      pc++;
    } else if (info.operand === "none") {
      out.push(`${String(pc).padStart(4)}  ${info.name}`);
      pc++;
    } else {
      out.push(`${String(pc).padStart(4)}  ${info.name} ${code[pc + 1] ?? "<missing>"}`);
      pc += 2;
    }
  }
  return out.join("\n");
}
