// The specializer on a small stack machine written as LL text (graphs/svm.ll): guest loops become
// residual loops without code reads, dispatch or operand-stack traffic; results and output match
// the interpreter, including guest errors and exits (guards, budget) that resume in it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Program } from "../../src/ir/graph.ts";
import type { StructDef } from "../../src/ir/types.ts";
import { ref } from "../../src/ir/types.ts";
import type { HeapRef } from "../../src/llinterp/heap.ts";
import type { JSHeap } from "../../src/llinterp/js-heap.ts";
import { formatResidual, PEError, probeMergePoint, specializeAt, specializeRun } from "../../src/pe/index.ts";
import type { Residual } from "../../src/pe/index.ts";
import { findOps, loadProgram, loopBlocks, opsIn, run, setup, verify } from "./util.ts";

// opcodes of svm.ll
const [HALT, PUSH, ADD, SUB, LT, JNZ, JMP, GET, SET, PRINT, MUL, DIV, MULK, CALL, SQK, PICK, STOREL] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17,
];

/** sum = 0; for (i = 0; i < n; i++) sum += i; print sum; return sum */
function sumProgram(n: number): number[] {
  // biome-ignore format: one instruction per line
  return [
    PUSH, 0, SET, 0,        // 0: i = 0
    PUSH, 0, SET, 1,        // 4: sum = 0
    GET, 0, PUSH, n, LT,    // 8: i < n
    JNZ, 17,                // 13
    JMP, 33,                // 15
    GET, 1, GET, 0, ADD, SET, 1,      // 17: sum += i
    GET, 0, PUSH, 1, ADD, SET, 0,     // 24: i += 1
    JMP, 8,                 // 31
    GET, 1, PRINT, GET, 1, HALT,      // 33
  ];
}

function frame(p: Program, heap: JSHeap, stack = 16, locals = 4): HeapRef {
  return heap.newStruct(p.types.get("Frame") as StructDef, [
    heap.fromJS(new Int32Array(stack), ref("Stack")),
    heap.fromJS(new Int32Array(locals), ref("Stack")),
  ]) as HeapRef;
}

function codeOf(heap: JSHeap, code: number[]): HeapRef {
  return heap.fromJS(new Int32Array(code), ref("Code")) as HeapRef;
}

