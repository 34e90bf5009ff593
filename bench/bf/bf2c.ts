// Brainfuck → C, one statement per command (the physical-limit reference of bench/bf/run.ts):
//   node bench/bf/bf2c.ts prog.b > prog.c && gcc -O2 -o prog prog.c
// The same conventions as examples/bf: 8-bit cells that wrap, a tape of 1 << 20 cells with the
// pointer at cell 0, `,` at end of input stores 0. Unlike the interpreters, the C program does not
// check the pointer: it is the straightforward translation, not a safe one.

import { readFileSync } from "node:fs";
import { parse } from "../../examples/bf/parse.ts";

const STATEMENTS: Record<string, string> = {
  "+": "++*p;",
  "-": "--*p;",
  ">": "++p;",
  "<": "--p;",
  ".": "putchar(*p);",
  ",": "{ int c = getchar(); *p = c == EOF ? 0 : (unsigned char)c; }",
  "[": "while (*p) {",
  "]": "}",
};

/** The C translation of a Brainfuck program (unmatched brackets throw parse.ts's BfSyntaxError). */
export function bfToC(source: string, path: string): string {
  const { program } = parse(source, path);
  const out = ["#include <stdio.h>", "static unsigned char tape[1 << 20];", "int main(void) {", "  unsigned char *p = tape;"];
  let depth = 1;
  for (const c of program) {
    const ch = String.fromCharCode(c);
    if (ch === "]") depth--;
    out.push(`${"  ".repeat(depth)}${STATEMENTS[ch]}`);
    if (ch === "[") depth++;
  }
  out.push("  return 0;", "}", "");
  return out.join("\n");
}

if (import.meta.main) {
  const path = process.argv[2];
  if (path === undefined || process.argv.length > 3) {
    process.stderr.write("usage: node bench/bf/bf2c.ts <program.b> > program.c\n");
    process.exit(2);
  }
  try {
    process.stdout.write(bfToC(readFileSync(path, "utf8"), path));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
}
