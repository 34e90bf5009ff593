// Brainfuck → C, one statement per command (the physical-limit reference of bench/bf/run.ts):
//   node bench/bf/bf2c.ts prog.b > prog.c && gcc -O2 -o prog prog.c
// With --count, the program also counts the commands it executes and the iterations of each loop,
// and prints them on stderr at the end (what docs/performance.md divides run times by).
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
 * The C translation of a Brainfuck program (unmatched brackets throw parse.ts's BfSyntaxError).
 * With `count`, the program also counts executed commands (a `[` once per entry, a `]` once per
 * test) and each loop's iterations, and prints on stderr the totals, the share of iterations in
 * pointer-scanning loops (only `<` or only `>` in the body, such as `[>>>>]`), and the hottest
 * loops with their line:column and text.
 */
export function bfToC(source: string, path: string, count = false): string {
  const { program, lines, columns } = parse(source, path);
  const out = ["#include <stdio.h>", "static unsigned char tape[1 << 20];"];
  const loops: { at: string; text: string; scan: boolean }[] = [];
  const body: string[] = [];
  const opens: number[] = [];
  let depth = 1;
  for (let i = 0; i < program.length; i++) {
    const ch = String.fromCharCode(program[i] as number);
    if (ch === "]") depth--;
    const pad = "  ".repeat(depth);
    if (!count) body.push(`${pad}${STATEMENTS[ch]}`);
    else if (ch === "[") {
      opens.push(loops.length);
      loops.push({ at: `${lines[i]}:${columns[i]}`, text: "", scan: false });
      body.push(`${pad}commands++;`, `${pad}while (*p) {`, `${pad}  loop[${loops.length - 1}]++;`);
    } else body.push(`${pad}commands++; ${STATEMENTS[ch]}`);
    if (ch === "]" && count) {
      const k = opens.pop() as number;
      const loop = loops[k] as { at: string; text: string; scan: boolean };
      let start = i;
      for (let d = 0; ; start--) {
        d += program[start] === 93 ? 1 : program[start] === 91 ? -1 : 0;
        if (d === 0) break;
      }
      const text = String.fromCharCode(...program.subarray(start, i + 1));
      loop.text = text.length > 48 ? `${text.slice(0, 45)}...` : text;
      loop.scan = /^\[(<+|>+)\]$/.test(text);
    }
    if (ch === "[") depth++;
  }
  if (count) {
    const n = Math.max(loops.length, 1);
    const q = (t: string) => JSON.stringify(t);
    out.push(
      "static unsigned long long commands, loop[" + n + "];",
      "static const char *const where[" + n + "] = {" + (loops.map((l) => q(l.at)).join(", ") || "0") + "};",
      "static const char *const text[" + n + "] = {" + (loops.map((l) => q(l.text)).join(", ") || "0") + "};",
      "static const unsigned char scan[" + n + "] = {" + (loops.map((l) => (l.scan ? "1" : "0")).join(", ") || "0") + "};",
      "static void report(void) {",
      "  unsigned long long all = 0, scans = 0;",
      `  for (int k = 0; k < ${loops.length}; k++) { all += loop[k]; if (scan[k]) scans += loop[k]; }`,
      '  fprintf(stderr, "%llu commands, %llu loop iterations, %.1f%% of them in pointer-scanning loops\\n", commands, all, all ? 100.0 * scans / all : 0.0);',
      "  for (int r = 0; r < 10; r++) {",
      "    int best = -1;",
      `    for (int k = 0; k < ${loops.length}; k++) if (loop[k] && (best < 0 || loop[k] > loop[best])) best = k;`,
      "    if (best < 0) break;",
      '    fprintf(stderr, "  %12llu iterations  %s  %s\\n", loop[best], where[best], text[best]);',
      "    loop[best] = 0;",
      "  }",
      "}",
    );
  }
  out.push("int main(void) {", "  unsigned char *p = tape;", ...body);
  if (count) out.push("  report();");
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
