// The entry cache with green objects: keys that differ only by their object (two programs with a
// loop at the same pc, run alternately) must not evict each other at every visit. References
// cannot be hashed: a green array's length is part of the hash (test/jit/fixtures/twocode.ts,
// arrays of different lengths), and a green struct's number, kept in its hidden slot
// (test/jit/fixtures/twofunc.ts, function objects whose code has the same length).

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { translate } from "../../src/vm/translate.ts";
import { main } from "./fixtures/twocode.ts";
import { main as mainFunc } from "./fixtures/twofunc.ts";

// COUNT 50; ADD k; LOOP 2; HALT: both loops start at pc 2; b is longer (a HALT more)
const A = Int32Array.from([1, 50, 2, 1, 3, 2, 0]);
const B = Int32Array.from([1, 50, 2, 3, 3, 2, 0, 0]);
const ROUNDS = 2000;

function capture(call: () => unknown): string {
  const io = new MemoryIO();
  withHostIO(io, call);
  return io.text();
}

type Main = (a: Int32Array, b: Int32Array, rounds: number) => unknown;

/**
 * Run a and b alternately with the interpreter `file` untranslated, translated and under the JIT
 * at three thresholds: the same output everywhere, and the JIT's visits found in the cache.
 */
function alternating(file: string, main: Main, a: Int32Array, b: Int32Array): void {
  const interp = join(import.meta.dirname, "fixtures", file);
  const expected = capture(() => main(a, b, ROUNDS));
  assert.equal(expected, `${ROUNDS * 50 * 4}\n`);
  assert.equal(
    capture(() => translate(interp, { jit: false }).run([a, b, ROUNDS])),
    expected,
  );
  for (const threshold of [1, 10, 1000]) {
    const vm = translate(interp, { jit: { threshold } });
    assert.equal(
      capture(() => vm.run([a, b, ROUNDS])),
      expected,
      `threshold ${threshold}`,
    );
    const s = vm.jit?.stats;
    assert.ok((s?.compilations ?? 0) >= 2, `threshold ${threshold}: ${s?.compilations} compilations`);
    // each run of a program enters its loop's code once (4000 entries): with both keys in one
    // slot each entry would be a miss, a call into JavaScript
    assert.ok((s?.entryCalls ?? 0) <= 10, `threshold ${threshold}: ${s?.entryCalls} calls of the enter host function`);
  }
}

test("two code arrays at the same pc: the same output in every mode, and visits found in the cache", () => {
  alternating("twocode.ts", main, A, B);
});

test("two function objects at the same pc: the same output in every mode, and visits found in the cache", () => {
  alternating("twofunc.ts", mainFunc, A, Int32Array.from([1, 50, 2, 3, 3, 2, 0])); // b as long as A
});
