// Helpers for the specializer's tests: load an interpreter written as LL text, run it and a
// residual graph on L3 with captured output, find the residual graph's loops and the ops in them.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Block, Graph, Op, Program } from "../../src/ir/graph.ts";
import { cloneGraph } from "../../src/ir/clone.ts";
import { exitLinks, reachableBlocks } from "../../src/ir/graph.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { assertValid } from "../../src/ir/verify.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import type { LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import { cleanup } from "../../src/pe/cleanup.ts";

export function loadProgram(name: string): Program {
  const path = fileURLToPath(new URL(`./graphs/${name}`, import.meta.url));
  const p = parseProgram(readFileSync(path, "utf8"), name);
  assertValid(p);
  return p;
}

/** The program of graphs/`name` with a cleaned-up copy `<graph>.opt` of every graph (for the cleanup passes' tests). */
export function withCleanedUpCopies(name: string): Program {
  const p = loadProgram(name);
  for (const g of [...p.graphs.values()]) {
    const c = cloneGraph(g, `${g.name}.opt`).graph;
    cleanup(p, c, new Set());
    p.graphs.set(c.name, c);
  }
  assertValid(p);
  return p;
}

export interface Run {
  /** The result, or `error: <message>` for a guest error. */
  readonly result: string;
  readonly output: string;
}

/** Run a graph on L3 with output captured; guest errors become `error: message` results. */
export function run(l3: L3, graph: string, args: readonly LLValue[]): Run {
  const io = new MemoryIO();
  let result: string;
  try {
    result = String(withHostIO(io, () => l3.call(graph, args)));
  } catch (e) {
    if (e instanceof LLError && e.kind === "guest") result = `error: ${e.message}`;
    else throw e;
  }
  return { result, output: io.text() };
}

export function setup(p: Program): { heap: JSHeap; l3: L3 } {
  const heap = new JSHeap(p);
  return { heap, l3: new L3(p, { heap }) };
}

/** Blocks of `g` that lie on a cycle (the residual loops). */
export function loopBlocks(g: Graph): Block[] {
  const blocks = reachableBlocks(g);
  const succ = (b: Block): Block[] => exitLinks(b.exit).map((l) => l.target);
  const out: Block[] = [];
  for (const b of blocks) {
    // b is on a cycle if b is reachable from one of its successors
    const seen = new Set<Block>();
    const work = succ(b);
    let found = false;
    while (work.length > 0 && !found) {
      const x = work.pop() as Block;
      if (x === b) found = true;
      else if (!seen.has(x)) {
        seen.add(x);
        work.push(...succ(x));
      }
    }
    if (found) out.push(b);
  }
  return out;
}

export function opsIn(blocks: readonly Block[]): Op[] {
  return blocks.flatMap((b) => b.ops);
}

/** Ops of a graph matching `op` (and, when given, the static type attr). */
export function findOps(g: Graph | Block[], op: string, type?: string): Op[] {
  const blocks = Array.isArray(g) ? g : g.blocks;
  return opsIn(blocks).filter((o) => o.op === op && (type === undefined || o.attrs.type === type));
}

export function verify(p: Program): void {
  assertValid(p);
}
