// The VM modes a guest program can run in, as benchmark contenders: each is loaded through the
// mode runner `runGuest` of src/vm/run.ts and checked on a probe program first; a mode that the
// runner does not offer yet is skipped with the reason. Without src/vm/run.ts, "untranslated"
// still runs directly (the interpreter module's `target` as plain TypeScript).
//
// Hook for compilation figures: a runGuest result may carry `stats` (CompileStats below); the
// harness prints compile time and Wasm bytes per guest instruction from them.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GuestError, type HostIO, MemoryIO, type Target, withHostIO } from "../../src/hints/index.ts";

/** Every VM mode, in the order reports show them. */
export const VM_MODES = ["untranslated", "llinterp", "translated", "jit"] as const;
export type VmModeName = (typeof VM_MODES)[number];

/** What a mode may report about the code it compiled during one run (all optional). */
export interface CompileStats {
  /** Compilations (residual functions or bridges) made. */
  compilations?: number;
  /** Guest instructions (bytecodes) covered by the code compiled, summed over compilations. */
  guestInstructions?: number;
  /** Time spent specializing and compiling, in milliseconds. */
  compileMs?: number;
  /** Size of the Wasm code produced, in bytes. */
  wasmBytes?: number;
}

/** One run of a guest program: what it printed (then `error: <message>` if it failed) and how long it took. */
export interface GuestRun {
  output: string;
  ms: number;
  stats?: CompileStats;
}

export interface VmMode {
  readonly name: VmModeName;
  /** How the mode is run: "runGuest" or "direct". */
  readonly via: string;
  run(program: string): Promise<GuestRun>;
}

/** A program every interpreter mode must run correctly before it is benchmarked. */
export interface Probe {
  /** The interpreter module (e.g. examples/tiny/interp.ts). */
  interp: string;
  /** Source text of a very small guest program, its file extension, and what it prints. */
  source: string;
  ext: string;
  expected: string;
}

export type LoadedMode =
  | { status: "ready"; mode: VmMode; setupMs: number }
  | { status: "skipped"; reason: string }
  | { status: "failed"; reason: string };

interface RunGuestResult {
  ok: boolean;
  error?: string;
  stats?: CompileStats;
}
type RunGuest = (opts: {
  interp: string;
  program: string;
  mode: string;
  io?: HostIO;
  progress?: (step: string) => void;
}) => Promise<RunGuestResult>;

interface Runner {
  runGuest: RunGuest;
  /** The modes runGuest offers, when src/vm/run.ts says (availableModes). */
  modes: readonly string[] | null;
}

const RUNNER = fileURLToPath(new URL("../../src/vm/run.ts", import.meta.url));

let runner: Promise<Runner | string> | null = null;

/** runGuest from src/vm/run.ts, or the reason it cannot be used. */
function loadRunner(): Promise<Runner | string> {
  runner ??= (async () => {
    if (!existsSync(RUNNER)) return "src/vm/run.ts does not exist yet";
    try {
      const mod = (await import(pathToFileURL(RUNNER).href)) as { runGuest?: unknown; availableModes?: unknown };
      if (typeof mod.runGuest !== "function") return "src/vm/run.ts exports no runGuest function";
      const modes = typeof mod.availableModes === "function" ? (mod.availableModes as () => string[])() : null;
      return { runGuest: mod.runGuest as RunGuest, modes };
    } catch (e) {
      return `cannot load src/vm/run.ts: ${(e as Error).message}`;
    }
  })();
  return runner;
}

/** Slow steps the runner reports (e.g. lowering the interpreter), shown on stderr. */
function showStep(step: string): void {
  process.stderr.write(`  ${step}\n`);
}

function outcome(io: MemoryIO, error: string | null): string {
  if (error === null) return io.text();
  return `${io.text()}${error.startsWith("error: ") ? error : `error: ${error}`}\n`;
}

function viaRunner(name: VmModeName, interp: string, runGuest: RunGuest): VmMode {
  return {
    name,
    via: "runGuest",
    async run(program) {
      const io = new MemoryIO();
      const t0 = performance.now();
      const r = await runGuest({ interp, program, mode: name, io, progress: showStep });
      const ms = performance.now() - t0;
      const stats = r.stats !== undefined && typeof r.stats === "object" ? r.stats : undefined;
      return { output: outcome(io, r.ok ? null : (r.error ?? "unknown error")), ms, stats };
    },
  };
}

/** The interpreter as plain TypeScript, without the mode runner: its `target.prepare` then `target.entry`. */
async function directUntranslated(interp: string): Promise<VmMode> {
  const mod = (await import(pathToFileURL(interp).href)) as { target?: Target };
  const target = mod.target;
  if (target === undefined) throw new Error(`${interp} exports no 'target'`);
  return {
    name: "untranslated",
    via: "direct",
    async run(program) {
      const io = new MemoryIO();
      let error: string | null = null;
      const t0 = performance.now();
      try {
        const args = target.prepare(readFileSync(program, "utf8"), program);
        withHostIO(io, () => target.entry(...args));
      } catch (e) {
        if (!(e instanceof GuestError)) throw e;
        error = e.message;
      }
      return { output: outcome(io, error), ms: performance.now() - t0 };
    },
  };
}

/**
 * Load mode `name` and run the probe in it. The time of that first run (loading the runner, the
 * front end and translation where the mode needs them) is returned as setupMs.
 */
export async function loadVmMode(name: VmModeName, probe: Probe): Promise<LoadedMode> {
  const r = await loadRunner();
  let mode: VmMode;
  if (typeof r === "string") {
    if (name !== "untranslated") return { status: "skipped", reason: r };
    mode = await directUntranslated(probe.interp);
  } else if (r.modes !== null && !r.modes.includes(name)) {
    return { status: "skipped", reason: `runGuest does not offer it yet (its modes: ${r.modes.join(", ")})` };
  } else {
    mode = viaRunner(name, probe.interp, r.runGuest);
  }
  const dir = mkdtempSync(join(os.tmpdir(), "unfold-probe-"));
  try {
    const path = join(dir, `probe.${probe.ext}`);
    writeFileSync(path, probe.source);
    let run: GuestRun;
    try {
      run = await mode.run(path);
    } catch (e) {
      return { status: "failed", reason: `the probe program threw: ${(e as Error).message.split("\n")[0]}` };
    }
    if (run.output.startsWith("error: unknown mode")) return { status: "skipped", reason: run.output.trim() };
    if (run.output !== probe.expected)
      return {
        status: "failed",
        reason: `the probe program printed ${JSON.stringify(run.output)}, expected ${JSON.stringify(probe.expected)}`,
      };
    return { status: "ready", mode, setupMs: run.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
