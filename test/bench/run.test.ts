// The harnesses as commands: bench/run.ts --suite tiny --quick runs one program and prints the
// report's tables; bad options are usage errors, in bench/run.ts (which passes the shared options to
// every suite) and in each suite. Never asserts timing. Also the shared option parser, the measuring
// loop (with fake contenders: wrong outputs fail, the run budget) and the report helpers.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { parseOptions, pickOptions } from "../../bench/lib/options.ts";
import { geomean, markdownTable, median } from "../../bench/lib/stats.ts";
import type { CompileStats, GuestRun } from "../../bench/lib/vm-modes.ts";
import { type Contender, loadBench, type MeasureResult, measureWith } from "../../bench/tiny/measure.ts";

const BENCH = join(import.meta.dirname, "../../bench");

function run(script: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(BENCH, script), ...args], { encoding: "utf8" });
}
const bench = (...args: string[]) => run("run.ts", "--suite", "tiny", ...args);

test("--suite tiny --quick on one program prints the machine, the times and the ratios", () => {
  const r = bench("--quick", "--filter", "sum", "--modes", "untranslated,ts");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^machine: .+, \d+ cores/m);
  assert.match(r.stdout, /^node: +v\d+/m);
  assert.match(r.stdout, /## Median time \(ms\)/);
  assert.match(r.stdout, /^\| program \| untranslated \| +TS \|$/m);
  assert.match(r.stdout, /^\| sum +\| +[\d.]+ \| +[\d.]+ \|$/m);
  assert.match(r.stdout, /^\| program \| untranslated\/TS \|$/m);
  assert.doesNotMatch(r.stdout, /fibrec|FAIL/);
  assert.match(r.stderr, /\[1\/1 sum\] untranslated/);
});

test("unknown modes and options are usage errors", () => {
  const a = bench("--modes", "untranslated,warp");
  assert.equal(a.status, 2);
  assert.match(a.stderr, /unknown mode 'warp': expected some of untranslated, llinterp, translated, jit, ts, c/);
  const b = bench("--fast");
  assert.equal(b.status, 2);
  assert.match(b.stderr, /unknown option '--fast'/);
  const c = bench("--filter", "nothing-matches");
  assert.equal(c.status, 2);
  assert.match(c.stderr, /matches no program/);
});

test("bench/run.ts: options of one suite need --suite; unknown suites and options are usage errors", () => {
  const a = run("run.ts", "--modes", "jit");
  assert.equal(a.status, 2);
  assert.match(a.stderr, /--modes is not an option of every suite: add --suite tiny or --suite bf/);
  const b = run("run.ts", "--suite", "warp");
  assert.equal(b.status, 2);
  assert.match(b.stderr, /unknown suite 'warp': expected tiny or bf/);
  const c = run("run.ts", "--runs", "two");
  assert.equal(c.status, 2);
  assert.match(c.stderr, /--runs must be a positive number, not 'two'/);
  const d = run("run.ts", "--suite", "bf", "--limit", "0");
  assert.equal(d.status, 2);
  assert.match(d.stderr, /^bench\/bf\/run\.ts: --limit must be a positive number, not '0'/m);
  const e = run("bf/run.ts", "--modes", "jit,warp");
  assert.equal(e.status, 2);
  assert.match(e.stderr, /unknown contender 'warp'/);
  const h = run("run.ts", "--help");
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--suite NAME/);
});

test("the shared option parser", () => {
  const cmd = { name: "test", usage: "usage: test" };
  const spec = { runs: "count", modes: "list", budget: "positive", quick: "flag", filter: "string" } as const;
  assert.deepEqual(parseOptions(cmd, ["--runs", "3", "--modes=jit, c,", "--quick", "--budget=2.5", "--filter", "fib"], spec), {
    runs: 3,
    modes: ["jit", "c"],
    quick: true,
    budget: 2.5,
    filter: "fib",
  });
  assert.deepEqual(parseOptions(cmd, [], spec), {});
  assert.deepEqual(pickOptions(["--runs", "3", "--modes", "jit", "--quick", "--filter=fib"], spec, ["runs", "quick", "filter"]), [
    "--runs",
    "3",
    "--quick",
    "--filter=fib",
  ]);
});

test("median, geomean and Markdown tables", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Math.abs(geomean([1, 4]) - 2) < 1e-12);
  assert.equal(markdownTable(["a", "bb"], [["x", "1"]]), "| a   |  bb |\n|-----|----:|\n| x   |   1 |");
});

function fakeContender(outputs: string[], ms: number, stats?: CompileStats): Contender & { calls: number } {
  const c = {
    how: "fake",
    calls: 0,
    async run(): Promise<GuestRun> {
      const output = outputs[Math.min(c.calls, outputs.length - 1)] as string;
      c.calls++;
      return stats === undefined ? { output, ms } : { output, ms, stats };
    },
  };
  return c;
}

test("a wrong output in any run is a failure, not a time", async () => {
  const b = loadBench("sum", true);
  const c = fakeContender([b.expected, b.expected, "200010000\n669427\n"], 1);
  const r = await measureWith(c, "fake", b, 5, 60_000, () => {});
  assert.equal(r.status, "fail");
  assert.equal((r as { message: string }).message, 'sum (fake), run 2: wrong output: line 2: expected "669426", got "669427"');
});

test("the budget cuts the number of runs, never below one; stats of the last timed run", async () => {
  const b = loadBench("sum", true);
  const slow = fakeContender([b.expected], 1000, { compilations: 2, guestInstructions: 40, compileMs: 3, wasmBytes: 900 });
  const r = await measureWith(slow, "fake", b, 5, 2500, () => {});
  assert.equal(r.status, "ok");
  const ok = r as Extract<MeasureResult, { status: "ok" }>;
  assert.deepEqual(ok.times, [1000, 1000]);
  assert.equal(slow.calls, 3);
  assert.deepEqual(ok.stats, { compilations: 2, guestInstructions: 40, compileMs: 3, wasmBytes: 900 });
  assert.equal(ok.statsRun, "last timed");
  const slower = await measureWith(fakeContender([b.expected], 9000), "fake", b, 5, 2500, () => {});
  assert.deepEqual((slower as Extract<MeasureResult, { status: "ok" }>).times, [9000]);
});

test("stats of the warm-up run when only it compiled (a VM that keeps its code between runs)", async () => {
  const b = loadBench("sum", true);
  let calls = 0;
  const keeps: Contender = {
    how: "fake",
    async run() {
      const stats = calls++ === 0 ? { compilations: 1, compileMs: 4 } : { compilations: 0, compileMs: 0 };
      return { output: b.expected, ms: 1, stats };
    },
  };
  const r = (await measureWith(keeps, "fake", b, 2, 60_000, () => {})) as Extract<MeasureResult, { status: "ok" }>;
  assert.equal(r.statsRun, "warm-up");
  assert.deepEqual(r.stats, { compilations: 1, compileMs: 4 });
});
