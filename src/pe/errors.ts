// Errors of the specializer and how places are named in its messages: the op's source location
// (file:line:col) when the front end recorded one, else graph/block/op.

import type { Block, Op } from "../ir/graph.ts";
import { locToString } from "../ir/graph.ts";
import type { NGraph } from "./normalize.ts";

/** A problem the specializer reports to the user (bad hints, contradictions, bad arguments). */
export class PEError extends Error {
  override name = "PEError";
}

/**
 * A place: `file:line:col` when the op has a location, else `graph 'g', block 'b', op i (name)`
 * with the block and op index of the original graph (the normalized copy may split blocks).
 */
export function opPlace(ng: NGraph, b: Block, i: number, o: Op | undefined): string {
  if (o?.loc) return locToString(o.loc);
  const origin = ng.origin.get(b) ?? { label: b.label, offset: 0 };
  const what = o ? `op ${origin.offset + i} (${o.op})` : `exit (${b.exit.kind})`;
  return `graph '${ng.name}', block '${origin.label}', ${what}`;
}
