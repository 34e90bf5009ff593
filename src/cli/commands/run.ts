// `unfold run [--mode=...] <interp.ts> <program>`: run a guest program with an interpreter in one
// of the VM's modes (src/vm/run.ts); by default translated to Wasm with the JIT. Guest output goes to standard output, a guest error to
// standard error as `error: <message>` (exit code 1), the same text in every mode.

import { flushOutput } from "../../hints/index.ts";
import type { JitOptions } from "../../jit/runtime.ts";
import { availableModes, runGuest } from "../../vm/run.ts";
import type { Command } from "../args.ts";
import { UsageError } from "../args.ts";
import { clearProgress, progress } from "../progress.ts";

/** The mode `unfold run` uses when none is given. */
export const DEFAULT_MODE = "jit";

/** A non-negative integer option, or undefined when absent. */
function intOption(args: { options: Map<string, string | true> }, name: string): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, not '${String(v)}'`);
  return n;
}

export const runCommand: Command = {
  name: "run",
  synopsis: "[options] <interp.ts> <program>",
  summary: "Run a guest program with an interpreter.",
  details:
    "Modes: untranslated (the interpreter as plain TypeScript), llinterp (its LL graphs on L3),\n" +
    "translated (compiled ahead of time to one Wasm GC module), jit (translated, and hot guest loops\n" +
    "specialized and compiled to Wasm at run time; the default).\n" +
    "Exit codes: 0 success, 1 guest error, 2 usage or loading error (including front-end errors).",
  positionals: ["interp.ts", "program"],
  options: [
    { name: "mode", value: "mode", help: `how to run the interpreter (default ${DEFAULT_MODE})` },
    { name: "no-jit", help: "translated without the JIT (the same as --mode=translated)" },
    { name: "threshold", value: "n", help: "JIT: times a guest loop header is reached before it is compiled (default 1000)" },
    {
      name: "exit-threshold",
      value: "n",
      help: "JIT: times the code after a loop is reached before it is compiled (default 10x threshold)",
    },
    {
      name: "bridge-threshold",
      value: "n",
      help: "JIT: times an exit is taken before its continuation is compiled, or a promote grows a case (default 1000)",
    },
    { name: "budget", value: "ops", help: "JIT: residual ops per compilation (default 4000)" },
    { name: "code-budget", value: "bytes", help: "JIT: total Wasm bytes compiled; past it the interpreter runs on (default 16 MiB)" },
    {
      name: "max-callees",
      value: "n",
      help: "JIT: guest calls made direct calls of code specialized for them, per compilation (default 8; 0: none)",
    },
    {
      name: "jit-log",
      help: "JIT: print each compilation, bridge and new promote case on stderr (green key, residual graph, exits, Wasm bytes, times)",
    },
    { name: "time", help: "print the time taken (on stderr), and the JIT's figures" },
  ],
  examples: [
    "unfold run examples/tiny/interp.ts examples/tiny/programs/fact.tiny",
    "unfold run --mode=untranslated examples/tiny/interp.ts examples/tiny/programs/sieve.tiny",
    "unfold run --threshold=1 --jit-log examples/tiny/interp.ts examples/tiny/programs/sum.tiny",
  ],
  async run(args) {
    const [interp, program] = args.positionals as [string, string];
    const noJit = args.options.has("no-jit");
    const mode = args.options.get("mode") ?? (noJit ? "translated" : DEFAULT_MODE);
    if (typeof mode !== "string" || !availableModes().includes(mode))
      throw new UsageError(`unknown mode '${String(mode)}' (modes: ${availableModes().join(", ")})`);
    if (noJit && mode === "jit") throw new UsageError("--no-jit contradicts --mode=jit");
    const jit: JitOptions = {};
    const threshold = intOption(args, "threshold");
    const budget = intOption(args, "budget");
    const codeBudget = intOption(args, "code-budget");
    if (threshold !== undefined) jit.threshold = Math.max(1, threshold);
    const exitThreshold = intOption(args, "exit-threshold");
    if (exitThreshold !== undefined) jit.exitThreshold = Math.max(1, exitThreshold);
    const bridgeThreshold = intOption(args, "bridge-threshold");
    if (bridgeThreshold !== undefined) jit.bridgeThreshold = Math.max(1, bridgeThreshold);
    if (budget !== undefined) jit.budget = budget;
    if (codeBudget !== undefined) jit.codeBudget = codeBudget;
    const maxCallees = intOption(args, "max-callees");
    if (maxCallees !== undefined) jit.maxCallees = Math.max(0, maxCallees);
    if (args.options.has("jit-log")) jit.log = (text) => process.stderr.write(text);
    const t0 = performance.now();
    const r = await runGuest({ interp, program, mode, progress, jit });
    clearProgress();
    flushOutput();
    if (r.error !== undefined) process.stderr.write(`${r.error}\n`);
    if (args.options.has("time")) {
      const s = r.stats;
      const total = performance.now() - t0;
      const split =
        s?.setupMs !== undefined
          ? ` (${s.setupMs.toFixed(0)} ms loading and translating the interpreter, ${(total - s.setupMs).toFixed(0)} ms running the guest program)`
          : "";
      process.stderr.write(`unfold: ${mode} run ${total.toFixed(0)} ms${split}\n`);
      if (s?.compilations !== undefined)
        process.stderr.write(
          `unfold: jit: ${s.compilations} compilations (${s.failures ?? 0} refused), ${s.guestInstructions} guest instructions, ` +
            `${s.bridges ?? 0} bridges (${s.bridgesRefused ?? 0} refused), ${s.promoteCases || s.promoteCasesRefused ? `${s.promoteCases ?? 0} promote cases (${s.promoteCasesRefused ?? 0} refused), ` : ""}${s.cleanupsReused ? `${s.cleanupsReused} cleanups reused, ` : ""}${s.sharedModules ? `${s.sharedModules} modules running earlier code, ` : ""}${s.wasmBytes} bytes of Wasm, ${(s.compileMs ?? 0).toFixed(0)} ms compiling (${(s.specializeMs ?? 0).toFixed(0)} ms specializing, ${((s.compileMs ?? 0) - (s.specializeMs ?? 0)).toFixed(0)} ms to Wasm), ${s.entryCalls ?? 0} host entries\n`,
        );
    }
    return r.exitCode;
  },
};
