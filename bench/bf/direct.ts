// The child process of bench/bf/run.ts for the programs translated straight to JavaScript
// (bf2js.ts) or to WebAssembly (bf2wasm.ts): translates one Brainfuck program, then times V8
// compiling and running it with empty input (Node's start-up and our translation are not in the
// figure, as gcc's compilation is not in C's), and checks its output byte for byte.
// Prints the result as the last line of stdout (bench/lib/child.ts).
//   node bench/bf/direct.ts <js|wasm> <program.b> <expected.out>

import { readFileSync } from "node:fs";
import { printResult } from "../lib/child.ts";
import { bfToJs, runJs } from "./bf2js.ts";
import { bfToWasm, runWasm } from "./bf2wasm.ts";
import { firstDifference } from "./child.ts";

export type DirectResult = { status: "ok"; ms: number } | { status: "fail"; message: string };

const USAGE = "usage: node bench/bf/direct.ts <js|wasm> <program.b> <expected.out>";

function main(lang: "js" | "wasm", program: string, expectedPath: string): DirectResult {
  const source = readFileSync(program, "utf8");
  const expected = readFileSync(expectedPath);
  let output: Uint8Array;
  let ms: number;
  if (lang === "js") {
    const body = bfToJs(source, program);
    const t0 = performance.now();
    output = runJs(body);
    ms = performance.now() - t0;
  } else {
    const bytes = bfToWasm(source, program);
    const t0 = performance.now();
    output = runWasm(bytes);
    ms = performance.now() - t0;
  }
  if (!Buffer.from(output).equals(expected)) return { status: "fail", message: `wrong output: ${firstDifference(expected, output)}` };
  return { status: "ok", ms };
}

if (import.meta.main) {
  const [lang, program, expected] = process.argv.slice(2);
  if ((lang !== "js" && lang !== "wasm") || program === undefined || expected === undefined || process.argv.length !== 5) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  let result: DirectResult;
  try {
    result = main(lang, program, expected);
  } catch (e) {
    result = { status: "fail", message: `the child process threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
  process.stderr.write(
    result.status === "ok" ? `${lang}: ${result.ms.toFixed(0)} ms, output as expected\n` : `${lang}: ${result.message}\n`,
  );
  printResult(result);
}
