// The ways a Brainfuck program can be run, listed in one place so that every test covers each of
// them: both interpreters untranslated, on L3, translated to Wasm, and with the JIT (also at
// threshold 1, where nearly everything is compiled and exits happen constantly); one line each
// below. Each mode also names the anchor programs it is fast enough to run in a test.

import { target as plainTarget } from "../../examples/bf/interp.ts";
import { target as optTarget } from "../../examples/bf/interp-opt.ts";
import { join } from "node:path";
import { BfSyntaxError } from "../../examples/bf/parse.ts";
import type { Target } from "../../src/hints/index.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { loweredProgram } from "../../src/vm/run.ts";
import { translate } from "../../src/vm/translate.ts";

const EXAMPLES = join(import.meta.dirname, "../../examples/bf");

/** What a run printed, the guest error it ended in (null: none) and the entry's result (the final pointer). */
export interface Outcome {
  output: Uint8Array;
  error: string | null;
  result: unknown;
}

export interface Mode {
  readonly name: string;
  /** Anchor programs (../shared/anchors/bf/NAME.b) this mode runs in the tests within seconds. */
  readonly anchors: readonly string[];
  /** The random differential test runs this mode on every `every`-th program only (slow modes); UNFOLD_RANDOM_FULL=1 runs all. */
  readonly every?: number;
  /** Run the program `source` (its file name is `path`, for messages) with `input` as standard input. */
  run(source: string, path: string, input: Uint8Array): Promise<Outcome>;
}

/** A mode that calls an interpreter's `target` directly, as plain TypeScript. */
function untranslated(name: string, target: Target, anchors: readonly string[]): Mode {
  return {
    name,
    anchors,
    async run(source, path, input) {
      const io = new MemoryIO(input);
      let error: string | null = null;
      let result: unknown = null;
      const args = target.prepare(source, path);
      try {
        result = withHostIO(io, () => target.entry(...args));
      } catch (e) {
        if (!(e instanceof GuestError)) throw e;
        error = e.message;
      }
      return { output: io.bytes(), error, result };
    },
  };
}

/** A mode that lowers the interpreter with the front end and runs its entry graph on L3. */
function llinterp(name: string, file: string, target: Target, anchors: readonly string[]): Mode {
  return {
    name,
    anchors,
    async run(source, path, input) {
      const program = loweredProgram(join(EXAMPLES, file));
      const entry = program.entries[0];
      if (entry === undefined) throw new Error(`${file}: the lowered program has no entry`);
      const io = new MemoryIO(input);
      let error: string | null = null;
      let result: unknown = null;
      const args = target.prepare(source, path);
      const l3 = new L3(program, { heap: new JSHeap(program), hosts: defaultHosts() });
      try {
        result = withHostIO(io, () => l3.callJS(entry, args));
      } catch (e) {
        if (!(e instanceof LLError && e.kind === "guest")) throw e;
        error = e.message;
      }
      return { output: io.bytes(), error, result };
    },
  };
}

/** A mode that translates the interpreter to Wasm (once per file) and runs a fresh instance, with or without the JIT. */
function wasm(name: string, file: string, target: Target, jit: false | JitOptions, anchors: readonly string[], every = 1): Mode {
  return {
    name,
    anchors,
    every,
    async run(source, path, input) {
      const vm = translate(join(EXAMPLES, file), { jit });
      const io = new MemoryIO(input);
      let error: string | null = null;
      let result: unknown = null;
      const args = target.prepare(source, path);
      try {
        result = withHostIO(io, () => vm.run(args));
      } catch (e) {
        if (!(e instanceof GuestError || (e instanceof LLError && e.kind === "guest"))) throw e;
        error = e.message;
      }
      return { output: io.bytes(), error, result };
    },
  };
}

/** Every mode; each must give every program's expected outcome. */
export const MODES: readonly Mode[] = [
  untranslated("untranslated", plainTarget, ["helloworld", "bottles"]),
  untranslated("untranslated-opt", optTarget, ["helloworld", "bottles", "bench"]),
  llinterp("llinterp", "interp.ts", plainTarget, ["helloworld", "bottles"]),
  llinterp("llinterp-opt", "interp-opt.ts", optTarget, ["helloworld", "bottles"]),
  wasm("translated", "interp.ts", plainTarget, false, ["helloworld", "bottles"]),
  wasm("translated-opt", "interp-opt.ts", optTarget, false, ["helloworld", "bottles"]),
  // each run starts a fresh JIT, which compiles the program's hot loops again (about 0.1 s each)
  // mandelbrot.b and hanoi.b: the reference output under the JIT, with many compilations running
  // an earlier one's code (docs/jit.md, "Sharing code")
  wasm("jit", "interp.ts", plainTarget, {}, ["helloworld", "bottles", "hanoi", "mandelbrot"], 4),
  wasm("jit-opt", "interp-opt.ts", optTarget, {}, ["helloworld", "bottles", "bench"], 4),
  wasm("jit threshold 1", "interp.ts", plainTarget, { threshold: 1 }, ["helloworld"], 10),
  wasm("jit-opt threshold 1", "interp-opt.ts", optTarget, { threshold: 1 }, ["helloworld"], 10),
];

/**
 * The outcome as one byte string in the format of the .out files: the output, then
 * `error: <message>` for a guest error; for unmatched brackets, the messages of prepare.
 */
export async function outcomeBytes(mode: Mode, source: string, path: string, input: Uint8Array): Promise<Uint8Array> {
  let o: Outcome;
  try {
    o = await mode.run(source, path, input);
  } catch (e) {
    if (e instanceof BfSyntaxError) return new TextEncoder().encode(`${e.message}\n`);
    throw e;
  }
  if (o.error === null) return o.output;
  const tail = new TextEncoder().encode(`error: ${o.error}\n`);
  const all = new Uint8Array(o.output.length + tail.length);
  all.set(o.output);
  all.set(tail, o.output.length);
  return all;
}
