// Between specializer states and resume data: the resume data of an exit, made from the state
// where residual code leaves (`exitFromState`), and the state a bridge starts from, made from an
// exit's resume data (`stateFromExit`). Each is the other's inverse, up to the renaming of
// residual values (leaves).

import type { Graph, Op, Program, Var } from "../ir/graph.ts";
import type { Abs, SFrame, Slot, State, VFrame, VFrameInfo, VObj } from "./abstract.ts";
import { Env, UNREAD, constAbs, redAbs, resolve } from "./abstract.ts";
import type { BTContext } from "./bta.ts";
import { PEError, opPlace } from "./errors.ts";
import { liveAtPoint } from "./normalize.ts";
import type { ExitInfo, ExitReason, ResumeFrame, ResumeValue, VirtualDesc, Writeback } from "./resume.ts";
import { contGraph } from "./resume.ts";
import type { VableLayout } from "./specialize.ts";

/**
 * The resume data of leaving residual code from state `s` (its top frame's block and op is where
 * the interpreter continues), and the residual values to pass as the exit's leaves.
 */
export function exitFromState(
  p: Program,
  s: State,
  what: { readonly index: number; readonly graph: string; readonly reason: ExitReason; readonly detail: string },
): { info: ExitInfo; leaves: Var[] } {
  const leaves: Var[] = [];
  const leafIdx = new Map<Var, number>();
  const virtuals: { kind: "struct" | "array"; type: string; values: ResumeValue[] }[] = [];
  const vidx = new Map<VObj, number>();
  const leaf = (v: Var): { k: "leaf"; i: number } => {
    let i = leafIdx.get(v);
    if (i === undefined) {
      i = leaves.length;
      leaves.push(v);
      leafIdx.set(v, i);
    }
    return { k: "leaf", i };
  };
  const rvOf = (a0: Abs): ResumeValue => {
    const a = resolve(a0);
    switch (a.k) {
      case "const":
        return { k: "const", c: a.c };
      case "red":
        return leaf(a.v);
      case "vable":
        return leaf(a.f.info.ptr);
      case "varr":
        return leaf((a.f.info.arrays[a.a] as { ref: Var }).ref);
      case "virt": {
        const seen = vidx.get(a.o);
        if (seen !== undefined) return { k: "virtual", i: seen };
        const i = virtuals.length;
        vidx.set(a.o, i);
        const d = { kind: a.o.kind, type: a.o.type, values: [] as ResumeValue[] };
        virtuals.push(d);
        for (const v of a.o.vals) d.values.push(rvOf(v));
        return { k: "virtual", i };
      }
    }
  };
  const last = s.frames.length - 1;
  const frames: ResumeFrame[] = s.frames.map((f, i) => {
    const point = i === last ? f.op : f.op + 1;
    const result = i === last ? null : (f.block.ops[f.op] as Op).result;
    const vars = liveAtPoint(f.block, point);
    const values = vars.map((v): ResumeValue => {
      if (v === result) return { k: "result" };
      const a = f.env.get(v);
      if (!a) throw new PEError(`internal: '${v.name}' has no value at ${opPlace(f.ctx.ng, f.block, point, f.block.ops[point])}`);
      return rvOf(a);
    });
    const loc = f.block.ops[point]?.loc;
    return {
      graph: f.ctx.ng.name,
      block: f.block.label,
      op: point,
      cont: contGraph(p, f.ctx.ng, f.block, point),
      vars: vars.map((v) => v.name),
      values,
      ...(loc ? { loc } : {}),
    };
  });
  const vableLeaves = s.vables.map((vf) => ({ ptr: leaf(vf.info.ptr).i, arrays: vf.info.arrays.map((a) => leaf(a.ref).i) }));
  const writebacks: Writeback[] = [];
  for (const vf of s.vables) {
    const info = vf.info;
    vf.fields.forEach((sl, i) => {
      if (sl.s === "d")
        writebacks.push({
          kind: "field",
          target: leaf(info.ptr),
          type: info.struct,
          field: (info.fields[i] as { name: string }).name,
          value: rvOf(sl.v),
        });
    });
    vf.arrays.forEach((arr, ai) => {
      const a = info.arrays[ai] as VFrameInfo["arrays"][number];
      arr.forEach((sl, i) => {
        if (sl.s === "d") writebacks.push({ kind: "item", target: leaf(a.ref), type: a.type, index: i, value: rvOf(sl.v) });
      });
    });
  }
  const f0 = s.frames[0] as SFrame;
  const info: ExitInfo = {
    ...what,
    leafTypes: leaves.map((v) => v.type),
    frames,
    virtuals: virtuals as VirtualDesc[],
    writebacks,
    vableLeaves,
    atMergePoint: s.frames.length === 1 && f0.op === 0 && f0.ctx.ng.mergeBlocks.has(f0.block),
  };
  return { info, leaves };
}

