// The specializer's public API: `specializeAt` (partial evaluation of a portal on green values),
// the printed form of a residual graph with its exits, and re-exports of what callers need
// (binding-time analysis, resume data, the JS-side resumer). See docs/pe.md.

import type { Program } from "../ir/graph.ts";
import { printGraph } from "../ir/print.ts";
import type { LLValue } from "../llinterp/heap.ts";
import { constKey } from "./abstract.ts";
import type { ResumeValue } from "./resume.ts";
import type { Residual, SpecializeOptions } from "./specialize.ts";
import { specialize } from "./specialize.ts";

export { BindingTimes } from "./bta.ts";
export type { BTContext } from "./bta.ts";
export { PEError } from "./errors.ts";
export { findPortal, probeMergePoint, specializeRun } from "./probe.ts";
export type { MergeState, SpecializeRunOptions } from "./probe.ts";
export { resumeExit, contGraph } from "./resume.ts";
export type { ExitInfo, ExitReason, ResumeFrame, ResumeValue, Resumer, VirtualDesc, Writeback } from "./resume.ts";
export { specialize, virtualizableFields } from "./specialize.ts";
export type { PromoteSite, Residual, SpecializeOptions, SpecializeStats } from "./specialize.ts";

/**
 * Specialize the portal graph `portal` at its jit_merge_point for the driver's green values
 * `greens` (in the driver's order): the first Futamura projection of one piece of guest code.
 * The residual graph takes the driver's reds as parameters and returns what the portal returns;
 * it and its exit and continuation graphs are added to `program`, so `new L3(program).call(
 * residual.graph.name, reds)` runs it.
 */
export function specializeAt(program: Program, portal: string, greens: readonly LLValue[], opts: SpecializeOptions): Residual {
  return specialize(program, portal, greens, opts);
}

export interface FormatOptions {
  /** Also print each exit's resume data (default true). */
  readonly exits?: boolean;
  /** Also print the exit and continuation graphs (default false). */
  readonly support?: boolean;
  /** Print source locations of ops (default false). */
  readonly locs?: boolean;
  /** Names for heap objects in constants (`#name`); green objects are named after their driver green by default. */
  readonly objects?: Map<unknown, string>;
}

/** The printed form of a residual graph: a header with its statistics, the graph, then its exits. */
export function formatResidual(program: Program, r: Residual, opts: FormatOptions = {}): string {
  const objects = opts.objects ?? new Map<unknown, string>();
  r.greens.forEach((c, i) => {
    const v = c.value;
    if (v !== null && typeof v === "object" && "obj" in v && !objects.has(v.obj)) objects.set(v.obj, r.driver.greens[i] ?? `green${i}`);
  });
  const s = r.stats;
  const greens = r.greens.map((c, i) => {
    const v = c.value;
    const shown = v !== null && typeof v === "object" && "obj" in v ? `#${objects.get(v.obj)}` : constKey(c);
    return `${r.driver.greens[i]}=${shown}`;
  });
  const lines = [
    `; residual graph of '${r.portal}' for ${greens.join(", ")}`,
    `; ${s.ops} ops in ${s.blocks} blocks, ${s.exits} exits; ${s.guestInstructions} guest instructions, ${s.opsPerInstruction.toFixed(1)} ops per instruction; budget ${s.budget}, used ${s.emitted}${s.budgetExhausted ? " (exhausted)" : ""}`,
  ];
  for (const w of r.warnings) lines.push(`; warning: ${w}`);
  lines.push(printGraph(program, r.graph, { objects, ...(opts.locs ? { locs: true } : {}) }));
  if (opts.exits !== false) {
    for (const e of r.exits) {
      lines.push(`; exit ${e.index} (${e.reason}) ${e.graph}: ${e.detail}`);
      for (const f of e.frames) {
        const vals = f.vars.map((n, i) => `${n}=${formatValue(f.values[i] as ResumeValue, objects)}`);
        lines.push(`;   resume ${f.graph} ${f.block}:${f.op} [${vals.join(", ")}]`);
      }
      e.virtuals.forEach((v, i) => {
        lines.push(
          `;   virtual ${i}: ${v.kind === "struct" ? "new" : "array"} ${v.type}(${v.values.map((x) => formatValue(x, objects)).join(", ")})`,
        );
      });
      for (const w of e.writebacks) {
        const where = w.kind === "field" ? `.${w.field}` : `[${w.index}]`;
        lines.push(`;   write back ${formatValue(w.target, objects)}${where} = ${formatValue(w.value, objects)}`);
      }
    }
  }
  if (opts.support) for (const g of r.support) lines.push(printGraph(program, g, { objects }));
  return lines.join("\n");
}

function formatValue(v: ResumeValue, objects: Map<unknown, string>): string {
  switch (v.k) {
    case "leaf":
      return `leaf${v.i}`;
    case "virtual":
      return `virtual${v.i}`;
    case "result":
      return "(result)";
    case "const": {
      const x = v.c.value;
      if (x !== null && typeof x === "object" && "obj" in x) {
        let n = objects.get(x.obj);
        if (!n) {
          n = `obj${objects.size + 1}`;
          objects.set(x.obj, n);
        }
        return `#${n}`;
      }
      return constKey(v.c);
    }
  }
}
