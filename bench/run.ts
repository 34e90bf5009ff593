// `npm run bench`: the tiny guest programs in every available VM mode (untranslated, llinterp,
// translated, jit) and as hand-written TypeScript and C, all in one run. Prints the machine, the
// median times, and ratios measured in this run; every output is checked against the expected
// output (a wrong result is a failure, never a number). Each program is measured with each
// contender in a fresh child process (bench/tiny/child.ts), so that nothing run before changes it.
// Progress goes to stderr.
//
//   node bench/run.ts [--runs N] [--filter NAME] [--modes a,b] [--budget S] [--quick]
//
// How to read the report, and the figures of the last recorded run: docs/performance.md.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { gccVersion, machineInfo } from "./lib/machine.ts";
import { formatMs } from "./lib/stats.ts";
import { TINY_BENCHMARKS } from "./tiny/index.ts";
import {
  CONTENDERS,
  type ContenderName,
  type MeasureResult,
  type ProbeResult,
  probe,
  RESULT_PREFIX,
  type Request,
  TITLE,
} from "./tiny/measure.ts";
import { formatReport, resultKey } from "./tiny/report.ts";

const CHILD = join(import.meta.dirname, "tiny/child.ts");
/** A child process that runs longer than this is stopped and counted as a failure. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;

const USAGE = `usage: node bench/run.ts [options]    (npm run bench -- [options])

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

example: npm run bench -- --filter fib --modes untranslated,jit,ts --runs 3`;

interface Options {
  runs: number;
  filter: string | null;
  modes: readonly ContenderName[];
  /** Contenders left out because --modes was not given (with the reason). */
  notByDefault: readonly [ContenderName, string][];
  budgetMs: number;
  quick: boolean;
}

function usageError(msg: string): never {
  process.stderr.write(`bench/run.ts: ${msg}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  let runs: number | null = null;
  let filter: string | null = null;
  let modes: readonly ContenderName[] | null = null;
  let budgetMs = 20_000;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const takeValue = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) usageError(`${arg} needs a value`);
      return v;
    };
    const positive = (v: string, what: string): number => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) usageError(`${what} must be a positive number, not '${v}'`);
      return n;
    };
    switch (arg) {
      case "--runs": {
        const n = positive(takeValue(), "--runs");
        if (!Number.isInteger(n)) usageError(`--runs must be a whole number, not '${n}'`);
        runs = n;
        break;
      }
      case "--filter":
        filter = takeValue();
        break;
      case "--modes": {
        const names = takeValue()
          .split(",")
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s !== "");
        for (const n of names)
          if (!(CONTENDERS as readonly string[]).includes(n)) usageError(`unknown mode '${n}': expected some of ${CONTENDERS.join(", ")}`);
        modes = CONTENDERS.filter((c) => names.includes(c));
        if (modes.length === 0) usageError("--modes names no contender");
        break;
      }
      case "--budget":
        budgetMs = positive(takeValue(), "--budget") * 1000;
        break;
      case "--quick":
        quick = true;
        break;
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        usageError(`unknown option '${arg}'`);
    }
  }
  // L3 is the reference semantics, not a speed target: at about 1.5 M guest instructions per second
  // the bench-sized programs take minutes, so it runs by default only on the test-sized ones
  const notByDefault: [ContenderName, string][] =
    modes === null && !quick ? [["llinterp", "not run by default at bench size (minutes); add it with --modes or use --quick"]] : [];
  const chosen = modes ?? CONTENDERS.filter((c) => !notByDefault.some(([n]) => n === c));
  return { runs: runs ?? (quick ? 1 : 5), filter, modes: chosen, notByDefault, budgetMs, quick };
}

function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** Run one request in a fresh Node process; its stderr (progress) passes through. */
function inChild<R>(req: Request, fail: (message: string) => R): R {
  const r = spawnSync(process.execPath, [CHILD, JSON.stringify(req)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 26,
    timeout: CHILD_TIMEOUT_MS,
  });
  const what = `${req.kind === "measure" ? `${req.bench} (${TITLE[req.contender]})` : TITLE[req.contender]}`;
  if (r.error) return fail(`${what}: the child process failed: ${r.error.message}`);
  const line = r.stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (r.status !== 0 || line === undefined)
    return fail(`${what}: the child process ${r.signal ? `was killed by ${r.signal}` : `exited with status ${r.status}`} without a result`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as R;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  const names = TINY_BENCHMARKS.map((r) => r.name).filter((n) => opts.filter === null || n.includes(opts.filter));
  if (names.length === 0)
    usageError(`--filter ${opts.filter} matches no program (programs: ${TINY_BENCHMARKS.map((r) => r.name).join(", ")})`);

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
      command: `node bench/run.ts ${process.argv.slice(2).join(" ")}`.trimEnd(),
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

await main();
