// Random programs for the computed-jump interpreter (test/jit/fixtures/jumpvm.ts): every mode must
// print what the interpreter prints untranslated, and the JIT must grow promote cases on the way.
// Each program is an outer counted loop whose body mixes straight-line arithmetic, computed jumps
// (JUMP_R through a register masked to 2, 4 or 8 cases), computed jumps inside cases, inner counted
// loops and prints. The seeds are fixed; UNFOLD_SEED=<n> tests others, UNFOLD_RANDOM_COUNT=<n>
// changes how many. A mismatch names its seed and prints the program's code.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { translate } from "../../src/vm/translate.ts";
import { Rng } from "../tiny/gen.ts";
import { ADD, ADDI, ANDI, HALT, JUMP, JUMP_NZ, JUMP_R, MULI, main, PRINT, SET } from "./fixtures/jumpvm.ts";

const INTERP = new URL("./fixtures/jumpvm.ts", import.meta.url).pathname;
const BASE_SEED = process.env.UNFOLD_SEED === undefined ? 1 : Number(process.env.UNFOLD_SEED);
const COUNT = process.env.UNFOLD_RANDOM_COUNT === undefined ? 40 : Number(process.env.UNFOLD_RANDOM_COUNT);

/** Code with labels: words, and the places where a label's pc goes once known. */
class Asm {
  readonly code: number[] = [];
  private readonly fixups: { at: number; label: number }[] = [];
  private readonly labels: number[] = [];
  label(): number {
    this.labels.push(-1);
    return this.labels.length - 1;
  }
  here(l: number): void {
    this.labels[l] = this.code.length;
  }
  emit(...words: number[]): void {
    this.code.push(...words);
  }
  /** A label's pc as the operand at the next word. */
  ref(l: number): void {
    this.fixups.push({ at: this.code.length, label: l });
    this.code.push(0);
  }
  done(): Int32Array {
    for (const f of this.fixups) this.code[f.at] = this.labels[f.label] as number;
    return Int32Array.from(this.code);
  }
}

// r1: the outer counter, r3: an inner counter, r2: computed targets; r0, r4-r7: data
const DATA = [0, 4, 5, 6, 7];

function straight(a: Asm, rng: Rng, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = rng.pick(DATA);
    switch (rng.int(0, 4)) {
      case 0:
        a.emit(SET, r, rng.int(-50, 50));
        break;
      case 1:
        a.emit(ADD, r, rng.pick([...DATA, 1]));
        break;
      case 2:
        a.emit(ADDI, r, rng.int(-9, 9));
        break;
      case 3:
        a.emit(ANDI, r, rng.int(0, 255));
        break;
      default:
        a.emit(MULI, r, rng.int(-3, 5));
    }
  }
}

/** r2 = the first case's pc + (selector & (k - 1)) * size; JUMP_R r2; k cases of `size` words. */
function computedJump(a: Asm, rng: Rng, depth: number): void {
  const k = rng.pick([2, 4, 8]);
  const size = 10; // each case: up to two straight ops (3 words each) or a jump through r2 (8), and a JUMP (2); padded with HALT
  const first = a.label();
  const join = a.label();
  a.emit(SET, 2, 0, ADD, 2, rng.pick([...DATA, 1]), ANDI, 2, k - 1, MULI, 2, size, ADDI, 2);
  a.ref(first);
  a.emit(JUMP_R, 2);
  a.here(first);
  for (let c = 0; c < k; c++) {
    const start = a.code.length;
    if (depth === 0 && c === 0 && rng.chance(0.3)) {
      // a jump back to this case's own start would loop: instead jump to the join through r2
      a.emit(SET, 2, 0, ADDI, 2);
      a.ref(join);
      a.emit(JUMP_R, 2);
    } else straight(a, rng, rng.int(0, 2));
    a.emit(JUMP);
    a.ref(join);
    while (a.code.length < start + size) a.emit(HALT);
    if (a.code.length > start + size) throw new Error("case too long");
  }
  a.here(join);
}

function generate(seed: number): Int32Array {
  const rng = new Rng(seed);
  const a = new Asm();
  for (const r of DATA) a.emit(SET, r, rng.int(-20, 20));
  a.emit(SET, 1, rng.int(1, 3000));
  const loop = a.label();
  a.here(loop);
  const parts = rng.int(1, 5);
  for (let p = 0; p < parts; p++) {
    const kind = rng.int(0, 9);
    if (kind < 4) computedJump(a, rng, 0);
    else if (kind < 7) straight(a, rng, rng.int(1, 4));
    else if (kind < 9) {
      // an inner counted loop, maybe with a computed jump inside
      const inner = a.label();
      a.emit(SET, 3, rng.int(1, 20));
      a.here(inner);
      straight(a, rng, rng.int(0, 2));
      if (rng.chance(0.5)) computedJump(a, rng, 1);
      a.emit(ADDI, 3, -1, JUMP_NZ, 3);
      a.ref(inner);
    } else a.emit(PRINT, rng.pick(DATA));
  }
  a.emit(ADDI, 1, -1, JUMP_NZ, 1);
  a.ref(loop);
  for (const r of DATA) a.emit(PRINT, r);
  a.emit(HALT);
  return a.done();
}

function capture(call: () => unknown): string {
  const io = new MemoryIO();
  withHostIO(io, call);
  return io.text();
}

const JITS: [string, JitOptions][] = [
  ["jit", {}],
  ["jit threshold 1, bridges and cases at 1", { threshold: 1, bridgeThreshold: 1 }],
  ["jit threshold 5, cases at 3, budget 40", { threshold: 5, bridgeThreshold: 3, budget: 40 }],
];

test(`${COUNT} random computed-jump programs (seeds from ${BASE_SEED}): every mode prints what the interpreter prints`, () => {
  let cases = 0;
  for (let i = 0; i < COUNT; i++) {
    const seed = (BASE_SEED + i) >>> 0;
    const code = generate(seed);
    const expected = capture(() => main(code));
    const show = (): string => `seed ${seed}: ${[...code].join(" ")}`;
    assert.equal(
      capture(() => translate(INTERP, { jit: false }).run([code])),
      expected,
      `translated, ${show()}`,
    );
    for (const [name, opts] of JITS) {
      let grown = 0;
      const failed: string[] = [];
      const log = (t: string): void => {
        if (t.startsWith("; jit: new case for")) grown++;
        // a compilation or a new case that threw (not a refusal over a bound) would leave the
        // code to the interpreter, unseen by the output
        if (t.startsWith("; jit: could not compile") || (t.startsWith("; jit: no ") && !/\(max\w+\)|code budget/.test(t))) failed.push(t);
      };
      assert.equal(
        capture(() => translate(INTERP, { jit: { ...opts, log } }).run([code])),
        expected,
        `${name}, ${show()}`,
      );
      assert.deepEqual(failed, [], `${name}, ${show()}`);
      cases += grown;
    }
  }
  assert.ok(cases > 0, "no promote case was grown");
});
