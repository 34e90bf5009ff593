// Helpers for the Wasm backend tests: parse text-form programs, translate them, and run a graph
// both on L3 and translated, comparing results and errors (kind and message).

import assert from "node:assert/strict";
import type { Program } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
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

export type { LLValue };
