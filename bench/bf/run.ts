// Brainfuck benchmarks: the public benchmark programs of ../shared/anchors/bf (bench.b, hanoi.b,
// mandelbrot.b) run by both example interpreters (examples/bf/interp.ts, the PyPy tutorial design,
// and interp-opt.ts, the folding variant) in every available VM mode, and by the references: the
// program translated to C (bf2c.ts) and compiled with gcc -O2, and a straightforward Python
// interpreter (bf.py) on CPython and on PyPy. All in one run; medians of several runs, printed as
// ratios to C measured in this run; every output is checked byte for byte against the anchor's .out
// file (a wrong output is a failure, never a number). Every timed run is a fresh process, so a JIT
// pays for its compilation as PyPy does. Progress goes to stderr.
//
//   node bench/bf/run.ts [--quick] [--runs N] [--programs a,b] [--modes a,b] [--limit S] [--budget S]

import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { CBuilds } from "../lib/c.ts";
import { formatMachine, gccVersion, machineInfo } from "../lib/machine.ts";
import { formatRatio, markdownTable, median } from "../lib/stats.ts";
import { bfToC } from "./bf2c.ts";
import { type ChildResult, firstDifference, RESULT_PREFIX } from "./child.ts";

const ROOT = join(import.meta.dirname, "../..");
const ANCHORS = process.env.UNFOLD_ANCHORS ?? join(ROOT, "../shared/anchors/bf");
const CHILD = join(import.meta.dirname, "child.ts");
const BF_PY = join(import.meta.dirname, "bf.py");
/** Time a VM mode's child may take beyond --limit for loading, the front end and translation. */
const SETUP_ALLOWANCE_MS = 120_000;

const PROGRAMS = ["bench", "hanoi", "mandelbrot"];
const QUICK_PROGRAMS = ["bench"];

// ---- contenders ------------------------------------------------------------------------------

/** One timed run: its time, or that it passed the time limit, or what went wrong. */
type RunResult = { status: "ok"; ms: number; setupMs?: number } | { status: "timeout" } | { status: "fail"; message: string };

interface Contender {
  /** The --modes name. */
  readonly name: string;
  /** How it runs, for the notes under the report. */
  readonly how: string;
  /** Why it is not run unless named in --modes (null: run by default). */
  readonly notByDefault: string | null;
  /** Null when it can run here, else why it is skipped. */
  available(): string | null;
  run(program: string, expected: Uint8Array, limitMs: number): RunResult;
}

/** A VM mode of one interpreter, each run in a fresh child process (child.ts). */
function vmMode(name: string, mode: string, interp: string, notByDefault: string | null = null): Contender {
  const interpPath = join(ROOT, "examples/bf", interp);
  let skip: string | null | undefined;
  return {
    name,
    how: `examples/bf/${interp} in mode ${mode} (src/vm/run.ts runGuest, in a fresh process; loading, front end and translation excluded)`,
    notByDefault,
    available() {
      if (skip === undefined) {
        const r = spawnSync(
          process.execPath,
          [CHILD, mode, interpPath, join(ROOT, "examples/bf/programs/hello.b"), join(ROOT, "examples/bf/programs/hello.out")],
          {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: SETUP_ALLOWANCE_MS,
          },
        );
        const res = childResult(r);
        skip =
          res.status === "ok"
            ? null
            : res.status === "skipped"
              ? res.reason
              : res.status === "timeout"
                ? "the probe run timed out"
                : `FAILED on the probe program: ${res.message}`;
      }
      return skip;
    },
    run(program, _expected, limitMs) {
      const r = spawnSync(process.execPath, [CHILD, mode, interpPath, program, program.replace(/\.b$/, ".out")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        timeout: limitMs + SETUP_ALLOWANCE_MS,
      });
      const res = childResult(r);
      if (res.status === "skipped") return { status: "fail", message: res.reason };
      if (res.status === "ok" && res.ms > limitMs) return { status: "timeout" };
      return res;
    },
  };
}

function childResult(r: SpawnSyncReturns<string>): ChildResult | { status: "timeout" } {
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return { status: "timeout" };
  if (r.error) return { status: "fail", message: `the child process failed: ${r.error.message}` };
  const line = r.stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined)
    return {
      status: "fail",
      message: `the child process ${r.signal ? `was killed by ${r.signal}` : `exited with status ${r.status}`} without a result${r.stderr ? `: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}` : ""}`,
    };
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult;
}

