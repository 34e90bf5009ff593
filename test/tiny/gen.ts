// A seeded generator of random tiny programs (text form) for differential testing. Programs are
// structured — arithmetic on locals, nested ifs, bounded loops, calls to generated functions
// (acyclic, plus bounded recursion), prints, guest memory — and always terminate: loops count to
// small constants, calls only go to later functions or recurse on a decreasing counter, and each
// function's worst-case instruction count is bounded when it is generated. Some programs divide by
// a value that may be zero, or address memory out of range, and so end in a guest error.

/** A small fast PRNG (mulberry32): the same seed gives the same program on every machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
}

export interface GenOptions {
  /** Most generated functions besides main. */
  maxFunctions?: number;
  /** Worst-case instructions one call of a function may execute. */
  budget?: number;
  /** Probability that a division's divisor is unguarded (may be zero). */
  riskyDivision?: number;
  /** Probability that a recursive call's depth argument is unbounded. */
  riskyRecursion?: number;
}

const MEMORY = 16;
const BINOPS = ["add", "sub", "mul", "and", "or", "xor", "shl", "shr", "lt", "le", "eq", "ne", "gt", "ge", "div", "mod"] as const;
const CONSTS = [0, 1, 2, 3, -1, 7, 10, 100, 255, 1000, -1000, 65535, 2147483647, -2147483648, 123456789];

interface FuncSig {
  name: string;
  nargs: number;
  /** Worst-case instructions of one call. */
  cost: number;
  /** A bounded recursive function: its first argument is the remaining depth. */
  recursive: boolean;
}

/** Code of one function being generated, with its worst-case cost. */
class FuncGen {
  readonly lines: string[] = [];
  private labels = 0;
  cost = 0;
  readonly rng: Rng;
  readonly sig: FuncSig;
  /** Functions it may call. */
  readonly callees: readonly FuncSig[];
  /** Locals holding values: arguments and variables (loop counters come after them). */
  readonly nvalues: number;
  readonly opts: Required<GenOptions>;
  constructor(rng: Rng, sig: FuncSig, callees: readonly FuncSig[], nvalues: number, opts: Required<GenOptions>) {
    this.rng = rng;
    this.sig = sig;
    this.callees = callees;
    this.nvalues = nvalues;
    this.opts = opts;
  }

  label(base: string): string {
    return `${base}${this.labels++}`;
  }
  emit(ins: string, mult: number): void {
    this.lines.push(`    ${ins}`);
    this.cost += mult;
  }
  place(label: string): void {
    this.lines.push(`${label}:`);
  }

  /** Push one value; `mult` is how many times this code may run per call. */
  expr(depth: number, mult: number): void {
    const r = this.rng;
    const k = depth <= 0 ? r.int(0, 1) : r.int(0, 9);
    switch (k) {
      case 0:
        this.emit(`push ${r.chance(0.6) ? r.int(-20, 20) : r.pick(CONSTS)}`, mult);
        return;
      case 1:
        this.emit(`get ${r.int(0, this.nvalues - 1)}`, mult);
        return;
      case 2:
      case 3:
      case 4:
      case 5: {
        const op = r.pick(BINOPS);
        const swapped = r.chance(0.15);
        // a op b, or b a swap op
        if (swapped) {
          this.divisor(op, depth, mult);
          this.expr(depth - 1, mult);
          this.emit("swap", mult);
        } else {
          this.expr(depth - 1, mult);
          if (r.chance(0.1)) {
            this.emit("dup", mult);
            this.emit("pop", mult);
          }
          this.divisor(op, depth, mult);
          if (r.chance(0.1)) {
            this.emit("over", mult);
            this.emit("pop", mult);
          }
        }
        this.emit(op, mult);
        return;
      }
      case 6:
        this.expr(depth - 1, mult);
        if (r.chance(0.5)) this.emit("neg", mult);
        else {
          this.emit("dup", mult);
          this.emit("mul", mult);
        }
        return;
      case 7:
        this.address(depth, mult);
        this.emit("aload", mult);
        return;
      default:
        if (!this.call(depth, mult)) this.emit(`get ${r.int(0, this.nvalues - 1)}`, mult);
    }
  }

