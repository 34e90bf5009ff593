// Control flow: the text-form fixtures, irreducible graphs (two- and three-entry cycles, nested in
// a loop, through the start block), dense and sparse switches, permuted block parameters
// (parallel moves), and a differential test on random CFGs (many of them irreducible): every
// graph is accepted by V8 and computes what L3 computes.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Program, Var } from "../../src/ir/graph.ts";
import { newProgram } from "../../src/ir/graph.ts";
import { GraphBuilder, i32c, link } from "../../src/ir/builder.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { L3 } from "../../src/llinterp/interp.ts";
import { BOOL, I32 } from "../../src/ir/types.ts";
import { buildFlow, structure } from "../../src/backend/wasm/cfg.ts";
import { compileProgram } from "../../src/backend/wasm/index.ts";
import { agree, load, randomGraph, rng, translate } from "./util.ts";

function fixture(name: string): Program {
  return load(readFileSync(new URL(`../ir/graphs/${name}.ll`, import.meta.url), "utf8"), `test/ir/graphs/${name}.ll`);
}

test("fixtures: fact, loop, stackvm agree with L3", () => {
  const fact = fixture("fact");
  const tf = translate(fact);
  for (const n of [0, 1, 5, 10, 12, 13, 20]) agree(fact, tf, "fact", [n]);
  const loop = fixture("loop");
  const tl = translate(loop);
  for (const n of [0, 1, 4, 10, 1000]) agree(loop, tl, "loop", [n]);
  const vm = fixture("stackvm");
  const tv = translate(vm);
  for (const code of [
    [1, 1, 1, 5, 6, 10, 4, 6, 1, 1, 3, 5, 7, 4, 8, 0],
    [1, 2, 1, 3, 2, 1, 4, 4, 0],
    [1, 7, 9, 6, 1, 9, 0],
    [99],
    [1, 1, 9, 100],
  ])
    agree(vm, tv, "run", [Int32Array.from(code)]);
});

const IRREDUCIBLE = `
; Two-entry cycle: a <-> b, entered at a or b depending on %c.
graph two -> i32 {
start(%n: i32, %c: bool):
  branch %c, a(%n, 0), b(%n, 100)
a(%i: i32, %s: i32):
  %s1: i32 = int_add %s, 1
  %i1: i32 = int_sub %i, 1
  %d: bool = int_le %i1, 0
  branch %d, done(%s1), b(%i1, %s1)
b(%j: i32, %t: i32):
  %t1: i32 = int_mul %t, 3
  %j1: i32 = int_sub %j, 1
  %e: bool = int_le %j1, 0
  branch %e, done(%t1), a(%j1, %t1)
done(%r: i32):
  return %r
}

; Three entries into one cycle a -> b -> c -> a, chosen by a switch.
graph three -> i32 {
start(%n: i32, %k: i32):
  switch %k, 0: a(%n, 1), 1: b(%n, 2), default: c(%n, 3)
a(%i: i32, %s: i32):
  %s1: i32 = int_add %s, 7
  %d: bool = int_le %i, 0
  branch %d, done(%s1), b(%i, %s1)
b(%i2: i32, %s2: i32):
  %s3: i32 = int_mul %s2, 5
  jump c(%i2, %s3)
c(%i3: i32, %s4: i32):
  %s5: i32 = int_xor %s4, 1234
  %i4: i32 = int_sub %i3, 1
  jump a(%i4, %s5)
done(%r: i32):
  return %r
}

; An irreducible region inside a natural loop (the outer loop runs %m times).
graph nested -> i32 {
start(%m: i32, %n: i32):
  jump outer(%m, 0)
outer(%o: i32, %acc: i32):
  %od: bool = int_le %o, 0
  %par: i32 = int_and %o, 1
  %pc: bool = int_is_true %par
  branch %od, exit(%acc), pick(%o, %acc, %pc)
pick(%o1: i32, %acc1: i32, %pc1: bool):
  branch %pc1, x(%o1, %acc1, %n), y(%o1, %acc1, %n)
x(%o2: i32, %a2: i32, %i2: i32):
  %a3: i32 = int_add %a2, %i2
  %i3: i32 = int_sub %i2, 1
  %d2: bool = int_le %i3, 0
  branch %d2, next(%o2, %a3), y(%o2, %a3, %i3)
y(%o4: i32, %a4: i32, %i4: i32):
  %a5: i32 = int_mul %a4, 3
  %i5: i32 = int_sub %i4, 2
  %d4: bool = int_le %i5, 0
  branch %d4, next(%o4, %a5), x(%o4, %a5, %i5)
next(%o6: i32, %a6: i32):
  %o7: i32 = int_sub %o6, 1
  jump outer(%o7, %a6)
exit(%r: i32):
  return %r
}

; The start block is entered again from a later block, and the cycle has a second entry.
graph restart -> i32 {
start(%n: i32, %c: bool):
  %d: bool = int_le %n, 0
  branch %d, done(%n), mid(%n, %c)
mid(%m: i32, %c1: bool):
  %m1: i32 = int_sub %m, 3
  %c2: bool = bool_not %c1
  branch %c1, start(%m1, %c2), other(%m1)
other(%q: i32):
  %q1: i32 = int_add %q, 1
  jump start(%q1, true)
done(%r: i32):
  return %r
}
`;

