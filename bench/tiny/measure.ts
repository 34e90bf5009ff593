// One measurement of the tiny benchmarks, made in a fresh process (bench/tiny/child.ts) so that
// what ran before cannot change it (V8's type feedback of the interpreter, heap state): load one
// contender — a VM mode, the hand-written TypeScript or the hand-written C — then warm up once and
// time up to `runs` runs within a budget, checking every output against the expected one.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CBuilds, runTimedC } from "../lib/c.ts";
import { median } from "../lib/stats.ts";
import { type CompileStats, type GuestRun, loadVmMode, type Probe, VM_MODES } from "../lib/vm-modes.ts";
import { TINY_BENCHMARKS } from "./index.ts";
import type { TinyReference } from "./reference.ts";

const ROOT = join(import.meta.dirname, "../..");
const PROBE: Probe = {
  interp: join(ROOT, "examples/tiny/interp.ts"),
  source: "func main 0 0\n  push 42\n  print\n  push 0\n  ret\n",
  ext: "tiny",
  expected: "42\n",
};

/** Every contender by its --modes name, in report order. */
export const CONTENDERS = [...VM_MODES, "ts", "c"] as const;
export type ContenderName = (typeof CONTENDERS)[number];

/** Column titles. */
export const TITLE: Record<ContenderName, string> = {
  untranslated: "untranslated",
  llinterp: "llinterp",
  translated: "translated",
  jit: "jit",
  ts: "TS",
  c: "C",
};

/** One benchmark: a guest program, the references' parameters for its size, and its expected output. */
export interface Bench {
  ref: TinyReference;
  /** The guest program's path. */
  program: string;
  params: readonly number[];
  expected: string;
}

/** The benchmark `name`, test-sized (examples/tiny/programs) when `quick`, else bench-sized (bench/tiny/programs). */
export function loadBench(name: string, quick: boolean): Bench {
  const ref = TINY_BENCHMARKS.find((r) => r.name === name);
  if (ref === undefined) throw new Error(`no tiny benchmark named '${name}'`);
  const program = join(ROOT, quick ? "examples/tiny/programs" : "bench/tiny/programs", `${name}.tiny`);
  const expected = readFileSync(program.replace(/\.tiny$/, ".out"), "utf8");
  return { ref, program, params: quick ? ref.test : ref.bench, expected };
}

/** What the parent asks a child process to do. */
export type Request =
  | { kind: "probe"; contender: ContenderName }
  | { kind: "measure"; contender: ContenderName; bench: string; quick: boolean; runs: number; budgetMs: number };

/** How a contender loaded: `how` says how it runs; setupMs is its first call (VM modes only). */
export type ProbeResult =
  | { status: "ready"; how: string; setupMs?: number }
  | { status: "skipped"; reason: string }
  | { status: "failed"; reason: string };

export type MeasureResult =
  | {
      status: "ok";
      medianMs: number;
      times: number[];
      /** The compile time each timed run reported (same order as times), when every one did. */
      compileMs?: number[];
      /** What the mode reported about the code it compiled, and in which run (see measureWith). */
      stats?: CompileStats;
      statsRun?: "warm-up" | "last timed";
    }
  | { status: "fail"; message: string }
  | { status: "skipped"; reason: string };

/** A loaded contender: how it runs, and one run of a benchmark. */
export interface Contender {
  how: string;
  setupMs?: number;
  run(b: Bench): Promise<GuestRun>;
}

const builds = new CBuilds();
process.on("exit", () => builds.dispose());