/** Run an executable with empty input, timed from the outside (process start-up included). */
function runProcess(cmd: string, args: readonly string[], expected: Uint8Array, limitMs: number): RunResult {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { input: "", timeout: limitMs, maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return { status: "timeout" };
  if (r.error) return { status: "fail", message: `cannot run ${cmd}: ${r.error.message}` };
  if (r.status !== 0) return { status: "fail", message: `exited with ${r.status ?? r.signal}: ${r.stderr.toString().trim()}` };
  if (!r.stdout.equals(expected)) return { status: "fail", message: `wrong output: ${firstDifference(expected, r.stdout)}` };
  return { status: "ok", ms };
}

const builds = new CBuilds();
let cDir: string | null = null;
process.on("exit", () => {
  builds.dispose();
  if (cDir !== null) rmSync(cDir, { recursive: true, force: true });
});

const cContender: Contender = {
  name: "c",
  how: "the program translated to C by bench/bf/bf2c.ts (one statement per command), gcc -O2; process start-up included",
  notByDefault: null,
  available: () => (gccVersion() === null ? "gcc not found" : null),
  run(program, expected, limitMs) {
    cDir ??= mkdtempSync(join(os.tmpdir(), "unfold-bf-c-"));
    const name = program.replace(/^.*\//, "").replace(/\.b$/, "");
    const src = join(cDir, `${name}.c`);
    let exe: string;
    try {
      if (!existsSync(src)) writeFileSync(src, bfToC(readFileSync(program, "utf8"), program));
      exe = builds.build(src);
    } catch (e) {
      return { status: "fail", message: (e as Error).message };
    }
    return runProcess(exe, [], expected, limitMs);
  },
};

/** The executable behind a command name (so that version-manager shims are not timed), or null. */
function resolvePython(cmd: string): { exe: string; version: string } | null {
  const r = spawnSync(
    cmd,
    [
      "-c",
      "import sys, platform; print(sys.executable); print(platform.python_implementation() + ' ' + sys.version.split()[0] + (' (PyPy ' + '.'.join(map(str, sys.pypy_version_info[:3])) + ')' if hasattr(sys, 'pypy_version_info') else ''))",
    ],
    {
      encoding: "utf8",
    },
  );
  if (r.error || r.status !== 0) return null;
  const [exe, version] = r.stdout.trim().split("\n");
  return exe && version ? { exe, version } : null;
}

function python(name: string, cmd: string, notByDefault: string | null = null): Contender & { version(): string | null } {
  let found: { exe: string; version: string } | null | undefined;
  const find = () => {
    if (found === undefined) found = resolvePython(cmd);
    return found;
  };
  return {
    name,
    how: `bench/bf/bf.py (a straightforward interpreter: bracket map, one step per command) on ${cmd}; process start-up included`,
    notByDefault,
    available: () => (find() === null ? `${cmd} not found (install it, e.g. apt-get install ${cmd})` : null),
    version: () => find()?.version ?? null,
    run(program, expected, limitMs) {
      return runProcess((find() as { exe: string }).exe, [BF_PY, program], expected, limitMs);
    },
  };
}

const cpython = python("cpython", "python3");
const pypy = python("pypy", "pypy3");
const CONTENDERS: readonly Contender[] = [
  vmMode("untranslated", "untranslated", "interp.ts"),
  vmMode("untranslated-opt", "untranslated", "interp-opt.ts"),
  vmMode("llinterp", "llinterp", "interp.ts", "L3 is the reference semantics, not a speed target: hours at this size"),
  vmMode("translated", "translated", "interp.ts"),
  vmMode("translated-opt", "translated", "interp-opt.ts"),
  vmMode("jit", "jit", "interp.ts"),
  vmMode("jit-opt", "jit", "interp-opt.ts"),
  cContender,
  cpython,
  pypy,
];

// ---- options ----------------------------------------------------------------------------------

const USAGE = `usage: node bench/bf/run.ts [options]

Times the Brainfuck benchmark programs of the anchors folder (${PROGRAMS.join(", ")}) with both
example interpreters in every available VM mode and with the references (C by gcc -O2, Python on
CPython and PyPy), and prints medians and their ratios to C, all measured in this run.

options:
  --runs N         timed runs per program and contender (default 3; 1 with --quick)
  --programs a,b   only these anchor programs (names without .b)
  --modes a,b      only these contenders, among: ${CONTENDERS.map((c) => c.name).join(", ")}
                   (default: all but ${CONTENDERS.filter((c) => c.notByDefault !== null)
                     .map((c) => c.name)
                     .join(", ")})
  --limit S        a run longer than S seconds is stopped and shown as "> S s" (default 120; 30 with --quick)
  --budget S       at most about S seconds of timed runs per program and contender (default 180):
                   a slow contender gets fewer runs
  --quick          only ${QUICK_PROGRAMS.join(", ")}, 1 run, limit 30 s: a smoke test
  --help           this text

The anchors folder is ../shared/anchors/bf beside the repository (UNFOLD_ANCHORS=<dir> to change).`;

interface Options {
  runs: number;
  programs: readonly string[];
  contenders: readonly Contender[];
  /** Whether --modes chose the contenders. */
  modesGiven: boolean;
  limitMs: number;
  budgetMs: number;
}

function usageError(msg: string): never {
  process.stderr.write(`bench/bf/run.ts: ${msg}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  let runs: number | null = null;
  let programs: string[] | null = null;
  let names: string[] | null = null;
  let limit: number | null = null;
  let budget = 180;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) usageError(`${arg} needs a value`);
      return v;
    };
    const positive = (v: string): number => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) usageError(`${arg} must be a positive number, not '${v}'`);
      return n;
    };
    const list = (v: string) =>
      v
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");
    switch (arg) {
      case "--runs":
        runs = positive(take());
        if (!Number.isInteger(runs)) usageError(`--runs must be a whole number, not '${runs}'`);
        break;
      case "--programs":
        programs = list(take()).map((p) => p.replace(/\.b$/, ""));
        break;
      case "--modes":
        names = list(take());
        for (const n of names) if (!CONTENDERS.some((c) => c.name === n)) usageError(`unknown contender '${n}'`);
        break;
      case "--limit":
        limit = positive(take());
        break;
      case "--budget":
        budget = positive(take());
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
  const contenders = names === null ? CONTENDERS.filter((c) => c.notByDefault === null) : CONTENDERS.filter((c) => names.includes(c.name));
  return {
    runs: runs ?? (quick ? 1 : 3),
    programs: programs ?? (quick ? QUICK_PROGRAMS : PROGRAMS),
    contenders,
    modesGiven: names !== null,
    limitMs: (limit ?? (quick ? 30 : 120)) * 1000,
    budgetMs: budget * 1000,
  };
}

// ---- measuring and reporting ------------------------------------------------------------------

type Cell =
  | { status: "ok"; times: number[]; setupMs?: number }
  | { status: "timeout"; times: number[] }
  | { status: "fail"; message: string };

function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const seconds = (ms: number) => (ms >= 10_000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));

/** Time `runs` runs (fewer when they would pass the budget; none after a run passes the limit). */
function measure(c: Contender, program: string, expected: Uint8Array, opts: Options): Cell {
  const times: number[] = [];
  let setupMs: number | undefined;
  let runs = opts.runs;
  for (let i = 0; i < runs; i++) {
    const r = c.run(program, expected, opts.limitMs);
    if (r.status === "fail") return { status: "fail", message: r.message };
    if (r.status === "timeout") {
      progress(`    run ${i + 1}: stopped after ${seconds(opts.limitMs)} s`);
      return { status: "timeout", times };
    }
    times.push(r.ms);
    if (r.setupMs !== undefined) setupMs = Math.min(setupMs ?? Number.POSITIVE_INFINITY, r.setupMs);
    if (i === 0 && r.ms * runs > opts.budgetMs) runs = Math.max(1, Math.floor(opts.budgetMs / r.ms));
    progress(`    run ${i + 1}/${runs}: ${seconds(r.ms)} s`);
  }
  return setupMs === undefined ? { status: "ok", times } : { status: "ok", times, setupMs };
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  if (!existsSync(ANCHORS)) {
    process.stdout.write(`Brainfuck benchmarks skipped: the anchors folder ${ANCHORS} is absent (set UNFOLD_ANCHORS to its place).\n`);
    return;
  }
  for (const p of opts.programs)
    if (!existsSync(join(ANCHORS, `${p}.b`)) || !existsSync(join(ANCHORS, `${p}.out`)))
      usageError(`no ${p}.b with its ${p}.out in ${ANCHORS}`);

  const notes: string[] = [];
  const failures: string[] = [];
  const ready: Contender[] = [];
  for (const c of CONTENDERS) {
    if (!opts.contenders.includes(c)) {
      if (c.notByDefault !== null && !opts.modesGiven)
        notes.push(`- ${c.name}: not run by default (${c.notByDefault}); add it with --modes`);
      continue;
    }
    progress(`${c.name}: checking...`);
    const skip = c.available();
    if (skip === null) {
      ready.push(c);
      notes.push(`- ${c.name}: ${c.how}`);
    } else if (skip.startsWith("FAILED")) {
      failures.push(`${c.name}: ${skip}`);
      notes.push(`- ${c.name}: ${skip}`);
    } else {
      notes.push(`- ${c.name}: skipped: ${skip}`);
      progress(`${c.name}: skipped (${skip})`);
    }
  }

  const cells = new Map<string, Cell>();
  for (const [i, p] of opts.programs.entries()) {
    const program = join(ANCHORS, `${p}.b`);
    const expected = new Uint8Array(readFileSync(join(ANCHORS, `${p}.out`)));
    for (const c of ready) {
      progress(`[${i + 1}/${opts.programs.length} ${p}.b] ${c.name}`);
      const cell = measure(c, program, expected, opts);
      if (cell.status === "fail") {
        failures.push(`${p}.b (${c.name}): ${cell.message}`);
        progress(`    FAILED: ${cell.message}`);
      }
      cells.set(`${p}/${c.name}`, cell);
    }
  }

  // the report
  const out: string[] = ["# Brainfuck benchmarks (bench/bf/run.ts)", "", formatMachine(machine)];
  for (const py of [cpython, pypy]) out.push(`${py.name.padEnd(8)} ${py.version() ?? "not found"}`);
  out.push(
    `runs:    median of up to ${opts.runs} per program and contender, each in a fresh process; limit ${seconds(opts.limitMs)} s per run, budget ${seconds(opts.budgetMs)} s per cell`,
    "",
  );
  const median_ = (p: string, name: string): number | null => {
    const cell = cells.get(`${p}/${name}`);
    return cell?.status === "ok" ? median(cell.times) : null;
  };
  const base = ready.find((c) => c.name === "translated") ?? ready.find((c) => c.name === "untranslated");
  for (const p of opts.programs) {
    const cMs = median_(p, "c");
    const baseMs = base === undefined ? null : median_(p, base.name);
    const ratio = (ms: number, ref: number | null, bound = false) => (ref === null ? "" : `${bound ? "> " : ""}${formatRatio(ms / ref)}`);
    const rows = ready.map((c) => {
      const cell = cells.get(`${p}/${c.name}`) as Cell;
      if (cell.status === "fail") return [c.name, "FAILED", "", "", "", ""];
      if (cell.status === "timeout") {
        const runs = cell.times.length === 0 ? "" : `${cell.times.length} + 1 stopped`;
        return [c.name, `> ${seconds(opts.limitMs)}`, runs, "", ratio(opts.limitMs, cMs, true), ratio(opts.limitMs, baseMs, true)];
      }
      const m = median(cell.times);
      const range = cell.times.length > 1 ? `${seconds(Math.min(...cell.times))}–${seconds(Math.max(...cell.times))}` : "";
      return [c.name, seconds(m), String(cell.times.length), range, ratio(m, cMs), ratio(m, baseMs)];
    });
    const header = ["contender", "median (s)", "runs", "min–max (s)", "× C", ...(base ? [`× ${base.name}`] : [])];
    out.push(`## ${p}.b`, "", markdownTable(header, rows), "");
    const speedups = [
      ["interp.ts", "jit", "translated"],
      ["interp-opt.ts", "jit-opt", "translated-opt"],
    ].flatMap(([interp, jit, translated]) => {
      const j = median_(p, jit as string);
      const t = median_(p, translated as string);
      return j !== null && t !== null ? [`${interp} ${formatRatio(t / j)}×`] : [];
    });
    if (speedups.length > 0) out.push(`The JIT's speed-up over the translated interpreter: ${speedups.join(", ")}.`, "");
  }
  const setups = ready
    .map((c) => {
      const s = opts.programs.map((p) => cells.get(`${p}/${c.name}`)).find((x) => x?.status === "ok" && x.setupMs !== undefined);
      return s?.status === "ok" && s.setupMs !== undefined ? `${c.name} ${seconds(s.setupMs)} s` : null;
    })
    .filter((x) => x !== null);
  out.push("How each contender runs:", ...notes);
  if (setups.length > 0) out.push(`- setup of the VM modes (first run in a process, on hello.b; not in the figures): ${setups.join(", ")}`);
  out.push("- × C: the median divided by C's median, both measured in this run; '> r' where a run passed the limit.");
  if (failures.length > 0) out.push("", "FAILURES:", ...failures.map((f) => `- ${f}`));
  process.stdout.write(`${out.join("\n")}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

if (import.meta.main) main();
