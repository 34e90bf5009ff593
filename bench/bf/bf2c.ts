// Brainfuck → C, one statement per command (the physical-limit reference of bench/bf/run.ts):
//   node bench/bf/bf2c.ts prog.b > prog.c && gcc -O2 -o prog prog.c
// With --count, the program also counts the commands it executes and the iterations of its loops
// and prints both on stderr at the end (what docs/performance.md divides run times by).
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

/**
 * The C translation of a Brainfuck program (unmatched brackets throw parse.ts's BfSyntaxError);
 * with `count`, it counts executed commands (a `[` or `]` once per test) and loop iterations.
 */
export function bfToC(source: string, path: string, count = false): string {
  const { program } = parse(source, path);
  const out = ["#include <stdio.h>", "static unsigned char tape[1 << 20];"];
  if (count) out.push("static unsigned long long commands, iterations;");
  out.push("int main(void) {", "  unsigned char *p = tape;");
  let depth = 1;
  for (const c of program) {
    const ch = String.fromCharCode(c);
    if (ch === "]") depth--;
    const pad = "  ".repeat(depth);
    if (!count) out.push(`${pad}${STATEMENTS[ch]}`);
    else if (ch === "[") out.push(`${pad}commands++;`, `${pad}while (*p) {`, `${pad}  iterations++;`);
    else out.push(`${pad}commands++; ${STATEMENTS[ch]}`);
    if (ch === "[") depth++;
  }
  if (count) out.push('  fprintf(stderr, "%llu commands, %llu loop iterations\\n", commands, iterations);');
  out.push("  return 0;", "}", "");
  return out.join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const count = args[0] === "--count";
  const path = count ? args[1] : args[0];
  if (path === undefined || args.length > (count ? 2 : 1) || path.startsWith("-")) {
    process.stderr.write("usage: node bench/bf/bf2c.ts [--count] <program.b> > program.c\n");
    process.exit(2);
  }
  try {
    process.stdout.write(bfToC(readFileSync(path, "utf8"), path, count));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
}
