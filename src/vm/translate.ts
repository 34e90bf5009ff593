// translate(): an interpreter's entry file to a ready VM — the front end's LL graphs translated to
// one Wasm GC module and instantiated, with or without the JIT — and the "translated" and "jit"
// modes of the mode runner.

import { resolve } from "node:path";
import type { CompiledModule, TranslatedModule } from "../backend/wasm/index.ts";
import { compileProgram, instantiateProgramSync } from "../backend/wasm/index.ts";
import type { Program } from "../ir/graph.ts";
import { defaultHosts } from "../llinterp/hosts.ts";
import type { Jit, JitOptions } from "../jit/runtime.ts";
import { prepareJit } from "../jit/runtime.ts";
import { withReentry } from "../jit/reenter.ts";
import { loweredProgram } from "./lowered.ts";
import type { ModeContext, RunStats } from "./run.ts";

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

/** Per interpreter file: the translated modules (with and without JIT entries), compiled once. */
const cache = new Map<string, { plain?: CompiledModule; jit?: { translated: Program; compiled: CompiledModule } }>();

/**
 * Lower, translate and instantiate an interpreter. Throws FrontEndError on errors in its source.
 * Lowering and translation are done once per file per process; each call gets a fresh instance
 * (fresh globals and heap) and a fresh JIT.
 */
export function translate(entryFile: string, opts: TranslateOptions = {}): VM {
  const progress = opts.progress ?? (() => {});
  const path = resolve(entryFile);
  // The JIT rewrites a copy; the lowered program itself is shared and left as the front end made it.
  const program = loweredProgram(path, progress);
  const entry = program.entries[0];
  if (entry === undefined) throw new Error(`${entryFile}: the interpreter's program has no entry`);
  let cached = cache.get(path);
  if (!cached) cache.set(path, (cached = {}));
  const jitOpts = opts.jit === false ? null : opts.jit === true || opts.jit === undefined ? {} : opts.jit;
  const jit = jitOpts ? prepareJit(program, jitOpts, cached.jit?.translated) : null;
  const hosts = defaultHosts();
  let compiled: CompiledModule;
  if (jit) {
    for (const [n, h] of jit.hosts()) hosts.set(n, h);
    if (!cached.jit) {
      progress(`translating ${entryFile} to Wasm`);
      cached.jit = { translated: jit.translated, compiled: compileProgram(jit.translated) };
    }
    compiled = cached.jit.compiled;
  } else {
    if (!cached.plain) {
      progress(`translating ${entryFile} to Wasm`);
      // (its portal re-enters its loop now and then, so that V8's optimized code takes over)
      cached.plain = compileProgram(withReentry(program));
    }
    compiled = cached.plain;
  }
  const module = instantiateProgramSync(compiled, { hosts });
  jit?.attach(module);
  return { program, module, jit, entry, run: (args) => module.call(entry, args) };
}

/** The "translated" mode: the interpreter compiled to Wasm ahead of time, no JIT. */
export function runTranslated(ctx: ModeContext): RunStats {
  const t0 = performance.now();
  const vm = translate(ctx.interpPath, { jit: false, progress: ctx.progress });
  const setupMs = performance.now() - t0;
  vm.run(ctx.args);
  return { setupMs };
}

/** The "jit" mode: translated, with the JIT (options from `ctx.jit`); reports the JIT's figures. */
export function runJit(ctx: ModeContext): RunStats {
  const t0 = performance.now();
  const vm = translate(ctx.interpPath, { jit: ctx.jit, progress: ctx.progress });
  const setupMs = performance.now() - t0;
  const report = (): RunStats => {
    const s = vm.jit?.stats;
    return s
      ? {
          compilations: s.compilations,
          failures: s.failures,
          guestInstructions: s.guestInstructions,
          compileMs: s.compileMs,
          specializeMs: s.specializeMs,
          wasmBytes: s.bytes,
          residualOps: s.residualOps,
          bridges: s.bridges,
          bridgesRefused: s.bridgesRefused,
          promoteCases: s.promoteCases,
          promoteCasesRefused: s.promoteCasesRefused,
          entryCalls: s.entryCalls,
          sharedModules: s.shared,
          cleanupsReused: s.cleanupsReused,
          setupMs,
        }
      : { setupMs };
  };
  vm.run(ctx.args);
  return report();
}
