// Hand-written TypeScript reference of examples/tiny/programs/fact.tiny: fact(0..12) recursively,
// then acc = acc * k % m for k = 1..n, with the guest's 32-bit wrapping.

import { runAsScript, type TinyReference } from "./reference.ts";

function fact(n: number): number {
  return n <= 1 ? 1 : Math.imul(n, fact(n - 1));
}

export function factorials(n: number, m: number): string {
  let out = "";
  for (let k = 0; k <= 12; k++) out += `${fact(k)}\n`;
  let acc = 1;
  for (let k = 1; k <= n; k++) acc = (Math.imul(acc, k) % m) | 0; // | 0: -0 is 0, and stays an int
  return `${out}${acc}\n`;
}

export const reference: TinyReference = {
  name: "fact",
  paramNames: ["n", "m"],
  test: [30000, 65521],
  bench: [20000000, 1000000007],
  run: (p) => factorials(p[0] as number, p[1] as number),
};

if (import.meta.main) runAsScript(reference);
