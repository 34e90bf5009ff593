// The ways a tiny guest program can be run, listed in one place so that every differential test
// covers each of them: the reference evaluator (the oracle), the interpreter untranslated, and
// the modes of the VM as they land (llinterp, then translated and jit: one line each below).

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { assemble } from "../../examples/tiny/asm.ts";
import { target } from "../../examples/tiny/interp.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { runGuest } from "../../src/vm/run.ts";
import { runRef } from "./ref.ts";

const INTERP = join(import.meta.dirname, "../../examples/tiny/interp.ts");

/** What a run printed and the guest error it ended in (null: it returned normally). */
export interface Outcome {
  output: Uint8Array;
  error: string | null;
}

export interface Mode {
  readonly name: string;
  /**
   * The random differential test runs this mode on every `every`-th program only (default 1: all),
   * for modes too slow to run hundreds of programs in a few seconds; UNFOLD_RANDOM_FULL=1 runs all.
   */
  readonly every?: number;
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

let scratch: string | null = null;

/** A mode of the VM's mode runner (src/vm/run.ts), which reads the program from a file. */
export function vmMode(mode: string, opts: { jit?: JitOptions; label?: string; every?: number } = {}): Mode {
  const { jit, label = mode, every = 1 } = opts;
  return {
    name: label,
    every,
    async run(source, path) {
      scratch ??= mkdtempSync(join(tmpdir(), "unfold-tiny-"));
      mkdirSync(scratch, { recursive: true });
      const file = join(scratch, basename(path));
      writeFileSync(file, source);
      const io = new MemoryIO();
      const r = await runGuest({ interp: INTERP, program: file, mode, io, ...(jit ? { jit } : {}) });
      let error: string | null = null;
      if (!r.ok) {
        const text = r.error ?? "";
        // a guest error reads `error: <message>`; anything else is kept whole, so that it differs
        error = r.exitCode === 1 && text.startsWith("error: ") ? text.slice("error: ".length) : `[exit ${r.exitCode}] ${text}`;
      }
      return { output: io.bytes(), error };
    },
  };
}

/** Every mode compared against the oracle (later modes: one line each). */
export const MODES: readonly Mode[] = [
  untranslatedMode,
  vmMode("llinterp"),
  vmMode("translated"),
  // each program compiles afresh in the JIT modes (about 0.1 s and 0.4 s per program in them now);
  // threshold 40 rather than the default (1000), so that the short loops of test programs compile
  vmMode("jit", { jit: { threshold: 40 }, label: "jit threshold 40", every: 10 }),
  vmMode("jit", { jit: { threshold: 1 }, label: "jit threshold 1", every: 25 }),
];

/** The outcome as one text: the output, then `error: <message>` if any (the format of the .out files). */
export function outcomeText(o: Outcome): string {
  return new TextDecoder().decode(o.output) + (o.error === null ? "" : `error: ${o.error}\n`);
}
