// The Brainfuck benchmark suite (`npm run bench:bf`, and the second part of `npm run bench`): the
// public benchmark programs of ../shared/anchors/bf (bench/bf/programs.ts) run by both example
// interpreters (examples/bf/interp.ts, the PyPy tutorial design, and interp-opt.ts, the folding
// variant) in every available VM mode, and by the references: the program translated to C
// (bf2c.ts) and compiled with gcc -O2, translated to JavaScript (bf2js.ts) and to Wasm
// (bf2wasm.ts) and run by V8, and a straightforward Python interpreter (bf.py) on CPython and on
// PyPy. All in one run; medians of several runs, and their ratios (jit/translated, jit/C, jit/JS,
// jit/Wasm, jit/PyPy, and most of them for jit-opt) measured in this run; every output is checked
// byte for byte against the anchor's .out file (a wrong output is a failure, never a number).
// Every timed run is a fresh process, so a JIT pays for its compilation as PyPy does. A run past
// its time limit is stopped and reported as a bound. Progress goes to stderr.
//
//   node bench/bf/run.ts [--quick] [--runs N] [--programs a,b] [--filter NAME] [--modes a,b]
//                        [--limit S] [--cpython-limit S] [--budget S]

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { CBuilds } from "../lib/c.ts";
import { type ChildOutcome, runChild } from "../lib/child.ts";
import { formatMachine, gccVersion, machineInfo } from "../lib/machine.ts";
import { type Command, parseOptions, usageError } from "../lib/options.ts";
import { formatRatio, geomean, markdownTable, median } from "../lib/stats.ts";
import { bfToC } from "./bf2c.ts";
import { type ChildResult, firstDifference } from "./child.ts";
import type { DirectResult } from "./direct.ts";
import { BF_PROGRAMS, BF_QUICK_PROGRAMS } from "./programs.ts";

const ROOT = join(import.meta.dirname, "../..");
const ANCHORS = process.env.UNFOLD_ANCHORS ?? join(ROOT, "../shared/anchors/bf");
const CHILD = join(import.meta.dirname, "child.ts");
const DIRECT = join(import.meta.dirname, "direct.ts");
const BF_PY = join(import.meta.dirname, "bf.py");
/** Time a VM mode's child may take beyond --limit for loading, the front end and translation. */
const SETUP_ALLOWANCE_MS = 120_000;

const PROGRAMS = BF_PROGRAMS;
const QUICK_PROGRAMS = BF_QUICK_PROGRAMS;

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
        const probe = join(ROOT, "examples/bf/programs/hello.b");
        const r = runChild<ChildResult>(CHILD, [mode, interpPath, probe, probe.replace(/\.b$/, ".out")], SETUP_ALLOWANCE_MS, true);
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
      const r = runChild<ChildResult>(CHILD, [mode, interpPath, program, program.replace(/\.b$/, ".out")], limitMs + SETUP_ALLOWANCE_MS);
      const res = childResult(r);
      if (res.status === "skipped") return { status: "fail", message: res.reason };
      if (res.status === "ok" && res.ms > limitMs) return { status: "timeout" };
      return res;
    },
  };
}

function childResult<R>(r: ChildOutcome<R>): R | { status: "timeout" } | { status: "fail"; message: string } {
  return r.status === "result" ? r.result : r.status === "timeout" ? r : { status: "fail", message: r.message };
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

/** The program translated straight to JavaScript or Wasm (bf2js.ts, bf2wasm.ts), run by V8 in a fresh child (direct.ts). */
function direct(lang: "js" | "wasm", how: string): Contender {
  return {
    name: lang,
    how,
    notByDefault: null,
    available: () => null,
    run(program, _expected, limitMs) {
      const r = runChild<DirectResult>(DIRECT, [lang, program, program.replace(/\.b$/, ".out")], limitMs + SETUP_ALLOWANCE_MS);
      const res = childResult(r);
      if (res.status === "ok" && res.ms > limitMs) return { status: "timeout" };
      return res;
    },
  };
}

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
  direct(
    "js",
    "the program translated to JavaScript by bench/bf/bf2js.ts (one statement per command, a function per loop), run by Node's V8; its compilation and run timed in a fresh process, Node's start-up excluded",
  ),
  direct(
    "wasm",
    "the program translated to Wasm by bench/bf/bf2wasm.ts (one instruction sequence per command, a function per loop and per loop body), compiled and run by V8 in a fresh process, Node's start-up excluded",
  ),
  cpython,
  pypy,
];

