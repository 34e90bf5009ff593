// Graphs written as a string key: two lists of graphs with the same key are the same code but for
// what the options leave out (the names of graphs, which heap objects, lifted constants). Used to
// reuse work between specializations of the same code: the specializer's cleanup (pe) and the
// JIT's compiled modules (jit/share.ts). Variables and blocks enter by their order of appearance.

import type { Block, Const, Exit, Graph, Link, Op, Value, Var } from "./graph.ts";
import type { LLType } from "./types.ts";
import { typeToString } from "./types.ts";

const objIds = new WeakMap<object, number>();
let nextObjId = 1;

/** A number identifying a heap object (the same for the same object, in this process). */
export function objectId(o: object): number {
  let id = objIds.get(o);
  if (id === undefined) {
    id = nextObjId++;
    objIds.set(o, id);
  }
  return id;
}

export interface GraphKeyOptions {
  /** How a graph named by a call, or by a function constant, is written. */
  readonly name: (graph: string) => string;
  /**
   * Heap object constants: "identity" writes which object (the keys differ for other objects);
   * "order" writes only the order in which distinct objects first appear.
   */
  readonly objects: "identity" | "order";
  /** Constants written as their type only (lifted: the code does not depend on their value). */
  readonly lifted?: ReadonlySet<Const>;
  /** Ops marked (the key says which). */
  readonly marked?: ReadonlySet<Op>;
}

const typeKeys = new WeakMap<LLType, string>();

/** typeToString, made once per type object. */
function typeKey(t: LLType): string {
  let k = typeKeys.get(t);
  if (k === undefined) typeKeys.set(t, (k = typeToString(t)));
  return k;
}

/** The key of `graphs`, in order (see the options for what it leaves out). */
export function graphKey(graphs: readonly Graph[], opts: GraphKeyOptions): string {
  const objects = new Map<unknown, number>();
  let out = "";
  const constKey = (c: Const): string => {
    const t = typeKey(c.type);
    if (opts.lifted?.has(c)) return `L:${t}`;
    const v = c.value;
    if (v === null) return `null:${t}`;
    if (typeof v === "object") {
      if ("fn" in v) return `fn ${opts.name(v.fn)}:${t}`;
      if (opts.objects === "identity") return `#${objectId(v.obj as object)}:${t}`;
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
        out += opts.marked?.has(o) ? "=!" : "=";
        const at = o.attrs;
        out += `${o.op}[${at.type ?? ""}|${at.field ?? ""}|${at.callee === undefined ? "" : o.op === "call" ? opts.name(at.callee) : at.callee}](`;
        vals(o.args);
        out += o.loc ? `) ${o.loc.file}:${o.loc.line}:${o.loc.col}\n` : ")\n";
      }
      exit(b.exit);
    }
  }
  return out;
}
