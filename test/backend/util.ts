// Helpers for the Wasm backend tests: parse text-form programs, translate them, and run a graph
// both on L3 and translated, comparing results and errors (kind and message).

import assert from "node:assert/strict";
import type { Block, Graph, Program, Value, Var } from "../../src/ir/graph.ts";
import { GraphBuilder, i32c, link } from "../../src/ir/builder.ts";
import { I32 } from "../../src/ir/types.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import type { TranslatedModule } from "../../src/backend/wasm/index.ts";
import { compileProgram, instantiateProgramSync } from "../../src/backend/wasm/index.ts";

/** Parse and verify a program in the text form. */
export function load(text: string, file = "<test>"): Program {
  const p = parseProgram(text, file);
  assertValid(p);
  return p;
}

/** Compile (checking that V8 accepts the module) and instantiate. */
export function translate(p: Program): TranslatedModule {
  const c = compileProgram(p);
  assert.ok(WebAssembly.validate(c.bytes), "V8 rejects the module");
  return instantiateProgramSync(c);
}

export type Outcome = { ok: true; value: unknown } | { ok: false; kind: string; message: string };

export function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof LLError) return { ok: false, kind: e.kind, message: e.message };
    throw e;
  }
}

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

/** Assert that two outcomes agree: equal scalar results, or errors of the same kind and message. */
export function assertSameOutcome(translated: Outcome, reference: Outcome, what: string): void {
  if (reference.ok && translated.ok) {
    assert.ok(
      same(translated.value, reference.value),
      `${what}: translated gives ${String(translated.value)}, L3 gives ${String(reference.value)}`,
    );
    return;
  }
  assert.deepEqual(translated, reference, what);
}

/** Run graph `g` on L3 (JS values marshalled by callJS) and translated; assert the same outcome. */
export function agree(p: Program, tm: TranslatedModule, g: string, args: unknown[], l3 = new L3(p)): Outcome {
  const ref = outcome(() => l3.callJS(g, args));
  const got = outcome(() => tm.call(g, args));
  assertSameOutcome(got, ref, `${g}(${args.map(String).join(", ")})`);
  return got;
}

/** A deterministic pseudo-random generator (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * A random graph: headers H0..Hk check the fuel, bodies B0..Bk compute with random ops and leave to
 * random headers (jump, branch, dense or sparse switch) with permuted arguments, or return.
 * Random edges between headers make many of them irreducible; the fuel makes every run finish.
 */
export function randomGraph(p: Program, name: string, r: () => number): Graph {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const b = new GraphBuilder(
    p,
    name,
    [
      { name: "fuel", type: I32 },
      { name: "x", type: I32 },
      { name: "y", type: I32 },
    ],
    I32,
  );
  const k = 2 + Math.floor(r() * 7);
  const vars = () => [
    { name: "fuel", type: I32 },
    { name: "x", type: I32 },
    { name: "y", type: I32 },
  ];
  const heads: Block[] = [];
  const bodies: Block[] = [];
  for (let i = 0; i < k; i++) heads.push(b.block(`h${i}`, vars()));
  for (let i = 0; i < k; i++) bodies.push(b.block(`b${i}`, vars()));
  const done = b.block("done", [{ name: "r", type: I32 }]);
  const [f0, x0, y0] = b.params as [Var, Var, Var];
  b.at(b.graph.blocks[0] as Block);
  const first = Math.floor(r() * k);
  if (r() < 0.5) b.jump(heads[first] as Block, [f0, x0, y0]);
  else {
    const c = b.val("int_lt", [x0, y0]);
    b.branch(c, link(heads[first] as Block, [f0, x0, y0]), link(heads[Math.floor(r() * k)] as Block, [f0, y0, x0]));
  }
  for (let i = 0; i < k; i++) {
    const h = heads[i] as Block;
    b.at(h);
    const [f, x, y] = h.params as [Var, Var, Var];
    const z = b.val("int_le", [f, i32c(0)]);
    const mix = b.val("int_add", [x, y]);
    b.branch(z, link(done, [mix]), link(bodies[i] as Block, [f, x, y]));
    const body = bodies[i] as Block;
    b.at(body);
    const [bf, bx, by] = body.params as [Var, Var, Var];
    const f1 = b.val("int_sub", [bf, i32c(1)]);
    const pool: Value[] = [bx, by];
    const nops = Math.floor(r() * 5);
    for (let j = 0; j < nops; j++) {
      const op = pick(["int_add", "int_sub", "int_mul", "int_xor", "int_and", "int_or", "int_shr"] as const);
      const a1 = pick(pool);
      const a2 = r() < 0.3 ? i32c(Math.floor(r() * 200) - 100) : pick(pool);
      pool.push(b.val(op, [a1, a2]));
    }
    const args = (): Value[] => [f1, pick(pool), pick(pool)];
    const target = () => heads[Math.floor(r() * k)] as Block;
    const kind = r();
    if (kind < 0.25) b.jump(target(), args());
    else if (kind < 0.6) {
      const c = b.val(pick(["int_lt", "int_gt", "int_eq"] as const), [pick(pool), pick(pool)]);
      b.branch(c, link(target(), args()), link(target(), args()));
    } else if (kind < 0.9) {
      const sel = b.val("int_and", [pick(pool), i32c(7)]);
      const n = 1 + Math.floor(r() * 6);
      const sparse = r() < 0.3;
      const values = new Set<number>();
      while (values.size < n) values.add(sparse ? Math.floor(r() * 1000) - 500 : Math.floor(r() * 8));
      b.switch(
        sel,
        [...values].map((v) => ({ value: v, link: link(target(), args()) })),
        link(target(), args()),
      );
    } else b.ret(pick(pool));
  }
  b.at(done);
  b.ret(done.params[0] as Var);
  return b.graph;
}
