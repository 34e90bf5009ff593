// `unfold run [--mode=...] <interp.ts> <program>`: run a guest program with an interpreter in one
// of the VM's modes (src/vm/run.ts). Guest output goes to standard output, a guest error to
// standard error as `error: <message>` (exit code 1), the same text in every mode.

import { flushOutput } from "../../hints/index.ts";
import { availableModes, runGuest } from "../../vm/run.ts";
import type { Command } from "../args.ts";
import { UsageError } from "../args.ts";
import { clearProgress, progress } from "../progress.ts";

/** The mode `unfold run` uses when none is given. */
export const DEFAULT_MODE = "llinterp";

export const runCommand: Command = {
  name: "run",
  synopsis: "[options] <interp.ts> <program>",
  summary: "Run a guest program with an interpreter.",
  details:
    "Modes: untranslated (the interpreter as plain TypeScript), llinterp (its LL graphs on L3).\n" +
    "Exit codes: 0 success, 1 guest error, 2 usage or loading error (including front-end errors).",
  positionals: ["interp.ts", "program"],
  options: [
    { name: "mode", value: "mode", help: `how to run the interpreter (default ${DEFAULT_MODE})` },
    { name: "time", help: "print the time taken (on stderr)" },
  ],
  examples: [
    "unfold run examples/tiny/interp.ts examples/tiny/programs/fact.tiny",
    "unfold run --mode=untranslated examples/tiny/interp.ts examples/tiny/programs/sieve.tiny",
  ],
  async run(args) {
    const [interp, program] = args.positionals as [string, string];
    const mode = args.options.get("mode") ?? DEFAULT_MODE;
    if (typeof mode !== "string" || !availableModes().includes(mode))
      throw new UsageError(`unknown mode '${String(mode)}' (modes: ${availableModes().join(", ")})`);
    const t0 = performance.now();
    const r = await runGuest({ interp, program, mode, progress });
    clearProgress();
    flushOutput();
    if (r.error !== undefined) process.stderr.write(`${r.error}\n`);
    if (args.options.has("time")) process.stderr.write(`unfold: ${mode} run ${(performance.now() - t0).toFixed(0)} ms\n`);
    return r.exitCode;
  },
};
