// The ways a tlr program can be run, listed in one place so that every test covers each of them:
// the interpreter untranslated, on L3, translated to Wasm, and with the JIT (also at threshold 1,
// where nearly everything is compiled and exits happen constantly). One line each below.

import { join } from "node:path";
import { main } from "../../examples/tlr/interp.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { loweredProgram } from "../../src/vm/run.ts";
import { translate } from "../../src/vm/translate.ts";

const INTERP = join(import.meta.dirname, "../../examples/tlr/interp.ts");

/** The result (what main returned, null after a guest error), what it printed, and the guest error. */
export interface Outcome {
  result: unknown;
  output: string;
  error: string | null;
}

export interface Mode {
  readonly name: string;
  /** Run `main(code, input)`. */
  run(code: Int32Array, input: number): Outcome;
}

/** Run `call` with output captured; guest errors (of any mode) become the outcome's error. */
function capture(call: () => unknown): Outcome {
  const io = new MemoryIO();
  let result: unknown = null;
  let error: string | null = null;
  try {
    result = withHostIO(io, call);
  } catch (e) {
    if (!(e instanceof GuestError || (e instanceof LLError && e.kind === "guest"))) throw e;
    error = e.message;
  }
  return { result, output: io.text(), error };
}

const untranslated: Mode = { name: "untranslated", run: (code, input) => capture(() => main(code, input)) };

const llinterp: Mode = {
  name: "llinterp",
  run(code, input) {
    const program = loweredProgram(INTERP);
    const entry = program.entries[0] as string;
    const l3 = new L3(program, { heap: new JSHeap(program), hosts: defaultHosts() });
    return capture(() => l3.callJS(entry, [code, input]));
  },
};

function wasm(name: string, jit: false | JitOptions): Mode {
  return { name, run: (code, input) => capture(() => translate(INTERP, { jit }).run([code, input])) };
}

export const MODES: readonly Mode[] = [
  untranslated,
  llinterp,
  wasm("translated", false),
  wasm("jit", {}),
  wasm("jit threshold 1", { threshold: 1 }),
];

/** The outcome in the format of the .out files: the printed result, or `error: <message>`. */
export function outcomeText(o: Outcome): string {
  return o.output + (o.error === null ? "" : `error: ${o.error}\n`);
}
