// The mode runner: run a guest program with an interpreter in one of the VM's modes.
//   untranslated  the interpreter module as plain TypeScript on Node (hints are no-ops);
//   llinterp      the interpreter lowered by the front end, its entry graph run on L3.
// Later modes (translated, jit) plug in with `registerMode`. In every mode the interpreter
// module's `target.prepare(source, path)` (host code) turns the guest source into the entry's
// arguments, host output goes to the same HostIO, and errors come out as the same text
// (`formatError`: `error: <message>` for a guest error).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { HostIO, Target } from "../hints/index.ts";
import { currentIO, GuestError, withHostIO } from "../hints/index.ts";
import { FrontEndError } from "../front/index.ts";
import { defaultHosts } from "../llinterp/hosts.ts";
import { formatError, L3, LLError } from "../llinterp/interp.ts";
import { JSHeap } from "../llinterp/js-heap.ts";
import type { JitOptions } from "../jit/runtime.ts";
import { loweredProgram } from "./lowered.ts";
import { runJit, runTranslated } from "./translate.ts";

export { loweredProgram };

/** What a mode gets: the interpreter (its module and path), the prepared arguments and the I/O. */
export interface ModeContext {
  /** Absolute path of the interpreter's entry module. */
  readonly interpPath: string;
  readonly target: Target;
  /** prepare()'s results: the entry function's arguments. */
  readonly args: readonly unknown[];
  readonly io: HostIO;
  /** Report a slow step (e.g. "lowering interp.ts"); the CLI shows it on stderr. */
  readonly progress: (step: string) => void;
  /** Options of the JIT (jit mode). */
  readonly jit: JitOptions;
}

/** Figures a mode may report about one run (the jit mode: its compilations). */
export interface RunStats {
  compilations?: number;
  failures?: number;
  guestInstructions?: number;
  compileMs?: number;
  /** Of compileMs: specializing (the rest is the Wasm backend and V8). */
  specializeMs?: number;
  wasmBytes?: number;
  residualOps?: number;
  /** Bridges compiled (exits of compiled code specialized after being taken often), and refused. */
  bridges?: number;
  bridgesRefused?: number;
  /** Keys specialized again with a new value seen at a promote, and such specializations refused. */
  promoteCases?: number;
  promoteCasesRefused?: number;
  /** Calls from Wasm into the JIT's host entry (cache misses, counters run out). */
  entryCalls?: number;
  /** Modules that run an earlier module's code (the same code but for their exits' constants). */
  sharedModules?: number;
  /** Specializations that took the cleanup of an earlier, identical residual graph. */
  cleanupsReused?: number;
  /** Time spent loading and translating the interpreter before the guest program started, ms. */
  setupMs?: number;
}

/**
 * Runs the entry function in one mode; guest errors are thrown (GuestError, LLError...). It is
 * called with host I/O set to `ctx.io`; a runner that returns a promise must set it again itself
 * (withHostIO) around work done after its first `await`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a runner without figures returns nothing
export type ModeRunner = (ctx: ModeContext) => void | RunStats | Promise<void | RunStats>;

export interface RunOptions {
  /** The interpreter's entry module (exports `target`). */
  interp: string;
  /** The guest program's source file. */
  program: string;
  mode: string;
  /** Where output goes and input comes from (default: the process's standard I/O). */
  io?: HostIO;
  progress?: (step: string) => void;
  /** Options of the JIT, for the jit mode. */
  jit?: JitOptions;
}

export interface RunResult {
  ok: boolean;
  /** The error as every mode prints it (`error: <message>`, or the front end's diagnostics). */
  error?: string;
  /** 0 success, 1 guest (or interpreter) error, 2 the program or the interpreter could not be loaded. */
  exitCode: number;
  /** What the mode reported about the run (the jit mode: compilations, compile time, Wasm bytes). */
  stats?: RunStats;
}

const modes = new Map<string, ModeRunner>();

/** Make a mode available to runGuest (and to `unfold run --mode=<name>`). */
export function registerMode(name: string, run: ModeRunner): void {
  modes.set(name, run);
}

export function availableModes(): string[] {
  return [...modes.keys()];
}

// ---- untranslated -----------------------------------------------------------------------------

registerMode("untranslated", (ctx) => {
  ctx.target.entry(...ctx.args);
});

// ---- llinterp ---------------------------------------------------------------------------------

registerMode("llinterp", (ctx) => {
  const program = loweredProgram(ctx.interpPath, ctx.progress);
  const entry = program.entries[0];
  if (entry === undefined) throw new Error("the interpreter's program has no entry");
  const l3 = new L3(program, { heap: new JSHeap(program), hosts: defaultHosts() });
  l3.callJS(entry, ctx.args);
});

// ---- translated, jit ------------------------------------------------------------------------

registerMode("translated", runTranslated);
registerMode("jit", runJit);

// ---- running ----------------------------------------------------------------------------------

/** Import an interpreter module and check that it exports `target`. */
export async function loadTarget(interp: string): Promise<Target> {
  const mod = (await import(pathToFileURL(resolve(interp)).href)) as { target?: Target };
  const t = mod.target;
  if (!t || typeof t.entry !== "function" || typeof t.prepare !== "function")
    throw new LoadError(`${interp}: the interpreter module must export \`target: Target = { entry, prepare }\``);
  return t;
}

/** The interpreter or the guest program could not be loaded (exit code 2). */
export class LoadError extends Error {
  override name = "LoadError";
}

/** Run a guest program in a mode. Never throws for errors of the guest, the interpreter or the program files. */
export async function runGuest(opts: RunOptions): Promise<RunResult> {
  const run = modes.get(opts.mode);
  if (!run) return { ok: false, error: `error: unknown mode '${opts.mode}' (available: ${availableModes().join(", ")})`, exitCode: 2 };
  const io = opts.io ?? currentIO();
  const progress = opts.progress ?? (() => {});
  let target: Target;
  let args: unknown[];
  try {
    target = await loadTarget(opts.interp);
    let source: string;
    try {
      source = readFileSync(opts.program, "utf8");
    } catch (e) {
      throw new LoadError(`cannot read ${opts.program}: ${(e as Error).message}`);
    }
    try {
      args = target.prepare(source, opts.program);
    } catch (e) {
      // prepare is host code: its errors (e.g. an assembler's) are errors of the program file
      if (e instanceof GuestError) throw e;
      throw new LoadError(e instanceof Error ? e.message : String(e));
    }
  } catch (e) {
    if (e instanceof LoadError) return { ok: false, error: `error: ${e.message}`, exitCode: 2 };
    if (e instanceof GuestError) return { ok: false, error: formatError(e), exitCode: 1 };
    return {
      ok: false,
      error: `error: cannot load ${opts.interp}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      exitCode: 2,
    };
  }
  try {
    const stats = await withHostIO(io, () => run({ interpPath: resolve(opts.interp), target, args, io, progress, jit: opts.jit ?? {} }));
    return stats ? { ok: true, exitCode: 0, stats } : { ok: true, exitCode: 0 };
  } catch (e) {
    if (e instanceof FrontEndError) return { ok: false, error: e.message, exitCode: 2 };
    const guest = e instanceof GuestError || (e instanceof LLError && e.kind === "guest");
    return { ok: false, error: formatError(e), exitCode: guest ? 1 : e instanceof LLError ? 1 : 3 };
  }
}
