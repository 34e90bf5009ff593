// The JIT entry cache in Wasm (src/jit/enter.ts): lookups and counting happen in Wasm, JavaScript
// is called on misses and when a counter runs out. Collisions and evictions (a cache of one slot),
// two code arrays with the same pcs (owners), exact thresholds, refused compilations not retried at
// every visit, a driver whose greens cannot be cached (host path), the tiny interpreter's
// function-entry site compiling recursive Fibonacci, and the exits' inline cache.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { target } from "../../examples/tiny/interp.ts";
import { instantiateProgramSync } from "../../src/backend/wasm/index.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { cacheInitName, EXIT_IC_SLOTS } from "../../src/jit/enter.ts";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { prepareJit } from "../../src/jit/runtime.ts";
import type { VM } from "../../src/vm/translate.ts";
import { translate } from "../../src/vm/translate.ts";

const INTERP = join(import.meta.dirname, "../../examples/tiny/interp.ts");
const PROGRAMS = join(import.meta.dirname, "../../examples/tiny/programs");

/** Run tiny guest sources one after the other in one VM; returns what each printed. */
function runAll(vm: VM, sources: readonly string[]): string[] {
  return sources.map((src) => {
    const io = new MemoryIO();
    withHostIO(io, () => vm.run(target.prepare(src, "test.tiny")));
    return new TextDecoder().decode(io.bytes());
  });
}

function runFile(name: string, jit: JitOptions): { out: string; vm: VM } {
  const vm = translate(INTERP, { jit });
  const [out] = runAll(vm, [readFileSync(join(PROGRAMS, name), "utf8")]);
  return { out: out as string, vm };
}

function expected(name: string): string {
  return readFileSync(join(PROGRAMS, name.replace(/\.tiny$/, ".out")), "utf8");
}

/** A loop adding k to a sum 100 times (99 taken backward jumps), then printing the sum. */
function adder(k: number): string {
  return [
    "func main 0 2",
    "    push 0",
    "    set 0",
    "    push 0",
    "    set 1",
    "loop:",
    "    get 1",
    `    push ${k}`,
    "    add",
    "    set 1",
    "    get 0",
    "    push 1",
    "    add",
    "    dup",
    "    set 0",
    "    push 100",
    "    lt",
    "    jnz loop",
    "    get 1",
    "    print",
    "    push 0",
    "    ret",
    "",
  ].join("\n");
}

test("the translated program with entry caches verifies", () => {
  const vm = translate(INTERP, { jit: {} });
  assert.ok(vm.jit);
  assertValid(vm.jit.translated);
  assert.ok(vm.jit.translated.graphs.has(cacheInitName(vm.jit.driver.name)), "no entry cache");
});

for (const name of ["sum.tiny", "nested.tiny", "sieve.tiny", "fibrec.tiny", "all.tiny"]) {
  test(`${name} with a cache of one slot (every key collides)`, () => {
    for (const threshold of [1, 3, 40]) {
      const { out, vm } = runFile(name, { threshold, cacheSize: 1 });
      assert.equal(out, expected(name), `threshold ${threshold}`);
      if (threshold === 1) assert.ok((vm.jit?.stats.compilations ?? 0) > 0, "nothing compiled");
    }
  });
}

test("two code arrays with the same pcs: each runs its own compiled code", () => {
  for (const cacheSize of [1, 1024]) {
    const vm = translate(INTERP, { jit: { threshold: 1, cacheSize } });
    assert.deepEqual(runAll(vm, [adder(3), adder(5), adder(3), adder(7)]), ["300\n", "500\n", "300\n", "700\n"]);
    // adder(3) runs twice, but with a new code array each time: 4 owners, each compiled.
    assert.ok((vm.jit?.stats.compilations ?? 0) >= 4, `cacheSize ${cacheSize}`);
  }
});

