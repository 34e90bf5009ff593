// `unfold build`: an interpreter translated ahead of time and written to a directory, with a
// loader that runs guest programs on it without the front end. The directory holds
//   <name>.wasm   the module exactly as compileProgram produced it (no JIT entries; the portal
//                 re-enters its loop now and then, see src/jit/reenter.ts),
//   <name>.ll     the interpreter's LL program in the text form (declarations for instantiation),
//   build.json    the manifest: entry, interpreter module, file names, the saved-module record,
//   run.mjs       the loader: `node <dir>/run.mjs <program>`.
// The loader side (loadBuild, runBuild, loaderMain) imports the backend's instantiation code, the
// host functions and the interpreter module (for `target.prepare`), never src/front or TypeScript:
// this file imports the front end only lazily, inside buildInterpreter.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CompiledModule, ModuleStats } from "../backend/wasm/index.ts";
import { compileProgram, instantiateProgramSync } from "../backend/wasm/index.ts";
import type { SavedModule } from "../backend/wasm/serialize.ts";
import { restoreModule, saveModule } from "../backend/wasm/serialize.ts";
import type { HostIO, Target } from "../hints/index.ts";
import { currentIO, flushOutput, GuestError, withHostIO } from "../hints/index.ts";
import { defaultHosts } from "../llinterp/hosts.ts";
import { formatError, LLError } from "../llinterp/interp.ts";

/** The manifest's file name in a build directory. */
export const MANIFEST = "build.json";
/** The loader's file name in a build directory. */
export const LOADER = "run.mjs";
const FORMAT = "unfold-build";

/** build.json: what the loader needs to find and instantiate the module. */
export interface BuildManifest {
  readonly format: typeof FORMAT;
  /** Absolute path of the interpreter's entry module (imported for `target.prepare`). */
  readonly interp: string;
  /** The entry graph the loader calls with prepare()'s results. */
  readonly entry: string;
  /** File names, relative to the build directory. */
  readonly wasm: string;
  readonly program: string;
  readonly module: SavedModule;
}

export interface BuildOptions {
  /** Report slow steps (the CLI shows them on stderr). */
  progress?: (step: string) => void;
}

export interface BuildResult {
  /** Absolute paths of the files written. */
  readonly files: { wasm: string; program: string; manifest: string; loader: string };
  readonly entry: string;
  readonly stats: ModuleStats;
}

/** A build directory or its interpreter could not be used (exit code 2). */
export class BuildError extends Error {
  override name = "BuildError";
}

/** Absolute file URL of this module (the loader imports it). */
const SELF_URL = import.meta.url;

/**
 * Lower and translate an interpreter (without the JIT) and write the build directory `outDir`
 * (created if needed; our files in it are overwritten). Throws FrontEndError for errors in the
 * interpreter's source, BuildError when it has no usable `target` or entry, BackendError.
 */
export async function buildInterpreter(interpFile: string, outDir: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const progress = opts.progress ?? (() => {});
  const interp = resolve(interpFile);
  await loadTarget(interp);
  // The front end (and TypeScript) only here: the loader side of this file must not load it.
  const { loweredProgram } = await import("./lowered.ts");
  const { withReentry } = await import("../jit/reenter.ts");
  const program = loweredProgram(interp, progress);
  const entry = program.entries[0];
  if (entry === undefined) throw new BuildError(`${interpFile}: the interpreter's program has no entry`);
  const name = basename(interp, extname(interp));
  progress(`translating ${interpFile} to Wasm`);
  // A name of its own (V8 shows it in stack traces; trap mapping looks modules up by name). The
  // portal re-enters its loop now and then, so that V8's optimized code takes over (docs/jit.md).
  const compiled = compileProgram(withReentry(program), { name: `${name.replace(/[^\w]/g, "_")}_built` });
  progress(`writing ${outDir}`);
  const saved = saveModule(compiled);
  const dir = resolve(outDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new BuildError(`cannot create the directory ${outDir}: ${(e as Error).message}`);
  }
  const manifest: BuildManifest = {
    format: FORMAT,
    interp,
    entry,
    wasm: `${name}.wasm`,
    program: `${name}.ll`,
    module: saved.meta,
  };
  const files = {
    wasm: join(dir, manifest.wasm),
    program: join(dir, manifest.program),
    manifest: join(dir, MANIFEST),
    loader: join(dir, LOADER),
  };
  try {
    writeFileSync(files.wasm, saved.bytes);
    writeFileSync(files.program, saved.program);
    writeFileSync(files.manifest, manifestText(manifest));
    writeFileSync(files.loader, loaderSource(relative(process.cwd(), interp) || interp));
  } catch (e) {
    throw new BuildError(`cannot write the build to ${dir}: ${(e as Error).message}`);
  }
  return { files, entry, stats: compiled.stats };
}

/** build.json's text: one field a line, the saved-module record (sites, traps, stats) on the last one. */
function manifestText(m: BuildManifest): string {
  const lines = Object.entries(m).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join(",\n")}\n}\n`;
}

/** The loader script: checks Node, then calls loaderMain of this module with its directory. */
function loaderSource(interpShown: string): string {
  return `#!/usr/bin/env node
