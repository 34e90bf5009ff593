// Hand-written TypeScript reference of examples/tiny/programs/fibrec.tiny: recursive Fibonacci,
// fib(0) .. fib(10), then fib(n).

import { runAsScript, type TinyReference } from "./reference.ts";

function fib(n: number): number {
  return n < 2 ? n : (fib(n - 1) + fib(n - 2)) | 0;
}

export function fibrec(n: number): string {
  let out = "";
  for (let k = 0; k <= 10; k++) out += `${fib(k)}\n`;
  return `${out}${fib(n)}\n`;
}

export const reference: TinyReference = {
  name: "fibrec",
  paramNames: ["n"],
  test: [22],
  bench: [32],
  run: (p) => fibrec(p[0] as number),
};

if (import.meta.main) runAsScript(reference);
