// The tiny benchmark suite (`npm run bench:tiny`, and the first part of `npm run bench`): the tiny
// guest programs in every available VM mode (untranslated, llinterp, translated, jit) and as
// hand-written TypeScript and C, all in one run. Prints the machine, the median times, and ratios
// measured in this run; every output is checked against the expected output (a wrong result is a
// failure, never a number). Each program is measured with each contender in a fresh child process
// (bench/tiny/child.ts), so that nothing run before changes it. Progress goes to stderr.
//
//   node bench/tiny/run.ts [--runs N] [--filter NAME] [--modes a,b] [--budget S] [--quick]
//
// How to read the report, and the figures of the last recorded run: docs/performance.md.

import { join } from "node:path";
import { runChild } from "../lib/child.ts";
import { gccVersion, machineInfo } from "../lib/machine.ts";
import { type Command, parseOptions, usageError } from "../lib/options.ts";
import { formatMs } from "../lib/stats.ts";
import { TINY_BENCHMARKS } from "./index.ts";
import { CONTENDERS, type ContenderName, type MeasureResult, type ProbeResult, probe, type Request, TITLE } from "./measure.ts";
import { formatReport, resultKey } from "./report.ts";

const CHILD = join(import.meta.dirname, "child.ts");
/** A child process that runs longer than this is stopped and counted as a failure. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;

const USAGE = `usage: node bench/tiny/run.ts [options]    (npm run bench:tiny -- [options])

Runs the tiny guest programs (bench-sized: bench/tiny/programs) in every available mode and as
hand-written TypeScript and C, and prints median times and their ratios, all measured in this run.

options:
  --runs N        timed runs per program and contender, after one warm-up run (default 5; 1 with --quick)
  --filter NAME   only the programs whose name contains NAME (e.g. fib)
  --modes a,b     only these contenders, among: ${CONTENDERS.join(", ")}
                  (default: all but llinterp, which takes minutes at bench size; all with --quick)
  --budget S      at most about S seconds of timed runs per program and contender (default 20):
                  a slow contender gets fewer runs, and the table says so
  --quick         the small test-sized programs (examples/tiny/programs), 1 run: a smoke test
  --help          this text

example: npm run bench:tiny -- --filter fib --modes untranslated,jit,ts --runs 3`;

const COMMAND: Command = { name: "bench/tiny/run.ts", usage: USAGE };

/** The options, by name (bench/run.ts passes on --runs, --filter, --budget and --quick to every suite). */
const TINY_OPTIONS = { runs: "count", filter: "string", modes: "list", budget: "positive", quick: "flag" } as const;

interface Options {
  runs: number;
  filter: string | null;
  modes: readonly ContenderName[];
  /** Contenders left out because --modes was not given (with the reason). */
  notByDefault: readonly [ContenderName, string][];
  budgetMs: number;
  quick: boolean;
}

function parseTinyOptions(argv: readonly string[]): Options {
  const o = parseOptions(COMMAND, argv, TINY_OPTIONS);
  let modes: readonly ContenderName[] | null = null;
  if (o.modes !== undefined) {
    const names = o.modes.map((s) => s.toLowerCase());
    for (const n of names)
      if (!(CONTENDERS as readonly string[]).includes(n))
        usageError(COMMAND, `unknown mode '${n}': expected some of ${CONTENDERS.join(", ")}`);
    modes = CONTENDERS.filter((c) => names.includes(c));
    if (modes.length === 0) usageError(COMMAND, "--modes names no contender");
  }
  const quick = o.quick === true;
  // L3 is the reference semantics, not a speed target: at about 1.5 M guest instructions per second
  // the bench-sized programs take minutes, so it runs by default only on the test-sized ones
  const notByDefault: [ContenderName, string][] =
    modes === null && !quick ? [["llinterp", "not run by default at bench size (minutes); add it with --modes or use --quick"]] : [];
  const chosen = modes ?? CONTENDERS.filter((c) => !notByDefault.some(([n]) => n === c));
  return {
    runs: o.runs ?? (quick ? 1 : 5),
    filter: o.filter ?? null,
    modes: chosen,
    notByDefault,
    budgetMs: (o.budget ?? 20) * 1000,
    quick,
  };
}

