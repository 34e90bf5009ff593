// The ways a tiny guest program can be run, listed in one place so that every differential test
// covers each of them: the reference evaluator (the oracle), the interpreter untranslated, and
// the modes of the VM as they land (llinterp, then translated and jit: one line each below).

import { assemble } from "../../examples/tiny/asm.ts";
import { target } from "../../examples/tiny/interp.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { runRef } from "./ref.ts";

/** What a run printed and the guest error it ended in (null: it returned normally). */
export interface Outcome {
  output: Uint8Array;
  error: string | null;
}

export interface Mode {
  readonly name: string;
  /** Run the tiny program `source` (its file name is `path`, for messages). */
  run(source: string, path: string): Promise<Outcome>;
}

/** The oracle: test/tiny/ref.ts on the assembled code. */
export const refMode: Mode = {
  name: "ref",
  async run(source, path) {
    const a = assemble(source, path);
    const r = runRef(a.code, a.memory);
    return { output: r.output, error: r.error };
  },
};

/** The interpreter as plain TypeScript. */
export const untranslatedMode: Mode = {
  name: "untranslated",
  async run(source, path) {
    const io = new MemoryIO();
    let error: string | null = null;
    try {
      const args = target.prepare(source, path);
      withHostIO(io, () => target.entry(...args));
    } catch (e) {
      if (!(e instanceof GuestError)) throw e;
      error = e.message;
    }
    return { output: io.bytes(), error };
  },
};

/** Every mode compared against the oracle. */
export const MODES: readonly Mode[] = [untranslatedMode];

/** The outcome as one text: the output, then `error: <message>` if any (the format of the .out files). */
export function outcomeText(o: Outcome): string {
  return new TextDecoder().decode(o.output) + (o.error === null ? "" : `error: ${o.error}\n`);
}
