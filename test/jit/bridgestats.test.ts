// JitStats after a run with bridges: bridges are counted, and a bridged run prints what the
// interpreter prints.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { target } from "../../examples/tiny/interp.ts";
import { MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { translate } from "../../src/vm/translate.ts";

const INTERP = join(import.meta.dirname, "../../examples/tiny/interp.ts");
const PROGRAM = join(import.meta.dirname, "../../examples/tiny/programs/sieve.tiny");

test("sieve.tiny with a small budget: bridges in JitStats, the expected output", () => {
  const vm = translate(INTERP, { jit: { threshold: 1, bridgeThreshold: 1, budget: 5 } });
  const io = new MemoryIO();
  withHostIO(io, () => vm.run(target.prepare(readFileSync(PROGRAM, "utf8"), PROGRAM)));
  assert.equal(new TextDecoder().decode(io.bytes()), readFileSync(PROGRAM.replace(/\.tiny$/, ".out"), "utf8"));
  const s = vm.jit?.stats;
  assert.ok(s, "no JIT");
  assert.ok(s.bridges > 0, "no bridge in the stats");
  assert.ok(s.bridges <= 16 * s.compilations, "more bridges than maxBridges allows");
});

test("bridgeThreshold above every exit count: no bridge", () => {
  const vm = translate(INTERP, { jit: { threshold: 1, bridgeThreshold: 1e9, budget: 5 } });
  const io = new MemoryIO();
  withHostIO(io, () => vm.run(target.prepare(readFileSync(PROGRAM, "utf8"), PROGRAM)));
  assert.equal(new TextDecoder().decode(io.bytes()), readFileSync(PROGRAM.replace(/\.tiny$/, ".out"), "utf8"));
  assert.equal(vm.jit?.stats.bridges, 0);
});
