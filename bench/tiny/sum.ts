// Hand-written TypeScript reference of examples/tiny/programs/sum.tiny: 1 + 2 + ... + n and the
// sum of squares modulo 1000003, with the guest's 32-bit wrapping.

import { runAsScript, type TinyReference } from "./reference.ts";

export function sum(n: number): string {
  let s = 0;
  let sq = 0;
  for (let i = 1; i <= n; i++) {
    s = (s + i) | 0;
    sq = (((sq + Math.imul(i, i)) | 0) % 1000003) | 0; // | 0: -0 (a negative multiple) is 0, and stays an int
  }
  return `${s}\n${sq}\n`;
}

export const reference: TinyReference = {
  name: "sum",
  paramNames: ["n"],
  test: [20000],
  bench: [10000000],
  run: (p) => sum(p[0] as number),
};

if (import.meta.main) runAsScript(reference);
