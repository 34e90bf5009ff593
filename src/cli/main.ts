// The `unfold` command line (bin/unfold.js runs this file). Each command lives in
// src/cli/commands/ and declares its synopsis, options and examples; this file dispatches,
// prints usage (`unfold --help`, `unfold <command> --help`) and turns usage errors into a clear
// message plus the usage, with exit code 2.

import { flushOutput } from "../hints/index.ts";
import type { Command } from "./args.ts";
import { commandUsage, parseArgs, UsageError } from "./args.ts";
import { buildCommand } from "./commands/build.ts";
import { graphsCommand } from "./commands/graphs.ts";
import { runCommand } from "./commands/run.ts";
import { specializeCommand } from "./commands/specialize.ts";
import { clearProgress } from "./progress.ts";

/** Every command, in the order `unfold --help` lists them. */
export const COMMANDS: Command[] = [runCommand, buildCommand, graphsCommand, specializeCommand];

function mainUsage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: unfold <command> [options] ...",
    "",
    "unfold turns an interpreter written in a subset of TypeScript into LL graphs, runs them, and",
    "specializes them into a JIT.",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "Run `unfold <command> --help` for a command's options and examples, e.g.",
    "  unfold run examples/tiny/interp.ts examples/tiny/programs/fact.tiny",
    "",
  ].join("\n");
}

/** Run the CLI on arguments (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const c = name === "help" && rest[0] ? COMMANDS.find((k) => k.name === rest[0]) : undefined;
    process.stdout.write(c ? commandUsage(c) : mainUsage());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`unfold: unknown ${name.startsWith("-") ? "option" : "command"} '${name}'\n\n${mainUsage()}`);
    return 2;
  }
  try {
    const args = parseArgs(rest, cmd.options);
    if (args.options.has("help")) {
      process.stdout.write(commandUsage(cmd));
      return 0;
    }
    const want = cmd.positionals;
    const variadic = want[want.length - 1]?.endsWith("...") ?? false;
    const min = variadic ? want.length - 1 : want.length;
    if (args.positionals.length < min || (!variadic && args.positionals.length > want.length)) {
      const missing = want.slice(args.positionals.length).filter((w) => !w.endsWith("..."));
      throw new UsageError(
        missing.length > 0
          ? `missing ${missing.map((m) => `<${m}>`).join(" ")}`
          : `too many arguments: ${args.positionals.slice(want.length).join(" ")}`,
      );
    }
    return await cmd.run(args);
  } catch (e) {
    clearProgress();
    flushOutput();
    if (e instanceof UsageError) {
      process.stderr.write(`unfold ${cmd.name}: ${e.message}\n\n${commandUsage(cmd)}`);
      return 2;
    }
    process.stderr.write(`unfold ${cmd.name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
}

if (import.meta.main || process.argv[1]?.endsWith("unfold.js")) {
  const code = await main(process.argv.slice(2));
  flushOutput();
  process.exitCode = code;
}
