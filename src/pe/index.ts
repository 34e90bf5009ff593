// The specializer's public API: `specializeAt` (partial evaluation of a portal on green values),
// and re-exports of what callers need: the printed form of a residual graph, offline
// specialization of a guest program (`unfold specialize`), binding-time analysis, resume data and
// the JS-side resumer. See docs/pe.md.

import type { Program } from "../ir/graph.ts";
import type { LLValue } from "../llinterp/heap.ts";
import type { Residual, SpecializeOptions } from "./specialize.ts";
import { specialize } from "./specialize.ts";

export { BindingTimes } from "./bta.ts";
export { CleanupMemo } from "./cleanmemo.ts";
export type { BTContext } from "./bta.ts";
export { PEError } from "./errors.ts";
export { formatResidual } from "./format.ts";
export type { FormatOptions } from "./format.ts";
export { findPortal, parseAt, probeMergePoint, specializeProgram, specializeRun } from "./probe.ts";
export type { MergeState, SpecializeProgramOptions, SpecializeRunOptions } from "./probe.ts";
export { contGraph, exitEntersJit, exitNeedsNoBridge, mergePointContinuation, resumeExit } from "./resume.ts";
export type { ExitInfo, ExitReason, PromotedAt, ResumeFrame, ResumeValue, Resumer, VirtualDesc, Writeback } from "./resume.ts";
export { linkBridge, specialize, specializeExit, virtualizableFields } from "./specialize.ts";
export type { PromoteSite, Residual, SpecializeOptions, SpecializeStats, VableLayout } from "./specialize.ts";

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
