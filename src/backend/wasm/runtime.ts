// The JS side of a translated module's failures. Checked failures arrive through the runtime
// imports (`__error`, `raise_*`) with a site id; null dereferences and allocation failures arrive
// as Wasm traps, mapped back to their site through the trap's code offset (V8 reports it in the
// stack, with the module's name). Either way the result is the LLError L3 would throw: the same
// kind and reason, the same graph/block/op (only the call stack is not recorded).

import { GuestError } from "../../hints/index.ts";
import type { LLValue } from "../../llinterp/heap.ts";
import { LLError } from "../../llinterp/interp.ts";
import { ERR } from "./lower.ts";
import type { Site, TrapSite } from "./lower.ts";
import type { CompiledModule } from "./module.ts";

/** Per-module failure data, by module name (the name V8 puts in stack traces). */
interface ModuleRecord {
  readonly sites: Site[];
  readonly traps: Map<number, TrapSite>;
}
const registry = new Map<string, ModuleRecord>();

export function registerModule(c: CompiledModule): void {
  registry.set(c.name, { sites: c.sites, traps: c.traps });
}

/** Forget a module's failure data (when its code is gone). */
export function unregisterModule(name: string): void {
  registry.delete(name);
}

/** How runtime errors describe values (as L3's messages do). */
export interface ValueDescriber {
  /** The LL type name of a heap object (for raised objects). */
  typeName(obj: object): string;
  /** The LL type name for a type id (what the module's __typeid returns; -1 for none). */
  typeNameById(id: number): string;
  /** The graph name of a function reference (a Wasm function seen from JS). */
  fnName(f: unknown): string | null;
  readonly messages: readonly string[];
}

function err(c: CompiledModule, kind: ConstructorParameters<typeof LLError>[0], reason: string, site: number, value?: LLValue): LLError {
  const s = c.sites[site];
  return new LLError(kind, reason, s ? s.frame : null, value);
}

function raiseError(c: CompiledModule, site: number, value: LLValue, shown: string, d: ValueDescriber): LLError {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < d.messages.length)
    return err(c, "guest", d.messages[value] as string, site, value);
  return err(c, "raise", `unhandled raise of ${shown}`, site, value);
}

/** The "rt" import object of a module: its error and raise functions, bound to its sites. */
export function runtimeImports(c: CompiledModule, d: ValueDescriber): Record<string, (...a: never[]) => never> {
  const error = (kind: number, site: number, a: number, b: number, x: number): never => {
    const s = c.sites[site];
    switch (kind) {
      case ERR.bounds:
        throw err(c, "bounds", `index ${a} out of bounds for array of length ${b}`, site);
      case ERR.negativeLength:
        throw err(c, "negative length", `negative array length ${a}`, site);
      case ERR.divisionByZero:
        throw err(c, "division by zero", "division by zero", site);
      case ERR.overflow:
        throw err(c, "integer overflow", "integer overflow", site);
      case ERR.cast: {
        const target = s?.op?.attrs.type ?? "?";
        throw err(c, "cast", `cannot cast an object of type '${d.typeNameById(a)}' to '${target}'`, site);
      }
      case ERR.copyNegative:
        throw err(c, "bounds", `arraycopy of negative length ${a}`, site);
      case ERR.copySource:
        throw err(c, "bounds", `arraycopy source range [${a}, ${a + b}) out of bounds for array of length ${x}`, site);
      case ERR.copyDest:
        throw err(c, "bounds", `arraycopy destination range [${a}, ${a + b}) out of bounds for array of length ${x}`, site);
      default:
        throw err(c, "internal", `internal error: unknown runtime error kind ${kind}`, site);
    }
  };
  return {
    error: error as (...a: never[]) => never,
    raise_i32: ((v: number, site: number): never => {
      throw raiseError(c, site, v, String(v), d);
    }) as (...a: never[]) => never,
    raise_bool: ((v: number, site: number): never => {
      throw raiseError(c, site, v !== 0, String(v !== 0), d);
    }) as (...a: never[]) => never,
    raise_i64: ((v: bigint, site: number): never => {
      throw raiseError(c, site, v, `${v}n`, d);
    }) as (...a: never[]) => never,
    raise_f64: ((v: number, site: number): never => {
      throw raiseError(c, site, v, String(v), d);
    }) as (...a: never[]) => never,
    raise_ref: ((v: object | null, site: number): never => {
      throw raiseError(c, site, v as LLValue, v === null ? "null" : `a '${d.typeName(v)}' object`, d);
    }) as (...a: never[]) => never,
    raise_fn: ((v: unknown, site: number): never => {
      const n = v === null ? null : d.fnName(v);
      throw raiseError(c, site, n === null ? null : { fn: n }, v === null ? "null" : `a reference to graph '${n ?? "?"}'`, d);
    }) as (...a: never[]) => never,
  };
}