/**
 * The state a bridge for `exit` starts from: its leaves are `params`, the virtualizable frames
 * are laid out as in `vables`, and `context(graph, i, caller)` gives each frame's binding times.
 */
export function stateFromExit(
  p: Program,
  exit: ExitInfo,
  vables: readonly VableLayout[],
  params: readonly Var[],
  context: (g: Graph, i: number, caller: SFrame | null) => BTContext,
): State {
  const infos: VFrameInfo[] = vables.map((lay, idx) => {
    const at = exit.vableLeaves[idx];
    if (!at) throw new PEError(`internal: exit ${exit.index} does not pass virtualizable frame ${idx}`);
    return {
      idx,
      red: lay.red,
      ptr: params[at.ptr] as Var,
      struct: lay.struct,
      fields: lay.fields,
      arrays: lay.arrays.map((a, ai) => ({ ...a, ref: params[at.arrays[ai] as number] as Var })),
    };
  });
  const frames0: VFrame[] = infos.map((info) => ({
    info,
    fields: info.fields.map(() => UNREAD),
    arrays: info.arrays.map((a) => new Array<Slot>(a.len).fill(UNREAD)),
  }));
  const leafAbs = (i: number): Abs => {
    for (const vf of frames0) {
      const at = exit.vableLeaves[vf.info.idx] as { ptr: number; arrays: readonly number[] };
      if (at.ptr === i) return { k: "vable", f: vf };
      const ai = at.arrays.indexOf(i);
      if (ai >= 0) return { k: "varr", f: vf, a: ai };
    }
    return redAbs(params[i] as Var);
  };
  const objs: VObj[] = exit.virtuals.map((d) => ({ kind: d.kind, type: d.type, vals: [], mat: null }));
  const absOf = (v: ResumeValue): Abs => {
    switch (v.k) {
      case "leaf":
        return leafAbs(v.i);
      case "const":
        return constAbs(v.c);
      case "virtual":
        return { k: "virt", o: objs[v.i] as VObj };
      case "result":
        throw new PEError("internal: a 'result' resume value outside a frame");
    }
  };
  exit.virtuals.forEach((d, i) => {
    for (const v of d.values) (objs[i] as VObj).vals.push(absOf(v));
  });
  for (const w of exit.writebacks) {
    const t = w.target.k === "leaf" ? leafAbs(w.target.i) : null;
    if (w.kind === "field" && t?.k === "vable") {
      const fi = t.f.info.fields.findIndex((fd) => fd.name === w.field);
      if (fi >= 0) t.f.fields[fi] = { s: "d", v: absOf(w.value) };
    } else if (w.kind === "item" && t?.k === "varr") (t.f.arrays[t.a] as Slot[])[w.index as number] = { s: "d", v: absOf(w.value) };
    else throw new PEError(`internal: exit ${exit.index} writes back to something that is not a virtualizable frame`);
  }
  const frames: SFrame[] = [];
  exit.frames.forEach((fr, i) => {
    const g = p.graphs.get(fr.graph);
    if (!g) throw new PEError(`bridge: unknown graph '${fr.graph}' in exit ${exit.index}`);
    const ctx = context(g, i, i === 0 ? null : (frames[i - 1] as SFrame));
    const block = ctx.ng.byLabel.get(fr.block);
    if (!block) throw new PEError(`bridge: graph '${fr.graph}' has no block '${fr.block}'`);
    const env = new Env();
    liveAtPoint(block, fr.op).forEach((v, k) => {
      const rv = fr.values[k] as ResumeValue;
      if (rv.k !== "result") env.set(v, absOf(rv));
    });
    // callers wait at their call, one op before where they resume
    frames.push({ ctx, block, op: i === exit.frames.length - 1 ? fr.op : fr.op - 1, env });
  });
  return { frames, vables: frames0, known: null, guest: null };
}
