// Sharing compiled modules between compilations that differ only in their exits' constants. The
// same guest loop at two places of a guest program (Brainfuck's `[-]`, a generated program's
// repeated patterns) specializes to the same residual code; only its exits differ, in the
// constants they resume the interpreter with (a pc) and in their exit counters' ids. Here those
// constants are lifted: each is replaced by a fresh constant that the backend imports as a global
// (`lifted` in compileLinkedModule), and the graphs are written as a key in which lifted constants
// show only their type. Two compilations with the same key can run the same Wasm module,
// instantiated with their own lifted values, heap objects and function names
// (TranslatedModule.relink).

import { type CodeWriter, type GraphCoding, writeGraph } from "../ir/codes.ts";
import type { Const, Graph } from "../ir/graph.ts";

/** The key of a list of graphs (compiled together), and their lifted constants in key order. */
export interface ShareKey {
  /** The graphs written as numbers (ir/codes.ts): equal keys, graphs that can run one module's code. */
  readonly codes: Int32Array;
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
 * own copies). Then the key of `graphs`, written with `w` (the same writer for all keys that are
 * compared): names of graphs among them by their position (the key does not depend on the
 * compilation's names), heap objects by the order in which they first appear (the backend
 * imports them), lifted constants by their type only.
 */
export function shareKey(graphs: readonly Graph[], liftIn: ReadonlySet<Graph>, w: CodeWriter): ShareKey {
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
  const name = (n: string): number => {
    const i = index.get(n);
    return i === undefined ? w.str(`graph ${n}`) : w.str(`@${i}`);
  };
  const isLifted = new Set(lifted);
  // heap objects by the order in which distinct ones first appear (the backend imports them so)
  const objects = new Map<unknown, number>();
  const coding: GraphCoding = {
    // a constant as its type's id times 8 plus its kind, then its value
    constant: (w, c) => {
      const t = w.type(c.type) * 8;
      const v = c.value;
      if (isLifted.has(c)) w.put2(t, 0);
      else if (v === null) w.put2(t + 1, 0);
      else if (typeof v === "object") {
        if ("fn" in v) w.put2(t + 2, name(v.fn));
        else {
          let k = objects.get(v.obj);
          if (k === undefined) objects.set(v.obj, (k = objects.size));
          w.put2(t + 3, k);
        }
      } else if (typeof v === "boolean") w.put2(t + 4, v ? 1 : 0);
      else if (typeof v === "number" && (v | 0) === v && !Object.is(v, -0)) w.put2(t + 5, v);
      else w.put2(t + 6, w.str(Object.is(v, -0) ? "-0" : `${typeof v} ${String(v)}`));
    },
    // the graphs of the list by their position
    callee: (w, n, o) => (o.op === "call" ? name(n) : w.str(`name ${n}`)),
  };
  w.start();
  w.put(graphs.length);
  for (const g of graphs) writeGraph(w, g, coding);
  return { codes: w.codes(), lifted };
}
