// Command-line options of the benchmark harnesses (bench/run.ts, bench/tiny/run.ts,
// bench/bf/run.ts): `--name value`, `--name=value` and flags, checked against a small spec.
// A bad option prints the message and the usage on stderr and exits with status 2; --help (or -h)
// prints the usage on stdout and exits with status 0.

/** What an option takes: nothing (a flag), any text, a positive number, a positive whole number, or a comma-separated list. */
export type OptionKind = "flag" | "string" | "positive" | "count" | "list";

type ValueOf<K extends OptionKind> = K extends "flag" ? true : K extends "string" ? string : K extends "list" ? string[] : number;

/** The options given, by name without the dashes; an option not given is absent. */
export type ParsedOptions<S extends Record<string, OptionKind>> = { [N in keyof S]?: ValueOf<S[N]> };

/** A harness's command line: its name for messages (e.g. "bench/run.ts") and its usage text. */
export interface Command {
  readonly name: string;
  readonly usage: string;
}

/** Print `msg` and the usage on stderr, and exit with status 2. */
export function usageError(cmd: Command, msg: string): never {
  process.stderr.write(`${cmd.name}: ${msg}\n\n${cmd.usage}\n`);
  process.exit(2);
}

/** Split `--a=b` into its name and value. */
function splitEquals(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

/**
 * Parse `argv` against `spec` (option names without the leading `--`). Every argument must be one
 * of the options; a later occurrence of an option replaces an earlier one.
 */
export function parseOptions<S extends Record<string, OptionKind>>(cmd: Command, argv: readonly string[], spec: S): ParsedOptions<S> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const [arg, inline] = splitEquals(argv[i] as string);
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${cmd.usage}\n`);
      process.exit(0);
    }
    const name = arg.startsWith("--") ? arg.slice(2) : null;
    const kind = name !== null && Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (name === null || kind === undefined) usageError(cmd, `unknown option '${arg}'`);
    if (kind === "flag") {
      if (inline !== undefined) usageError(cmd, `${arg} takes no value`);
      out[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) usageError(cmd, `${arg} needs a value`);
    }
    if (kind === "string") out[name] = value;
    else if (kind === "list")
      out[name] = value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    else {
      const n = Number(value);
      if (!(n > 0) || !Number.isFinite(n)) usageError(cmd, `${arg} must be a positive number, not '${value}'`);
      if (kind === "count" && !Number.isInteger(n)) usageError(cmd, `${arg} must be a whole number, not '${value}'`);
      out[name] = n;
    }
  }
  return out as ParsedOptions<S>;
}

/**
 * The arguments of `argv` that are options in `names` (with their values), in order: for a driver
 * that passes some of its options on to another harness. `spec` says which options take a value.
 */
export function pickOptions(argv: readonly string[], spec: Record<string, OptionKind>, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const whole = argv[i] as string;
    const [arg, inline] = splitEquals(whole);
    const name = arg.slice(2);
    const takesValue = Object.hasOwn(spec, name) && spec[name] !== "flag" && inline === undefined;
    const value = takesValue ? argv[++i] : undefined;
    if (names.includes(name)) out.push(whole, ...(value === undefined ? [] : [value]));
  }
  return out;
}
