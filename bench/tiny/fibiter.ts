// Hand-written TypeScript reference of examples/tiny/programs/fibiter.tiny: fib(45) iteratively,
// then fib(n) mod 1000000007 with modular additions.

import { runAsScript, type TinyReference } from "./reference.ts";

function fibmod(n: number, m: number): number {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) {
    const next = ((a + b) | 0) % m;
    a = b;
    b = next;
  }
  return a;
}

export function fibiter(n: number): string {
  return `${fibmod(45, 2147483647)}\n${fibmod(n, 1000000007)}\n`;
}

export const reference: TinyReference = {
  name: "fibiter",
  paramNames: ["n"],
  test: [50000],
  bench: [20000000],
  run: (p) => fibiter(p[0] as number),
};

if (import.meta.main) runAsScript(reference);
