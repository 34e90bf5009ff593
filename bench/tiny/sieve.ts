// Hand-written TypeScript reference of examples/tiny/programs/sieve.tiny: the sieve of
// Eratosthenes over n words of memory; the primes below 100, then the number and the (wrapping)
// sum of the primes below n.

import { runAsScript, type TinyReference } from "./reference.ts";

export function sieve(n: number): string {
  const composite = new Int32Array(n);
  for (let i = 2; Math.imul(i, i) < n; i++) {
    if (composite[i] !== 0) continue;
    for (let j = Math.imul(i, i); j < n; j += i) composite[j] = 1;
  }
  let out = "";
  let count = 0;
  let sum = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i] !== 0) continue;
    count++;
    sum = (sum + i) | 0;
    if (i < 100) out += `${i}\n`;
  }
  return `${out}${count}\n${sum}\n`;
}

export const reference: TinyReference = {
  name: "sieve",
  paramNames: ["n"],
  test: [20000],
  bench: [5000000],
  run: (p) => sieve(p[0] as number),
};

if (import.meta.main) runAsScript(reference);
