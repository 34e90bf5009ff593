// An independent reference evaluator for tiny bytecode: plain TypeScript working directly on the
// assembled code array, with an explicit frame stack instead of recursion. It implements the
// semantics written in examples/tiny/README.md (including which check fails first) and serves as
// the oracle of the random-program differential test.

import { FUNC_SIZE, HEADER, MAX_LOCALS, OPCODES } from "../../examples/tiny/asm.ts";

const STACK_SIZE = 64;
const MAX_DEPTH = 400;

const OP: Record<string, number> = Object.fromEntries(OPCODES.map((o) => [o.name, o.code]));

export interface RefResult {
  /** Bytes the program printed. */
  output: Uint8Array;
  /** The guest error message, or null when main returned. */
  error: string | null;
  /** main's return value (when no error). */
  result: number | null;
  /** Instructions executed. */
  steps: number;
}

class Stop extends Error {}

interface Activation {
  pc: number;
  stack: number[];
  locals: number[];
  /** nargs of the function (to pop the caller's arguments when it returns). */
  nargs: number;
}

const enc = new TextEncoder();

/** Run assembled tiny code with `memSize` words of memory; never throws for guest errors. */
export function runRef(code: Int32Array, memSize: number, maxSteps = Number.POSITIVE_INFINITY): RefResult {
  const out: number[] = [];
  let steps = 0;
  let errorMsg: string | null = null;
  let result: number | null = null;
  const guest = (msg: string): never => {
    errorMsg = msg;
    throw new Stop();
  };
  try {
    result = execute();
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return { output: Uint8Array.from(out), error: errorMsg, result, steps };

  function execute(): number {
    const len = code.length;
    const nfuncs = len >= HEADER ? (code[0] as number) : 0;
    const start = HEADER + FUNC_SIZE * nfuncs;
    if (len < HEADER || nfuncs < 1 || nfuncs > len || start > len) guest("bad code header");
    const mainIx = code[1] as number;
    if (mainIx < 0 || mainIx >= nfuncs) guest("bad code header");
    const fn = (f: number) => ({
      entry: code[HEADER + FUNC_SIZE * f] as number,
      nargs: code[HEADER + FUNC_SIZE * f + 1] as number,
      nlocals: code[HEADER + FUNC_SIZE * f + 2] as number,
    });
    for (let f = 0; f < nfuncs; f++) {
      const { entry, nargs, nlocals } = fn(f);
      if (entry < start || entry >= len || nargs < 0 || nargs > STACK_SIZE || nlocals < nargs || nlocals > MAX_LOCALS)
        guest("bad code header");
    }
    if (memSize < 0) guest("bad memory size");
    const memory = new Array<number>(memSize).fill(0);
    const m = fn(mainIx);
    if (m.nargs !== 0) guest("main function takes arguments");

    const frames: Activation[] = [{ pc: m.entry, stack: [], locals: new Array<number>(m.nlocals).fill(0), nargs: 0 }];
    let fr = frames[0] as Activation;
    const pop = (): number => fr.stack.pop() as number;
    const need = (n: number) => {
      if (fr.stack.length < n) guest("stack underflow");
    };
    const room = () => {
      if (fr.stack.length >= STACK_SIZE) guest("stack overflow");
    };
    const arg = (): number => {
      if (fr.pc + 1 >= len) guest("truncated instruction");
      return code[fr.pc + 1] as number;
    };
    const target = (): number => {
      const t = arg();
      if (t < start || t >= len) guest("bad jump target");
      return t;
    };
    const local = (): number => {
      const i = arg();
      if (i < 0 || i >= fr.locals.length) guest("bad local index");
      return i;
    };
    const mem = (addr: number): number => {
      if (addr < 0 || addr >= memSize) guest("memory address out of range");
      return addr;
    };

    for (;;) {
      if (steps >= maxSteps) guest("step limit reached");
      steps++;
      if (fr.pc >= len) guest("pc out of range");
      const op = code[fr.pc] as number;
      switch (op) {
        case OP.push: {
          const k = arg();
          room();
          fr.stack.push(k);
          fr.pc += 2;
          break;
        }
        case OP.pop:
          need(1);
          pop();
          fr.pc += 1;
          break;
        case OP.dup: {
          need(1);
          room();
          const a = pop();
          fr.stack.push(a, a);
          fr.pc += 1;
          break;
        }
        case OP.swap: {
          need(2);
          const b = pop();
          const a = pop();
          fr.stack.push(b, a);
          fr.pc += 1;
          break;
        }
        case OP.over: {
          need(2);
          room();
          const b = pop();
          const a = pop();
          fr.stack.push(a, b, a);
          fr.pc += 1;
          break;
        }
        case OP.neg:
          need(1);
          fr.stack.push(-pop() | 0);
          fr.pc += 1;
          break;
        case OP.jump:
          fr.pc = target();
          break;
        case OP.jz:
        case OP.jnz: {
          const t = target();
          need(1);
          const c = pop();
          fr.pc = (op === OP.jz) === (c === 0) ? t : fr.pc + 2;
          break;
        }
        case OP.get: {
          const i = local();
          room();
          fr.stack.push(fr.locals[i] as number);
          fr.pc += 2;
          break;
        }
        case OP.set: {
          const i = local();
          need(1);
          fr.locals[i] = pop();
          fr.pc += 2;
          break;
        }
        case OP.call: {
          const f = arg();
          if (f < 0 || f >= nfuncs) guest("bad function index");
          const c = fn(f);
          need(c.nargs);
          if (fr.stack.length - c.nargs >= STACK_SIZE) guest("stack overflow");
          if (frames.length - 1 >= MAX_DEPTH) guest("call stack overflow");
          const locals = new Array<number>(c.nlocals).fill(0);
          const args = fr.stack.splice(fr.stack.length - c.nargs, c.nargs);
          for (let i = 0; i < args.length; i++) locals[i] = args[i] as number;
          fr = { pc: c.entry, stack: [], locals, nargs: c.nargs };
          frames.push(fr);
          break;
        }
        case OP.ret: {
          need(1);
          const r = pop();
          frames.pop();
          if (frames.length === 0) return r;
          fr = frames[frames.length - 1] as Activation;
          fr.stack.push(r);
          fr.pc += 2;
          break;
        }
        case OP.print:
          need(1);
          out.push(...enc.encode(`${pop()}\n`));
          fr.pc += 1;
          break;
        case OP.printc:
          need(1);
          out.push(pop() & 255);
          fr.pc += 1;
          break;
        case OP.aload: {
          need(1);
          const addr = mem(pop());
          fr.stack.push(memory[addr] as number);
          fr.pc += 1;
          break;
        }
        case OP.astore: {
          need(2);
          const v = pop();
          const addr = pop();
          mem(addr);
          memory[addr] = v;
          fr.pc += 1;
          break;
        }
        default: {
          const bin = BINARY[op];
          if (bin === undefined) guest("bad opcode");
          need(2);
          const b = pop();
          const a = pop();
          const r = (bin as Binary)(a, b);
          if (r === null) guest("division by zero");
          fr.stack.push(r as number);
          fr.pc += 1;
        }
      }
    }
  }
}

/** A binary opcode's result; null for a division by zero. */
type Binary = (a: number, b: number) => number | null;

const BINARY: Record<number, Binary> = {
  [OP.add as number]: (a, b) => (a + b) | 0,
  [OP.sub as number]: (a, b) => (a - b) | 0,
  [OP.mul as number]: (a, b) => Math.imul(a, b),
  [OP.div as number]: (a, b) => (b === 0 ? null : (a / b) | 0),
  [OP.mod as number]: (a, b) => (b === 0 ? null : (a % b) | 0),
  [OP.and as number]: (a, b) => a & b,
  [OP.or as number]: (a, b) => a | b,
  [OP.xor as number]: (a, b) => a ^ b,
  [OP.shl as number]: (a, b) => a << b,
  [OP.shr as number]: (a, b) => a >> b,
  [OP.lt as number]: (a, b) => +(a < b),
  [OP.le as number]: (a, b) => +(a <= b),
  [OP.eq as number]: (a, b) => +(a === b),
  [OP.ne as number]: (a, b) => +(a !== b),
  [OP.gt as number]: (a, b) => +(a > b),
  [OP.ge as number]: (a, b) => +(a >= b),
};
