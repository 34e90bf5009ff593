// Runs a tlr program untranslated (the interpreter as plain TypeScript on Node):
//   node examples/tlr/run.ts <program.tlr> [input]
// The input (the accumulator's initial value) defaults to the program's `input` directive. The
// result is printed on stdout; a guest error is reported on stderr as `error: <message>` (exit 1),
// an assembler error as `path:line: message` lines (exit 2).

import { readFileSync } from "node:fs";
import { flushOutput, GuestError } from "../../src/hints/index.ts";
import { assemble, TlrAsmError } from "./asm.ts";
import { main } from "./interp.ts";

const [path, inputText, ...extra] = process.argv.slice(2);
const usage = () => {
  process.stderr.write("usage: node examples/tlr/run.ts <program.tlr> [input]\n");
  process.exit(2);
};
if (path === undefined || extra.length > 0) usage();
let input: number | null = null;
if (inputText !== undefined) {
  input = Number(inputText);
  if (!Number.isInteger(input) || (input | 0) !== input) {
    process.stderr.write(`error: the input must be a 32-bit integer, not '${inputText}'\n`);
    process.exit(2);
  }
}
let source = "";
try {
  source = readFileSync(path as string, "utf8");
} catch (e) {
  process.stderr.write(`error: cannot read ${path}: ${(e as Error).message}\n`);
  process.exit(2);
}
try {
  const a = assemble(source, path as string);
  main(a.code, input ?? a.input);
} catch (e) {
  flushOutput();
  if (e instanceof TlrAsmError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof GuestError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
