// `unfold specialize <interp.ts> <program> [--at <pc>]`: the first Futamura projection done
// offline. Runs the lowered interpreter on L3 until its merge point is reached (at the given green
// value, or the first time), specializes the portal there for the greens seen, and prints the
// residual graph with its statistics and its exits' resume data (src/pe).

import { readFileSync } from "node:fs";
import { FrontEndError } from "../../front/index.ts";
import { PEError, parseAt, specializeProgram } from "../../pe/index.ts";
import { loadTarget, loweredProgram } from "../../vm/run.ts";
import type { Command } from "../args.ts";
import { UsageError } from "../args.ts";
import { clearProgress, progress } from "../progress.ts";

export const specializeCommand: Command = {
  name: "specialize",
  synopsis: "[options] <interp.ts> <program>",
  summary: "Print the residual graph of an interpreter specialized for a guest program.",
  details:
    "Runs the interpreter on L3 until its jit_merge_point is reached with the green given by --at\n" +
    "(default: the first time), then specializes the portal for the greens seen there. Dispatch,\n" +
    "decoding and stack traffic fold away; what is printed is the guest program's own work, with\n" +
    "the exits (where residual code leaves to the interpreter) and their resume data.",
  positionals: ["interp.ts", "program"],
  options: [
    { name: "at", value: "pc", help: "specialize where this green has this value: `12` or `pc=12` (default: the first merge point)" },
    { name: "budget", value: "ops", help: "residual ops allowed (default 4000)" },
    { name: "support", help: "also print the exit and continuation graphs" },
  ],
  examples: [
    "unfold specialize examples/tiny/interp.ts examples/tiny/programs/sum.tiny --at 9",
    "unfold specialize --budget=200 examples/tiny/interp.ts examples/tiny/programs/sieve.tiny",
  ],
  async run(args) {
    const [interp, programFile] = args.positionals as [string, string];
    const at = args.options.get("at");
    const budgetOpt = args.options.get("budget");
    const budget = budgetOpt === undefined ? undefined : Number(budgetOpt);
    if (budget !== undefined && (!Number.isInteger(budget) || budget < 0))
      throw new UsageError(`--budget takes a whole number, not '${String(budgetOpt)}'`);
    let source: string;
    try {
      source = readFileSync(programFile, "utf8");
    } catch (e) {
      process.stderr.write(`error: cannot read ${programFile}: ${(e as Error).message}\n`);
      return 2;
    }
    try {
      const target = await loadTarget(interp);
      const hostArgs = target.prepare(source, programFile);
      const lowered = loweredProgram(interp, progress);
      // the specializer adds its graphs to the program it is given: give it its own graph table
      const p = { ...lowered, graphs: new Map(lowered.graphs) };
      progress(`specializing ${programFile}`);
      const { text } = specializeProgram(p, hostArgs, {
        ...(typeof at === "string" ? { at: parseAt(at) } : {}),
        ...(budget !== undefined ? { budget } : {}),
        support: args.options.has("support"),
      });
      clearProgress();
      process.stdout.write(`${text}\n`);
      return 0;
    } catch (e) {
      clearProgress();
      if (e instanceof FrontEndError || e instanceof PEError) {
        process.stderr.write(`${e.message}\n`);
        return 2;
      }
      process.stderr.write(`error: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