// Generated by \`unfold build\` from ${interpShown}: runs a guest program with the interpreter
// translated to Wasm (the .wasm beside this file), without unfold's front end or TypeScript.
// No JIT: this is the ahead-of-time translated interpreter.
//   node run.mjs <program>
// It uses unfold's runtime sources and the interpreter module (for its \`target.prepare\`) where
// they were at build time; build.json says where.
if (!process.features.typescript) {
  console.error(\`run.mjs needs a Node that runs TypeScript directly (Node 24, or 22.18 and newer); this is Node \${process.versions.node}\`);
  process.exit(1);
}
const { loaderMain } = await import(${JSON.stringify(SELF_URL)});
process.exitCode = await loaderMain(new URL(".", import.meta.url), process.argv.slice(2));
`;
}

// ---- the loader side --------------------------------------------------------------------------

/** A loaded build: the manifest and the module ready to instantiate. */
export interface LoadedBuild {
  readonly dir: string;
  readonly manifest: BuildManifest;
  readonly compiled: CompiledModule;
}

/** Read a build directory and restore its module (no compilation). Throws BuildError. */
export function loadBuild(dirOrUrl: string | URL): LoadedBuild {
  const dir = typeof dirOrUrl === "string" ? resolve(dirOrUrl) : fileURLToPath(dirOrUrl);
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(dir, file));
    } catch (e) {
      throw new BuildError(`cannot read ${join(dir, file)}: ${(e as Error).message}`);
    }
  };
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(read(MANIFEST).toString("utf8")) as BuildManifest;
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError(`${join(dir, MANIFEST)}: not valid JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== FORMAT || typeof manifest.wasm !== "string" || typeof manifest.program !== "string")
    throw new BuildError(`${join(dir, MANIFEST)}: not a manifest written by unfold build`);
  const bytes = new Uint8Array(read(manifest.wasm));
  const program = read(manifest.program).toString("utf8");
  let compiled: CompiledModule;
  try {
    compiled = restoreModule({ bytes, program, meta: manifest.module }, join(dir, manifest.program));
  } catch (e) {
    throw new BuildError(e instanceof Error ? e.message : String(e));
  }
  if (!compiled.graphs.has(manifest.entry))
    throw new BuildError(`${join(dir, MANIFEST)}: entry '${manifest.entry}' is not a graph of the program`);
  return { dir, manifest, compiled };
}

/** Import an interpreter module and check that it exports `target`. Throws BuildError. */
export async function loadTarget(interp: string): Promise<Target> {
  let mod: { target?: Target };
  try {
    mod = (await import(pathToFileURL(resolve(interp)).href)) as { target?: Target };
  } catch (e) {
    throw new BuildError(`cannot load ${interp}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const t = mod.target;
  if (!t || typeof t.entry !== "function" || typeof t.prepare !== "function")
    throw new BuildError(`${interp}: the interpreter module must export \`target: Target = { entry, prepare }\``);
  return t;
}

/** How a run of a built interpreter ended (as runGuest reports it). */
export interface BuiltRunResult {
  ok: boolean;
  /** The error as every mode prints it (`error: <message>`). */
  error?: string;
  /** 0 success, 1 guest (or interpreter) error, 2 the build or the program could not be loaded, 3 internal error. */
  exitCode: number;
}

/**
 * Run a guest program with a built interpreter: prepare its source with the interpreter module's
 * `target.prepare`, instantiate the module with the standard host functions (output to `io`,
 * default the process's standard I/O) and call the entry. Never throws.
 */
export async function runBuild(dirOrUrl: string | URL, programPath: string, opts: { io?: HostIO } = {}): Promise<BuiltRunResult> {
  const io = opts.io ?? currentIO();
  let build: LoadedBuild;
  let args: unknown[];
  try {
    build = loadBuild(dirOrUrl);
    const target = await loadTarget(build.manifest.interp);
    let source: string;
    try {
      source = readFileSync(programPath, "utf8");
    } catch (e) {
      throw new BuildError(`cannot read ${programPath}: ${(e as Error).message}`);
    }
    try {
      args = target.prepare(source, programPath);
    } catch (e) {
      if (e instanceof GuestError) throw e;
      throw new BuildError(e instanceof Error ? e.message : String(e));
    }
  } catch (e) {
    if (e instanceof GuestError) return { ok: false, error: formatError(e), exitCode: 1 };
    return { ok: false, error: `error: ${e instanceof Error ? e.message : String(e)}`, exitCode: 2 };
  }
  try {
    withHostIO(io, () => {
      const module = instantiateProgramSync(build.compiled, { hosts: defaultHosts() });
      module.call(build.manifest.entry, args);
    });
    return { ok: true, exitCode: 0 };
  } catch (e) {
    const exitCode = e instanceof GuestError || e instanceof LLError ? 1 : 3;
    return { ok: false, error: formatError(e), exitCode };
  }
}

/** The loader script's main: `run.mjs <program>`; returns the exit code. */
export async function loaderMain(dirOrUrl: string | URL, argv: readonly string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] === "--help" || argv[0] === "-h") {
    const dir = typeof dirOrUrl === "string" ? dirOrUrl : fileURLToPath(dirOrUrl);
    const usage =
      `usage: node ${join(relative(process.cwd(), dir) || ".", LOADER)} <program>\n\n` +
      "Runs a guest program with the interpreter that `unfold build` translated to Wasm in this directory\n" +
      "(ahead of time, no JIT). Guest output goes to standard output, a guest error to standard error as\n" +
      "`error: <message>`. Exit codes: 0 success, 1 guest error, 2 usage or loading error.\n";
    const help = argv[0] === "--help" || argv[0] === "-h";
    (help ? process.stdout : process.stderr).write(usage);
    return help ? 0 : 2;
  }
  const r = await runBuild(dirOrUrl, argv[0] as string);
  flushOutput();
  if (r.error !== undefined) process.stderr.write(`${r.error}\n`);
  return r.exitCode;
}