describe("svm: a stack machine with a virtualizable frame", () => {
  it("turns the guest loop into a residual loop free of dispatch, code reads and stack traffic", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const code = codeOf(heap, sumProgram(100));
    const expected = run(l3, "run", [code, 0, frame(p, heap)]);
    assert.deepEqual(expected, { result: "4950", output: "4950\n" });
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)] });
    verify(p);
    assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), expected);
    const loop = loopBlocks(r.graph);
    assert.ok(loop.length > 0, "the residual graph has a loop");
    assert.equal(findOps(r.graph, "getitem", "Code").length, 0, "no code reads");
    assert.ok(!r.graph.blocks.some((b) => b.exit.kind === "switch"), "no dispatch switch");
    assert.deepEqual(
      opsIn(loop).filter((o) => ["getitem", "setitem", "getfield", "setfield", "call"].includes(o.op)),
      [],
      "no memory traffic or calls in the loop",
    );
    assert.ok(r.stats.guestInstructions >= 20);
    assert.match(formatResidual(p, r), /^; residual graph of 'run' for code=#code, pc=0, sp=0/);
  });

  it("leaves through a guard when the frame's arrays have other lengths, and the interpreter finishes", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const code = codeOf(heap, sumProgram(10));
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)] });
    assert.deepEqual(run(l3, r.graph.name, [frame(p, heap, 32, 8)]), { result: "45", output: "45\n" });
    assert.ok(r.exits.some((e) => e.reason === "guard"));
  });

  it("folds constant guest arithmetic and keeps red arithmetic", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    // print(2 * 3 + 4); local0 * 5 + 1
    const code = codeOf(heap, [PUSH, 2, PUSH, 3, MUL, PUSH, 4, ADD, PRINT, GET, 0, PUSH, 5, MUL, PUSH, 1, ADD, HALT]);
    const f = frame(p, heap);
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [f] });
    const ops = opsIn(r.graph.blocks).map((o) => o.op);
    assert.ok(!ops.includes("int_add") || findOps(r.graph, "int_add").every((o) => o.args.some((a) => a.kind === "var")));
    const f2 = frame(p, heap);
    heap.setItem(heap.getField(f2, "Frame", "locals") as HeapRef, "Stack", 0, 7);
    const f3 = frame(p, heap);
    heap.setItem(heap.getField(f3, "Frame", "locals") as HeapRef, "Stack", 0, 7);
    assert.deepEqual(run(l3, r.graph.name, [f2]), run(l3, "run", [code, 0, f3]));
    assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), { result: "1", output: "10\n" });
  });

  it("raises a guest error from residual code, as the interpreter does", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    // print 100 / local0
    const code = codeOf(heap, [PUSH, 100, GET, 0, DIV, PRINT, PUSH, 0, HALT]);
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)] });
    verify(p);
    assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), { result: "error: division by zero", output: "" });
    const f = frame(p, heap);
    heap.setItem(heap.getField(f, "Frame", "locals") as HeapRef, "Stack", 0, 7);
    assert.deepEqual(run(l3, r.graph.name, [f]), { result: "0", output: "14\n" });
    // a guest error is raised by the residual code itself (nothing catches it): no exit
    assert.ok(!r.exits.some((e) => e.reason === "raise"));
    assert.ok(r.graph.blocks.some((b) => b.exit.kind === "raise"));
  });

  it("stays correct under a tiny budget: unspecialized states leave to the interpreter", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const code = codeOf(heap, sumProgram(50));
    const expected = run(l3, "run", [code, 0, frame(p, heap)]);
    for (const budget of [1, 5, 10, 20, 30]) {
      const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)], budget });
      verify(p);
      assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), expected, `budget ${budget}`);
      assert.ok(r.stats.budgetExhausted, `budget ${budget} is exhausted`);
      assert.ok(r.exits.some((e) => e.reason === "merge" || e.reason === "budget"));
    }
  });

  it("specializes at a loop header in the middle of a run, with the frame's current contents", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const code = codeOf(heap, sumProgram(10));
    const f = frame(p, heap);
    const locals = heap.getField(f, "Frame", "locals") as HeapRef;
    heap.setItem(locals, "Stack", 0, 4); // i = 4
    heap.setItem(locals, "Stack", 1, 6); // sum = 0+1+2+3
    const r = specializeAt(p, "run", [code, 8, 0], { heap, reds: [f] });
    assert.deepEqual(run(l3, r.graph.name, [f]), { result: "45", output: "45\n" });
  });

  it("promote: specializes on the value seen, guards it, and resumes in the interpreter on another value", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    // local0 * promote(local1), printed; then the same again
    const code = codeOf(heap, [GET, 0, MULK, PRINT, GET, 0, MULK, PRINT, PUSH, 0, HALT]);
    const withLocals = (a: number, b: number): HeapRef => {
      const f = frame(p, heap);
      const lo = heap.getField(f, "Frame", "locals") as HeapRef;
      heap.setItem(lo, "Stack", 0, a);
      heap.setItem(lo, "Stack", 1, b);
      return f;
    };
    const sites: string[] = [];
    const r = specializeAt(p, "run", [code, 0, 0], {
      heap,
      reds: [withLocals(5, 3)],
      promote: (site) => {
        sites.push(`${site.graph}:${site.block}:${site.op}`);
        return 3;
      },
    });
    verify(p);
    assert.ok(sites.length >= 1);
    const muls = findOps(r.graph, "int_mul");
    assert.ok(
      muls.length > 0 && muls.every((o) => o.args.some((a) => a.kind === "const" && a.value === 3)),
      "multiplies by the constant 3",
    );
    assert.deepEqual(run(l3, r.graph.name, [withLocals(5, 3)]), { result: "0", output: "15\n15\n" });
    // another value: the guard fails, the interpreter takes over from the promote
    assert.deepEqual(run(l3, r.graph.name, [withLocals(5, 4)]), { result: "0", output: "20\n20\n" });
    assert.ok(r.exits.some((e) => e.reason === "promote"));
    // several values: one case each
    const r2 = specializeAt(p, "run", [code, 0, 0], { heap, reds: [withLocals(5, 3)], promote: () => [3, 4] });
    assert.deepEqual(run(l3, r2.graph.name, [withLocals(2, 4)]), { result: "0", output: "8\n8\n" });
    assert.deepEqual(run(l3, r2.graph.name, [withLocals(2, 7)]), { result: "0", output: "14\n14\n" });
    // no value known: the promote is an exit
    const r3 = specializeAt(p, "run", [code, 0, 0], { heap, reds: [withLocals(5, 3)] });
    assert.deepEqual(run(l3, r3.graph.name, [withLocals(6, 7)]), { result: "0", output: "42\n42\n" });
  });

  it("makes the guest's recursive calls direct calls of the portal specialized for a virtual frame, or residual calls with the frame materialized", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const F = 9;
    // biome-ignore format: one instruction per line
    const code = codeOf(heap, [
      PUSH, 10, CALL, F, PRINT, PUSH, 0, HALT, HALT,     // main: print fact(10)
      GET, 0, PUSH, 1, LT, JNZ, 27,                       // 9: fact(n): if n < 1 goto base
      GET, 0, GET, 0, PUSH, 1, SUB, CALL, F, MUL, HALT,   // 16: n * fact(n - 1)
      PUSH, 1, HALT,                                      // 27: base: 1
    ]);
    const expected = run(l3, "run", [code, 0, frame(p, heap)]);
    assert.deepEqual(expected, { result: "0", output: "3628800\n" });
    const main = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)] });
    const fact = specializeAt(p, "run", [code, F, 0], { heap, reds: [frame(p, heap)] });
    const plain = specializeAt(p, "run", [code, F, 0], { heap, reds: [frame(p, heap)], maxCallees: 0 });
    verify(p);
    assert.deepEqual(run(l3, main.graph.name, [frame(p, heap)]), expected);
    // by default: one callee, the portal from its start with the new frame virtual (its contents
    // are parameters), which calls itself; no frame is allocated
    assert.equal(fact.callees.length, 1);
    const callee = (fact.callees[0] as Residual).graph;
    assert.ok(fact.support.includes(callee), "the callee is a support graph of the compilation");
    assert.equal(findOps(fact.graph, "call").filter((o) => o.attrs.callee === "run").length, 0);
    assert.equal(findOps(fact.graph, "call").filter((o) => o.attrs.callee === callee.name).length, 1);
    assert.equal(findOps(callee, "call").filter((o) => o.attrs.callee === callee.name).length, 1, "the recursive call is direct");
    for (const g of [fact.graph, callee]) assert.equal(findOps(g, "new", "Frame").length, 0, `${g.name} allocates no frame`);
    // with maxCallees 0: a residual call of the portal, the callee's frame materialized for it
    assert.equal(plain.callees.length, 0);
    assert.equal(findOps(plain.graph, "call").filter((o) => o.attrs.callee === "run").length, 1, "one residual recursive call");
    assert.equal(findOps(plain.graph, "new", "Frame").length, 1, "the callee's frame is materialized for it");
    for (const r of [fact, plain]) {
      const f = frame(p, heap);
      heap.setItem(heap.getField(f, "Frame", "locals") as HeapRef, "Stack", 0, 6);
      assert.deepEqual(run(l3, r.graph.name, [f]), { result: "720", output: "" });
    }
  });

  it("folds elidable calls on constants by running them, and inlines them otherwise", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const code = codeOf(heap, [SQK, 12, PRINT, PUSH, 0, HALT]);
    const folded = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)], call: (g, a) => l3.call(g, a) });
    assert.equal(loopBlocks(folded.graph).length, 0);
    assert.ok(findOps(folded.graph, "call_host").some((o) => o.args[0]?.kind === "const" && o.args[0].value === 144));
    const inlined = specializeAt(p, "run", [code, 0, 0], { heap, reds: [frame(p, heap)] });
    verify(p);
    assert.ok(loopBlocks(inlined.graph).length > 0, "without a way to run it, the helper's loop is residual");
    for (const r of [folded, inlined]) assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), { result: "0", output: "144\n" });
  });

  it("specializes a guest program offline at a chosen pc, with the values a run sees there", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    const code = codeOf(heap, sumProgram(10));
    const state = probeMergePoint(p, "run", [code, 0, frame(p, heap)], (g) => g[1] === 17, { heap });
    assert.ok(state);
    assert.deepEqual(state.greens.slice(1), [17, 0]);
    const r = specializeRun(p, "run", [code, 0, frame(p, heap)], { heap, at: { green: "pc", value: 8 } });
    assert.deepEqual(r.greens.map((c) => c.value).slice(1), [8, 0]);
    assert.deepEqual(run(l3, r.graph.name, [frame(p, heap)]), { result: "45", output: "45\n" });
    assert.throws(
      () => specializeRun(p, "run", [code, 0, frame(p, heap)], { heap, at: { green: "pc", value: 9 } }),
      (e) => e instanceof PEError && /never reached the merge point with pc = 9/.test(e.message),
    );
    assert.throws(
      () => specializeRun(p, "run", [code, 0, frame(p, heap)], { heap, at: { green: "ip", value: 9 } }),
      (e) => e instanceof PEError && /driver 'd' has no green 'ip' \(its greens: code, pc, sp\)/.test(e.message),
    );
  });

  it("writes the frame back before an access with a red index, and forgets it after a write", () => {
    const p = loadProgram("svm.ll");
    const { heap, l3 } = setup(p);
    // push 10, 20, 30; pick(local0) prints stack item; then locals[local1] = 99; print local 2 and local 3
    // biome-ignore format: one instruction per line
    const code = codeOf(heap, [
      PUSH, 10, PUSH, 20, PUSH, 30, GET, 0, PICK, PRINT,   // prints 30, 20 or 10
      PUSH, 99, GET, 1, STOREL,                            // locals[local1] = 99
      GET, 2, PRINT, GET, 3, PRINT, GET, 1, PRINT,
      PUSH, 0, HALT,
    ]);
    const withLocals = (...xs: number[]): HeapRef => {
      const f = frame(p, heap);
      const lo = heap.getField(f, "Frame", "locals") as HeapRef;
      xs.forEach((x, i) => {
        heap.setItem(lo, "Stack", i, x);
      });
      return f;
    };
    const r = specializeAt(p, "run", [code, 0, 0], { heap, reds: [withLocals(0, 2, 5, 6)] });
    verify(p);
    for (const locals of [
      [0, 2, 5, 6],
      [1, 3, 5, 6],
      [2, 1, 7, 8],
    ]) {
      assert.deepEqual(
        run(l3, r.graph.name, [withLocals(...locals)]),
        run(l3, "run", [code, 0, withLocals(...locals)]),
        `locals ${locals}`,
      );
    }
    assert.ok(
      findOps(r.graph, "getitem", "Stack").some((o) => o.args[1]?.kind === "var"),
      "a residual read with a red index",
    );
  });
});
