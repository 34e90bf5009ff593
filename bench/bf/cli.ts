// What the Brainfuck translators (bf2js.ts, bf2wasm.ts) share: the byte input and output their
// programs run with, and their command line (one program file in, the translation on stdout; a
// usage error or a syntax error, path:line:column, on stderr, exit 2).

import { readFileSync } from "node:fs";

/** Input bytes read one at a time (-1 at the end), output bytes collected. */
export function byteIO(input: Uint8Array): { put(c: number): void; get(): number; output(): Uint8Array } {
  const out: number[] = [];
  let at = 0;
  return {
    put: (c) => {
      out.push(c & 255);
    },
    get: () => (at < input.length ? (input[at++] as number) : -1),
    output: () => new Uint8Array(out),
  };
}

/** Run a translator: `node bench/bf/<name>.ts <program.b> > <output>`. */
export function translatorMain(name: string, output: string, translate: (source: string, path: string) => string | Uint8Array): void {
  const path = process.argv[2];
  if (path === undefined || process.argv.length !== 3 || path.startsWith("-")) {
    process.stderr.write(`usage: node bench/bf/${name}.ts <program.b> > ${output}\n`);
    process.exit(2);
  }
  let out: string | Uint8Array;
  try {
    out = translate(readFileSync(path, "utf8"), path);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  process.stdout.write(out);
}