// ---- options ----------------------------------------------------------------------------------

const USAGE = `usage: node bench/bf/run.ts [options]    (npm run bench:bf -- [options])

Times the Brainfuck benchmark programs of the anchors folder (${PROGRAMS.join(", ")}) with both
example interpreters in every available VM mode and with the references (the program translated to
C and compiled by gcc -O2, translated to JavaScript and to Wasm and run by V8, a Python interpreter
on CPython and PyPy), and prints medians and their ratios, all measured in this run.

options:
  --runs N         timed runs per program and contender (default 3; 1 with --quick)
  --programs a,b   only these anchor programs (names without .b)
  --filter NAME    only the programs whose name contains NAME (among all of them, also with --quick)
  --modes a,b      only these contenders, among: ${CONTENDERS.map((c) => c.name).join(", ")}
                   (default: all but ${CONTENDERS.filter((c) => c.notByDefault !== null)
                     .map((c) => c.name)
                     .join(", ")})
  --limit S        a run longer than S seconds is stopped and shown as "> S (stopped)" (default 120; 30 with --quick)
  --cpython-limit S  the same for CPython, which needs minutes on every program (default 30; 10 with --quick)
  --budget S       at most about S seconds of timed runs per program and contender (default 180):
                   a slow contender gets fewer runs
  --quick          only ${QUICK_PROGRAMS.join(", ")}, 1 run, limit 30 s: a smoke test
  --help           this text

The anchors folder is ../shared/anchors/bf beside the repository (UNFOLD_ANCHORS=<dir> to change).`;

const COMMAND: Command = { name: "bench/bf/run.ts", usage: USAGE };

/** The options, by name (bench/run.ts passes on --runs, --filter, --budget and --quick to every suite). */
const BF_OPTIONS = {
  runs: "count",
  programs: "list",
  filter: "string",
  modes: "list",
  limit: "positive",
  "cpython-limit": "positive",
  budget: "positive",
  quick: "flag",
} as const;

interface Options {
  runs: number;
  programs: readonly string[];
  contenders: readonly Contender[];
  /** Whether --modes chose the contenders. */
  modesGiven: boolean;
  limitMs: number;
  cpythonLimitMs: number;
  budgetMs: number;
}

function parseBfOptions(argv: readonly string[]): Options {
  const o = parseOptions(COMMAND, argv, BF_OPTIONS);
  const quick = o.quick === true;
  const names = o.modes ?? null;
  if (names !== null) for (const n of names) if (!CONTENDERS.some((c) => c.name === n)) usageError(COMMAND, `unknown contender '${n}'`);
  // --filter picks among all the programs, --quick or not
  let programs = o.programs?.map((p) => p.replace(/\.b$/, "")) ?? (quick && o.filter === undefined ? QUICK_PROGRAMS : PROGRAMS);
  if (o.filter !== undefined) {
    const f = o.filter;
    programs = programs.filter((p) => p.includes(f));
    if (programs.length === 0) usageError(COMMAND, `--filter ${f} matches no program (programs: ${PROGRAMS.join(", ")})`);
  }
  const contenders = names === null ? CONTENDERS.filter((c) => c.notByDefault === null) : CONTENDERS.filter((c) => names.includes(c.name));
  return {
    runs: o.runs ?? (quick ? 1 : 3),
    programs,
    contenders,
    modesGiven: names !== null,
    limitMs: (o.limit ?? (quick ? 30 : 120)) * 1000,
    cpythonLimitMs: (o["cpython-limit"] ?? (quick ? 10 : 30)) * 1000,
    budgetMs: (o.budget ?? 180) * 1000,
  };
}

// ---- measuring ---------------------------------------------------------------------------------

/** The runs of one program by one contender; "timeout": the last run passed `limitMs` and was stopped. */
export type Cell =
  | { status: "ok"; times: number[]; setupMs?: number }
  | { status: "timeout"; times: number[]; limitMs: number }
  | { status: "fail"; message: string };

