// Failures of translated code are the errors L3 reports: same LLError kind, same reason, same
// graph/block/op (so the same message), whether they are checked by the generated code (bounds,
// division by zero, overflow, casts, negative lengths, arraycopy ranges), raised by the guest, or
// trapped by Wasm (null dereferences, mapped back to their op through the trap's code offset).

import assert from "node:assert/strict";
import { test } from "node:test";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { instantiateProgramSync } from "../../src/backend/wasm/index.ts";
import { agree, load, outcome } from "./util.ts";

const PROGRAM = `
struct P { x: mut i32, next: mut P }
struct Q : P { y: mut f64 }
struct R { z: i32 }
array A = mut i32
array Bytes = mut u8
host boom(i32) -> i32
message 0 "guest failure"
message 1 "another one"

graph getnull -> i32 {
start(%p: P):
  %v: i32 = getfield<P.x> %p
  return %v
}
graph setnull -> void {
start(%p: P):
  setfield<P.x> %p, 5
  return
}
graph chain -> i32 {
start(%n: i32):
  %p: P = new<P> 1, P null
  %q: P = getfield<P.next> %p
  %v: i32 = getfield<P.x> %q
  return %v
}
graph itemnull -> i32 {
start(%a: A, %i: i32):
  %v: i32 = getitem<A> %a, %i
  return %v
}
graph setitemnull -> void {
start(%a: A):
  setitem<A> %a, 0, 1
  return
}
graph lennull -> i32 {
start(%a: A):
  %n: i32 = arraylen<A> %a
  return %n
}
graph callnull -> i32 {
start(%f: fn(i32) -> i32):
  %r: i32 = call_ref %f, 1
  return %r
}
graph get -> i32 {
start(%n: i32, %i: i32):
  %a: A = newarray<A> %n
  %v: i32 = getitem<A> %a, %i
  return %v
}
graph set -> i32 {
start(%n: i32, %i: i32):
  %a: Bytes = newarray<Bytes> %n
  setitem<Bytes> %a, %i, 300
  %v: i32 = getitem<Bytes> %a, %i
  return %v
}
graph div -> i32 {
start(%a: i32, %b: i32):
  %q: i32 = int_div %a, %b
  %m: i32 = int_mod %a, %q
  return %m
}
graph ldiv -> i64 {
start(%a: i64, %b: i64):
  %q: i64 = llong_div %a, %b
  return %q
}
graph ovf -> i32 {
start(%a: i32, %b: i32):
  %s: i32 = int_add_ovf %a, %b
  %m: i32 = int_mul_ovf %s, %b
  %n: i32 = int_neg_ovf %m
  return %n
}
graph cast -> i32 {
start(%k: i32):
  %p: P = new<P> 1, P null
  %q: Q = new<Q> 2, P null, 1.5
  %r: R = new<R> 3
  %c: bool = int_eq %k, 0
  branch %c, viaP(%p), viaQ(%q)
viaP(%o: P):
  %x: Q = ref_cast<Q> %o
  %v: i32 = getfield<Q.x> %x
  return %v
viaQ(%o2: P):
  %x2: Q = ref_cast<Q> %o2
  %v2: i32 = getfield<Q.x> %x2
  return %v2
}
graph neg -> i32 {
start(%n: i32):
  %a: A = newarray<A> %n
  %l: i32 = arraylen<A> %a
  return %l
}
graph copy -> i32 {
start(%sn: i32, %sp: i32, %dn: i32, %dp: i32, %n: i32):
  %s: A = newarray<A> %sn
  %d: A = newarray<A> %dn
  arraycopy<A> %s, %sp, %d, %dp, %n
  return 0
}
graph copynull -> i32 {
start(%which: bool):
  %a: A = newarray<A> 3
  branch %which, s(%a), d(%a)
s(%a1: A):
  arraycopy<A> A null, 0, %a1, 0, 1
  return 0
d(%a2: A):
  arraycopy<A> %a2, 0, A null, 0, 1
  return 0
}
graph raise -> i32 {
start(%k: i32):
  raise %k
}
graph raisebool -> i32 {
start(%b: bool):
  raise %b
}
graph raiseobj -> i32 {
start(%k: i32):
  %p: Q = new<Q> 1, P null, 2.0
  raise %p
}
graph outer -> i32 {
start(%n: i32):
  %r: i32 = call<inner> %n
  %r2: i32 = int_add %r, 1
  return %r2
}
graph inner -> i32 {
start(%n: i32):
  %z: i32 = int_sub %n, %n
  %q: i32 = int_div %n, %z
  return %q
}
graph host -> i32 {
start(%n: i32):
  %r: i32 = call_host<boom> %n
  return %r
}
graph deep -> i32 {
start(%n: i32):
  %m: i32 = int_add %n, 1
  %r: i32 = call<deep> %m
  %r1: i32 = int_add %r, 1
  return %r1
}
`;