  /** The right operand of `op` (for div and mod, usually made nonzero). */
  private divisor(op: string, depth: number, mult: number): void {
    this.expr(depth - 1, mult);
    if ((op === "div" || op === "mod") && !this.rng.chance(this.opts.riskyDivision)) {
      this.emit("push 7", mult);
      this.emit("and", mult);
      this.emit("push 1", mult);
      this.emit("add", mult);
    }
  }

  /** A memory address: usually masked into range. */
  private address(depth: number, mult: number): void {
    this.expr(depth - 1, mult);
    if (!this.rng.chance(0.005)) {
      this.emit(`push ${MEMORY - 1}`, mult);
      this.emit("and", mult);
    }
  }

  /** Push the result of a call to an allowed callee within budget; false if there is none. */
  private call(depth: number, mult: number): boolean {
    // a recursive callee may run up to the call depth limit when its depth is not masked
    const worst = (c: FuncSig) => (c.recursive ? (c.cost / 16) * 401 : c.cost);
    const ok = this.callees.filter((c) => this.cost + mult * worst(c) + 50 <= this.opts.budget);
    if (ok.length === 0) return false;
    const c = this.rng.pick(ok);
    for (let i = 0; i < c.nargs; i++) {
      if (i === 0 && c.recursive) {
        // the depth: masked to 0..15, or rarely unbounded (then the call depth limit may be hit)
        this.expr(depth - 1, mult);
        if (!this.rng.chance(this.opts.riskyRecursion)) {
          this.emit("push 15", mult);
          this.emit("and", mult);
        }
      } else this.expr(Math.min(depth - 1, 1), mult);
    }
    this.emit(`call ${c.name}`, mult);
    this.cost += mult * worst(c);
    return true;
  }

  /** Statements at nesting `depth`, inside `loops` enclosing loops, each run up to `mult` times. */
  block(n: number, depth: number, loops: number, mult: number): void {
    for (let i = 0; i < n; i++) this.stmt(depth, loops, mult);
  }

  stmt(depth: number, loops: number, mult: number): void {
    const r = this.rng;
    const k = depth <= 0 ? r.int(0, 3) : r.int(0, 8);
    switch (k) {
      case 0:
      case 1: {
        this.expr(r.int(1, 3), mult);
        const v = this.sig.recursive ? r.int(1, this.nvalues - 1) : r.int(0, this.nvalues - 1);
        this.emit(`set ${v}`, mult);
        return;
      }
      case 2:
        this.expr(r.int(1, 3), mult);
        if (r.chance(0.15)) {
          this.emit("push 63", mult);
          this.emit("and", mult);
          this.emit("push 32", mult);
          this.emit("add", mult);
          this.emit("printc", mult);
        } else this.emit("print", mult);
        return;
      case 3:
        this.address(2, mult);
        this.expr(2, mult);
        this.emit("astore", mult);
        return;
      case 4:
      case 5: {
        const els = this.label("else");
        const end = this.label("endif");
        this.expr(r.int(1, 3), mult);
        this.emit(r.chance(0.5) ? `jz ${els}` : `jnz ${els}`, mult);
        this.block(r.int(1, 3), depth - 1, loops, mult);
        if (r.chance(0.2) && !this.sig.recursive) {
          this.expr(1, mult);
          this.emit("ret", mult);
        }
        this.emit(`jump ${end}`, mult);
        this.place(els);
        if (r.chance(0.6)) this.block(r.int(1, 2), depth - 1, loops, mult);
        this.place(end);
        return;
      }
      case 6:
      case 7: {
        if (loops >= 2) {
          this.stmt(0, loops, mult);
          return;
        }
        const counter = this.nvalues + loops;
        const times = r.int(1, 8);
        const top = this.label("loop");
        const end = this.label("done");
        const inner = mult * times;
        this.emit("push 0", mult);
        this.emit(`set ${counter}`, mult);
        if (r.chance(0.5)) {
          // while (counter < times) { body; counter += 1 }
          this.place(top);
          this.emit(`get ${counter}`, inner + mult);
          this.emit(`push ${times}`, inner + mult);
          this.emit("lt", inner + mult);
          this.emit(`jz ${end}`, inner + mult);
          this.block(r.int(1, 3), depth - 1, loops + 1, inner);
          this.increment(counter, inner);
          this.emit(`jump ${top}`, inner);
          this.place(end);
        } else {
          // do { body; counter += 1 } while (counter != times)
          this.place(top);
          this.block(r.int(1, 3), depth - 1, loops + 1, inner);
          this.increment(counter, inner);
          this.emit(`get ${counter}`, inner);
          this.emit(`push ${times}`, inner);
          this.emit("ne", inner);
          this.emit(`jnz ${top}`, inner);
        }
        return;
      }
      default: {
        // a call for its effects, result dropped
        if (this.call(depth, mult)) this.emit("pop", mult);
        else this.stmt(0, loops, mult);
      }
    }
  }

