// Guest calls in compiled code: a recursive call of the portal whose new frame is virtual becomes
// a direct call of the portal specialized from its start (a callee), which calls itself for the
// guest's recursion; the frame is never allocated. Checked on tiny programs through the JIT's log,
// with their output against the untranslated interpreter, also when callees leave to the
// interpreter (small budgets) and when a guest error rises inside one.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { JitOptions } from "../../src/jit/runtime.ts";
import { type Outcome, outcomeText, untranslatedMode, vmMode } from "../tiny/modes.ts";

async function jit(source: string, opts: JitOptions = {}): Promise<{ text: string; log: string }> {
  let log = "";
  const mode = vmMode("jit", { jit: { threshold: 2, exitThreshold: 2, ...opts, log: (t) => (log += t) } });
  const r: Outcome = await mode.run(source, "test.tiny");
  return { text: outcomeText(r), log };
}

async function untranslated(source: string): Promise<string> {
  return outcomeText(await untranslatedMode.run(source, "test.tiny"));
}

const FIB = `
func fib 1 1
    get 0
    push 2
    lt
    jz recurse
    get 0
    ret
recurse:
    get 0
    push 1
    sub
    call fib
    get 0
    push 2
    sub
    call fib
    add
    ret

func main 0 1
loop:
    get 0
    call fib
    print
    get 0
    push 1
    add
    dup
    set 0
    push 15
    le
    jnz loop
    push 0
    ret
`;

test("a recursive guest function: compiled code calls its callee directly, which calls itself; no frame is allocated", async () => {
  const r = await jit(FIB);
  assert.equal(r.text, await untranslated(FIB));
  const callees = [...r.log.matchAll(/^; callee (\S+): 'interpret' from its start, for direct calls$/gm)].map((m) => m[1] as string);
  assert.ok(callees.length > 0, "some compilation made a callee");
  for (const name of callees) {
    const body = r.log.slice(r.log.indexOf(`graph ${name} `));
    const graph = body.slice(0, body.indexOf("\n}\n"));
    assert.match(graph, new RegExp(`call<${name.replace(/\./g, "\\.")}>`), `${name} calls itself`);
    assert.doesNotMatch(graph, /new<Frame>|newarray/, `${name} allocates no frame`);
    assert.doesNotMatch(graph, /call<interpret>/, `${name} does not call the interpreter`);
  }
});

// Calls from a loop to a function with a loop of its own, with arguments the caller computes, and
// a function that prints and uses the guest memory.
const MIXED = `
memory 8
func sumto 1 2
    push 0
    set 1
again:
    get 0
    jz done
    get 1
    get 0
    add
    set 1
    get 0
    push 1
    sub
    set 0
    jump again
done:
    get 1
    ret

func note 2 2
    get 0
    get 1
    astore
    get 1
    printc
    get 0
    aload
    ret

func main 0 2
loop:
    get 0
    call sumto
    print
    get 0
    push 7
    and
    get 0
    push 65
    add
    call note
    pop
    get 0
    push 1
    add
    dup
    set 0
    push 30
    lt
    jnz loop
    push 0
    ret
`;

test("calls of functions with loops, printing and memory agree with the interpreter, with any budget", async () => {
  const expected = await untranslated(MIXED);
  assert.doesNotMatch(expected, /error:/);
  for (const budget of [4000, 200, 60, 25]) assert.equal((await jit(MIXED, { budget })).text, expected, `budget ${budget}`);
  assert.match((await jit(MIXED)).log, /^; callee /m);
});

test("a guest error inside a callee (the call depth limit) ends the run as in the interpreter", async () => {
  const deep = FIB.replace("push 2\n    lt\n    jz recurse", "push -1000\n    lt\n    jz recurse");
  const expected = await untranslated(deep);
  assert.match(expected, /error: call stack overflow\n$/);
  for (const budget of [4000, 40]) {
    const r = await jit(deep, { budget });
    assert.equal(r.text, expected, `budget ${budget}`);
    if (budget === 4000) assert.match(r.log, /^; callee /m);
  }
});

test("with maxCallees 0 every guest call calls the interpreter's portal, with the same output", async () => {
  const r = await jit(FIB, { maxCallees: 0 });
  assert.equal(r.text, await untranslated(FIB));
  assert.doesNotMatch(r.log, /^; callee /m);
  assert.match(r.log, /call<interpret>/);
});