async function loadContender(name: ContenderName): Promise<Contender | Exclude<ProbeResult, { status: "ready" }>> {
  if (name === "ts") {
    return {
      how: "hand-written TypeScript (bench/tiny/<prog>.ts), in the process",
      async run(b) {
        const t0 = performance.now();
        const output = b.ref.run(b.params);
        return { output, ms: performance.now() - t0 };
      },
    };
  }
  if (name === "c") {
    return {
      how: "hand-written C (bench/tiny/<prog>.c), gcc -O2, timed inside the program (process start-up excluded)",
      async run(b) {
        const exe = builds.build(join(ROOT, "bench/tiny", `${b.ref.name}.c`));
        return runTimedC(exe, b.params.map(String));
      },
    };
  }
  const loaded = await loadVmMode(name, PROBE);
  if (loaded.status !== "ready") return loaded;
  const m = loaded.mode;
  const how = m.via === "runGuest" ? "src/vm/run.ts runGuest" : "directly (the interpreter's target; src/vm/run.ts is not there)";
  return { how, setupMs: loaded.setupMs, run: (b) => m.run(b.program) };
}

export async function probe(name: ContenderName): Promise<ProbeResult> {
  const c = await loadContender(name);
  if ("status" in c) return c;
  return c.setupMs === undefined ? { status: "ready", how: c.how } : { status: "ready", how: c.how, setupMs: c.setupMs };
}

/** The first differing line of two outputs, for a failure message. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split("\n");
  const a = actual.split("\n");
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i])
      return `line ${i + 1}: expected ${JSON.stringify(e[i] ?? "<end of output>")}, got ${JSON.stringify(a[i] ?? "<end of output>")}`;
  }
  return "outputs differ";
}

/** Load the contender of `req` in this process, then measure its benchmark (measureWith). */
export async function measure(req: Extract<Request, { kind: "measure" }>, progress: (msg: string) => void): Promise<MeasureResult> {
  const c = await loadContender(req.contender);
  if ("status" in c) return c.status === "skipped" ? c : { status: "fail", message: c.reason };
  return measureWith(c, TITLE[req.contender], loadBench(req.bench, req.quick), req.runs, req.budgetMs, progress);
}

/**
 * Warm up once, then time up to `runs` runs of `b` (fewer when they would exceed `budgetMs`, but
 * at least one). Any output other than the expected one makes the result a failure. Compilation
 * statistics are those of the last timed run when it compiled anything (the compiler then runs
 * warm, like the code measured), else those of the warm-up run (where a VM that keeps its
 * compiled code between runs compiles).
 */
export async function measureWith(
  c: Contender,
  title: string,
  b: Bench,
  runs: number,
  budgetMs: number,
  progress: (msg: string) => void,
): Promise<MeasureResult> {
  const where = `${b.ref.name} (${title})`;
  try {
    const times: number[] = [];
    const compileMs: number[] = [];
    let warmStats: CompileStats | undefined;
    let lastStats: CompileStats | undefined;
    for (let i = 0; i <= runs; i++) {
      const r = await c.run(b);
      const what = i === 0 ? "warm-up run" : `run ${i}`;
      if (r.output !== b.expected)
        return { status: "fail", message: `${where}, ${what}: wrong output: ${firstDifference(b.expected, r.output)}` };
      if (i === 0) {
        warmStats = r.stats;
        if (r.ms * runs > budgetMs) runs = Math.max(1, Math.floor(budgetMs / r.ms));
        progress(`  warm-up ${r.ms.toFixed(1)} ms; ${runs} timed run${runs === 1 ? "" : "s"}`);
      } else {
        times.push(r.ms);
        if (r.stats?.compileMs !== undefined) compileMs.push(r.stats.compileMs);
        lastStats = r.stats;
      }
    }
    const result: MeasureResult = { status: "ok", medianMs: median(times), times };
    if (compileMs.length === times.length && compileMs.some((ms) => ms > 0)) result.compileMs = compileMs;
    if (lastStats !== undefined && ((lastStats.compilations ?? 0) > 0 || (lastStats.compileMs ?? 0) > 0)) {
      result.stats = lastStats;
      result.statsRun = "last timed";
    } else if (warmStats !== undefined) {
      result.stats = warmStats;
      result.statsRun = "warm-up";
    }
    return result;
  } catch (e) {
    return { status: "fail", message: `${where}: ${(e as Error).message}` };
  }
}
