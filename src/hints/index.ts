// The hint API interpreter authors import (`unfold/hints`). Untranslated, every hint is a no-op or
// a cheap check, so an interpreter runs as plain TypeScript on Node; the front end recognises these
// names and lowers them to LL ops and graph flags.
//
// Graph- and field-level hints are JSDoc tags, which cost nothing at run time:
//   /** @elidable */        on a function or method: pure; folded when all arguments are constant
//   /** @dontLookInside */  never inlined by the specializer
//   /** @unrollSafe */      loops inside may be unrolled when their conditions are constant
//   /** @virtualizable pc sp stack[*] */  on a class: these fields (and array items) live in
//                            registers inside compiled code, written back at exits
// Fields declared `readonly` are immutable. Arrays whose items never change are typed with the
// Immutable* interfaces below (the TypeScript checker then rejects writes to them).

import { readFileSync, writeSync } from "node:fs";

/** 32-bit signed integer. Arithmetic must keep values in range: `(a + b) | 0`, `Math.imul(a, b)`, `idiv`, `imod`. */
export type i32 = number;
/** 64-bit float. */
export type f64 = number;
export type bool = boolean;

/** An Int32Array whose items never change after it is made (e.g. bytecode): foldable when green. */
export interface ImmutableInt32Array {
  readonly [index: number]: i32;
  readonly length: i32;
}
/** A Float64Array whose items never change after it is made. */
export interface ImmutableFloat64Array {
  readonly [index: number]: f64;
  readonly length: i32;
}
/** A Uint8Array whose items never change after it is made (e.g. a program's characters). */
export interface ImmutableUint8Array {
  readonly [index: number]: i32;
  readonly length: i32;
}

export interface JitDriverSpec {
  /** Names of the merge-point variables that are constant for a piece of guest code (bytecode, pc). */
  readonly greens: readonly string[];
  /** Names of the run-time variables (the frame, the operand stack...). */
  readonly reds: readonly string[];
  /** Reds that are virtualizable frames (their class carries a @virtualizable tag). */
  readonly virtualizables?: readonly string[];
}

/**
 * A JIT driver: declare it once at module level, call `mergePoint` at the top of the dispatch loop
 * and `canEnterJit` at guest backward jumps, each with an object naming every green and red:
 *   driver.mergePoint({ code, pc, frame });
 */
export class JitDriver {
  readonly greens: readonly string[];
  readonly reds: readonly string[];
  readonly virtualizables: readonly string[];
  constructor(spec: JitDriverSpec) {
    this.greens = spec.greens;
    this.reds = spec.reds;
    this.virtualizables = spec.virtualizables ?? [];
  }
  /** Top of the dispatch loop: where compiled code is entered and left. */
  mergePoint(_vars: Record<string, unknown>): void {}
  /** At a guest backward jump: where hotness is counted. */
  canEnterJit(_vars: Record<string, unknown>): void {}
}

/** Make a run-time value constant for the specializer (guarded by a run-time check). */
export function promote<T>(x: T): T {
  return x;
}

/** True only in compiled code where `x` is known to be a constant. */
export function isConstant(_x: unknown): bool {
  return false;
}

/** An error of the guest program, raised by the interpreter; every mode reports it the same way. */
export class GuestError extends Error {
  override name = "GuestError";
}

/** Raise a guest error. The message must be a string literal. */
export function fail(message: string): never {
  throw new GuestError(message);
}

/** Integer division truncating toward zero; fails on a zero divisor; INT_MIN / -1 is INT_MIN. */
export function idiv(a: i32, b: i32): i32 {
  if (b === 0) fail("division by zero");
  return (a / b) | 0;
}

/** Integer remainder with the sign of the dividend; fails on a zero divisor. */
export function imod(a: i32, b: i32): i32 {
  if (b === 0) fail("division by zero");
  return (a % b) | 0;
}

// ---- host functions: input and output -------------------------------------------------------

/** Where host output goes and where input comes from; swapped by tests and by the VM. */
export interface HostIO {
  write(bytes: Uint8Array): void;
  /** Next input byte, or -1 at end of input. */
  readByte(): number;
}

const encoder = new TextEncoder();

class BufferedStdIO implements HostIO {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private input: Uint8Array | null = null;
  private inPos = 0;
  write(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) this.flush();
    if (bytes.length > this.buf.length) {
      writeAll(bytes);
      return;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
  flush(): void {
    if (this.len > 0) {
      writeAll(this.buf.subarray(0, this.len));
      this.len = 0;
    }
  }
  readByte(): number {
    if (this.input === null) this.input = readAllStdin();
    return this.inPos < this.input.length ? (this.input[this.inPos++] as number) : -1;
  }
}

function writeAll(b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += writeSync(1, b, off, b.length - off);
}

function readAllStdin(): Uint8Array {
  try {
    return new Uint8Array(readFileSync(0));
  } catch {
    return new Uint8Array(0);
  }
}

const stdio = new BufferedStdIO();
process.on("exit", () => stdio.flush());

let io: HostIO = stdio;

/** Run `fn` with host I/O sent to `sink` (tests, the VM); restores the previous I/O afterwards. */
export function withHostIO<T>(sink: HostIO, fn: () => T): T {
  const saved = io;
  io = sink;
  try {
    return fn();
  } finally {
    io = saved;
  }
}

/** Flush buffered standard output (done automatically at process exit). */
export function flushOutput(): void {
  stdio.flush();
}

/** The I/O in effect (used by the VM to route translated code's host calls to the same place). */
export function currentIO(): HostIO {
  return io;
}

/** A HostIO that collects output in memory and reads input from a given byte string. */
export class MemoryIO implements HostIO {
  private chunks: Uint8Array[] = [];
  private inPos = 0;
  private readonly input: Uint8Array;
  constructor(input: Uint8Array | string = new Uint8Array(0)) {
    this.input = typeof input === "string" ? encoder.encode(input) : input;
  }
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
  }
  readByte(): number {
    return this.inPos < this.input.length ? (this.input[this.inPos++] as number) : -1;
  }
  bytes(): Uint8Array {
    const n = this.chunks.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

/** Print an integer followed by a newline. */
export function printInt(x: i32): void {
  io.write(encoder.encode(`${x}\n`));
}

/** Print a float (JS number formatting) followed by a newline. */
export function printFloat(x: f64): void {
  io.write(encoder.encode(`${x}\n`));
}

/** Write one byte (the low 8 bits of c). */
export function printChar(c: i32): void {
  io.write(new Uint8Array([c & 255]));
}

/** Write bytes[start..end). */
export function printBytes(bytes: Uint8Array, start: i32, end: i32): void {
  io.write(bytes.slice(start, end));
}

/** Read one byte of input; -1 at end of input. */
export function readByte(): i32 {
  return io.readByte();
}

/** Milliseconds since an arbitrary origin (performance.now()). */
export function timeMs(): f64 {
  return performance.now();
}

// ---- the target: how `unfold run` starts an interpreter ----------------------------------------

/**
 * What an interpreter module exports as `target`: the entry function (translated, in the subset)
 * and `prepare`, plain TypeScript run on the host in every mode, which turns a guest program's
 * source text into the entry function's arguments (numbers, booleans, typed arrays).
 *
 *   export const target: Target = { entry: main, prepare: (source) => [assemble(source)] };
 */
export interface Target {
  // biome-ignore lint/suspicious/noExplicitAny: the entry's signature is the interpreter's own
  readonly entry: (...args: any[]) => unknown;
  prepare(source: string, path: string): unknown[];
}
