// Branches decided by what is known along the path about i32 values (src/pe/valueranges.ts): the
// sets of values it computes with, LL graphs (graphs/valueranges.ll) cleaned up in a copy and run
// on L3 against the original, and random graphs (loops, wrapping sums, every comparison) whose
// cleaned-up copies must give the same results and errors as the originals.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph, Program } from "../../src/ir/graph.ts";
import { arrayDef } from "../../src/ir/graph.ts";
import { cloneGraph } from "../../src/ir/clone.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { cleanup } from "../../src/pe/cleanup.ts";
import { complement, type Ints, intersect, shift, trueSet, union } from "../../src/pe/valueranges.ts";
import { withCleanedUpCopies } from "./util.ts";

const MIN = -2147483648;
const MAX = 2147483647;

const has = (s: Ints, x: number): boolean => {
  for (let i = 0; i < s.length; i += 2) if ((s[i] as number) <= x && x <= (s[i + 1] as number)) return true;
  return false;
};

/** Branches whose true side only raises: the checks left. */
const checks = (g: Graph): number =>
  g.blocks.filter((b) => b.exit.kind === "branch" && b.exit.ifTrue.target.ops.length === 0 && b.exit.ifTrue.target.exit.kind === "raise")
    .length;

/** Run a graph on L3: its result, or the error's reason. */
function run(p: Program, graph: string, args: readonly LLValue[]): string {
  const l3 = new L3(p, { heap: new JSHeap(p), maxSteps: 100000 });
  try {
    return String(l3.call(graph, args));
  } catch (e) {
    if (!(e instanceof LLError)) throw e;
    return `failed: ${e.reason}`;
  }
}

const EDGES = [MIN, MIN + 1, -6, -5, -2, -1, 0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 95, 96, 97, 98, 99, 100, 101, MAX - 1, MAX];

describe("sets of i32 values", () => {
  it("shift wraps around 2^32", () => {
    assert.deepEqual(shift([0, 10], 5), [5, 15]);
    assert.deepEqual(shift([MAX - 1, MAX], 1), [MIN, MIN, MAX, MAX]);
    assert.deepEqual(shift([MIN, MIN + 3], -2), [MIN, MIN + 1, MAX - 1, MAX]);
    assert.deepEqual(shift([0, MAX], 4), [MIN, MIN + 3, 4, MAX]);
  });

  it("intersect, union and complement agree with membership at random points", () => {
    let seed = 1;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return seed;
    };
    const pick = (): number => [rnd(), rnd() % 20, MIN, MAX, 0][Math.abs(rnd()) % 5] as number;
    const randomSet = (): Ints => {
      let s: Ints = [];
      for (let k = Math.abs(rnd()) % 3; k >= 0; k--) {
        const a = pick();
        const b = pick();
        s = union(s, [Math.min(a, b), Math.max(a, b)]);
      }
      return s;
    };
    for (let n = 0; n < 300; n++) {
      const a = randomSet();
      const b = randomSet();
      const d = pick();
      for (let k = 0; k < 20; k++) {
        const x = pick();
        assert.equal(has(intersect(a, b), x), has(a, x) && has(b, x));
        assert.equal(has(union(a, b), x), has(a, x) || has(b, x));
        assert.equal(has(complement(a), x), !has(a, x));
        assert.equal(has(shift(a, d), (x + d) | 0), has(a, x));
      }
    }
  });

  it("comparisons with a constant, signed and unsigned", () => {
    const ops: [string, (x: number, k: number) => boolean][] = [
      ["int_eq", (x, k) => x === k],
      ["int_ne", (x, k) => x !== k],
      ["int_lt", (x, k) => x < k],
      ["int_le", (x, k) => x <= k],
      ["int_gt", (x, k) => x > k],
      ["int_ge", (x, k) => x >= k],
      ["uint_lt", (x, k) => x >>> 0 < k >>> 0],
      ["uint_le", (x, k) => x >>> 0 <= k >>> 0],
      ["uint_gt", (x, k) => x >>> 0 > k >>> 0],
      ["uint_ge", (x, k) => x >>> 0 >= k >>> 0],
    ];
    for (const [op, f] of ops)
      for (const k of EDGES) {
        const yes = trueSet(op, k) as Ints;
        for (const x of EDGES) assert.equal(has(yes, x), f(x, k), `${x} ${op} ${k}`);
      }
  });
});

describe("checks decided by the values known along the path", () => {
  const p = withCleanedUpCopies("valueranges.ll");
  const opt = (name: string): Graph => p.graphs.get(`${name}.opt`) as Graph;
  const bytes = (xs: number[]): Uint8Array => {
    const a = new JSHeap(p).newArray(arrayDef(p, "Bytes") as never, xs.length) as Uint8Array;
    a.set(xs);
    return a;
  };
  const agree = (name: string, argsList: readonly LLValue[][]): void => {
    for (const args of argsList) assert.equal(run(p, `${name}.opt`, args), run(p, name, args), `${name}(${args.join(", ")})`);
  };

  it("a move's check that an earlier one on the path decides goes", () => {
    assert.equal(checks(p.graphs.get("zigzag") as Graph), 3);
    assert.equal(checks(opt("zigzag")), 2);
    agree(
      "zigzag",
      EDGES.map((x) => [x]),
    );
  });

  it("a loop header's parameter keeps what every edge into it passes", () => {
    assert.equal(checks(opt("scan")), 0);
    const tape = [3, 1, 4, 1, 5, 0, 2, 7, 0];
    agree(
      "scan",
      [-1, 0, 1, 4, 5, 6, 8, 9, MAX].map((x) => [x, bytes(tape)]),
    );
  });

  it("keeps the checks that a wrapping counter, one side of a diamond or an irreducible loop leave open", () => {
    assert.equal(checks(opt("wrap")), 2);
    agree(
      "wrap",
      [-1, 0, 3, 4, 5, MAX].map((x) => [x]),
    );
    for (const name of ["diamond", "irreducible"]) {
      assert.equal(checks(opt(name)), 2);
      agree(
        name,
        EDGES.flatMap((x) => [
          [x, 0],
          [x, 1],
        ]),
      );
    }
  });
});

