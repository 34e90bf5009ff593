// The benchmark programs of the tiny guest language, in the order bench/tiny/run.ts runs them: each
// has a test-sized guest program (examples/tiny/programs), a bench-sized one (bench/tiny/programs)
// and hand-written TypeScript and C references (bench/tiny/<name>.ts, bench/tiny/<name>.c).

import { reference as fact } from "./fact.ts";
import { reference as fibiter } from "./fibiter.ts";
import { reference as fibrec } from "./fibrec.ts";
import { reference as nested } from "./nested.ts";
import type { TinyReference } from "./reference.ts";
import { reference as sieve } from "./sieve.ts";
import { reference as sum } from "./sum.ts";

export const TINY_BENCHMARKS: readonly TinyReference[] = [sum, fact, fibiter, fibrec, nested, sieve];
