// The printed form of a residual graph: a header with its statistics, the graph in the text form,
// then each exit with its resume data, then the same for each callee (the portal specialized for
// direct calls). What `unfold specialize` prints.

import type { Program } from "../ir/graph.ts";
import { printGraph } from "../ir/print.ts";
import { constKey } from "./abstract.ts";
import type { ResumeValue } from "./resume.ts";
import type { Residual } from "./specialize.ts";

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
    greens.length > 0
      ? `; residual graph of '${r.portal}' for ${greens.join(", ")}`
      : `; callee ${r.graph.name}: '${r.portal}' from its start, for direct calls`,
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
  const own = new Set(r.callees.flatMap((c) => [c.graph, ...c.support]));
  if (opts.support) for (const g of r.support) if (!own.has(g)) lines.push(printGraph(program, g, { objects }));
  for (const c of r.callees) lines.push(formatResidual(program, c, { ...opts, objects }));
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
