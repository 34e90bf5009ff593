// What every hand-written TypeScript reference of a tiny guest program exports (bench/tiny/<prog>.ts),
// and how such a file runs as a script:
//   node bench/tiny/sum.ts            # the test-sized parameters (examples/tiny/programs/sum.tiny)
//   node bench/tiny/sum.ts --bench    # the bench-sized ones (bench/tiny/programs/sum.tiny)
//   node bench/tiny/sum.ts 5000       # any parameters
//   node bench/tiny/sum.ts --time --bench   # also the time of the run on stderr, `time_ns <n>` (as the C references)
// The C reference beside it (<prog>.c) takes the same parameters in the same order.

export interface TinyReference {
  /** The guest program: examples/tiny/programs/<name>.tiny (test size), bench/tiny/programs/<name>.tiny (bench size). */
  readonly name: string;
  /** What the parameters are, in order (for messages and docs). */
  readonly paramNames: readonly string[];
  /** The parameters of the test-sized guest program. */
  readonly test: readonly number[];
  /** The parameters of the bench-sized guest program. */
  readonly bench: readonly number[];
  /** Compute and return what the guest program prints. */
  run(params: readonly number[]): string;
}

/** Run `ref` with the parameters from the command line (see the top of this file); prints its output. */
export function runAsScript(ref: TinyReference): void {
  let args = process.argv.slice(2);
  const timed = args.includes("--time");
  args = args.filter((a) => a !== "--time");
  let params: readonly number[] = ref.test;
  if (args.length === 1 && args[0] === "--bench") params = ref.bench;
  else if (args.length > 0) {
    const given = args.map(Number);
    if (given.length > ref.paramNames.length || given.some((v) => !Number.isInteger(v) || v !== (v | 0))) {
      process.stderr.write(`usage: node bench/tiny/${ref.name}.ts [--time] [--bench | ${ref.paramNames.join(" ")}] (32-bit integers)\n`);
      process.exit(2);
    }
    params = [...given, ...ref.test.slice(given.length)];
  }
  const t0 = process.hrtime.bigint();
  const output = ref.run(params);
  const ns = process.hrtime.bigint() - t0;
  process.stdout.write(output);
  if (timed) process.stderr.write(`time_ns ${ns}\n`);
}
