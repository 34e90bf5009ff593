// The standard host functions: their names (the same as the hint functions in src/hints) and
// LL signatures. Programs call them with `call_host<name>`; L3 and the Wasm VM bind them to the
// implementations in src/hints so that every mode writes to the same place.

import type { Program } from "./graph.ts";
import type { LLType } from "./types.ts";
import { F64, I32, VOID, ref } from "./types.ts";

/** The byte array type used for strings of bytes (Uint8Array in the subset). */
export const BYTES_ARRAY = "Uint8Array";

export const STD_HOSTS: Record<string, { params: LLType[]; result: LLType }> = {
  printInt: { params: [I32], result: VOID },
  printFloat: { params: [F64], result: VOID },
  printChar: { params: [I32], result: VOID },
  printBytes: { params: [ref(BYTES_ARRAY), I32, I32], result: VOID },
  readByte: { params: [], result: I32 },
  timeMs: { params: [], result: F64 },
};

/** Declare the standard host functions (and the byte array type they use) in a program. */
export function declareStdHosts(p: Program): void {
  if (!p.types.has(BYTES_ARRAY)) p.types.set(BYTES_ARRAY, { kind: "array", name: BYTES_ARRAY, item: { kind: "u8" }, mutable: true });
  for (const [name, sig] of Object.entries(STD_HOSTS)) p.hosts.set(name, { name, ...sig });
}
