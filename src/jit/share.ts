// Sharing compiled modules between compilations that differ only in their exits' constants. The
// same guest loop at two places of a guest program (Brainfuck's `[-]`, a generated program's
// repeated patterns) specializes to the same residual code; only its exits differ, in the
// constants they resume the interpreter with (a pc) and in their exit counters' ids. Here those
// constants are lifted: each is replaced by a fresh constant that the backend imports as a global
// (`lifted` in compileLinkedModule), and the graphs are written as a key in which lifted constants
// show only their type. Two compilations with the same key can run the same Wasm module,
// instantiated with their own lifted values, heap objects and function names
// (TranslatedModule.relink).

import type { Const, Graph } from "../ir/graph.ts";
import { graphKey } from "../ir/graphkey.ts";

/** The key of a list of graphs (compiled together), and their lifted constants in key order. */
export interface ShareKey {
  readonly key: string;
  readonly lifted: Const[];
}

/**
 * Ops whose operands at these positions (null: all) are lifted in exit graphs: values passed on
 * or stored, never looked at by the backend to choose code (as a length or an index would be).
 */
const LIFTABLE: ReadonlyMap<string, readonly number[] | null> = new Map([
  ["call", null],
  ["call_host", null],
  ["new", null],
  ["newarray_init", null],
  ["setfield", [1]],
  ["setitem", [2]],
]);

function scalar(c: Const): boolean {
  const k = c.type.kind;
  return k === "i32" || k === "i64" || k === "f64" || k === "bool";
}

/**
 * Lift, in the graphs of `liftIn`, the scalar constants that are operands of LIFTABLE ops: each
 * is replaced in place by a fresh constant of the same value (the graphs must be the caller's
 * own copies). Then the key of `graphs`: names of graphs among them by their position (the key
 * does not depend on the compilation's names), heap objects by the order in which they first
 * appear (the backend imports them), lifted constants by their type only.
 */
export function shareKey(graphs: readonly Graph[], liftIn: ReadonlySet<Graph>): ShareKey {
  const lifted: Const[] = [];
  for (const g of graphs) {
    if (!liftIn.has(g)) continue;
    for (const b of g.blocks)
      for (const o of b.ops) {
        const where = LIFTABLE.get(o.op);
        if (where === undefined) continue;
        o.args.forEach((a, i) => {
          if (a.kind !== "const" || !scalar(a) || (where !== null && !where.includes(i))) return;
          const fresh: Const = { kind: "const", type: a.type, value: a.value };
          o.args[i] = fresh;
          lifted.push(fresh);
        });
      }
  }
  const index = new Map<string, number>();
  graphs.forEach((g, i) => {
    index.set(g.name, i);
  });
  const key = graphKey(graphs, {
    name: (n) => {
      const i = index.get(n);
      return i === undefined ? `'${n}'` : `@${i}`;
    },
    objects: "order",
    lifted: new Set(lifted),
  });
  return { key, lifted };
}
