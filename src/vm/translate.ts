// translate(): an interpreter's entry file to a ready VM — the front end's LL graphs translated to
// one Wasm GC module and instantiated, with or without the JIT — and the "translated" and "jit"
// modes of the mode runner.

import { resolve } from "node:path";
import type { TranslatedModule } from "../backend/wasm/index.ts";
import { instantiateProgramSync } from "../backend/wasm/index.ts";
import type { Program } from "../ir/graph.ts";
import { defaultHosts } from "../llinterp/hosts.ts";
import type { Jit, JitOptions } from "../jit/runtime.ts";
import { prepareJit } from "../jit/runtime.ts";
import type { ModeContext } from "./run.ts";
import { loweredProgram } from "./run.ts";

export interface TranslateOptions {
  /** Enable the JIT (default true), with its options. */
  jit?: boolean | JitOptions;
  /** Report slow steps (the CLI shows them on stderr). */
  progress?: (step: string) => void;
}

export interface VM {
  /** The interpreter's LL program (as lowered by the front end). */
  readonly program: Program;
  readonly module: TranslatedModule;
  /** The JIT, when enabled and the interpreter has a merge point. */
  readonly jit: Jit | null;
  /** The entry graph's name. */
  readonly entry: string;
  /** Call the entry with JS values (numbers, booleans, typed arrays). */
  run(args: readonly unknown[]): unknown;
}

/** Lower, translate and instantiate an interpreter. Throws FrontEndError on errors in its source. */
export function translate(entryFile: string, opts: TranslateOptions = {}): VM {
  const progress = opts.progress ?? (() => {});
  // The JIT rewrites a copy; the lowered program itself is shared and left as the front end made it.
  const program = loweredProgram(resolve(entryFile), progress);
  const entry = program.entries[0];
  if (entry === undefined) throw new Error(`${entryFile}: the interpreter's program has no entry`);
  const jitOpts = opts.jit === false ? null : opts.jit === true || opts.jit === undefined ? {} : opts.jit;
  const jit = jitOpts ? prepareJit(program, jitOpts) : null;
  const hosts = defaultHosts();
  if (jit) for (const [n, h] of jit.hosts()) hosts.set(n, h);
  progress(`translating ${entryFile} to Wasm`);
  const module = instantiateProgramSync(jit ? jit.translated : program, { hosts });
  jit?.attach(module);
  return { program, module, jit, entry, run: (args) => module.call(entry, args) };
}

/** The "translated" mode: the interpreter compiled to Wasm ahead of time, no JIT. */
export function runTranslated(ctx: ModeContext): void {
  translate(ctx.interpPath, { jit: false, progress: ctx.progress }).run(ctx.args);
}

/** The "jit" mode: translated, with the JIT; options from `ctx` (threshold, budgets, log). */
export function runJit(ctx: ModeContext, opts: JitOptions = {}): Jit | null {
  const vm = translate(ctx.interpPath, { jit: opts, progress: ctx.progress });
  vm.run(ctx.args);
  return vm.jit;
}
