// Host side of the Brainfuck interpreters: program text → the commands (comments dropped) and the
// bracket map, with unmatched brackets reported as `path:line:column: ...`. Run by `prepare` before
// the interpreter starts, in every mode; never translated.

/** The eight Brainfuck commands; every other character is a comment. */
export const COMMANDS = "+-<>.,[]";

/** 1 at the character codes of the commands. */
const IS_COMMAND = new Uint8Array(128);
for (const ch of COMMANDS) IS_COMMAND[ch.charCodeAt(0)] = 1;

/** Errors in a Brainfuck source file; the message lists each as `path:line:column: message`. */
export class BfSyntaxError extends Error {
  override name = "BfSyntaxError";
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join("\n"));
    this.errors = errors;
  }
}

export interface Parsed {
  /** The commands in program order (character codes), comments removed. */
  readonly program: Uint8Array;
  /** For each `[` and `]` of `program`, the index of its partner; -1 elsewhere. */
  readonly brackets: Int32Array;
  /** For each command, its 1-based line and column in the source (for messages and tools). */
  readonly lines: Int32Array;
  readonly columns: Int32Array;
}

/** Parse Brainfuck source text; `path` names the file in error messages. Throws BfSyntaxError listing every unmatched bracket. */
export function parse(source: string, path: string): Parsed {
  const cmds = new Uint8Array(source.length);
  const lines = new Int32Array(source.length);
  const cols = new Int32Array(source.length);
  let n = 0;
  let line = 1;
  let col = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (IS_COMMAND[c] === 1) {
      cmds[n] = c;
      lines[n] = line;
      cols[n] = col;
      n++;
    }
    if (c === 10) {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  const brackets = new Int32Array(n).fill(-1);
  const open: number[] = [];
  const errors: { at: number; text: string }[] = [];
  for (let i = 0; i < n; i++) {
    if (cmds[i] === 91) {
      open.push(i);
    } else if (cmds[i] === 93) {
      const j = open.pop();
      if (j === undefined) {
        errors.push({ at: i, text: "unmatched ']' (no '[' before it is open)" });
      } else {
        brackets[i] = j;
        brackets[j] = i;
      }
    }
  }
  for (const j of open) errors.push({ at: j, text: "unmatched '[' (never closed by a ']')" });
  if (errors.length > 0) {
    errors.sort((a, b) => a.at - b.at);
    throw new BfSyntaxError(errors.map((e) => `${path}:${lines[e.at]}:${cols[e.at]}: ${e.text}`));
  }
  return { program: cmds.slice(0, n), brackets, lines: lines.slice(0, n), columns: cols.slice(0, n) };
}

/** The entry arguments of examples/bf/interp.ts: `main(program, brackets)`. */
export function prepare(source: string, path: string): unknown[] {
  const p = parse(source, path);
  return [p.program, p.brackets];
}
