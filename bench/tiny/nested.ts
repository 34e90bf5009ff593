// Hand-written TypeScript reference of examples/tiny/programs/nested.tiny: a checksum over a
// size x size grid, h = (h * 31 + (i * j ^ (i + j))) & 0xffffff, printing the row sum every
// `every` rows, with the guest's 32-bit wrapping.

import { runAsScript, type TinyReference } from "./reference.ts";

export function nested(size: number, every: number): string {
  let out = "";
  let h = 0;
  for (let i = 0; i < size; i++) {
    let row = 0;
    for (let j = 0; j < size; j++) {
      const x = Math.imul(i, j) ^ ((i + j) | 0);
      row = (row + x) | 0;
      h = ((Math.imul(h, 31) + x) | 0) & 0xffffff;
    }
    if (i % every === 0) out += `${row}\n`;
  }
  return `${out}${h}\n`;
}

export const reference: TinyReference = {
  name: "nested",
  paramNames: ["size", "every"],
  test: [150, 30],
  bench: [4000, 400],
  run: (p) => nested(p[0] as number, p[1] as number),
};

if (import.meta.main) runAsScript(reference);
