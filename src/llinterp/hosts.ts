// Host functions for L3: the standard host functions of src/ir/hosts.ts bound to their
// implementations in src/hints, so that a program run on L3 writes to (and reads from) the same
// HostIO as the interpreter run untranslated (`withHostIO`, MemoryIO in tests).

import { BYTES_ARRAY } from "../ir/hosts.ts";
import { printBytes, printChar, printFloat, printInt, readByte, timeMs } from "../hints/index.ts";
import type { Heap, HeapRef, LLValue } from "./heap.ts";

/** A host function as L3 calls it: the heap (to read objects passed in) and the argument values. Void hosts return null. */
export type HostImpl = (heap: Heap, args: LLValue[]) => LLValue;

/** The bytes of a heap byte array, without copying when the heap already keeps a Uint8Array. */
function bytesOf(heap: Heap, arr: LLValue): Uint8Array {
  if (arr === null) throw new Error("null byte array");
  if (arr instanceof Uint8Array) return arr;
  const ref = arr as HeapRef;
  const n = heap.length(ref, BYTES_ARRAY);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = heap.getItem(ref, BYTES_ARRAY, i) as number;
  return out;
}

/** The standard host functions, by name. */
export function defaultHosts(): Map<string, HostImpl> {
  const impls: Record<string, HostImpl> = {
    printInt(_h, a) {
      printInt(a[0] as number);
      return null;
    },
    printFloat(_h, a) {
      printFloat(a[0] as number);
      return null;
    },
    printChar(_h, a) {
      printChar(a[0] as number);
      return null;
    },
    printBytes(h, a) {
      printBytes(bytesOf(h, a[0] as LLValue), a[1] as number, a[2] as number);
      return null;
    },
    readByte: () => readByte(),
    timeMs: () => timeMs(),
  };
  return new Map(Object.entries(impls));
}
