// `unfold graphs <interp.ts>`: lower an interpreter with the front end and print its LL graphs in
// the text form (docs/ir.md), or the front end's diagnostics.

import { writeFileSync } from "node:fs";
import { FrontEndError, lowerInterpreter } from "../../front/index.ts";
import { printGraph, printProgram } from "../../ir/print.ts";
import type { Command } from "../args.ts";
import { UsageError } from "../args.ts";
import { clearProgress, progress } from "../progress.ts";

export const graphsCommand: Command = {
  name: "graphs",
  synopsis: "[options] <interp.ts>",
  summary: "Lower an interpreter to LL graphs and print them in the text form.",
  details:
    "The interpreter module exports `target` ({ entry, prepare }); the entry function and everything it\n" +
    "reaches are translated. Problems are listed as file:line:col: error: ... (exit code 2).",
  positionals: ["interp.ts"],
  options: [
    { name: "locs", help: "print the source location of each op (as `; @ file:line:col` comments)" },
    { name: "graph", value: "name", help: "print only this graph" },
    { name: "output", short: "o", value: "file", help: "write to a file instead of standard output" },
    { name: "time", help: "print how long the front end took (on stderr)" },
  ],
  examples: ["unfold graphs examples/tiny/interp.ts", "unfold graphs --locs --graph=interpret examples/tiny/interp.ts"],
  async run(args) {
    const [interp] = args.positionals as [string];
    const t0 = performance.now();
    progress(`lowering ${interp}`);
    let text: string;
    try {
      const p = lowerInterpreter(interp);
      const locs = args.options.has("locs");
      const only = args.options.get("graph");
      if (typeof only === "string") {
        const g = p.graphs.get(only);
        if (!g) throw new UsageError(`no graph '${only}' (graphs: ${[...p.graphs.keys()].join(", ")})`);
        text = `${printGraph(p, g, { locs })}\n`;
      } else text = printProgram(p, { locs });
    } catch (e) {
      clearProgress();
      if (e instanceof FrontEndError) {
        process.stderr.write(`${e.message}\n`);
        return 2;
      }
      throw e;
    }
    clearProgress();
    if (args.options.has("time")) process.stderr.write(`unfold: front end ${(performance.now() - t0).toFixed(0)} ms\n`);
    const out = args.options.get("output");
    if (typeof out === "string") writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  },
};