test("a key is compiled at exactly the threshold-th visit", () => {
  for (const cacheSize of [1, 1024]) {
    // The loop's site is visited 99 times; main's entry once.
    const at = (threshold: number) => {
      const vm = translate(INTERP, { jit: { threshold, cacheSize } });
      assert.deepEqual(runAll(vm, [adder(2)]), ["200\n"]);
      return vm.jit?.stats.compilations;
    };
    assert.equal(at(99), 1, `cacheSize ${cacheSize}`);
    assert.equal(at(100), 0, `cacheSize ${cacheSize}`);
    assert.equal(at(2), 1, `cacheSize ${cacheSize}`);
    // main's entry at its first visit: compiled code runs the loop, whose site is not visited.
    assert.equal(at(1), 1, `cacheSize ${cacheSize}`);
  }
});

test("a refused compilation is not asked for again at every visit", () => {
  for (const threshold of [1, 2, 40]) {
    const { out, vm } = runFile("sum.tiny", { threshold, maxCompilations: 0 });
    assert.equal(out, expected("sum.tiny"));
    const s = vm.jit?.stats;
    assert.equal(s?.compilations, 0);
    // 20000 loop iterations: a miss and a counter run out per key, not a call per visit.
    assert.ok((s?.entryCalls ?? 0) <= 6, `threshold ${threshold}: ${s?.entryCalls} host calls`);
  }
});

test("fibrec is compiled at guest function entry; guest calls find the code in Wasm", () => {
  const { out, vm } = runFile("fibrec.tiny", {});
  assert.equal(out, expected("fibrec.tiny"));
  const s = vm.jit?.stats;
  assert.ok((s?.compilations ?? 0) > 0, "nothing compiled");
  // fib(22) makes about 57000 guest calls; only misses and counters running out ask JavaScript.
  assert.ok((s?.entryCalls ?? 0) < 50, `${s?.entryCalls} host calls`);
});

test("bridges empty the cache: the key then runs its new code", () => {
  const log: string[] = [];
  const { out, vm } = runFile("sieve.tiny", { threshold: 1, bridgeThreshold: 1, budget: 5, cacheSize: 2, log: (t) => log.push(t) });
  assert.equal(out, expected("sieve.tiny"));
  assert.ok((vm.jit?.stats.bridges ?? 0) > 0);
});

/** A counting loop written as LL: greens pc (always 0) and a second green of type `t`; reds acc, i, n. */
function loopProgram(t: "f64" | "bool" | "i32", green: string): string {
  return `
driver d greens(pc, g) reds(acc, i, n)
entry run
graph run -> i32 [portal] {
start(%n: i32):
  jump head(0, 0, %n)
head(%acc: i32, %i: i32, %n1: i32):
  jit_merge_point<d> 0, ${t} ${green}, %acc, %i, %n1
  %more: bool = int_lt %i, %n1
  branch %more, body(%acc, %i, %n1), done(%acc)
body(%a: i32, %j: i32, %m: i32):
  %a2: i32 = int_add %a, %j
  %j2: i32 = int_add %j, 1
  can_enter_jit<d> 0, ${t} ${green}, %a2, %j2, %m
  jump head(%a2, %j2, %m)
done(%r: i32):
  return %r
}
`;
}

/** Run loopProgram(t, green) for n = 10 (10 visits of the site); returns the JIT's stats. */
function runLoop(
  t: "f64" | "bool" | "i32",
  green: string,
  opts: JitOptions,
): { cached: boolean; compilations: number; entryCalls: number } {
  const p = parseProgram(loopProgram(t, green), "loop.ll");
  assertValid(p);
  const jit = prepareJit(p, opts);
  assert.ok(jit);
  assertValid(jit.translated);
  const hosts = defaultHosts();
  for (const [n, h] of jit.hosts()) hosts.set(n, h);
  const tm = instantiateProgramSync(jit.translated, { hosts });
  jit.attach(tm);
  assert.equal(tm.call("run", [10]), 45);
  assert.equal(tm.call("run", [0]), 0);
  const cached = [...jit.translated.graphs.keys()].some((n) => n.startsWith("__jit."));
  return { cached, compilations: jit.stats.compilations, entryCalls: jit.stats.entryCalls };
}

