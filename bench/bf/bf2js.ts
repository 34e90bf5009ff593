// Brainfuck → JavaScript, one statement per command (a reference of bench/bf/run.ts: what V8's own
// JIT makes of the program written by hand in plain JavaScript, the language our users'
// interpreters are written in). Each loop is a function `(p) => p` over one Uint8Array tape: V8
// optimizes no function of over 60 KB of bytecode, and mandelbrot.b in one function is 171 KB,
// which took 37-49 s against about 2 s (2026-11-26). Like the C translation (bf2c.ts) the program
// does not check the pointer (a Uint8Array ignores writes off its end and reads undefined).
//   node bench/bf/bf2js.ts prog.b > prog.mjs && node prog.mjs

import { parse } from "../../examples/bf/parse.ts";
import { byteIO, translatorMain } from "./cli.ts";

const STATEMENTS: Record<string, string> = {
  "+": "t[p]++;",
  "-": "t[p]--;",
  ">": "p++;",
  "<": "p--;",
  ".": "put(t[p]);",
  ",": "{ const c = get(); t[p] = c < 0 ? 0 : c; }",
};

/**
 * The body of a function `(put, get) => pointer` that runs the program (unmatched brackets throw
 * parse.ts's BfSyntaxError): `put(byte)` writes a byte, `get()` reads one (-1 at end of input).
 */
export function bfToJs(source: string, path: string): string {
  const { program } = parse(source, path);
  const loops: string[] = [];
  /** The statements from `i` to the matching `]` (or the end), indented; returns where it stopped. */
  const emit = (i: number, out: string[]): number => {
    for (; i < program.length; i++) {
      const ch = String.fromCharCode(program[i] as number);
      if (ch === "]") return i;
      if (ch !== "[") {
        out.push(`  ${STATEMENTS[ch]}`);
        continue;
      }
      const body: string[] = [];
      const k = loops.length;
      loops.push("");
      i = emit(i + 1, body);
      loops[k] = [`function L${k}(p) {`, " while (t[p] !== 0) {", ...body.map((s) => ` ${s}`), " }", " return p;", "}"].join("\n");
      out.push(`  p = L${k}(p);`);
    }
    return i;
  };
  const main: string[] = [];
  emit(0, main);
  return ["const t = new Uint8Array(1 << 20);", ...loops, "let p = 0;", ...main.map((s) => s.slice(2)), "return p;", ""].join("\n");
}

/** Compile and run a body made by bfToJs on `input`; its output bytes. */
export function runJs(body: string, input: Uint8Array = new Uint8Array()): Uint8Array {
  const io = byteIO(input);
  const run = new Function("put", "get", body) as (put: (c: number) => void, get: () => number) => number;
  run(io.put, io.get);
  return io.output();
}

/** A standalone ES module of the program: standard input in, standard output out. */
export function bfToJsProgram(source: string, path: string): string {
  return [
    'import { readFileSync } from "node:fs";',
    "const input = readFileSync(0); let at = 0; const out = [];",
    "const put = (c) => { out.push(c); }, get = () => (at < input.length ? input[at++] : -1);",
    `(function () {\n${bfToJs(source, path)}})();`,
    "process.stdout.write(Uint8Array.from(out));",
    "",
  ].join("\n");
}

if (import.meta.main) translatorMain("bf2js", "program.mjs", bfToJsProgram);
