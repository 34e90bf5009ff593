// Offline specialization of a guest program (`unfold specialize`): run the interpreter on L3 until
// its merge point is reached with the wanted green values, stop there, and specialize at that
// point with the greens and the reds seen. The residual graph can then run on from that state.

import { cloneGraph } from "../ir/clone.ts";
import type { Block, Graph, Op, Program } from "../ir/graph.ts";
import { graphParams } from "../ir/graph.ts";
import { MemoryIO, withHostIO } from "../hints/index.ts";
import type { Heap, LLValue } from "../llinterp/heap.ts";
import type { HostImpl } from "../llinterp/hosts.ts";
import { defaultHosts } from "../llinterp/hosts.ts";
import { L3, LLError } from "../llinterp/interp.ts";
import { JSHeap } from "../llinterp/js-heap.ts";
import { PEError } from "./errors.ts";
import { formatResidual } from "./format.ts";
import type { Residual, SpecializeOptions } from "./specialize.ts";
import { specialize } from "./specialize.ts";

/** The values at a merge point, as seen by a run. */
export interface MergeState {
  readonly portal: string;
  readonly greens: readonly LLValue[];
  readonly reds: readonly LLValue[];
}

/** The graph holding the jit_merge_point (the portal): flagged `portal`, else the first graph with one. */
export function findPortal(p: Program): Graph {
  const withMp = [...p.graphs.values()].filter((g) => g.blocks.some((b) => b.ops.some((o) => o.op === "jit_merge_point")));
  const g = withMp.find((x) => x.flags.portal) ?? withMp[0];
  if (!g) throw new PEError("the program has no jit_merge_point: there is nothing to specialize");
  return g;
}

const PROBE = "pe.probe";

/** Thrown by the probe to stop the run at the merge point. */
class Stop extends Error {}

/**
 * Run `entry(args)` on L3 and return the merge-point values the first time `match` accepts the
 * greens (null if it never does). `heap` must be the heap `args` live on. The run stops there, so
 * the reds are in the state they have at that point (a residual graph for it can run on from there).
 */
export function probeMergePoint(
  p: Program,
  entry: string,
  args: readonly LLValue[],
  match: (greens: readonly LLValue[]) => boolean,
  opts: { readonly heap: Heap; readonly hosts?: Map<string, HostImpl>; readonly maxSteps?: number },
): MergeState | null {
  const portal = findPortal(p);
  const copy = cloneGraph(portal, portal.name).graph;
  let mop: Op | undefined;
  for (const b of copy.blocks as Block[]) {
    const i = b.ops.findIndex((o) => o.op === "jit_merge_point");
    if (i < 0) continue;
    mop = b.ops[i] as Op;
    b.ops.splice(i, 0, { op: "call_host", args: [...mop.args], result: null, attrs: { callee: PROBE } });
    break;
  }
  if (!mop) throw new PEError(`graph '${portal.name}' has no jit_merge_point`);
  const driver = p.drivers.get(mop.attrs.callee ?? "");
  if (!driver) throw new PEError(`unknown JIT driver '${mop.attrs.callee}'`);
  const ng = driver.greens.length;
  const probed: Program = { ...p, graphs: new Map(p.graphs), hosts: new Map(p.hosts) };
  probed.graphs.set(portal.name, copy);
  probed.hosts.set(PROBE, { name: PROBE, params: mop.args.map((a) => a.type), result: { kind: "void" } });
  let found: MergeState | null = null;
  const hosts = new Map(opts.hosts ?? defaultHosts());
  hosts.set(PROBE, (_h, vals) => {
    if (!found && match(vals.slice(0, ng))) {
      found = { portal: portal.name, greens: vals.slice(0, ng), reds: vals.slice(ng) };
      throw new Stop("stopped at the merge point");
    }
    return null;
  });
  const l3 = new L3(probed, { heap: opts.heap, hosts, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) });
  try {
    withHostIO(new MemoryIO(), () => l3.call(entry, args));
  } catch (e) {
    // the probe stops the run with an error once the point is found
    if (!(e instanceof LLError) || !found) throw e;
  }
  return found;
}