function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const seconds = (ms: number) => (ms >= 10_000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));

/** Time `runs` runs (fewer when they would pass the budget; none after a run passes the limit). */
function measure(c: Contender, program: string, expected: Uint8Array, runs: number, limitMs: number, budgetMs: number): Cell {
  const times: number[] = [];
  let setupMs: number | undefined;
  for (let i = 0; i < runs; i++) {
    const r = c.run(program, expected, limitMs);
    if (r.status === "fail") return { status: "fail", message: r.message };
    if (r.status === "timeout") {
      progress(`    run ${i + 1}: stopped after ${seconds(limitMs)} s`);
      return { status: "timeout", times, limitMs };
    }
    times.push(r.ms);
    if (r.setupMs !== undefined) setupMs = Math.min(setupMs ?? Number.POSITIVE_INFINITY, r.setupMs);
    if (i === 0 && r.ms * runs > budgetMs) runs = Math.max(1, Math.floor(budgetMs / r.ms));
    progress(`    run ${i + 1}/${runs}: ${seconds(r.ms)} s`);
  }
  return setupMs === undefined ? { status: "ok", times } : { status: "ok", times, setupMs };
}

// ---- the report ---------------------------------------------------------------------------------

/** The ratio columns of the summary: [a, b] for time(a) / time(b). */
export const RATIOS: readonly [string, string][] = [
  ["jit", "translated"],
  ["jit", "c"],
  ["jit", "js"],
  ["jit", "wasm"],
  ["jit", "pypy"],
  ["jit-opt", "translated-opt"],
  ["jit-opt", "c"],
  ["jit-opt", "wasm"],
  ["jit-opt", "pypy"],
];

/** How the summary's column headers name the references. */
const RATIO_NAMES: Record<string, string> = { c: "C", js: "JS", wasm: "Wasm", pypy: "PyPy" };

/** A time as a bound: the median, or at least the limit of a stopped run. */
function timeOf(cell: Cell | undefined): { ms: number; over: boolean } | null {
  if (cell?.status === "ok") return { ms: median(cell.times), over: false };
  if (cell?.status === "timeout") return { ms: cell.limitMs, over: true };
  return null;
}

/** time(a) / time(b) where a stopped run gives a bound ("> r", "< r"); "?" when both stopped, "-" when one is missing. */
export function boundedRatio(a: Cell | undefined, b: Cell | undefined): { text: string; value: number | null } {
  const x = timeOf(a);
  const y = timeOf(b);
  if (x === null || y === null) return { text: a?.status === "fail" || b?.status === "fail" ? "FAIL" : "-", value: null };
  if (x.over && y.over) return { text: "?", value: null };
  const r = formatRatio(x.ms / y.ms);
  if (x.over) return { text: `> ${r}`, value: null };
  if (y.over) return { text: `< ${r}`, value: null };
  return { text: r, value: x.ms / y.ms };
}

export interface BfReportInput {
  /** The machine header (formatMachine) and the lines after it (Python versions, the command, the runs). */
  header: readonly string[];
  programs: readonly string[];
  /** The contenders that ran, in row order. */
  contenders: readonly string[];
  /** Keyed by `${program}/${contender}`. */
  cells: ReadonlyMap<string, Cell>;
  notes: readonly string[];
  failures: readonly string[];
}

