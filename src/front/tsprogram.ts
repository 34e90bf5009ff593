// Loading an interpreter with the TypeScript compiler API: one ts.Program rooted at the entry
// file, with fixed compiler options (strict; the standard library only, no Node typings: code that
// is translated cannot use Node, and host code is checked by the user's own tsc). Parsed files of
// the standard library are cached for the life of the process, so loading many small interpreters
// (tests) pays for parsing the library once.

import { realpathSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  // ES2015's library only (parsing the whole ES2023 library costs a third more): translated code
  // needs Math, typed arrays and Array; host code is type-checked by the user's own tsc.
  lib: ["lib.es2015.d.ts"],
  types: [],
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
};

/** The hints module (src/hints/index.ts), as a real path: what interpreters import. */
export const HINTS_FILE: string = realpathSync(fileURLToPath(new URL("../hints/index.ts", import.meta.url)));

const libCache = new Map<string, ts.SourceFile>();
const hintsCache = new Map<string, ts.SourceFile>();

function createHost(): ts.CompilerHost {
  const host = ts.createCompilerHost(COMPILER_OPTIONS, true);
  const base = host.getSourceFile.bind(host);
  const libDir = dirname(ts.getDefaultLibFilePath(COMPILER_OPTIONS));
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const cacheable = fileName.startsWith(libDir) ? libCache : fileName === HINTS_FILE ? hintsCache : null;
    if (!cacheable) return base(fileName, languageVersion, onError, shouldCreate);
    const hit = cacheable.get(fileName);
    if (hit) return hit;
    const sf = base(fileName, languageVersion, onError, shouldCreate);
    if (sf) cacheable.set(fileName, sf);
    return sf;
  };
  return host;
}

/** A ts.Program holding the interpreters whose entry modules are given (absolute paths). */
export function loadProgram(entryFiles: readonly string[]): ts.Program {
  return ts.createProgram(entryFiles, COMPILER_OPTIONS, createHost());
}

/** Is this a file of the user's code (not the standard library, not a .d.ts, not the hints module)? */
export function isUserFile(sf: ts.SourceFile): boolean {
  return !sf.isDeclarationFile && !isHintsFile(sf);
}

export function isHintsFile(sf: ts.SourceFile): boolean {
  return sf.fileName === HINTS_FILE || safeRealpath(sf.fileName) === HINTS_FILE;
}

const realpaths = new Map<string, string>();
function safeRealpath(f: string): string {
  let r = realpaths.get(f);
  if (r === undefined) {
    try {
      r = realpathSync(f);
    } catch {
      r = f;
    }
    realpaths.set(f, r);
  }
  return r;
}

/** Is this declaration part of the standard library (lib.*.d.ts)? */
export function isLibDeclaration(node: ts.Node): boolean {
  const sf = node.getSourceFile();
  return sf.isDeclarationFile && /[\\/]lib\.[\w.]*d\.ts$/.test(sf.fileName);
}
