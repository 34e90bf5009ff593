// The benchmark report (bench/tiny/report.ts) on made-up results: which ratio columns appear for
// which contenders, the geometric mean row, reduced run counts, failures and the compilation
// figures per guest instruction.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { MachineInfo } from "../../bench/lib/machine.ts";
import type { ContenderName, MeasureResult } from "../../bench/tiny/measure.ts";
import { formatReport, type ReportInput, ratioColumns, resultKey } from "../../bench/tiny/report.ts";

const MACHINE: MachineInfo = {
  cpu: "Test CPU",
  cores: 4,
  memoryGiB: 8,
  os: "Linux",
  node: "v24.0.0",
  v8: "13.6",
  gcc: null,
  date: "2026-01-01T00:00:00Z",
  load: 0.5,
};

function input(columns: ContenderName[], results: [string, ContenderName, MeasureResult][], failures: string[] = []): ReportInput {
  return {
    machine: MACHINE,
    command: "node bench/run.ts",
    quick: false,
    runs: 3,
    notes: ["- TS: hand-written"],
    programs: [...new Set(results.map(([p]) => p))],
    columns,
    results: new Map(results.map(([p, c, r]) => [resultKey(p, c), r])),
    failures,
  };
}

const ok = (ms: number, runs = 3): MeasureResult => ({ status: "ok", medianMs: ms, times: Array(runs).fill(ms) });

test("ratio columns follow the contenders present", () => {
  const titles = (have: ContenderName[]) => ratioColumns((n) => have.includes(n)).map(([t]) => t);
  assert.deepEqual(titles(["untranslated", "ts", "c"]), ["untranslated/TS", "untranslated/C", "TS/C"]);
  assert.deepEqual(titles(["untranslated", "llinterp", "translated", "jit", "ts", "c"]), [
    "untranslated/translated",
    "llinterp/translated",
    "jit/translated",
    "untranslated/jit",
    "jit/TS",
    "jit/C",
    "TS/C",
  ]);
  assert.deepEqual(titles(["translated"]), []);
});

test("times, ratios, geomean, reduced runs and failures", () => {
  const text = formatReport(
    input(
      ["untranslated", "translated", "jit", "ts"],
      [
        ["sum", "untranslated", ok(400)],
        ["sum", "translated", ok(200)],
        ["sum", "jit", ok(10, 1)],
        ["sum", "ts", ok(5)],
        ["fib", "untranslated", ok(100)],
        ["fib", "translated", ok(100)],
        ["fib", "jit", { status: "fail", message: 'fib (jit), run 1: wrong output: line 1: expected "1", got "2"' }],
        ["fib", "ts", ok(1)],
      ],
      ['fib (jit), run 1: wrong output: line 1: expected "1", got "2"'],
    ),
  );
  assert.match(text, /^machine: Test CPU, 4 cores/m);
  assert.match(text, /^gcc: +not found/m);
  assert.match(text, /^\| sum +\| +400\.0 \| +200\.0 \| 10\.00 \(1 run\) \| 5\.00 \|$/m);
  assert.match(text, /^\| fib +\| +100\.0 \| +100\.0 \| +FAIL \| 1\.00 \|$/m);
  assert.match(text, /^\| program \| untranslated\/translated \| jit\/translated \| untranslated\/jit \| jit\/TS \|$/m);
  assert.match(text, /^\| sum +\| +2\.00 \| +0\.0500 \| +40\.0 \| +2\.00 \|$/m);
  assert.match(text, /^\| fib +\| +1\.00 \| +FAIL \| +FAIL \| +FAIL \|$/m);
  assert.match(text, /^\| geomean \| +1\.41 \| +- \| +- \| +- \|$/m);
  assert.match(text, /## Failures\n\n- fib \(jit\), run 1: wrong output/);
  assert.doesNotMatch(text, /## Compilation/);
});

test("compilation figures per guest instruction", () => {
  const jit: MeasureResult = {
    ...ok(10),
    stats: { compilations: 3, guestInstructions: 50, compileMs: 2.5, wasmBytes: 4000 },
    statsRun: "warm-up",
  } as MeasureResult;
  const text = formatReport(input(["jit"], [["sum", "jit", jit]]));
  assert.match(text, /## Compilation \(in one run/);
  assert.match(text, /^\| sum +\| jit +\| warm-up \| +3 \| +50 \| +2\.50 \| +50\.0 \| +4000 \| +80\.0 \|$/m);
});