export interface SpecializeRunOptions extends Omit<SpecializeOptions, "reds"> {
  /** Specialize where this green has this value (e.g. { green: "pc", value: 12 }); default: the first merge point reached. */
  readonly at?: { readonly green: string; readonly value: number };
  readonly hosts?: Map<string, HostImpl>;
  readonly maxSteps?: number;
}

/**
 * Run a guest program on the interpreter until the merge point `opts.at` and specialize there:
 * what `unfold specialize <interp> <program> [--at <pc>]` prints. Elidable calls are folded by L3
 * unless `opts.call` says otherwise.
 */
export function specializeRun(p: Program, entry: string, args: readonly LLValue[], opts: SpecializeRunOptions): Residual {
  const portal = findPortal(p);
  const mop = portal.blocks.flatMap((b) => b.ops).find((o) => o.op === "jit_merge_point") as Op;
  const driver = p.drivers.get(mop.attrs.callee ?? "");
  if (!driver) throw new PEError(`unknown JIT driver '${mop.attrs.callee}'`);
  const at = opts.at;
  let k = -1;
  if (at) {
    k = driver.greens.indexOf(at.green);
    if (k < 0) throw new PEError(`driver '${driver.name}' has no green '${at.green}' (its greens: ${driver.greens.join(", ")})`);
  }
  const state = probeMergePoint(p, entry, args, (g) => k < 0 || g[k] === (at as { value: number }).value, opts);
  if (!state)
    throw new PEError(
      at ? `the run never reached the merge point with ${at.green} = ${at.value}` : "the run never reached the merge point",
    );
  const l3 = new L3(p, { heap: opts.heap, ...(opts.hosts ? { hosts: opts.hosts } : {}) });
  return specialize(p, state.portal, state.greens, {
    ...opts,
    reds: state.reds,
    call: opts.call ?? ((g, a) => withHostIO(new MemoryIO(), () => l3.call(g, a))),
  });
}

/** Parse `--at`: `12` (the green named pc) or `name=12`. */
export function parseAt(spec: string): { green: string; value: number } {
  const m = /^(?:([A-Za-z_$][\w$]*)=)?(-?\d+)$/.exec(spec.trim());
  if (!m) throw new PEError(`--at expects a pc (e.g. --at 12) or a green and its value (e.g. --at pc=12), not '${spec}'`);
  return { green: m[1] ?? "pc", value: Number(m[2]) };
}

export interface SpecializeProgramOptions {
  /** The entry graph (default: the program's first entry). */
  readonly entry?: string;
  readonly at?: { readonly green: string; readonly value: number };
  readonly budget?: number;
  /** Print the exit and continuation graphs too. */
  readonly support?: boolean;
}

/**
 * `unfold specialize <interp.ts> <program> [--at <pc>]`: `hostArgs` are the entry's arguments as
 * the interpreter's `target.prepare` makes them (numbers, typed arrays...). Runs the lowered
 * interpreter on L3 up to the merge point and returns the residual graph and its printed form.
 */
export function specializeProgram(
  p: Program,
  hostArgs: readonly unknown[],
  opts: SpecializeProgramOptions = {},
): { residual: Residual; text: string } {
  const entry = opts.entry ?? p.entries[0];
  const g = entry === undefined ? undefined : p.graphs.get(entry);
  if (!g || entry === undefined) throw new PEError("the interpreter's program has no entry graph");
  const params = graphParams(g);
  if (params.length !== hostArgs.length)
    throw new PEError(`entry '${entry}' takes ${params.length} arguments, prepare() gave ${hostArgs.length}`);
  const heap = new JSHeap(p);
  const args = params.map((v, i) => heap.fromJS(hostArgs[i], v.type, `argument ${i + 1} of '${entry}'`));
  const residual = specializeRun(p, entry, args, {
    heap,
    ...(opts.at ? { at: opts.at } : {}),
    ...(opts.budget !== undefined ? { budget: opts.budget } : {}),
  });
  return { residual, text: formatResidual(p, residual, { ...(opts.support ? { support: true } : {}) }) };
}
