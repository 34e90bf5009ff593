// The interpreter's LL program, lowered by the front end once per file per process and shared by
// every mode that needs graphs (llinterp, translated, jit).

import { resolve } from "node:path";
import { lowerInterpreter } from "../front/index.ts";
import type { Program } from "../ir/graph.ts";

const lowered = new Map<string, Program>();

/** The interpreter's LL program, lowered once per file per process. Throws FrontEndError. */
export function loweredProgram(interpPath: string, progress: (step: string) => void = () => {}): Program {
  const path = resolve(interpPath);
  let p = lowered.get(path);
  if (!p) {
    progress(`lowering ${interpPath}`);
    p = lowerInterpreter(path);
    lowered.set(path, p);
  }
  return p;
}
