// The hand-written references of the tiny benchmarks print what the guest programs print: the
// TypeScript versions (bench/tiny/<prog>.ts) and, when gcc is installed, the C versions
// (bench/tiny/<prog>.c, gcc -O2), with the test-sized parameters (examples/tiny/programs/*.out)
// and the bench-sized ones (bench/tiny/programs/*.out).

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { CBuilds, runTimedC } from "../../bench/lib/c.ts";
import { gccVersion } from "../../bench/lib/machine.ts";
import { TINY_BENCHMARKS } from "../../bench/tiny/index.ts";

const ROOT = join(import.meta.dirname, "../..");
const SIZES = [
  { size: "test", dir: "examples/tiny/programs", params: (r: (typeof TINY_BENCHMARKS)[number]) => r.test },
  { size: "bench", dir: "bench/tiny/programs", params: (r: (typeof TINY_BENCHMARKS)[number]) => r.bench },
] as const;

function expected(dir: string, name: string): string {
  return readFileSync(join(ROOT, dir, `${name}.out`), "utf8");
}

test("every bench-sized guest program has a reference, and the reverse", () => {
  const programs = readdirSync(join(ROOT, "bench/tiny/programs"))
    .filter((f) => f.endsWith(".tiny"))
    .map((f) => f.slice(0, -".tiny".length))
    .sort();
  assert.deepEqual(programs, TINY_BENCHMARKS.map((r) => r.name).sort());
  for (const r of TINY_BENCHMARKS) {
    assert.ok(existsSync(join(ROOT, "bench/tiny/programs", `${r.name}.out`)), `bench/tiny/programs/${r.name}.out is missing`);
    assert.ok(existsSync(join(ROOT, "examples/tiny/programs", `${r.name}.tiny`)), `examples/tiny/programs/${r.name}.tiny is missing`);
    assert.ok(existsSync(join(ROOT, "bench/tiny", `${r.name}.c`)), `bench/tiny/${r.name}.c is missing`);
    assert.equal(r.test.length, r.paramNames.length, `${r.name}: test parameters`);
    assert.equal(r.bench.length, r.paramNames.length, `${r.name}: bench parameters`);
  }
});

for (const r of TINY_BENCHMARKS)
  for (const s of SIZES)
    test(`${r.name} (TS, ${s.size} size)`, () => {
      assert.equal(r.run(s.params(r)), expected(s.dir, r.name));
    });

const gcc = gccVersion();
const builds = new CBuilds();
after(() => builds.dispose());

for (const r of TINY_BENCHMARKS)
  for (const s of SIZES)
    test(`${r.name} (C, ${s.size} size)`, { skip: gcc === null ? "gcc not found: C references not checked" : false }, () => {
      const exe = builds.build(join(ROOT, "bench/tiny", `${r.name}.c`));
      const run = runTimedC(exe, s.params(r).map(String));
      assert.equal(run.output, expected(s.dir, r.name));
      assert.ok(run.ms >= 0);
    });
