// The report of bench/tiny/run.ts, as Markdown (readable in a terminal, pasted as is into
// docs/performance.md): the machine and the command, how each contender ran, the median times,
// the ratios of median times measured in the same run, the compilation figures the modes
// reported, the JIT's time minus its compile time (the speed of the code it made), and the failures.

import { formatMachine, type MachineInfo } from "../lib/machine.ts";
import { formatMs, formatRatio, geomean, markdownTable, median } from "../lib/stats.ts";
import { type ContenderName, type MeasureResult, TITLE } from "./measure.ts";

export interface ReportInput {
  machine: MachineInfo;
  command: string;
  quick: boolean;
  /** Timed runs asked for (a cell with fewer says so). */
  runs: number;
  /** One line per contender: how it ran, or why it was skipped. */
  notes: readonly string[];
  programs: readonly string[];
  /** The contenders that ran, in column order. */
  columns: readonly ContenderName[];
  /** Keyed by resultKey(program, contender). */
  results: ReadonlyMap<string, MeasureResult>;
  failures: readonly string[];
}

export function resultKey(program: string, contender: ContenderName): string {
  return `${program}/${contender}`;
}

/**
 * The ratio columns, [title, a, b] for the ratio time(a) / time(b): every mode against translated,
 * untranslated against jit, the fastest mode present against TS and C, and TS against C.
 */
