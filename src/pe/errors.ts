// Errors of the specializer and how places are named in its messages: the op's source location
// (file:line:col) when the front end recorded one, else graph/block/op.

import type { Block, Graph, Op } from "../ir/graph.ts";
import { locToString } from "../ir/graph.ts";

/** A problem the specializer reports to the user (bad hints, contradictions, bad arguments). */
export class PEError extends Error {
  override name = "PEError";
}

/** A place: `file:line:col` when the op has a location, else `graph 'g', block 'b', op i (name)`. */
export function opPlace(g: Graph, b: Block, i: number, o: Op | undefined): string {
  if (o?.loc) return locToString(o.loc);
  const what = o ? `op ${i} (${o.op})` : `exit (${b.exit.kind})`;
  return `graph '${g.name}', block '${b.label}', ${what}`;
}
