// Saving a translated module and restoring it without compiling again: the .wasm bytes are kept
// as compileProgram produced them, the program goes in the LL text form (src/ir/print.ts), and
// what instantiation needs besides (module name, failure sites, trap map, layout options, stats)
// goes in a JSON-able record. `restoreModule` rebuilds the CompiledModule from the three: it
// parses the program, recomputes the layout (deterministic from the declarations) and checks that
// it is the one the bytes were compiled with, and finds each site's op again in the parsed graphs.
// Nothing here loads the front end or TypeScript.

import { createHash } from "node:crypto";
import type { Graph, Op, Program } from "../../ir/graph.ts";
import { parseProgram } from "../../ir/parse.ts";
import { printProgram } from "../../ir/print.ts";
import type { FrameInfo } from "../../llinterp/interp.ts";
import type { Site, TrapSite } from "./lower.ts";
import type { CompiledModule, ModuleStats } from "./module.ts";
import type { LayoutOptions } from "./types.ts";
import { BackendError, Layout } from "./types.ts";

/** Version of the SavedModule record; restoreModule refuses others. */
export const SAVED_MODULE_VERSION = 1;

/** A failure site: its place, and where its op is (block index in the graph, op index), if any. */
export interface SavedSite {
  readonly frame: FrameInfo;
  /** Index of the site's block in its graph's `blocks`, or -1 for a site with no op (an exit). */
  readonly block: number;
}

/** Everything instantiation needs besides the bytes and the program text (JSON-able). */
export interface SavedModule {
  readonly version: number;
  /** The module's name (in its name section; V8 shows it in trap stack traces). */
  readonly name: string;
  /** SHA-256 of the .wasm bytes, hex. */
  readonly sha256: string;
  /** The layout options the module was compiled with. */
  readonly layoutOptions: LayoutOptions;
  /** A digest of the layout (type indices, field slots), to check the recomputed one. */
  readonly layoutKey: string;
  readonly sites: SavedSite[];
  /** [byte offset, trap site] pairs. */
  readonly traps: [number, TrapSite][];
  readonly stats: ModuleStats;
}

/** The three parts of a saved module. */
export interface SavedParts {
  readonly bytes: Uint8Array;
  /** The program in the LL text form. */
  readonly program: string;
  readonly meta: SavedModule;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A digest of a layout: the rec group (its types and names, in order) and every struct's field slots. */
export function layoutKey(layout: Layout): string {
  const parts: string[] = [JSON.stringify(layout.group), layout.groupNames.join("\u0000")];
  for (const s of [...layout.structs.values()].sort((a, b) => a.typeIdx - b.typeIdx))
    parts.push(`${s.typeIdx} ${s.name} ${s.hiddenSlot ? "hidden" : ""} ${s.fields.map((f) => `${f.name}@${f.index}`).join(",")}`);
  for (const a of [...layout.arrays.values()].sort((x, y) => x.typeIdx - y.typeIdx)) parts.push(`${a.typeIdx} ${a.name}`);
  return sha256(new TextEncoder().encode(parts.join("\n")));
}

/**
 * Save a module made by compileProgram. `layoutOptions` must be those given to compileProgram
 * (default none). Throws BackendError for what cannot be saved: linked modules, and modules
 * with heap object constants (only JIT code has them).
 */
export function saveModule(c: CompiledModule, layoutOptions: LayoutOptions = {}): SavedParts {
  if (c.linked) throw new BackendError(`module ${c.name}: a linked module (JIT code) cannot be saved, only a translated program`);
  if (c.objects.length > 0)
    throw new BackendError(`module ${c.name}: it imports ${c.objects.length} heap object constant(s), which cannot be saved`);
  const sites: SavedSite[] = c.sites.map((s, id) => {
    if (s.op === null) return { frame: s.frame, block: -1 };
    const g = c.program.graphs.get(s.frame.graph);
    const block = g ? g.blocks.findIndex((b) => b.ops[s.frame.opIndex] === s.op) : -1;
    if (block < 0) throw new BackendError(`module ${c.name}: failure site ${id} (graph '${s.frame.graph}'): its op is not in the program`);
    return { frame: s.frame, block };
  });
  return {
    bytes: c.bytes,
    program: printProgram(c.program),
    meta: {
      version: SAVED_MODULE_VERSION,
      name: c.name,
      sha256: sha256(c.bytes),
      layoutOptions,
      layoutKey: layoutKey(c.layout),
      sites,
      traps: [...c.traps.entries()],
      stats: c.stats,
    },
  };
}

/**
 * Rebuild a CompiledModule from its saved parts (for instantiateProgramSync), checking that they
 * belong together. `where` names the files in error messages. Throws BackendError or ParseError.
 */
export function restoreModule(parts: SavedParts, where = "<saved module>"): CompiledModule {
  const m = parts.meta;
  if (m.version !== SAVED_MODULE_VERSION)
    throw new BackendError(`${where}: saved module format version ${m.version}, this unfold reads version ${SAVED_MODULE_VERSION}`);
  if (sha256(parts.bytes) !== m.sha256)
    throw new BackendError(`${where}: the .wasm file is not the one this module was saved with (its SHA-256 differs)`);
  const program: Program = parseProgram(parts.program, where);
  const layout = new Layout(program, m.layoutOptions);
  if (layoutKey(layout) !== m.layoutKey)
    throw new BackendError(`${where}: the program's type layout differs from the one the .wasm was compiled with`);
  const sites: Site[] = m.sites.map((s, id) => ({ frame: s.frame, op: s.block < 0 ? null : findOp(program, s, id, where) }));
  return {
    name: m.name,
    program,
    layout,
    bytes: parts.bytes,
    stats: m.stats,
    graphs: new Map<string, Graph>(program.graphs),
    sites,
    traps: new Map(m.traps),
    objects: [],
    importedGraphs: [],
    lifted: [],
    linked: false,
  };
}

function findOp(p: Program, s: SavedSite, id: number, where: string): Op {
  const op = p.graphs.get(s.frame.graph)?.blocks[s.block]?.ops[s.frame.opIndex];
  if (!op || op.op !== s.frame.op)
    throw new BackendError(
      `${where}: failure site ${id} (graph '${s.frame.graph}', block ${s.block}, op ${s.frame.opIndex}) is not a '${s.frame.op}' op of the program`,
    );
  return op;
}