const p = load(PROGRAM, "errors.ll");
const boom = (_h: unknown, a: unknown[]) => {
  if (a[0] === 1) throw new Error("the host says no");
  if (a[0] === 2) throw new GuestError("a guest error from a host");
  return (a[0] as number) * 2;
};
const hosts = new Map([["boom", boom]]);
const tm = instantiateProgramSync(p, { hosts });
const l3 = new L3(p, { hosts });

test("null dereferences (Wasm traps) report L3's message and place", () => {
  const cases: [string, unknown[]][] = [
    ["getnull", [null]],
    ["setnull", [null]],
    ["chain", [0]],
    ["itemnull", [null, 0]],
    ["setitemnull", [null]],
    ["lennull", [null]],
    ["callnull", [null]],
    ["copynull", [true]],
    ["copynull", [false]],
  ];
  for (const [g, args] of cases) {
    const o = agree(p, tm, g, args, l3);
    assert.ok(!o.ok && o.kind === "null reference", `${g}: ${JSON.stringify(o)}`);
  }
});

test("bounds, negative lengths, u8 items", () => {
  for (const [n, i] of [
    [4, 7],
    [4, -1],
    [0, 0],
    [4, 3],
    [1, 2147483647],
  ])
    agree(p, tm, "get", [n, i], l3);
  for (const [n, i] of [
    [3, 3],
    [3, 2],
    [1, -5],
  ])
    agree(p, tm, "set", [n, i], l3);
  for (const n of [-1, 0, 5, -2147483648]) agree(p, tm, "neg", [n], l3);
  const o = outcome(() => tm.call("get", [4, 7]));
  assert.deepEqual(o, {
    ok: false,
    kind: "bounds",
    message: "index 7 out of bounds for array of length 4 in graph 'get', block 'start', op 1 (getitem)",
  });
});

test("arraycopy: negative length and ranges, in L3's order", () => {
  const cases = [
    [4, 0, 4, 0, 4],
    [4, 0, 4, 0, -1],
    [4, 1, 4, 0, 4],
    [4, -1, 4, 0, 1],
    [4, 0, 4, 2, 3],
    [4, 0, 4, -3, 1],
    [4, 2, 4, 2, 2],
    [4, 2147483647, 4, 0, 2],
  ];
  for (const c of cases) agree(p, tm, "copy", c, l3);
});

test("division by zero, MIN / -1, overflow", () => {
  for (const [a, b] of [
    [7, 0],
    [7, 2],
    [-2147483648, -1],
    [5, 7],
  ])
    agree(p, tm, "div", [a, b], l3);
  agree(p, tm, "ldiv", [5n, 0n], l3);
  agree(p, tm, "ldiv", [-(2n ** 63n), -1n], l3);
  for (const [a, b] of [
    [2147483647, 1],
    [1, 1],
    [65536, 32768],
    [-2147483647, -1],
    [1073741824, 2],
  ])
    agree(p, tm, "ovf", [a, b], l3);
});

test("failed ref_cast names the object's type", () => {
  const o = agree(p, tm, "cast", [0], l3);
  assert.ok(!o.ok && o.message.startsWith("cannot cast an object of type 'P' to 'Q'"), JSON.stringify(o));
  agree(p, tm, "cast", [1], l3);
});

test("guest errors and other raised values", () => {
  for (const k of [0, 1, 2, -1]) agree(p, tm, "raise", [k], l3);
  assert.deepEqual(
    outcome(() => tm.call("raise", [0])),
    { ok: false, kind: "guest", message: "guest failure" },
  );
  agree(p, tm, "raisebool", [true], l3);
  agree(p, tm, "raiseobj", [0], l3);
});

test("a failure inside a callee is reported at the callee's op", () => {
  const o = agree(p, tm, "outer", [3], l3);
  assert.ok(!o.ok && o.message.includes("graph 'inner'"));
});

test("host failures: same kind and reason as L3", () => {
  assert.equal(tm.call("host", [5]), 10);
  for (const n of [1, 2]) {
    const a = outcome(() => tm.call("host", [n]));
    const b = outcome(() => l3.callJS("host", [n]));
    assert.ok(!a.ok && !b.ok);
    assert.equal(a.kind, b.kind);
    assert.ok(b.message.startsWith(a.message), `${a.message} vs ${b.message}`);
  }
});

test("deep recursion is a stack overflow, not a crash", () => {
  let err: unknown;
  try {
    tm.call("deep", [0]);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof LLError && err.kind === "stack overflow", String(err));
});

test("marshalling errors name the argument", () => {
  const o = outcome(() => tm.call("get", [1.5, 0]));
  assert.deepEqual(o, {
    ok: false,
    kind: "argument",
    message: "argument 1 of 'get': expected an i32 (an integer in [-2^31, 2^31)), got number 1.5",
  });
  const o2 = outcome(() => tm.call("get", [1]));
  assert.ok(!o2.ok && o2.kind === "argument");
});

test("errors print the same through formatError in both modes (guest error output)", () => {
  const io = new MemoryIO();
  withHostIO(io, () => {
    const a = outcome(() => tm.call("raise", [1]));
    const b = outcome(() => l3.callJS("raise", [1]));
    assert.deepEqual(a, b);
  });
});
