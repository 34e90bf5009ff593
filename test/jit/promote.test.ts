// `promote` in the JIT: an interpreter whose computed jump (JUMP_R) promotes a red pc
// (test/jit/fixtures/jumpvm.ts). Compiled code leaves at the promote the first time (no value is
// known when the loop is compiled); the exit passes the value it saw to the JIT, and once hot the
// loop's key is specialized again with that value as a guarded case in the loop's own code, so
// each target the jump takes grows one case (the next from the new code's promote exit). Every
// mode must print the same; the JIT must grow the cases.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { loweredProgram } from "../../src/vm/run.ts";
import { translate } from "../../src/vm/translate.ts";
import { ADD, ADDI, ANDI, HALT, JUMP, JUMP_NZ, JUMP_R, MULI, main, PRINT, SET } from "./fixtures/jumpvm.ts";

const INTERP = join(import.meta.dirname, "fixtures/jumpvm.ts");

/**
 * A loop of `n` iterations whose body jumps through r2 to one of `adds.length` (a power of two)
 * cases chosen by the counter's low bits; case k adds adds[k] to r0. Prints r0.
 */
function switchLoop(n: number, adds: readonly number[]): Int32Array {
  const cases = 29; // the first case's pc (after the dispatch below)
  const size = 5; // ADDI (3 words) + JUMP (2 words)
  const join = cases + size * adds.length;
  const code = [
    ...[SET, 1, n], //                                     0: r1 = n
    ...[SET, 0, 0], //                                     3: r0 = 0
    ...[SET, 2, 0], //                                     6: loop: r2 = 0
    ...[ADD, 2, 1], //                                     9: r2 += r1
    ...[ANDI, 2, adds.length - 1], //                     12: r2 &= cases - 1
    ...[MULI, 2, size], //                                15: r2 *= size
    ...[ADDI, 2, cases], //                               18: r2 += first case
    ...[JUMP_R, 2], //                                    21: go to the case
    ...[HALT, HALT, HALT, HALT, HALT, HALT], //           23: never run
    ...adds.flatMap((k) => [ADDI, 0, k, JUMP, join]), //  29: the cases
    ...[ADDI, 1, -1], //                                  join: r1 -= 1
    ...[JUMP_NZ, 1, 6], //                                if r1 != 0, go to loop
    ...[PRINT, 0, HALT],
  ];
  return Int32Array.from(code);
}

function expected(n: number, adds: readonly number[]): string {
  let sum = 0;
  for (let i = n; i > 0; i--) sum = (sum + (adds[i & (adds.length - 1)] as number)) | 0;
  return `${sum}\n`;
}

function capture(call: () => unknown): string {
  const io = new MemoryIO();
  withHostIO(io, call);
  return io.text();
}

function jitRun(code: Int32Array, jit: JitOptions): { out: string; log: string[] } {
  const log: string[] = [];
  const out = capture(() => translate(INTERP, { jit: { ...jit, log: (t) => log.push(t) } }).run([code]));
  return { out, log };
}

