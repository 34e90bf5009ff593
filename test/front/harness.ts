// Test helpers for the front end: run an interpreter module untranslated and on L3 from its
// lowered graphs, with output captured, and compare the outcomes.

import { pathToFileURL } from "node:url";
import type { Target } from "../../src/hints/index.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { lowerInterpreter } from "../../src/front/index.ts";
import type { Program } from "../../src/ir/graph.ts";
import { defaultHosts } from "../../src/llinterp/hosts.ts";
import { formatError, L3 } from "../../src/llinterp/interp.ts";
import { JSHeap } from "../../src/llinterp/js-heap.ts";

export interface Outcome {
  output: string;
  result: unknown;
  error: string | null;
}

export async function loadTarget(path: string): Promise<Target> {
  return ((await import(pathToFileURL(path).href)) as { target: Target }).target;
}

export function runUntranslated(t: Target, args: unknown[]): Outcome {
  const io = new MemoryIO();
  let result: unknown;
  let error: string | null = null;
  try {
    result = withHostIO(io, () => t.entry(...args));
  } catch (e) {
    error = formatError(e);
  }
  return { output: io.text(), result, error };
}

export function runL3(p: Program, args: unknown[]): Outcome {
  const io = new MemoryIO();
  let result: unknown;
  let error: string | null = null;
  try {
    const l3 = new L3(p, { heap: new JSHeap(p), hosts: defaultHosts(), maxSteps: 50_000_000 });
    result = withHostIO(io, () => l3.callJS(p.entries[0] as string, args));
  } catch (e) {
    error = formatError(e);
  }
  return { output: io.text(), result, error };
}

/** Lower a fixture and run it both ways on prepare("")'s arguments (fresh arguments for each run). */
export async function bothWays(path: string, source = ""): Promise<{ untranslated: Outcome; llinterp: Outcome; program: Program }> {
  const t = await loadTarget(path);
  const program = lowerInterpreter(path);
  const untranslated = runUntranslated(t, t.prepare(source, path));
  const llinterp = runL3(program, t.prepare(source, path));
  return { untranslated, llinterp, program };
}