// ---- random graphs ---------------------------------------------------------------------------

const COMPARES = ["int_eq", "int_ne", "int_lt", "int_le", "int_gt", "int_ge", "uint_lt", "uint_le", "uint_gt", "uint_ge"];
const CONSTS = [0, 1, -1, 2, 3, 5, 7, 10, 15, 16, 100, MIN, MAX, MAX - 1, MIN + 1];

/**
 * A random graph `rand(x, y, fuel, a)`: nodes that each test the fuel (the graph returns when it
 * is out), then add constants to their values, mask them, read the array at them, and branch on a
 * comparison with a constant to another node (loops included), to a raise, or to the return.
 */
function randomGraph(seed: number): string {
  let s = seed >>> 0;
  const r = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)] as T;
  const nodes = 2 + r(5);
  const out = ["array Bytes = mut u8", "graph rand -> i32 {", "start(%x: i32, %y: i32, %f: i32, %a: Bytes):", "  jump n0(%x, %y, %f)"];
  for (let k = 0; k < nodes; k++) {
    out.push(`n${k}(%x${k}: i32, %y${k}: i32, %f${k}: i32):`);
    out.push(`  %out${k}: bool = int_le %f${k}, 0`);
    out.push(`  branch %out${k}, ret(%x${k}), m${k}()`);
    out.push(`m${k}():`);
    out.push(`  %g${k}: i32 = int_sub %f${k}, 1`);
    const vars = [`%x${k}`, `%y${k}`];
    const ops = r(5);
    for (let i = 0; i < ops; i++) {
      const v = `%t${k}_${i}`;
      const a = pick(vars);
      const kind = r(10);
      if (kind < 4) out.push(`  ${v}: i32 = int_add ${a}, ${pick(CONSTS)}`);
      else if (kind < 7) out.push(`  ${v}: i32 = int_sub ${a}, ${pick(CONSTS)}`);
      else if (kind < 9) out.push(`  ${v}: i32 = int_and ${a}, ${pick([1, 7, 15, 255, MAX])}`);
      else {
        out.push(`  ${v}: i32 = getitem<Bytes> %a, ${a}`);
        vars.push(v);
        continue;
      }
      vars.push(v);
    }
    const c = `%c${k}`;
    const rhs = pick(CONSTS);
    out.push(
      r(2) === 0 ? `  ${c}: bool = ${pick(COMPARES)} ${pick(vars)}, ${rhs}` : `  ${c}: bool = ${pick(COMPARES)} ${rhs}, ${pick(vars)}`,
    );
    const target = (): string => {
      const t = r(8);
      if (t < 2) return `fail${1 + r(2)}()`;
      if (t < 3) return `ret(${pick(vars)})`;
      return `n${r(nodes)}(${pick(vars)}, ${pick(vars)}, %g${k})`;
    };
    out.push(`  branch ${c}, ${target()}, ${target()}`);
  }
  out.push("ret(%r: i32):", "  return %r", "fail1():", "  raise 1", "fail2():", "  raise 2", "}");
  return out.join("\n");
}

describe("random graphs", () => {
  it("cleaned-up copies give the same results and errors as the originals", () => {
    const SEED = Number(process.env.UNFOLD_SEED ?? 11);
    let decided = 0;
    for (let n = 0; n < 300; n++) {
      const text = randomGraph(SEED * 1000 + n);
      const p = parseProgram(text, `random${n}.ll`);
      assertValid(p);
      const g = p.graphs.get("rand") as Graph;
      const c = cloneGraph(g, "rand.opt").graph;
      cleanup(p, c, new Set());
      p.graphs.set(c.name, c);
      assertValid(p);
      const branches = (h: Graph): number => h.blocks.filter((b) => b.exit.kind === "branch").length;
      if (branches(c) < branches(g)) decided++;
      const heap = new JSHeap(p);
      const def = arrayDef(p, "Bytes") as never;
      for (const x of [0, 1, 5, 15, 16, -1, MIN, MAX, 100])
        for (const y of [0, 3, -1, MAX]) {
          const a = heap.newArray(def, 16) as Uint8Array;
          a.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
          const args: LLValue[] = [x, y, 12, a];
          assert.equal(run(p, "rand.opt", args), run(p, "rand", args), `graph ${n} (seed ${SEED}) at x=${x}, y=${y}:\n${text}`);
        }
    }
    assert.ok(decided > 10, `only ${decided} graphs had a branch decided`);
  });
});
