// The child process of bench/bf/run.ts for the VM modes: loads one mode on a probe program
// (examples/bf/programs/hello.b: loading, the front end and translation happen there, and are
// reported as setup), then times one run of one Brainfuck program with empty input and checks its
// output byte for byte. A fresh process per timed run: the program runs cold, as it would from the
// command line, so a JIT's compilation time is part of the figure (as it is for PyPy's).
// Prints the result as the last line of stdout (bench/lib/child.ts).
//   node bench/bf/child.ts <mode> <interp.ts> <program.b> <expected.out>

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemoryIO } from "../../src/hints/index.ts";
import { availableModes, runGuest } from "../../src/vm/run.ts";
import { printResult } from "../lib/child.ts";

export type ChildResult =
  | { status: "ok"; ms: number; setupMs: number }
  | { status: "skipped"; reason: string }
  | { status: "fail"; message: string };

const PROBE = join(import.meta.dirname, "../../examples/bf/programs/hello.b");

/** Where two byte strings first differ, for a failure message. */
export function firstDifference(expected: Uint8Array, actual: Uint8Array): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const show = (b: Uint8Array) => JSON.stringify(Buffer.from(b.subarray(i, i + 20)).toString("latin1"));
  return `first difference at byte ${i} of ${expected.length}: expected ${show(expected)}, got ${show(actual)}`;
}

async function runOnce(mode: string, interp: string, program: string): Promise<{ bytes: Uint8Array; ms: number; error?: string }> {
  const io = new MemoryIO();
  const t0 = performance.now();
  const r = await runGuest({ interp, program, mode, io, progress: (s) => process.stderr.write(`    ${s}\n`) });
  const ms = performance.now() - t0;
  return r.ok ? { bytes: io.bytes(), ms } : { bytes: io.bytes(), ms, error: r.error ?? "unknown error" };
}

async function main(argv: readonly string[]): Promise<ChildResult> {
  const [mode, interp, program, expectedPath] = argv;
  if (mode === undefined || interp === undefined || program === undefined || expectedPath === undefined || argv.length !== 4)
    return { status: "fail", message: "usage: node bench/bf/child.ts <mode> <interp.ts> <program.b> <expected.out>" };
  if (!availableModes().includes(mode))
    return { status: "skipped", reason: `runGuest does not offer it yet (its modes: ${availableModes().join(", ")})` };
  const probe = await runOnce(mode, interp, PROBE);
  const probeExpected = readFileSync(PROBE.replace(/\.b$/, ".out"));
  if (probe.error !== undefined) return { status: "fail", message: `the probe program hello.b failed: ${probe.error}` };
  if (!Buffer.from(probe.bytes).equals(probeExpected))
    return { status: "fail", message: `the probe program hello.b: ${firstDifference(probeExpected, probe.bytes)}` };
  const expected = readFileSync(expectedPath);
  const r = await runOnce(mode, interp, program);
  if (r.error !== undefined) return { status: "fail", message: `${r.error} (after ${r.bytes.length} bytes of output)` };
  if (!Buffer.from(r.bytes).equals(expected)) return { status: "fail", message: `wrong output: ${firstDifference(expected, r.bytes)}` };
  return { status: "ok", ms: r.ms, setupMs: probe.ms };
}

if (import.meta.main) {
  let result: ChildResult;
  try {
    result = await main(process.argv.slice(2));
  } catch (e) {
    result = { status: "fail", message: `the child process threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
  printResult(result);
}
