// Test harness: the tiny interpreter (examples/tiny) run with every guest function specialized.
// The interpreter is lowered once; for each guest program, a copy of the program gets one residual
// graph per guest function (specialized at its entry: pc = entry, sp = 0, with the values a run
// sees there), and the portal `interpret` is replaced by a wrapper that calls the residual graph
// when the code and pc match, the interpreter otherwise. Guest calls from residual code go through
// the wrapper, so whole programs run specialized (on L3), with exits resuming in the interpreter.

import { fileURLToPath } from "node:url";
import { assemble } from "../../examples/tiny/asm.ts";
import { lowerInterpreter } from "../../src/front/index.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { cloneGraph } from "../../src/ir/clone.ts";
import { GraphBuilder, constant } from "../../src/ir/builder.ts";
import type { Block, Graph, Program, Var } from "../../src/ir/graph.ts";
import { graphParams } from "../../src/ir/graph.ts";
import type { HeapRef, LLValue } from "../../src/llinterp/heap.ts";
import { L3, LLError } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";
import type { Residual, SpecializeOptions } from "../../src/pe/index.ts";
import { linkBridge, probeMergePoint, specialize, specializeExit } from "../../src/pe/index.ts";

const INTERP = fileURLToPath(new URL("../../examples/tiny/interp.ts", import.meta.url));

let lowered: Program | null = null;

/** The tiny interpreter's LL program (lowered once per process). */
export function tinyProgram(): Program {
  lowered ??= lowerInterpreter(INTERP);
  return lowered;
}

export interface SpecializedRun {
  /** What the program printed, then `error: <message>` if it ended in a guest error. */
  readonly text: string;
  /** The residual graph of each guest function that was called, by entry pc. */
  readonly residuals: ReadonlyMap<number, Residual>;
  readonly program: Program;
  /** Exits given a bridge (with `bridges: true`). */
  readonly bridges: number;
}

/**
 * Run a tiny program with every called guest function specialized at its entry; with `bridges`,
 * every exit (but entry guards) of those residual graphs gets a bridge too.
 */
export function runSpecialized(
  source: string,
  path: string,
  opts: Partial<SpecializeOptions> = {},
  how: { readonly bridges?: boolean } = {},
): SpecializedRun {
  const base = tinyProgram();
  const p: Program = { ...base, graphs: new Map(base.graphs) };
  const heap = new JSHeap(p);
  const l3 = new L3(p, { heap });
  const asm = assemble(source, path);
  const main = p.graphs.get("main") as Graph;
  const params = graphParams(main);
  const args: LLValue[] = [heap.fromJS(asm.code, (params[0] as Var).type), asm.memory];
  const code = args[0] as HeapRef;
  const residuals = new Map<number, Residual>();
  for (const f of asm.functions) {
    if (residuals.has(f.entry)) continue;
    let state: ReturnType<typeof probeMergePoint> = null;
    try {
      state = probeMergePoint(p, "main", args, (g) => g[0] === code && g[1] === f.entry && g[2] === 0, { heap });
    } catch (e) {
      if (!(e instanceof LLError)) throw e;
    }
    if (!state) continue;
    const r = specialize(p, state.portal, state.greens, {
      heap,
      reds: state.reds,
      call: (g, a) => withHostIO(new MemoryIO(), () => l3.call(g, a)),
      ...opts,
    });
    residuals.set(f.entry, r);
  }
  let bridges = 0;
  if (how.bridges)
    for (const r of residuals.values())
      r.exits.forEach((e, i) => {
        if (e.reason === "guard") return;
        linkBridge(p, e, specializeExit(p, r, i, { heap, call: (g, a) => withHostIO(new MemoryIO(), () => l3.call(g, a)), ...opts }));
        bridges++;
      });
  if (residuals.size > 0) installWrapper(p, code, residuals);
  const io = new MemoryIO();
  let error = "";
  try {
    withHostIO(io, () => new L3(p, { heap }).call("main", args));
  } catch (e) {
    if (!(e instanceof LLError && e.kind === "guest")) throw e;
    error = `error: ${e.message}\n`;
  }
  return { text: io.text() + error, residuals, program: p, bridges };
}

/** Replace `interpret` by: if (code is C) switch (pc) { entry: return residual(frame, machine) }; else the interpreter. */
function installWrapper(p: Program, code: HeapRef, residuals: ReadonlyMap<number, Residual>): void {
  const orig = p.graphs.get("interpret") as Graph;
  const interp = cloneGraph(orig, "interpret.interp").graph;
  interp.flags = { ...interp.flags, portal: false };
  p.graphs.set(interp.name, interp);
  const ps = graphParams(orig).map((v) => ({ name: v.name, type: v.type }));
  const b = new GraphBuilder(p, "interpret", ps, orig.result, { dontLookInside: true });
  const [c, pc, frame, machine] = b.params as [Var, Var, Var, Var];
  const fallback = b.block("interp");
  const check = b.block("check");
  const same = b.val("ref_eq", [c, constant(c.type, { obj: code })]);
  b.branch(same, { target: check, args: [] }, { target: fallback, args: [] });
  b.at(fallback);
  b.ret(b.val("call", [c, pc, frame, machine], { callee: interp.name }));
  b.at(check);
  const cases: { value: number; link: { target: Block; args: [] } }[] = [];
  for (const [entry, r] of residuals) {
    const blk = b.block(`f${entry}`);
    b.at(blk);
    b.ret(b.val("call", [frame, machine], { callee: r.graph.name }));
    cases.push({ value: entry, link: { target: blk, args: [] } });
  }
  b.at(check);
  b.switch(pc, cases, { target: fallback, args: [] });
}
