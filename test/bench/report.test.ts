// The benchmark report (bench/tiny/report.ts) on made-up results: which ratio columns appear for
// which contenders, the geometric mean row, reduced run counts, failures, the compilation
// figures per guest instruction and the times without compilation; and the Brainfuck report
// (bench/bf/run.ts): ratios with bounds where a run was stopped.

import assert from "node:assert/strict";
import { test } from "node:test";
import { boundedRatio, type Cell, formatBfReport } from "../../bench/bf/run.ts";
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
    command: "node bench/tiny/run.ts",
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

test("the JIT's time without compilation: a derived table, the measured ratios unchanged", () => {
  const jit: MeasureResult = { status: "ok", medianMs: 50, times: [40, 50, 60], compileMs: [30, 30, 45] };
  const text = formatReport(
    input(
      ["translated", "jit", "ts"],
      [
        ["sum", "translated", ok(100)],
        ["sum", "jit", jit],
        ["sum", "ts", ok(5)],
      ],
    ),
  );
  assert.match(text, /^\| sum +\| +0\.500 \| +10\.0 \|$/m); // jit/translated and jit/TS from the measured medians
  assert.match(text, /## Without compile time \(.*derived, not measured\)/);
  // runs minus compile: 10, 20, 15 -> median 15; compile median 30
  assert.match(text, /^\| sum +\| jit +\| +50\.00 \| +30\.00 \| +15\.00 \| +0\.150 \| +3\.00 \|$/m);
  assert.doesNotMatch(formatReport(input(["jit"], [["sum", "jit", ok(10)]])), /Without compile time/);
});

test("Brainfuck report: ratios, with bounds where a run was stopped", () => {
  const cell = (...times: number[]): Cell => ({ status: "ok", times });
  const stopped: Cell = { status: "timeout", times: [], limitMs: 30_000 };
  assert.deepEqual(boundedRatio(cell(2000), cell(1000)), { text: "2.00", value: 2 });
  assert.equal(boundedRatio(cell(3000), stopped).text, "< 0.100");
  assert.equal(boundedRatio(stopped, cell(3000)).text, "> 10.0");
  assert.equal(boundedRatio(stopped, stopped).text, "?");
  assert.equal(boundedRatio(cell(1), undefined).text, "-");
  const cells = new Map<string, Cell>([
    ["bench/translated", cell(4000, 4200, 4100)],
    ["bench/jit", cell(800, 900, 1000)],
    ["bench/c", cell(20)],
    ["bench/pypy", cell(9000)],
    ["bench/cpython", stopped],
  ]);
  const text = formatBfReport({
    header: ["machine: Test CPU"],
    programs: ["bench"],
    contenders: ["translated", "jit", "c", "cpython", "pypy"],
    cells,
    notes: [],
    failures: [],
  });
  assert.match(text, /^\| cpython +\| > 30\.0 \(stopped\) \| 1 stopped \|/m);
  assert.match(text, /^\| program +\| jit\/translated \| jit\/C \| jit\/PyPy \|$/m);
  assert.match(text, /^\| bench\.b +\| +0\.220 \| +45\.0 \| +0\.100 \|$/m);
});
