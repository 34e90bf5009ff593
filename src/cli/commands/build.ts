// `unfold build <interp.ts> -o <dir>`: translate an interpreter to Wasm ahead of time and write it
// with a loader that runs guest programs without the front end (src/vm/build.ts). Progress and
// the summary go to standard error.

import { isAbsolute, relative } from "node:path";
import { BackendError } from "../../backend/wasm/index.ts";
import { FrontEndError } from "../../front/index.ts";
import { BuildError, buildInterpreter } from "../../vm/build.ts";
import type { Command } from "../args.ts";
import { UsageError } from "../args.ts";
import { clearProgress, progress } from "../progress.ts";

export const buildCommand: Command = {
  name: "build",
  synopsis: "<interp.ts> -o <dir>",
  summary: "Translate an interpreter to Wasm, with a loader that runs it without the front end.",
  details:
    "Writes into <dir>: <name>.wasm (the interpreter translated ahead of time to one Wasm GC module),\n" +
    "<name>.ll (its LL program in the text form, for instantiation), build.json (the manifest) and\n" +
    "run.mjs, the loader: `node <dir>/run.mjs <program>` prepares the program with the interpreter\n" +
    "module's `target.prepare` and runs it on the Wasm module, without loading the front end or the\n" +
    "TypeScript compiler. Its output and errors are those of `unfold run --mode=translated`.\n" +
    "The JIT is not part of the build: the loader runs the translated interpreter only.\n" +
    "The loader refers to the interpreter module and to unfold's runtime sources where they are now.\n" +
    "Exit codes: 0 built, 2 usage error or an interpreter that cannot be translated.",
  positionals: ["interp.ts"],
  options: [{ name: "out", short: "o", value: "dir", help: "the directory to write (created if needed; required)" }],
  examples: ["unfold build examples/tiny/interp.ts -o build/tiny", "node build/tiny/run.mjs examples/tiny/programs/fact.tiny"],
  async run(args) {
    const [interp] = args.positionals as [string];
    const out = args.options.get("out");
    if (typeof out !== "string") throw new UsageError("missing -o <dir>, the directory to write");
    const t0 = performance.now();
    try {
      const r = await buildInterpreter(interp, out, { progress });
      clearProgress();
      const show = (f: string) => {
        const r = relative(process.cwd(), f);
        return r === "" || r.startsWith("..") || isAbsolute(r) ? f : r;
      };
      process.stderr.write(
        `unfold: built ${interp} in ${(performance.now() - t0).toFixed(0)} ms: ${show(r.files.wasm)} ` +
          `(${r.stats.bytes} bytes, ${r.stats.graphs} graphs), ${show(r.files.program)}, ${show(r.files.manifest)}, ${show(r.files.loader)}\n` +
          `unfold: run a program with: node ${show(r.files.loader)} <program>\n`,
      );
      return 0;
    } catch (e) {
      clearProgress();
      if (e instanceof FrontEndError) {
        process.stderr.write(`${e.message}\n`);
        return 2;
      }
      if (e instanceof BuildError || e instanceof BackendError) {
        process.stderr.write(`unfold build: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  },
};