function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** Run one request in a fresh Node process; its stderr (progress) passes through. */
function inChild<R>(req: Request, fail: (message: string) => R): R {
  const r = runChild<R>(CHILD, [JSON.stringify(req)], CHILD_TIMEOUT_MS);
  const what = `${req.kind === "measure" ? `${req.bench} (${TITLE[req.contender]})` : TITLE[req.contender]}`;
  if (r.status === "result") return r.result;
  return fail(
    `${what}: ${r.status === "timeout" ? `the child process ran longer than ${CHILD_TIMEOUT_MS / 60_000} minutes and was stopped` : r.message}`,
  );
}

async function main(): Promise<void> {
  const opts = parseTinyOptions(process.argv.slice(2));
  const machine = machineInfo();
  const names = TINY_BENCHMARKS.map((r) => r.name).filter((n) => opts.filter === null || n.includes(opts.filter));
  if (names.length === 0)
    usageError(COMMAND, `--filter ${opts.filter} matches no program (programs: ${TINY_BENCHMARKS.map((r) => r.name).join(", ")})`);

  // which contenders can run here
  const failures: string[] = [];
  const notes: string[] = [];
  const columns: ContenderName[] = [];
  for (const c of CONTENDERS) {
    const left = opts.notByDefault.find(([n]) => n === c);
    if (left !== undefined) notes.push(`- ${TITLE[c]}: ${left[1]}`);
    if (!opts.modes.includes(c)) continue;
    let p: ProbeResult;
    if (c === "c" && gccVersion() === null) p = { status: "skipped", reason: "gcc not found" };
    else if (c === "ts" || c === "c") p = await probe(c);
    else {
      progress(`${TITLE[c]}: loading...`);
      p = inChild<ProbeResult>({ kind: "probe", contender: c }, (reason) => ({ status: "failed", reason }));
    }
    if (p.status === "ready") {
      columns.push(c);
      const setup =
        p.setupMs === undefined
          ? ""
          : `; first call in a fresh process (loading, front end and translation as the mode needs, on a one-instruction program): ${formatMs(p.setupMs)} ms`;
      notes.push(`- ${TITLE[c]}: ${p.how}${setup}`);
      progress(`${TITLE[c]}: ready`);
    } else if (p.status === "skipped") {
      notes.push(`- ${TITLE[c]}: skipped: ${p.reason}`);
      progress(`${TITLE[c]}: skipped (${p.reason})`);
    } else {
      failures.push(`${TITLE[c]}: ${p.reason}`);
      notes.push(`- ${TITLE[c]}: FAILED: ${p.reason}`);
      progress(`${TITLE[c]}: FAILED (${p.reason})`);
    }
  }

  // measure
  const cells = new Map<string, MeasureResult>();
  for (const [i, b] of names.entries()) {
    for (const c of columns) {
      progress(`[${i + 1}/${names.length} ${b}] ${TITLE[c]}`);
      const req: Request = { kind: "measure", contender: c, bench: b, quick: opts.quick, runs: opts.runs, budgetMs: opts.budgetMs };
      const cell = inChild<MeasureResult>(req, (message) => ({ status: "fail", message }));
      cells.set(resultKey(b, c), cell);
      if (cell.status === "fail") {
        failures.push(cell.message);
        progress(`  FAILED: ${cell.message}`);
      } else if (cell.status === "ok") {
        progress(`  median ${formatMs(cell.medianMs)} ms`);
      } else {
        progress(`  skipped: ${cell.reason}`);
      }
    }
  }
  process.stdout.write(
    formatReport({
      machine,
      command: `node bench/tiny/run.ts ${process.argv.slice(2).join(" ")}`.trimEnd(),
      quick: opts.quick,
      runs: opts.runs,
      notes,
      programs: names,
      columns,
      results: cells,
      failures,
    }),
  );
  if (failures.length > 0) {
    progress(`bench: ${failures.length} failure${failures.length === 1 ? "" : "s"}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await main();
