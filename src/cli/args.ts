// Command-line parsing for `unfold`: each command declares its options (flags and valued
// options), and `parseArgs` splits argv into options and positional arguments or says exactly
// what is wrong (an unknown option, a missing value), for the CLI to print with the usage.

export interface OptionSpec {
  readonly name: string;
  /** Takes a value: `--name=value` or `--name value`. */
  readonly value?: string;
  /** One-letter alias, e.g. "o" for `-o`. */
  readonly short?: string;
  readonly help: string;
}

export interface Command {
  readonly name: string;
  /** e.g. "[options] <interp.ts> <program>" */
  readonly synopsis: string;
  readonly summary: string;
  /** Names of the positional arguments, for the count check; a trailing "..." accepts more. */
  readonly positionals: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
  /** Longer description printed by --help. */
  readonly details?: string;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  readonly options: Map<string, string | true>;
  readonly positionals: string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const HELP: OptionSpec = { name: "help", short: "h", help: "show this help" };

/** Parse argv (after the command name) against a command's options. Throws UsageError. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const all = [...specs, HELP];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    const long = a.startsWith("--");
    const eq = a.indexOf("=");
    const key = long ? a.slice(2, eq >= 0 ? eq : undefined) : a.slice(1, 2);
    const spec = all.find((s) => (long ? s.name === key : s.short === key));
    if (!spec) throw new UsageError(`unknown option '${long ? `--${key}` : `-${key}`}'`);
    if (!spec.value) {
      if (long && eq >= 0) throw new UsageError(`option '--${spec.name}' takes no value`);
      if (!long && a.length > 2) throw new UsageError(`unknown option '${a}'`);
      options.set(spec.name, true);
      continue;
    }
    let v: string | undefined;
    if (long && eq >= 0) v = a.slice(eq + 1);
    else if (!long && a.length > 2) v = a.slice(2);
    else v = argv[++i];
    if (v === undefined || v === "") throw new UsageError(`option '--${spec.name}' needs a value (${spec.value})`);
    options.set(spec.name, v);
  }
  return { options, positionals };
}

/** The usage text of a command: synopsis, options and examples. */
export function commandUsage(c: Command): string {
  const lines = [`usage: unfold ${c.name} ${c.synopsis}`, "", c.summary];
  if (c.details) lines.push("", c.details);
  lines.push("", "options:");
  const opts = [...c.options, HELP];
  const left = opts.map((o) => `${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.value ? `=<${o.value}>` : ""}`);
  const w = Math.max(...left.map((l) => l.length));
  opts.forEach((o, i) => {
    lines.push(`  ${(left[i] as string).padEnd(w)}  ${o.help}`);
  });
  if (c.examples.length > 0) lines.push("", "examples:", ...c.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}
