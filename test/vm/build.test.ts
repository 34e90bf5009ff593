// `unfold build`: the tiny interpreter is built once (through the CLI, in a child process), then
// its loader runs guest programs in child processes with the expected outputs and errors, without
// loading the front end, TypeScript or the JIT (a resolve hook records every module loaded).
// Also: saved modules restore to the same behaviour (trap mapping included), damaged builds and
// usage errors are reported clearly.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { BackendError, compileProgram, instantiateProgramSync } from "../../src/backend/wasm/index.ts";
import { restoreModule, saveModule } from "../../src/backend/wasm/serialize.ts";
import { MemoryIO } from "../../src/hints/index.ts";
import { parseProgram } from "../../src/ir/parse.ts";
import { LLError } from "../../src/llinterp/interp.ts";
import { commandUsage, UsageError } from "../../src/cli/args.ts";
import { buildCommand } from "../../src/cli/commands/build.ts";
import type { BuildManifest } from "../../src/vm/build.ts";
import { loadBuild, runBuild } from "../../src/vm/build.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const INTERP = join(ROOT, "examples/tiny/interp.ts");
const PROGRAMS = join(ROOT, "examples/tiny/programs");

let tmp = "";
let dir = "";
let hook = "";

/** Run node with arguments in the repository root; stdout, stderr and the exit code. */
function node(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("close", (code) => done({ stdout, stderr, code }));
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "unfold-build-"));
  dir = join(tmp, "tiny");
  hook = join(tmp, "trace-hook.mjs");
  writeFileSync(
    hook,
    'import { registerHooks } from "node:module";\n' +
      'import { appendFileSync } from "node:fs";\n' +
      'registerHooks({ resolve(s, c, next) { const r = next(s, c); appendFileSync(process.env.UNFOLD_TRACE, r.url + "\\n"); return r; } });\n',
  );
  const r = await node(["bin/unfold.js", "build", "examples/tiny/interp.ts", "-o", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "", "the build prints nothing on standard output");
  assert.match(r.stderr, /built examples\/tiny\/interp\.ts .*interp\.wasm \(\d+ bytes, \d+ graphs\)/);
  assert.match(r.stderr, /node .*run\.mjs <program>/);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("the build directory holds the .wasm, the program text, the manifest and the loader", () => {
  assert.deepEqual(readdirSync(dir).sort(), ["build.json", "interp.ll", "interp.wasm", "run.mjs"]);
  const bytes = readFileSync(join(dir, "interp.wasm"));
  assert.ok(WebAssembly.validate(bytes), "V8 accepts the .wasm");
  const m = JSON.parse(readFileSync(join(dir, "build.json"), "utf8")) as BuildManifest;
  assert.equal(m.entry, "main");
  assert.equal(m.interp, INTERP);
  // The program text parses on its own and has the entry.
  assert.ok(parseProgram(readFileSync(join(dir, "interp.ll"), "utf8")).graphs.has("main"));
  const b = loadBuild(dir);
  assert.equal(b.compiled.bytes.length, bytes.length);
  assert.equal(b.compiled.sites.length, m.module.sites.length);
});

test("node run.mjs <program>: the expected output, without the front end, TypeScript or the JIT", async () => {
  const cases = [
    ["fact", 0],
    ["sum", 0],
    ["err_divzero", 1],
  ] as const;
  const runs = await Promise.all(
    cases.map(([name]) =>
      node(["--import", hook, join(dir, "run.mjs"), join(PROGRAMS, `${name}.tiny`)], { UNFOLD_TRACE: join(tmp, `trace-${name}.txt`) }),
    ),
  );
  cases.forEach(([name, code], i) => {
    const r = runs[i] as Awaited<ReturnType<typeof node>>;
    assert.equal(r.stdout + r.stderr, readFileSync(join(PROGRAMS, `${name}.out`), "utf8"), name);
    assert.equal(r.code, code, name);
    const loaded = readFileSync(join(tmp, `trace-${name}.txt`), "utf8").split("\n");
    // The hook saw the modules it should (so an empty list below means something).
    assert.ok(loaded.includes(`file://${INTERP}`), "the interpreter module is loaded (for prepare)");
    assert.ok(loaded.some((u) => u.endsWith("/src/backend/wasm/instance.ts")));
    const bad = loaded.filter((u) => /\/node_modules\/typescript\/|\/src\/front\/|\/src\/jit\/|\/src\/pe\//.test(u));
    assert.deepEqual(bad, [], `${name}: no front end, TypeScript, JIT or specializer module is loaded`);
  });
});

test("runBuild runs every tiny program with its expected output", async () => {
  const programs = readdirSync(PROGRAMS).filter((f) => f.endsWith(".tiny"));
  assert.ok(programs.length >= 8);
  for (const p of programs) {
    const io = new MemoryIO();
    const r = await runBuild(dir, join(PROGRAMS, p), { io });
    const got = io.text() + (r.error === undefined ? "" : `${r.error}\n`);
    assert.equal(got, readFileSync(join(PROGRAMS, p.replace(/\.tiny$/, ".out")), "utf8"), p);
    assert.equal(r.exitCode, r.ok ? 0 : 1, p);
  }
});

test("the loader: usage without a program, exit code 2 for a missing program file", async () => {
  const [u, m] = await Promise.all([node([join(dir, "run.mjs")]), node([join(dir, "run.mjs"), join(tmp, "nope.tiny")])]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /^usage: node .*run\.mjs <program>/);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /^error: cannot read .*nope\.tiny/);
});

test("a damaged build is reported, naming the file", async () => {
  const bad = join(tmp, "damaged");
  cpSync(dir, bad, { recursive: true });
  const wasm = readFileSync(join(bad, "interp.wasm"));
  wasm[wasm.length - 1] ^= 1;
  writeFileSync(join(bad, "interp.wasm"), wasm);
  const r = await runBuild(bad, join(PROGRAMS, "fact.tiny"), { io: new MemoryIO() });
  assert.equal(r.exitCode, 2);
  assert.match(r.error ?? "", /interp\.ll: the \.wasm file is not the one this module was saved with/);
  rmSync(join(bad, "build.json"));
  const r2 = await runBuild(bad, join(PROGRAMS, "fact.tiny"), { io: new MemoryIO() });
  assert.equal(r2.exitCode, 2);
  assert.match(r2.error ?? "", /cannot read .*build\.json/);
});

test("unfold build: --help, and a usage error without -o", async () => {
  const help = commandUsage(buildCommand);
  assert.match(help, /^usage: unfold build <interp\.ts> -o <dir>/);
  assert.match(help, /-o, --out=<dir>/);
  assert.match(help, /unfold build examples\/tiny\/interp\.ts -o /);
  assert.match(help, /JIT is not part of the build/);
  await assert.rejects(
    buildCommand.run({ options: new Map(), positionals: ["examples/tiny/interp.ts"] }),
    (e: unknown) => e instanceof UsageError && /missing -o <dir>/.test(e.message),
  );
  assert.match(readFileSync(join(dir, "run.mjs"), "utf8"), /No JIT/);
});

// ---- saveModule / restoreModule on a small program ----------------------------------------------

const SMALL = `
struct P { x: mut i32, next: mut P }
array A = mut i32
message 0 "guest failure"

graph sum -> i32 {
start(%a: A):
  %n: i32 = arraylen<A> %a
  jump loop(0, 0)
loop(%i: i32, %s: i32):
  %c: bool = int_lt %i, %n
  branch %c, body(), done()
body():
  %v: i32 = getitem<A> %a, %i
  %s2: i32 = int_add %s, %v
  %i2: i32 = int_add %i, 1
  jump loop(%i2, %s2)
done():
  return %s
}
graph chain -> i32 {
start(%n: i32):
  %p: P = new<P> %n, P null
  %q: P = getfield<P.next> %p
  %v: i32 = getfield<P.x> %q
  return %v
}
graph fails -> void {
start():
  raise 0
}
`;

test("a restored module behaves as the compiled one: results, checked errors and trap mapping", () => {
  const c = compileProgram(parseProgram(SMALL), { name: "small_saved" });
  const saved = saveModule(c);
  const r = restoreModule(saved, "small.ll");
  assert.equal(r.bytes, c.bytes);
  assert.deepEqual([...r.traps], [...c.traps]);
  assert.deepEqual(
    r.sites.map((s) => s.op?.op ?? null),
    c.sites.map((s) => s.op?.op ?? null),
  );
  const a = instantiateProgramSync(c);
  const b = instantiateProgramSync(r);
  assert.equal(b.call("sum", [[1, 2, 3, 4]]), 10);
  const err = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof LLError, String(e));
      return `${e.kind}: ${e.message}`;
    }
    return "no error";
  };
  for (const [g, args] of [
    ["sum", [null]],
    ["chain", [1]],
    ["fails", []],
  ] as const) {
    const want = err(() => a.call(g, args));
    assert.notEqual(want, "no error");
    assert.equal(
      err(() => b.call(g, args)),
      want,
      g,
    );
  }
  assert.match(
    err(() => b.call("chain", [1])),
    /null reference.*graph 'chain', block 'start', op 2 \(getfield\)/,
  );
});

test("saveModule refuses linked modules; restoreModule checks the layout", () => {
  const c = compileProgram(parseProgram(SMALL));
  const g = c.program.graphs.get("fails");
  assert.ok(g);
  const linked = instantiateProgramSync(c).link([{ ...g, name: "fails_again" }]);
  assert.throws(
    () => saveModule(linked.compiled),
    (e: unknown) => e instanceof BackendError && /linked module/.test(e.message),
  );
  const saved = saveModule(c);
  const other = saved.program.replace("array A = mut i32", "array A = mut f64");
  assert.throws(
    () => restoreModule({ ...saved, program: other }, "other.ll"),
    (e: unknown) => e instanceof BackendError && /other\.ll: the program's type layout differs/.test(e.message),
  );
});