export function ratioColumns(have: (n: ContenderName) => boolean): [string, ContenderName, ContenderName][] {
  const cols: [string, ContenderName, ContenderName][] = [];
  const t = (n: ContenderName) => TITLE[n];
  if (have("translated"))
    for (const m of ["untranslated", "llinterp", "jit"] as const) if (have(m)) cols.push([`${t(m)}/${t("translated")}`, m, "translated"]);
  if (have("jit") && have("untranslated")) cols.push([`${t("untranslated")}/${t("jit")}`, "untranslated", "jit"]);
  const best = (["jit", "translated", "untranslated", "llinterp"] as const).find(have);
  if (best !== undefined) {
    if (have("ts")) cols.push([`${t(best)}/${t("ts")}`, best, "ts"]);
    if (have("c")) cols.push([`${t(best)}/${t("c")}`, best, "c"]);
  }
  if (have("ts") && have("c")) cols.push([`${t("ts")}/${t("c")}`, "ts", "c"]);
  return cols;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function formatReport(r: ReportInput): string {
  const get = (p: string, c: ContenderName): MeasureResult => r.results.get(resultKey(p, c)) ?? { status: "skipped", reason: "not run" };
  const out: string[] = [];
  out.push("# unfold benchmarks: tiny guest programs", "");
  out.push("```", formatMachine(r.machine), `command: ${r.command}`, "```", "");
  out.push(
    `Programs: ${r.quick ? "test-sized (examples/tiny/programs, --quick)" : "bench-sized (bench/tiny/programs)"}. ` +
      `Each figure is the median of ${plural(r.runs, "timed run")} after one warm-up run, ` +
      "in a fresh process per program and contender. VM modes and TS are timed with performance.now() around one run " +
      "(a mode's run includes reading and assembling the guest program); C times itself inside its process.",
    "",
    "Contenders:",
    ...r.notes,
    "",
  );

  out.push("## Median time (ms)", "");
  out.push(
    markdownTable(
      ["program", ...r.columns.map((c) => TITLE[c])],
      r.programs.map((p) => [
        p,
        ...r.columns.map((c) => {
          const cell = get(p, c);
          if (cell.status === "fail") return "FAIL";
          if (cell.status === "skipped") return "-";
          const n = cell.times.length;
          return n < r.runs ? `${formatMs(cell.medianMs)} (${plural(n, "run")})` : formatMs(cell.medianMs);
        }),
      ]),
    ),
    "",
  );

  const ratios = ratioColumns((n) => r.columns.includes(n));
  if (ratios.length > 0) {
    out.push("## Ratios of median times (a/b > 1: a is slower than b)", "");
    const perColumn: number[][] = ratios.map(() => []);
    const rows = r.programs.map((p) => [
      p,
      ...ratios.map(([, a, b], i) => {
        const x = get(p, a);
        const y = get(p, b);
        if (x.status !== "ok" || y.status !== "ok") return x.status === "fail" || y.status === "fail" ? "FAIL" : "-";
        const q = x.medianMs / y.medianMs;
        perColumn[i]?.push(q);
        return formatRatio(q);
      }),
    ]);
    if (r.programs.length > 1)
      rows.push(["geomean", ...perColumn.map((qs) => (qs.length === r.programs.length ? formatRatio(geomean(qs)) : "-"))]);
    out.push(markdownTable(["program", ...ratios.map(([title]) => title)], rows), "");
  }

  const statRows: string[][] = [];
  for (const p of r.programs)
    for (const c of r.columns) {
      const cell = get(p, c);
      if (cell.status !== "ok" || cell.stats === undefined) continue;
      const s = cell.stats;
      const n = s.guestInstructions;
      const per = (x: number | undefined, scale: number) => (x !== undefined && n ? ((x * scale) / n).toFixed(1) : "-");
      const show = (x: number | undefined, f: (x: number) => string = String) => (x === undefined ? "-" : f(x));
      statRows.push([
        p,
        TITLE[c],
        cell.statsRun ?? "-",
        show(s.compilations),
        show(n),
        show(s.compileMs, formatMs),
        per(s.compileMs, 1000),
        show(s.wasmBytes),
        per(s.wasmBytes, 1),
      ]);
    }
  if (statRows.length > 0) {
    out.push("## Compilation (in one run: the last timed run if it compiled, else the warm-up run)", "");
    out.push(
      markdownTable(
        ["program", "mode", "run", "compilations", "guest instrs", "compile ms", "µs / instr", "Wasm bytes", "bytes / instr"],
        statRows,
        3,
      ),
      "",
    );
  }

  const net = netTimes(r, get);
  if (net.length > 0) {
    out.push("## Without compile time (each timed run's time minus the compile time the mode reported in it; derived, not measured)", "");
    const refs = (["translated", "ts", "c"] as const).filter((c) => r.columns.includes(c));
    const rows = net.map(({ program, mode, cell, netMs }) => [
      program,
      TITLE[mode],
      formatMs(cell.medianMs),
      formatMs(median(cell.compileMs ?? [0])),
      formatMs(netMs),
      ...refs.map((c) => {
        const ref = get(program, c);
        return ref.status === "ok" ? formatRatio(netMs / ref.medianMs) : "-";
      }),
    ]);
    const title = (c: ContenderName) => `(run − compile)/${TITLE[c]}`;
    out.push(
      markdownTable(["program", "mode", "median ms", "compile ms", "median of (run − compile) ms", ...refs.map(title)], rows, 2),
      "",
    );
  }

  if (r.failures.length > 0) {
    out.push("## Failures", "");
    for (const f of r.failures) out.push(`- ${f.replace(/\n/g, "\n  ")}`);
    out.push("");
  }
  return out.join("\n");
}

/** The cells whose timed runs all reported a compile time, with the median of run time minus compile time. */
function netTimes(
  r: ReportInput,
  get: (p: string, c: ContenderName) => MeasureResult,
): { program: string; mode: ContenderName; cell: Extract<MeasureResult, { status: "ok" }>; netMs: number }[] {
  const out: { program: string; mode: ContenderName; cell: Extract<MeasureResult, { status: "ok" }>; netMs: number }[] = [];
  for (const p of r.programs)
    for (const c of r.columns) {
      const cell = get(p, c);
      if (cell.status !== "ok" || cell.compileMs === undefined) continue;
      const compile = cell.compileMs;
      out.push({ program: p, mode: c, cell, netMs: median(cell.times.map((t, i) => t - (compile[i] ?? 0))) });
    }
  return out;
}
