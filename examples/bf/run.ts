// Runs a Brainfuck program untranslated (the interpreter as plain TypeScript on Node):
//   node examples/bf/run.ts [--opt] <program.b> < input
// `--opt` picks the optimizing interpreter (interp-opt.ts). Guest output goes to stdout; a guest
// error is reported on stderr as `error: <message>` (exit 1), unmatched brackets as
// `path:line:column: message` lines (exit 2).

import { readFileSync } from "node:fs";
import { flushOutput, GuestError } from "../../src/hints/index.ts";
import { target as plain } from "./interp.ts";
import { target as opt } from "./interp-opt.ts";
import { BfSyntaxError } from "./parse.ts";

const args = process.argv.slice(2);
const useOpt = args[0] === "--opt";
if (useOpt) args.shift();
const path = args[0];
if (path === undefined || args.length > 1 || path.startsWith("-")) {
  process.stderr.write("usage: node examples/bf/run.ts [--opt] <program.b> < input\n");
  process.exit(2);
}
let source: string;
try {
  source = readFileSync(path, "utf8");
} catch (e) {
  process.stderr.write(`error: cannot read ${path}: ${(e as Error).message}\n`);
  process.exit(2);
}
const target = useOpt ? opt : plain;
try {
  target.entry(...target.prepare(source, path));
} catch (e) {
  flushOutput();
  if (e instanceof BfSyntaxError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof GuestError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