export function formatBfReport(r: BfReportInput): string {
  const get = (p: string, name: string) => r.cells.get(`${p}/${name}`);
  const have = (name: string) => r.contenders.includes(name);
  const out: string[] = ["# unfold benchmarks: Brainfuck", "", "```", ...r.header, "```", ""];
  const base = ["translated", "untranslated"].find(have);
  for (const p of r.programs) {
    const rows = r.contenders.map((name) => {
      const cell = get(p, name);
      const vsC = boundedRatio(cell, get(p, "c")).text;
      const vsBase = base === undefined ? "" : boundedRatio(cell, get(p, base)).text;
      if (cell === undefined) return [name, "-", "", "", "", ""];
      if (cell.status === "fail") return [name, "FAILED", "", "", "", ""];
      if (cell.status === "timeout") {
        const runs = cell.times.length === 0 ? "1 stopped" : `${cell.times.length} + 1 stopped`;
        return [name, `> ${seconds(cell.limitMs)} (stopped)`, runs, "", vsC, vsBase];
      }
      const m = median(cell.times);
      const range = cell.times.length > 1 ? `${seconds(Math.min(...cell.times))}–${seconds(Math.max(...cell.times))}` : "";
      return [name, seconds(m), String(cell.times.length), range, vsC, vsBase];
    });
    const header = ["contender", "median (s)", "runs", "min–max (s)", "× C", ...(base ? [`× ${base}`] : [])];
    out.push(`## ${p}.b`, "", markdownTable(header, rows), "");
  }
  const columns = RATIOS.filter(([a, b]) => have(a) && have(b));
  if (columns.length > 0) {
    out.push("## Ratios of median times (a/b > 1: a is slower than b; '> r' or '< r' where a run was stopped)", "");
    const perColumn: number[][] = columns.map(() => []);
    const rows = r.programs.map((p) => [
      `${p}.b`,
      ...columns.map(([a, b], i) => {
        const q = boundedRatio(get(p, a), get(p, b));
        if (q.value !== null) perColumn[i]?.push(q.value);
        return q.text;
      }),
    ]);
    if (r.programs.length > 1)
      rows.push(["geomean", ...perColumn.map((qs) => (qs.length === r.programs.length ? formatRatio(geomean(qs)) : "-"))]);
    out.push(markdownTable(["program", ...columns.map(([a, b]) => `${a}/${RATIO_NAMES[b] ?? b}`)], rows), "");
  }
  out.push("How each contender runs:", ...r.notes);
  out.push("- × C: the median divided by C's median, both measured in this run; '> r' where a run passed the limit.");
  if (r.failures.length > 0) out.push("", "## Failures", "", ...r.failures.map((f) => `- ${f}`));
  return `${out.join("\n")}\n`;
}

// ---- main ---------------------------------------------------------------------------------------

function main(): void {
  const opts = parseBfOptions(process.argv.slice(2));
  const machine = machineInfo();
  if (!existsSync(ANCHORS)) {
    process.stdout.write(
      `# unfold benchmarks: Brainfuck\n\nSkipped: the anchors folder ${ANCHORS} is absent (set UNFOLD_ANCHORS to its place).\n`,
    );
    return;
  }
  for (const p of opts.programs)
    if (!existsSync(join(ANCHORS, `${p}.b`)) || !existsSync(join(ANCHORS, `${p}.out`)))
      usageError(COMMAND, `no ${p}.b with its ${p}.out in ${ANCHORS}`);

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
      const limitMs = c === cpython ? opts.cpythonLimitMs : opts.limitMs;
      const cell = measure(c, program, expected, opts.runs, limitMs, opts.budgetMs);
      if (cell.status === "fail") {
        failures.push(`${p}.b (${c.name}): ${cell.message}`);
        progress(`    FAILED: ${cell.message}`);
      }
      cells.set(`${p}/${c.name}`, cell);
    }
  }

  const setups = ready
    .map((c) => {
      const s = opts.programs.map((p) => cells.get(`${p}/${c.name}`)).find((x) => x?.status === "ok" && x.setupMs !== undefined);
      return s?.status === "ok" && s.setupMs !== undefined ? `${c.name} ${seconds(s.setupMs)} s` : null;
    })
    .filter((x) => x !== null);
  if (setups.length > 0)
    notes.push(`- setup of the VM modes (first run in a process, on hello.b; not in the figures): ${setups.join(", ")}`);
  const header = [
    formatMachine(machine),
    ...[cpython, pypy].map((py) => `${`${py.name}:`.padEnd(8)} ${py.version() ?? "not found"}`),
    `command: node bench/bf/run.ts ${process.argv.slice(2).join(" ")}`.trimEnd(),
    `runs:    median of up to ${opts.runs} per program and contender, each in a fresh process; limit ${seconds(opts.limitMs)} s per run (CPython ${seconds(opts.cpythonLimitMs)} s), budget ${seconds(opts.budgetMs)} s per cell`,
  ];
  process.stdout.write(formatBfReport({ header, programs: opts.programs, contenders: ready.map((c) => c.name), cells, notes, failures }));
  if (failures.length > 0) process.exitCode = 1;
}

if (import.meta.main) main();
