// `npm run bench`: every benchmark suite, one after the other, each in its own process and printing
// its own Markdown report (with the machine header) on stdout: the tiny guest programs
// (bench/tiny/run.ts), then the Brainfuck programs (bench/bf/run.ts). Progress goes to stderr; the
// exit status is 1 if any suite reported a failure.
//
//   node bench/run.ts [--suite tiny|bf] [options]
//
// With --suite, every other option goes to that suite's harness; without it, only the options the
// two harnesses share. How to read the reports: docs/performance.md.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BF_PROGRAMS } from "./bf/programs.ts";
import { type Command, parseOptions, pickOptions, usageError } from "./lib/options.ts";
import { TINY_BENCHMARKS } from "./tiny/index.ts";

/** The suites, in the order they run: each is a harness script, with the names of its programs (for --filter). */
const SUITES = {
  tiny: { script: join(import.meta.dirname, "tiny/run.ts"), programs: TINY_BENCHMARKS.map((b) => b.name) },
  bf: { script: join(import.meta.dirname, "bf/run.ts"), programs: BF_PROGRAMS },
};
type Suite = keyof typeof SUITES;
const ALL = Object.keys(SUITES) as Suite[];

/** The options both harnesses take with the same meaning (see their specs): passed on when every suite runs. */
const SHARED = { runs: "count", filter: "string", budget: "positive", quick: "flag" } as const;
const SHARED_NAMES = Object.keys(SHARED);

const USAGE = `usage: node bench/run.ts [--suite tiny|bf] [options]    (npm run bench -- [options])

Runs the benchmark suites one after the other, each printing its report: the tiny guest programs
against hand-written TypeScript and C (npm run bench:tiny), then the Brainfuck programs against C,
CPython and PyPy (npm run bench:bf).

options:
  --suite NAME    only this suite (tiny or bf); every other option then goes to it
                  (see node bench/tiny/run.ts --help, node bench/bf/run.ts --help)
  --runs N        timed runs per program and contender
  --filter NAME   only the programs whose name contains NAME
  --budget S      at most about S seconds of timed runs per program and contender
  --quick         a smoke test: small programs, 1 run
  --help          this text`;

const COMMAND: Command = { name: "bench/run.ts", usage: USAGE };

function main(argv: readonly string[]): void {
  // --suite is read first; what follows is checked by the suite's own harness
  let suite: Suite | null = null;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== "--suite" && !arg.startsWith("--suite=")) {
      rest.push(arg);
      continue;
    }
    const name = arg === "--suite" ? argv[++i] : arg.slice("--suite=".length);
    if (name === undefined) usageError(COMMAND, "--suite needs a value");
    if (!(ALL as string[]).includes(name)) usageError(COMMAND, `unknown suite '${name}': expected ${ALL.join(" or ")}`);
    suite = name as Suite;
  }
  if (suite === null && (rest.includes("--help") || rest.includes("-h"))) parseOptions(COMMAND, ["--help"], {});
  let runs: [Suite, string[]][];
  if (suite !== null) runs = [[suite, rest]];
  else {
    // every suite: only the shared options, checked here so that a mistake stops before any suite runs
    for (const arg of rest) {
      const name = arg.replace(/=.*$/, "");
      if (name.startsWith("--") && !SHARED_NAMES.includes(name.slice(2)))
        usageError(
          COMMAND,
          `${name} is not an option of every suite: add --suite tiny or --suite bf (or use npm run bench:tiny / bench:bf)`,
        );
    }
    const filter = parseOptions(COMMAND, rest, SHARED).filter;
    // a suite none of whose programs --filter names is left out (each harness alone calls that a usage error)
    const chosen = ALL.filter((s) => filter === undefined || SUITES[s].programs.some((p) => p.includes(filter)));
    if (chosen.length === 0) usageError(COMMAND, `--filter ${filter} matches no program of any suite`);
    runs = chosen.map((s) => [s, pickOptions(rest, SHARED, SHARED_NAMES)]);
  }
  let failed = false;
  for (const [i, [name, args]] of runs.entries()) {
    if (i > 0) process.stdout.write("\n");
    process.stderr.write(`== suite ${name}: node bench/${name}/run.ts ${args.join(" ")}\n`);
    const r = spawnSync(process.execPath, [SUITES[name].script, ...args], { stdio: "inherit" });
    if (r.error) {
      process.stderr.write(`bench/run.ts: cannot run the ${name} suite: ${r.error.message}\n`);
      failed = true;
    } else if (r.status === 2) {
      process.exit(2); // a usage error: the harness printed it
    } else if (r.status !== 0) failed = true;
  }
  if (failed) process.exitCode = 1;
}

main(process.argv.slice(2));