  private increment(counter: number, mult: number): void {
    this.emit(`get ${counter}`, mult);
    this.emit("push 1", mult);
    this.emit("add", mult);
    this.emit(`set ${counter}`, mult);
  }
}

/** A random tiny program (source text) for `seed`. */
export function generateProgram(seed: number, options: GenOptions = {}): string {
  const opts: Required<GenOptions> = { maxFunctions: 4, budget: 20000, riskyDivision: 0.1, riskyRecursion: 0.05, ...options };
  const rng = new Rng(seed);
  const nfuncs = rng.int(0, opts.maxFunctions);
  const out: string[] = [`# random tiny program, seed ${seed}`, `memory ${MEMORY}`, ""];
  // generated last to first, so that each may call the ones after it
  const done: FuncSig[] = [];
  const texts: string[] = [];
  for (let i = nfuncs; i >= 0; i--) {
    const isMain = i === 0;
    const recursive = !isMain && rng.chance(0.25);
    const nargs = isMain ? 0 : recursive ? 2 : rng.int(0, 3);
    const nvalues = Math.max(1, nargs + rng.int(isMain ? 1 : 0, 3));
    const sig: FuncSig = { name: isMain ? "main" : `f${i}`, nargs, cost: 0, recursive };
    let g: FuncGen;
    let tries = 0;
    do {
      g = new FuncGen(rng, sig, recursive ? [] : done, nvalues, opts);
      if (recursive) genRecursiveBody(g);
      else {
        g.block(rng.int(2, isMain ? 7 : 4), 3, 0, 1);
        g.expr(2, 1);
        g.emit("ret", 1);
      }
    } while (g.cost > opts.budget && ++tries < 20);
    if (g.cost > opts.budget) {
      // rare: fall back to a trivial body
      g = new FuncGen(rng, sig, [], nvalues, opts);
      g.emit("get 0", 1);
      g.emit("ret", 1);
    }
    sig.cost = recursive ? g.cost * 16 : g.cost;
    done.push(sig);
    texts.unshift([`func ${sig.name} ${nargs} ${nvalues + 2}`, ...g.lines, ""].join("\n"));
  }
  return out.concat(texts).join("\n");
}

/** rec(n, x): if n <= 0 return x, else a few statements and return rec(n - 1, e) combined with e'. */
function genRecursiveBody(g: FuncGen): void {
  const r = g.rng;
  g.emit("get 0", 1);
  g.emit("push 0", 1);
  g.emit("le", 1);
  g.emit("jz recurse", 1);
  g.emit("get 1", 1);
  g.emit("ret", 1);
  g.place("recurse");
  g.block(r.int(0, 2), 1, 2, 1);
  g.emit("get 0", 1);
  g.emit("push 1", 1);
  g.emit("sub", 1);
  g.expr(2, 1);
  g.emit(`call ${g.sig.name}`, 1);
  if (r.chance(0.7)) {
    g.expr(1, 1);
    g.emit(r.pick(["add", "xor", "sub"]), 1);
  }
  g.emit("ret", 1);
}
