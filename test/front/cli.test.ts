// The `unfold` command line: help, usage errors with exit code 2, `graphs` (the text form, or
// the front end's diagnostics with exit code 2) — run in-process through main() with standard
// output captured — and `run` in the untranslated and llinterp modes as a user runs it
// (node bin/unfold.js: guest output on stdout, a guest error on stderr with exit code 1).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.ts";

const ROOT = join(import.meta.dirname, "../..");
const TINY = join(ROOT, "examples/tiny");

/** Run main() with process.stdout/stderr writes captured. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = process.stdout.write;
  const e = process.stderr.write;
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  }) as typeof o;
  process.stderr.write = ((s: string) => {
    err += s;
    return true;
  }) as typeof e;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

function spawnUnfold(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/unfold.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("help: unfold --help and <command> --help", async () => {
  const r = await cli("--help");
  assert.equal(r.code, 0);
  assert.match(r.out, /usage: unfold <command>/);
  assert.match(r.out, /\brun\b/);
  assert.match(r.out, /\bgraphs\b/);
  for (const c of ["run", "graphs"]) {
    const h = await cli(c, "--help");
    assert.equal(h.code, 0);
    assert.match(h.out, new RegExp(`usage: unfold ${c} `));
    assert.match(h.out, /options:/);
    assert.match(h.out, /examples:/);
  }
});

test("usage errors: unknown command, unknown option, missing argument, unknown mode (exit code 2)", async () => {
  const a = await cli("frobnicate");
  assert.equal(a.code, 2);
  assert.match(a.err, /unknown command 'frobnicate'/);
  assert.match(a.err, /usage: unfold/);
  const b = await cli("run", "--bogus", "x", "y");
  assert.equal(b.code, 2);
  assert.match(b.err, /unknown option '--bogus'/);
  assert.match(b.err, /usage: unfold run/);
  const c = await cli("graphs");
  assert.equal(c.code, 2);
  assert.match(c.err, /missing <interp.ts>/);
  const d = await cli("run", "--mode=sideways", join(TINY, "interp.ts"), join(TINY, "programs/fact.tiny"));
  assert.equal(d.code, 2);
  assert.match(d.err, /unknown mode 'sideways'/);
});

test("graphs: the text form, or diagnostics with exit code 2", async () => {
  const g = await cli("graphs", "--graph=binary", join(TINY, "interp.ts"));
  assert.equal(g.code, 0, g.err);
  assert.match(g.out, /^graph binary -> i32 \{/);
  assert.match(g.out, /int_add %a, %b/);
  const all = await cli("graphs", join(TINY, "interp.ts"));
  assert.match(all.out, /^graph interpret -> i32 \[portal\] \{$/m);
  const bad = await cli("graphs", join(ROOT, "test/front/no-such-interp.ts"));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no-such-interp.ts:1:1: error: cannot read the interpreter/);
});

test("run: guest output on stdout, a guest error on stderr (exit 1), the same in both modes", () => {
  const ok = spawnUnfold("run", "--mode=llinterp", "examples/tiny/interp.ts", "examples/tiny/programs/fact.tiny");
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^1\n1\n2\n6\n24\n/);
  for (const mode of ["untranslated", "llinterp"]) {
    const bad = spawnUnfold("run", `--mode=${mode}`, "examples/tiny/interp.ts", "examples/tiny/programs/err_divzero.tiny");
    assert.equal(bad.code, 1, mode);
    assert.equal(bad.err, "error: division by zero\n");
    assert.match(bad.out, /^20\n/);
  }
});
