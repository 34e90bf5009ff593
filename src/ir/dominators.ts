// Dominators of a graph's blocks: the verifier checks that definitions dominate their uses with
// them, and the specializer's cleanup finds natural loops with them.

import type { Block } from "./graph.ts";
import { exitLinks } from "./graph.ts";

/**
 * Immediate dominators of the blocks reachable from `start` (the entry maps to itself), and those
 * blocks in reverse postorder (Cooper, Harvey & Kennedy's iterative algorithm).
 */
export function dominators(start: Block | undefined): { idom: Map<Block, Block>; rpo: Block[] } {
  const order: Block[] = []; // postorder
  const index = new Map<Block, number>();
  const idom = new Map<Block, Block>();
  if (!start) return { idom, rpo: [] };
  const seen = new Set<Block>([start]);
  const stack: { b: Block; next: number }[] = [{ b: start, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { b: Block; next: number };
    const links = exitLinks(top.b.exit);
    if (top.next < links.length) {
      const t = (links[top.next++] as { target: Block }).target;
      if (!seen.has(t)) {
        seen.add(t);
        stack.push({ b: t, next: 0 });
      }
    } else {
      stack.pop();
      index.set(top.b, order.length);
      order.push(top.b);
    }
  }
  const preds = new Map<Block, Block[]>();
  for (const b of order) preds.set(b, []);
  for (const b of order) for (const l of exitLinks(b.exit)) preds.get(l.target)?.push(b);
  idom.set(start, start);
  const intersect = (a: Block, b: Block): Block => {
    while (a !== b) {
      while ((index.get(a) as number) < (index.get(b) as number)) a = idom.get(a) as Block;
      while ((index.get(b) as number) < (index.get(a) as number)) b = idom.get(b) as Block;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const b = order[i] as Block;
      if (b === start) continue;
      let d: Block | undefined;
      for (const p of preds.get(b) ?? []) if (idom.has(p)) d = d ? intersect(p, d) : p;
      if (d && idom.get(b) !== d) {
        idom.set(b, d);
        changed = true;
      }
    }
  }
  return { idom, rpo: order.reverse() };
}

/** Whether block `a` dominates block `b`, given immediate dominators from `dominators`. */
export function dominates(idom: Map<Block, Block>, a: Block, b: Block): boolean {
  for (let x = b; ; ) {
    if (x === a) return true;
    const up = idom.get(x);
    if (!up || up === x) return false;
    x = up;
  }
}