test("a driver whose greens cannot be compared in Wasm (an f64) counts every visit in JavaScript", () => {
  for (const threshold of [1, 2, 10, 11]) {
    const r = runLoop("f64", "1.0", { threshold });
    assert.equal(r.cached, false);
    assert.equal(r.compilations, threshold <= 10 ? 1 : 0, `threshold ${threshold}`);
    // Every visit asks the host until the key is compiled (compiled code runs the rest of the loop).
    assert.equal(r.entryCalls, Math.min(threshold, 10), `threshold ${threshold}`);
  }
});

test("scalar greens only (keys equal to an empty slot's zeros): counted in Wasm", () => {
  for (const [t, g] of [
    ["bool", "false"],
    ["i32", "0"],
    ["bool", "true"],
  ] as const) {
    for (const cacheSize of [1, 8]) {
      for (const threshold of [1, 2, 10, 11]) {
        const what = `${t} ${g}, cacheSize ${cacheSize}, threshold ${threshold}`;
        const r = runLoop(t, g, { threshold, cacheSize });
        assert.equal(r.cached, true, what);
        assert.equal(r.compilations, threshold <= 10 ? 1 : 0, what);
        // One miss, then the counter running out at the threshold.
        assert.equal(r.entryCalls, threshold === 1 || threshold > 10 ? 1 : 2, what);
      }
    }
  }
});

test("cacheSize must be a power of two", () => {
  assert.throws(() => translate(INTERP, { jit: { cacheSize: 3 } }), /power of two/);
});

test("the exits' inline cache: an exit site finds its key's code without the lookup, until the cache is reset", () => {
  // loopProgram's portal declares the cache; codeA stands for compiled code (the reds in, the result out)
  const p = parseProgram(
    `${loopProgram("i32", "7")}
graph codeA -> i32 {
start(%acc: i32, %i: i32, %n: i32):
  %r: i32 = int_add %acc, 1000
  return %r
}
`,
    "ic.ll",
  );
  const jit = prepareJit(p, {});
  assert.ok(jit);
  assertValid(jit.translated);
  const hosts = defaultHosts();
  const asked: number[] = [];
  let answer: { fn: string } | null = { fn: "codeA" };
  // the enter host: args (why, site kind, pc, g, acc, i, n); answers with `answer`
  hosts.set("__jit_enter_d", (_heap, args) => {
    asked.push(args[2] as number);
    return answer;
  });
  const tm = instantiateProgramSync(jit.translated, { hosts });
  // one slot: any other key evicts the key of an exit
  tm.call(cacheInitName("d"), [1, 5, 5]);
  const exitLookup = (id: number, pc: number) => tm.call("__jit.d.exitLookup", [id, pc, 7, 1, 2, 3]);
  const guestLookup = (pc: number) => tm.call("__jit.d.lookup", [0, pc, 7, 1, 2, 3]);
  answer = null;
  assert.equal(exitLookup(5, 0), null, "no code yet: the exit goes on in the interpreter");
  assert.equal(exitLookup(5, 0), null, "no code is not kept: the lookup counts the visit");
  assert.deepEqual(asked, [0]);
  answer = { fn: "codeA" };
  guestLookup(1); // evicts pc 0
  assert.deepEqual(exitLookup(5, 0), { fn: "codeA" }, "pc 0 misses, the host answers with code");
  assert.deepEqual(asked, [0, 1, 0]);
  guestLookup(1); // evicts pc 0 again
  assert.deepEqual(exitLookup(5, 0), { fn: "codeA" });
  assert.deepEqual(asked, [0, 1, 0, 1], "site 5 found its code in the inline cache (the lookup would have missed)");
  // another site in the same slot of the inline cache, then site 5 again: both look up
  exitLookup(5 + EXIT_IC_SLOTS, 2);
  exitLookup(5, 0);
  assert.deepEqual(asked, [0, 1, 0, 1, 2, 0]);
  exitLookup(5, 0);
  assert.equal(asked.length, 6);
  // a reset empties it (every change of a key's code resets the cache)
  tm.call(cacheInitName("d"), [1, 5, 5]);
  exitLookup(5, 0);
  assert.deepEqual(asked, [0, 1, 0, 1, 2, 0, 0]);
});
