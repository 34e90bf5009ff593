// Sharing compiled modules between compilations that differ only in their exits' constants. The
// same guest loop at two places of a guest program (Brainfuck's `[-]`, a generated program's
// repeated patterns) specializes to the same residual code; only its exits differ, in the
// constants they resume the interpreter with (a pc) and in their exit counters' ids. Here those
// constants are lifted: each is replaced by a fresh constant that the backend imports as a global
// (`lifted` in compileLinkedModule), and the graphs are written as a key in which lifted constants
// show only their type. Two compilations with the same key can run the same Wasm module,
// instantiated with their own lifted values, heap objects and function names
// (TranslatedModule.relink).

import { createHash } from "node:crypto";
import type { Block, Const, Exit, Graph, Link, Value, Var } from "../ir/graph.ts";
import type { LLType } from "../ir/types.ts";
import { typeToString } from "../ir/types.ts";

/** The key of a list of graphs (compiled together), and their lifted constants in key order. */
export interface ShareKey {
  /** The SHA-256 of the graphs' written form (which may be hundreds of kilobytes; the JIT keeps one per distinct module). */
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
  const name = (n: string): string => {
    const i = index.get(n);
    return i === undefined ? `'${n}'` : `@${i}`;
  };
  const key = createHash("sha256")
    .update(graphKey(graphs, name, new Set(lifted)))
    .digest("base64");
  return { key, lifted };
}

const typeKeys = new WeakMap<LLType, string>();

/** typeToString, made once per type object. */
function typeKey(t: LLType): string {
  let k = typeKeys.get(t);
  if (k === undefined) typeKeys.set(t, (k = typeToString(t)));
  return k;
}

/**
 * The key of `graphs`, in order: graphs they call or name by `name`, heap objects by the order
 * in which distinct objects first appear (the backend imports them in that order), the constants
 * of `lifted` by their type only; variables and blocks by their order of appearance.
 */
function graphKey(graphs: readonly Graph[], name: (graph: string) => string, lifted: ReadonlySet<Const>): string {
  const objects = new Map<unknown, number>();
  let out = "";
  const constKey = (c: Const): string => {
    const t = typeKey(c.type);
    if (lifted.has(c)) return `L:${t}`;
    const v = c.value;
    if (v === null) return `null:${t}`;
    if (typeof v === "object") {
      if ("fn" in v) return `fn ${name(v.fn)}:${t}`;
      let k = objects.get(v.obj);
      if (k === undefined) objects.set(v.obj, (k = objects.size));
      return `#${k}:${t}`;
    }
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "number" && Object.is(v, -0)) return `-0:${t}`;
    return `${v}:${t}`;
  };
  for (const g of graphs) {
    const vars = new Map<Var, number>();
    const blocks = new Map<Block, number>();
    for (let i = 0; i < g.blocks.length; i++) blocks.set(g.blocks[i] as Block, i);
    const val = (v: Value): string => {
      if (v.kind === "const") return constKey(v);
      const k = vars.get(v);
      if (k !== undefined) return `%${k}`;
      vars.set(v, vars.size);
      return `%${vars.size - 1}:${typeKey(v.type)}`;
    };
    const vals = (vs: readonly Value[]): void => {
      for (let i = 0; i < vs.length; i++) out += `${val(vs[i] as Value)},`;
    };
    const link = (l: Link): void => {
      out += ` b${blocks.get(l.target) ?? "?"}(`;
      vals(l.args);
      out += ")";
    };
    const exit = (e: Exit): void => {
      out += e.kind;
      switch (e.kind) {
        case "jump":
          link(e.link);
          break;
        case "branch":
          out += ` ${val(e.cond)}`;
          link(e.ifTrue);
          link(e.ifFalse);
          break;
        case "switch":
          out += ` ${val(e.value)}`;
          for (const c of e.cases) {
            out += ` ${c.value}:`;
            link(c.link);
          }
          link(e.default);
          break;
        case "return":
          if (e.value) out += ` ${val(e.value)}`;
          break;
        case "raise":
          out += ` ${val(e.value)}`;
          break;
        case "none":
          break;
      }
      out += "\n";
    };
    out += `graph -> ${typeKey(g.result)} ${g.flags.elidable ? "e" : ""}${g.flags.dontLookInside ? "d" : ""}${g.flags.unrollSafe ? "u" : ""}${g.flags.portal ? "p" : ""}`;
    if (g.loc) out += ` ${g.loc.file}:${g.loc.line}:${g.loc.col}`;
    out += "\n";
    for (const b of g.blocks) {
      out += "(";
      vals(b.params);
      out += ")\n";
      for (const o of b.ops) {
        out += o.result ? val(o.result) : "_";
        out += "=";
        const at = o.attrs;
        out += `${o.op}[${at.type ?? ""}|${at.field ?? ""}|${at.callee === undefined ? "" : o.op === "call" ? name(at.callee) : at.callee}](`;
        vals(o.args);
        out += o.loc ? `) ${o.loc.file}:${o.loc.line}:${o.loc.col}\n` : ")\n";
      }
      exit(b.exit);
    }
  }
  return out;
}
