// No compilation fails on the example programs. A specialization or compilation that throws is
// not a wrong result (the interpreter keeps running that code, so outputs stay right), which is
// why the differential tests cannot see it: here the JIT's failure count must be 0, with the
// default thresholds and with everything compiled (threshold 1, bridges after one exit).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { target as bf } from "../../examples/bf/interp.ts";
import { target as bfOpt } from "../../examples/bf/interp-opt.ts";
import { target as tiny } from "../../examples/tiny/interp.ts";
import { target as tlr } from "../../examples/tlr/interp.ts";
import type { Target } from "../../src/hints/index.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { translate } from "../../src/vm/translate.ts";

const EXAMPLES = join(import.meta.dirname, "../../examples");

const INTERPRETERS: { name: string; file: string; target: Target; ext: string }[] = [
  { name: "tiny", file: "tiny/interp.ts", target: tiny, ext: ".tiny" },
  { name: "bf", file: "bf/interp.ts", target: bf, ext: ".b" },
  { name: "bf-opt", file: "bf/interp-opt.ts", target: bfOpt, ext: ".b" },
  { name: "tlr", file: "tlr/interp.ts", target: tlr, ext: ".tlr" },
];

const SETTINGS: { label: string; jit: JitOptions }[] = [
  { label: "default thresholds", jit: {} },
  { label: "threshold 1", jit: { threshold: 1, exitThreshold: 1, bridgeThreshold: 1 } },
];

for (const it of INTERPRETERS) {
  const dir = join(EXAMPLES, it.file.replace(/\/[^/]*$/, ""), "programs");
  const programs = readdirSync(dir).filter((f) => f.endsWith(it.ext));
  for (const s of SETTINGS)
    test(`${it.name}: no compilation fails on its example programs (${s.label})`, () => {
      for (const p of programs) {
        const path = join(dir, p);
        let args: unknown[];
        try {
          args = it.target.prepare(readFileSync(path, "utf8"), path);
        } catch {
          continue; // a program the interpreter refuses before running (a syntax error): nothing to compile
        }
        const vm = translate(join(EXAMPLES, it.file), { jit: s.jit });
        const io = new MemoryIO(readInput(path));
        try {
          withHostIO(io, () => vm.run(args));
        } catch (e) {
          if (!(e instanceof GuestError) && !(e instanceof Error && "kind" in e && e.kind === "guest")) throw e;
        }
        assert.equal(vm.jit?.stats.failures, 0, `${p}: compilations that failed`);
      }
    });
}

/** A program's standard input (<name>.in beside it), or none. */
function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path.replace(/\.[^.]*$/, ".in"));
  } catch {
    return new Uint8Array(0);
  }
}