test("irreducible graphs written in the text form agree with L3", () => {
  const p = load(IRREDUCIBLE, "irreducible.ll");
  const c = compileProgram(p);
  assert.ok(WebAssembly.validate(c.bytes));
  assert.ok(c.stats.dispatches >= 3, `expected dispatch nodes, got ${c.stats.dispatches}`);
  const tm = translate(p);
  const l3 = new L3(p);
  for (const n of [0, 1, 2, 3, 7, 20])
    for (const b of [true, false]) {
      agree(p, tm, "two", [n, b], l3);
      agree(p, tm, "restart", [n, b], l3);
    }
  for (const n of [0, 1, 2, 5, 9]) for (const k of [0, 1, 2, 3]) agree(p, tm, "three", [n, k], l3);
  for (const m of [0, 1, 2, 5]) for (const n of [0, 1, 4, 9]) agree(p, tm, "nested", [m, n], l3);
});

test("reducible graphs need no dispatch node", () => {
  for (const name of ["fact", "loop", "stackvm"]) {
    const p = fixture(name);
    for (const g of p.graphs.values()) assert.equal(buildFlow(g).dispatches, 0, name);
  }
});

const SWITCHES = `
graph dense -> i32 {
start(%x: i32):
  switch %x, 0: a(10), 1: b(), 2: a(20), 3: c(%x), 4: b(), 5: a(10), 7: c(7), default: d(%x)
a(%v: i32):
  return %v
b():
  return -1
c(%w: i32):
  %w1: i32 = int_mul %w, 100
  return %w1
d(%z: i32):
  %z1: i32 = int_neg %z
  return %z1
}

graph sparse -> i32 {
start(%x: i32):
  switch %x, -1000000: a(1), 5: a(2), 77777: b(%x), 2147483647: b(3), default: a(0)
a(%v: i32):
  return %v
b(%w: i32):
  return %w
}

graph offset -> i32 {
start(%x: i32):
  switch %x, 100: a(1), 101: a(2), 102: a(3), 104: a(5), default: a(0)
a(%v: i32):
  return %v
}

; Block parameters permuted on a back edge: a parallel move with a cycle.
graph rotate -> i32 {
start(%n: i32):
  jump loop(%n, 1, 2, 3)
loop(%i: i32, %a: i32, %b: i32, %c: i32):
  %d: bool = int_le %i, 0
  %i1: i32 = int_sub %i, 1
  branch %d, done(%a, %b, %c), loop(%i1, %b, %c, %a)
done(%x: i32, %y: i32, %z: i32):
  %xy: i32 = int_mul %x, 100
  %yz: i32 = int_mul %y, 10
  %s: i32 = int_add %xy, %yz
  %t: i32 = int_add %s, %z
  return %t
}

; Switch inside a loop whose cases jump back, with shared targets.
graph count -> i32 {
start(%n: i32):
  jump head(0, 0)
head(%i: i32, %acc: i32):
  %d: bool = int_ge %i, %n
  branch %d, out(%acc), body(%i, %acc)
body(%i1: i32, %acc1: i32):
  %k: i32 = int_and %i1, 3
  %i2: i32 = int_add %i1, 1
  switch %k, 0: head(%i2, %acc1), 1: plus(%i2, %acc1), 2: plus(%i2, %acc1), default: times(%i2, %acc1)
plus(%i3: i32, %a3: i32):
  %a4: i32 = int_add %a3, %i3
  jump head(%i3, %a4)
times(%i5: i32, %a5: i32):
  %a6: i32 = int_mul %a5, 3
  jump head(%i5, %a6)
out(%r: i32):
  return %r
}
`;

test("switches (dense with shared arms, sparse, offset) and permuted block parameters", () => {
  const p = load(SWITCHES, "switches.ll");
  const tm = translate(p);
  const l3 = new L3(p);
  for (let x = -3; x <= 10; x++) agree(p, tm, "dense", [x], l3);
  for (const x of [-1000000, 5, 77777, 2147483647, 0, 6, -2147483648]) agree(p, tm, "sparse", [x], l3);
  for (let x = 98; x <= 106; x++) agree(p, tm, "offset", [x], l3);
  for (let n = 0; n <= 7; n++) agree(p, tm, "rotate", [n], l3);
  for (const n of [0, 1, 5, 17, 100]) agree(p, tm, "count", [n], l3);
});

test("random CFGs (many irreducible) agree with L3", () => {
  const r = rng(2024);
  let dispatches = 0;
  for (let round = 0; round < 40; round++) {
    const p = newProgram();
    for (let g = 0; g < 5; g++) randomGraph(p, `g${g}`, r);
    assertValid(p);
    for (const g of p.graphs.values()) {
      const fg = buildFlow(g);
      dispatches += fg.dispatches;
      structure(fg);
    }
    const tm = translate(p);
    const l3 = new L3(p);
    for (const g of p.graphs.keys())
      for (const fuel of [0, 1, 3, 10, 50]) agree(p, tm, g, [fuel, Math.floor(r() * 1000) - 500, Math.floor(r() * 1000) - 500], l3);
  }
  assert.ok(dispatches > 20, `random graphs should include irreducible ones (dispatch nodes: ${dispatches})`);
});

test("a branch on a bool parameter and on constants", () => {
  const p = newProgram();
  const b = new GraphBuilder(p, "sel", [{ name: "c", type: BOOL }], I32);
  const t = b.block("t");
  const f = b.block("f");
  b.branch(b.params[0] as Var, link(t), link(f));
  b.at(t).ret(i32c(1));
  b.at(f).ret(i32c(2));
  const b2 = new GraphBuilder(p, "konst", [], I32);
  const t2 = b2.block("t");
  const f2 = b2.block("f");
  b2.branch({ kind: "const", type: BOOL, value: false }, link(t2), link(f2));
  b2.at(t2).ret(i32c(1));
  b2.at(f2).ret(i32c(2));
  const tm = translate(p);
  agree(p, tm, "sel", [true]);
  agree(p, tm, "sel", [false]);
  agree(p, tm, "konst", []);
});
