// The emitter's encodings, determinism of the output (the rec group in particular), local
// allocation statistics, and the compile time of a program of a few dozen graphs (reported as a
// diagnostic, not asserted).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { newProgram } from "../../src/ir/graph.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { ByteWriter } from "../../src/backend/wasm/emitter.ts";
import { compileProgram, Layout } from "../../src/backend/wasm/index.ts";
import { load, randomGraph, rng } from "./util.ts";

const hex = (f: (w: ByteWriter) => void): string => {
  const w = new ByteWriter(1);
  f(w);
  return [...w.view()].map((b) => b.toString(16).padStart(2, "0")).join(" ");
};

test("LEB128, f64 and name encodings", () => {
  assert.equal(
    hex((w) => w.u32(0)),
    "00",
  );
  assert.equal(
    hex((w) => w.u32(624485)),
    "e5 8e 26",
  );
  assert.equal(
    hex((w) => w.u32(0xffffffff)),
    "ff ff ff ff 0f",
  );
  assert.equal(
    hex((w) => w.s32(-1)),
    "7f",
  );
  assert.equal(
    hex((w) => w.s32(63)),
    "3f",
  );
  assert.equal(
    hex((w) => w.s32(64)),
    "c0 00",
  );
  assert.equal(
    hex((w) => w.s32(-64)),
    "40",
  );
  assert.equal(
    hex((w) => w.s32(-65)),
    "bf 7f",
  );
  assert.equal(
    hex((w) => w.s32(-123456)),
    "c0 bb 78",
  );
  assert.equal(
    hex((w) => w.s32(-2147483648)),
    "80 80 80 80 78",
  );
  assert.equal(
    hex((w) => w.s64(-(2n ** 63n))),
    "80 80 80 80 80 80 80 80 80 7f",
  );
  assert.equal(
    hex((w) => w.s64(2n ** 63n - 1n)),
    "ff ff ff ff ff ff ff ff ff 00",
  );
  assert.equal(
    hex((w) => w.f64(1)),
    "00 00 00 00 00 00 f0 3f",
  );
  assert.equal(
    hex((w) => w.name("é")),
    "02 c3 a9",
  );
  assert.throws(() => new ByteWriter().u32(-1), RangeError);
});

const fixture = (n: string) => load(readFileSync(new URL(`../ir/graphs/${n}.ll`, import.meta.url), "utf8"), `${n}.ll`);

test("output is deterministic, and the rec group does not depend on declaration order", () => {
  const a = compileProgram(fixture("stackvm"), { name: "m" });
  const b = compileProgram(fixture("stackvm"), { name: "m" });
  assert.deepEqual(a.bytes, b.bytes);
  const text = `
struct B : A { y: i32 }
struct A { x: i32, f: fn(A) -> i32 }
array Arr = mut A
array Bytes = mut u8
`;
  const swapped = `
array Bytes = mut u8
array Arr = mut A
struct A { x: i32, f: fn(A) -> i32 }
struct B : A { y: i32 }
`;
  const l1 = new Layout(load(text));
  const l2 = new Layout(load(swapped));
  assert.deepEqual(l1.group, l2.group);
  assert.deepEqual(l1.groupNames, ["A", "B", "Arr", "Bytes", "fn(A) -> i32"]);
  assert.equal(l1.struct("A").final, false);
  assert.equal(l1.struct("B").final, true);
});

test("local allocation: far fewer locals than SSA values; stack values used", () => {
  const c = compileProgram(fixture("stackvm"));
  assert.ok(c.stats.localsAfter * 4 < c.stats.localsBefore, JSON.stringify(c.stats));
  assert.ok(c.stats.stackValues > 0);
  const l = compileProgram(fixture("loop"));
  assert.ok(l.stats.localsAfter < l.stats.localsBefore);
});

test("compile time of a program of a few dozen graphs", (t) => {
  const r = rng(99);
  const p = newProgram();
  for (let g = 0; g < 48; g++) randomGraph(p, `g${g}`, r);
  assertValid(p);
  compileProgram(p); // warm up the compiler itself
  const runs = [1, 2, 3].map(() => compileProgram(p));
  const ms = runs.map((c) => c.stats.compileMs).sort((x, y) => x - y)[1] as number;
  const c = runs[0] as (typeof runs)[0];
  const blocks = [...p.graphs.values()].reduce((s, g) => s + g.blocks.length, 0);
  const ops = [...p.graphs.values()].reduce((s, g) => s + g.blocks.reduce((n, b) => n + b.ops.length, 0), 0);
  assert.ok(WebAssembly.validate(c.bytes));
  t.diagnostic(
    `48 graphs, ${blocks} blocks, ${ops} ops: ${c.bytes.length} bytes, compiled in ${ms.toFixed(1)} ms (median of 3); ` +
      `locals ${c.stats.localsBefore} -> ${c.stats.localsAfter}, ${c.stats.stackValues} stack values, ${c.stats.dispatches} dispatch nodes`,
  );
});
