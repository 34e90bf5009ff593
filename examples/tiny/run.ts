// Runs a tiny guest program untranslated (the interpreter as plain TypeScript on Node):
//   node examples/tiny/run.ts <program.tiny>
// Guest output goes to stdout; a guest error is reported on stderr as `error: <message>` (exit 1),
// an assembler error as `path:line: message` lines (exit 2).

import { readFileSync } from "node:fs";
import { flushOutput, GuestError } from "../../src/hints/index.ts";
import { AsmError } from "./asm.ts";
import { target } from "./interp.ts";

const path = process.argv[2];
if (path === undefined || process.argv.length > 3) {
  process.stderr.write("usage: node examples/tiny/run.ts <program.tiny>\n");
  process.exit(2);
}
let source: string;
try {
  source = readFileSync(path, "utf8");
} catch (e) {
  process.stderr.write(`error: cannot read ${path}: ${(e as Error).message}\n`);
  process.exit(2);
}
try {
  target.entry(...target.prepare(source, path));
} catch (e) {
  flushOutput();
  if (e instanceof AsmError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof GuestError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
