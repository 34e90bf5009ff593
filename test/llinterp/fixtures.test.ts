// The text-form fixture graphs (test/ir/graphs/*.ll) run on L3 with the results their header
// comments state.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { llError } from "./util.ts";

function load(name: string) {
  const file = new URL(`../ir/graphs/${name}.ll`, import.meta.url);
  const p = parseProgram(readFileSync(file, "utf8"), `test/ir/graphs/${name}.ll`);
  assertValid(p);
  return p;
}

test("fact.ll", () => {
  const l3 = new L3(load("fact"));
  const cases: [number, number][] = [
    [10, 3628800],
    [0, 1],
    [12, 479001600],
    [13, Math.imul(479001600, 13)],
  ];
  for (const [n, r] of cases) assert.equal(l3.call("fact", [n]), r, `fact(${n})`);
});

test("loop.ll", () => {
  const l3 = new L3(load("loop"));
  const cases: [number, number][] = [
    [10, 290],
    [0, 0],
    [1, 0],
    [4, 16],
  ];
  for (const [n, r] of cases) assert.equal(l3.call("loop", [n]), r, `loop(${n})`);
});

test("stackvm.ll", () => {
  const p = load("stackvm");
  const l3 = new L3(p);
  const run = (code: number[]): LLValue => l3.callJS("run", [Int32Array.from(code)]) as LLValue;
  assert.equal(run([1, 1, 1, 5, 6, 10, 4, 6, 1, 1, 3, 5, 7, 4, 8, 0]), 120);
  assert.equal(run([1, 2, 1, 3, 2, 1, 4, 4, 0]), 20);
  assert.equal(run([1, 7, 9, 6, 1, 9, 0]), 7);
  const e = llError(() => run([99]));
  assert.equal(e.kind, "guest");
  assert.equal(e.message, "unknown opcode");
  assert.equal(e.value, 0);
  assert.equal(e.graph, "run");
});