/** The log's new cases of promotes: compilations specialized again, or bridges of promote exits. */
const casesOf = (log: readonly string[]) =>
  log.filter((t) => t.startsWith("; jit: new case for exit") || /^; jit: bridge for exit \d+ of \S+ \(promote:/.test(t));

/**
 * Two computed jumps per iteration of `n`: the first on bit 0 of the counter (adds 1 or 10 to r0),
 * the second on bit 1 (adds 100 or 1000). Prints r0.
 */
function twoJumps(n: number): Int32Array {
  const a = 29; // the first jump's cases (5 words each)
  const join1 = a + 10;
  const b = join1 + 19; // the second jump's cases (6 words apart)
  const join2 = b + 11;
  const code = [
    ...[SET, 1, n, SET, 0, 0], //                                       0
    ...[SET, 2, 0, ADD, 2, 1, ANDI, 2, 1, MULI, 2, 5, ADDI, 2, a], //   6: r2 = a + 5 * (r1 & 1)
    ...[JUMP_R, 2, HALT, HALT, HALT, HALT, HALT, HALT],
    ...[ADDI, 0, 1, JUMP, join1, ADDI, 0, 10, JUMP, join1], //        a
    ...[SET, 3, 0, ADD, 3, 1, ANDI, 3, 2, MULI, 3, 3, ADDI, 3, b], //  join1: r3 = b + 3 * (r1 & 2)
    ...[JUMP_R, 3, HALT, HALT],
    ...[ADDI, 0, 100, JUMP, join2, HALT, ADDI, 0, 1000, JUMP, join2], // b
    ...[ADDI, 1, -1, JUMP_NZ, 1, 6, PRINT, 0, HALT], //                join2
  ];
  return Int32Array.from(code);
}

function twoJumpsOut(n: number): string {
  let sum = 0;
  for (let i = n; i > 0; i--) sum = (sum + (i & 1 ? 10 : 1) + (i & 2 ? 1000 : 100)) | 0;
  return `${sum}\n`;
}

/** Name, code, expected output, the cases the JIT should grow (one per target of each jump), targets per jump. */
const PROGRAMS: [string, Int32Array, string, number, number][] = [
  ["two cases", switchLoop(3000, [1, 100]), expected(3000, [1, 100]), 2, 2],
  ["four cases", switchLoop(4000, [1, 10, 100, 1000]), expected(4000, [1, 10, 100, 1000]), 4, 4],
  ["two jumps", twoJumps(4000), twoJumpsOut(4000), 4, 2],
];

for (const [name, code, out, cases, perJump] of PROGRAMS) {
  test(`${name}: the same output untranslated, on L3, translated and under the JIT`, () => {
    assert.equal(
      capture(() => main(code)),
      out,
      "untranslated",
    );
    const program = loweredProgram(INTERP);
    const l3 = new L3(program, { heap: new JSHeap(program), hosts: defaultHosts() });
    assert.equal(
      capture(() => l3.callJS(program.entries[0] as string, [code])),
      out,
      "L3",
    );
    assert.equal(
      capture(() => translate(INTERP, { jit: false }).run([code])),
      out,
      "translated",
    );
    assert.equal(jitRun(code, {}).out, out, "jit");
    assert.equal(jitRun(code, { threshold: 1 }).out, out, "jit threshold 1");
  });

  test(`${name}: each target of the computed jump grows a case in the loop's code`, () => {
    const r = jitRun(code, { threshold: 50, bridgeThreshold: 20 });
    assert.equal(r.out, out);
    const grown = casesOf(r.log);
    assert.equal(grown.length, cases, r.log.join("\n"));
    // each from a promote exit of the code before (no value known when the loop was compiled, or
    // a value none of the cases had), each a new specialization of the loop's key; the values
    // are counted per jump (per guest instruction), not per promote of the interpreter
    for (const [i, g] of grown.entries()) {
      const m = new RegExp(
        `^; jit: new case for exit \\d+ of jit0${i === 0 ? "" : `\\.p${i}`} \\(\\d+ at the promote; (\\d+) values?\\)`,
      ).exec(g);
      assert.ok(m, g);
      assert.ok(Number(m[1]) <= perJump, g);
    }
    assert.equal(r.log.filter((t) => /^; jit: no (bridge|new case)/.test(t)).length, 0, "none refused");
    // the last code has one guarded case per target, and loops back to its own header
    const last = r.log.at(-1) as string;
    assert.equal([...last.matchAll(/= int_eq %v\.\d+, \d+/g)].length, cases, last);
  });
}

test("threshold 1 with bridges at 1: every exit bridged at once, the same output", () => {
  for (const [, code, out] of PROGRAMS) {
    const r = jitRun(code, { threshold: 1, bridgeThreshold: 1 });
    assert.equal(r.out, out);
    assert.ok(casesOf(r.log).length > 0);
  }
});