/** Wrap a host function's failure as L3 does: LLErrors pass, guest errors stay guest errors. */
export function hostFailure(name: string, e: unknown): LLError {
  if (e instanceof LLError) return e;
  if (e instanceof GuestError) return new LLError("guest", e.message, null);
  return new LLError("host", `host function '${name}' failed: ${e instanceof Error ? e.message : String(e)}`, null);
}

interface WasmFrame {
  readonly url: string;
  readonly offset: number;
}

/** The top frame of an error's stack, if it is a Wasm frame (read through V8's structured call sites). */
function topWasmFrame(e: Error): WasmFrame | null {
  const saved = Error.prepareStackTrace;
  let frames: WasmFrame[] = [];
  try {
    Error.prepareStackTrace = (_err, cs) =>
      cs.map((c) => ({ url: c.getScriptNameOrSourceURL() ?? "", offset: (c as unknown as { getPosition(): number }).getPosition() }));
    const st = e.stack as unknown;
    if (Array.isArray(st)) frames = st as WasmFrame[];
  } catch {
    frames = [];
  } finally {
    Error.prepareStackTrace = saved;
  }
  const top = frames[0];
  if (top?.url.startsWith("wasm://")) return top;
  // Fallback: parse the formatted stack text.
  const m = /\((wasm:\/\/wasm\/[^:)]+):wasm-function\[\d+\]:0x([0-9a-f]+)\)/.exec(String(e.stack ?? ""));
  return m ? { url: m[1] as string, offset: Number.parseInt(m[2] as string, 16) } : null;
}

/**
 * Turn whatever a translated module threw into what L3 would have thrown: LLErrors pass through,
 * Wasm traps become LLErrors at their site, JS stack exhaustion becomes "stack overflow".
 */
export function convertError(e: unknown): unknown {
  if (e instanceof LLError) return e;
  if (e instanceof WebAssembly.RuntimeError) {
    const f = topWasmFrame(e);
    let rec: ModuleRecord | undefined;
    let trap: TrapSite | undefined;
    if (f) {
      const name = /^wasm:\/\/wasm\/(.*)-[0-9a-f]+$/.exec(f.url)?.[1];
      rec = name === undefined ? undefined : registry.get(name);
      trap = rec?.traps.get(f.offset);
    }
    const frame = trap && rec ? (rec.sites[trap.site]?.frame ?? null) : null;
    const msg = e.message;
    if (/null/.test(msg)) return new LLError("null reference", `null reference (${trap?.what ?? "wasm trap"})`, frame, undefined, e);
    if (/too large|allocation|out of memory/i.test(msg))
      return new LLError("out of memory", `cannot allocate an array (${msg})`, frame, undefined, e);
    return new LLError("internal", `internal error: Wasm trap: ${msg}`, frame, undefined, e);
  }
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return new LLError("stack overflow", "stack overflow (JS call stack exhausted)", null, undefined, e);
  return e;
}
