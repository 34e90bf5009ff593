// Re-entering the interpreter's loop in translated code without the JIT (src/jit/reenter.ts):
// every few backward jumps of the guest, the portal tail-calls its continuation at the merge
// point, so that V8's optimized code for it takes over from the baseline code a long call would
// keep. Here the re-entry happens at every site (and at every third), and every example program
// of the four interpreters must print what the interpreter untranslated prints, with the same
// guest errors and results.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { target as bf } from "../../examples/bf/interp.ts";
import { target as bfOpt } from "../../examples/bf/interp-opt.ts";
import { target as tiny } from "../../examples/tiny/interp.ts";
import { target as tlr } from "../../examples/tlr/interp.ts";
import type { Target } from "../../src/hints/index.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { compileProgram, instantiateProgramSync } from "../../src/backend/wasm/index.ts";
import { REENTER_COUNTDOWN, withReentry } from "../../src/jit/reenter.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { LLError } from "../../src/llinterp/interp.ts";
import { loweredProgram } from "../../src/vm/run.ts";

const EXAMPLES = join(import.meta.dirname, "../../examples");

interface Outcome {
  output: string;
  error: string | null;
  result: unknown;
}

function outcome(input: Uint8Array, call: () => unknown): Outcome {
  const io = new MemoryIO(input);
  let error: string | null = null;
  let result: unknown = null;
  try {
    result = withHostIO(io, call);
  } catch (e) {
    if (!(e instanceof GuestError || (e instanceof LLError && e.kind === "guest"))) throw e;
    error = e.message;
  }
  return { output: io.text(), error, result };
}

function prepares(target: Target, source: string, name: string): boolean {
  try {
    target.prepare(source, name);
    return true;
  } catch {
    return false;
  }
}

const CASES: [string, string, Target, string][] = [
  ["bf", "interp.ts", bf, ".b"],
  ["bf", "interp-opt.ts", bfOpt, ".b"],
  ["tiny", "interp.ts", tiny, ".tiny"],
  ["tlr", "interp.ts", tlr, ".tlr"],
];

for (const [lang, file, target, ext] of CASES) {
  test(`${lang}/${file}: re-entering at every site and every third, as untranslated`, () => {
    const program = loweredProgram(join(EXAMPLES, lang, file));
    const entry = program.entries[0];
    assert.ok(entry);
    const dir = join(EXAMPLES, lang, "programs");
    const sources = readdirSync(dir).filter((f) => f.endsWith(ext));
    assert.ok(sources.length > 0);
    for (const every of [1, 3]) {
      const q = withReentry(program, every);
      assert.notEqual(q, program, "the portal's sites are rewritten");
      assert.ok(q.globals.has(REENTER_COUNTDOWN));
      const tm = instantiateProgramSync(compileProgram(q), { hosts: defaultHosts() });
      for (const f of sources) {
        const source = readFileSync(join(dir, f), "utf8");
        const inFile = join(dir, f.replace(ext, ".in"));
        const input = existsSync(inFile) ? readFileSync(inFile) : new Uint8Array(0);
        // (a program its `prepare` rejects never runs: nothing to compare)
        if (!prepares(target, source, f)) continue;
        const expected = outcome(input, () => target.entry(...target.prepare(source, f)));
        const got = outcome(input, () => tm.call(entry, target.prepare(source, f)));
        assert.deepEqual(got, expected, `${f}, re-entering every ${every}`);
      }
    }
  });
}
