// The tiny interpreter: the seed's minimal bytecode eval loop (an instruction counter and a value
// stack), plus locals, guest function calls and a word-addressed guest memory. Written in the
// restricted subset that the front end lowers to LL graphs; runs unchanged as plain TypeScript.
// The bytecode layout and the instruction set are described in README.md beside this file.
//
// One `interpret` activation runs one guest function activation: a guest call is a recursive call
// of `interpret` (the portal), which the specializer keeps as a residual call. The stack depth `sp`
// is a local of `interpret` and green: for well-formed code it is the same every time a given pc is
// reached, so the specializer can key residual code on (code, pc, sp) and keep stack items in
// registers (the frame is virtualizable).

import type { bool, i32, ImmutableInt32Array, Target } from "../../src/hints/index.ts";
import { fail, idiv, imod, JitDriver, printChar, printInt } from "../../src/hints/index.ts";
import { prepare } from "./asm.ts";

// ---- opcodes (operands follow the opcode in the code array) -----------------------------------
const OP_PUSH = 1; // k        -- push k
const OP_POP = 2; //           a --
const OP_DUP = 3; //           a -- a a
const OP_SWAP = 4; //          a b -- b a
const OP_OVER = 5; //          a b -- a b a
const OP_ADD = 6; //           a b -- a+b   (and so on: wrapping i32 arithmetic)
const OP_SUB = 7;
const OP_MUL = 8;
const OP_DIV = 9; //           truncating; division by zero is a guest error
const OP_MOD = 10; //          sign of the dividend; modulo zero is a guest error
const OP_NEG = 11; //          a -- -a
const OP_AND = 12;
const OP_OR = 13;
const OP_XOR = 14;
const OP_SHL = 15; //          shift counts use their low 5 bits
const OP_SHR = 16; //          arithmetic shift right
const OP_LT = 17; //           a b -- (a<b ? 1 : 0)
const OP_LE = 18;
const OP_EQ = 19;
const OP_NE = 20;
const OP_GT = 21;
const OP_GE = 22;
const OP_JUMP = 23; // t       jump to t
const OP_JZ = 24; // t         c -- ; jump to t if c == 0
const OP_JNZ = 25; // t        c -- ; jump to t if c != 0
const OP_GET = 26; // i        -- local[i]
const OP_SET = 27; // i        a -- ; local[i] = a
const OP_CALL = 28; // f       a1..an -- r ; call function f (n = its argument count)
const OP_RET = 29; //          r -- ; return r to the caller
const OP_PRINT = 30; //        a -- ; print a as a decimal line
const OP_PRINTC = 31; //       a -- ; print the byte a & 255
const OP_ALOAD = 32; //        addr -- memory[addr]
const OP_ASTORE = 33; //       addr v -- ; memory[addr] = v

// ---- code layout ----------------------------------------------------------------------------
// code[0] = number of functions n, code[1] = index of the main function,
// code[2 + 3*f .. 4 + 3*f] = entry pc, argument count, local count of function f,
// then the instructions, from pc 2 + 3*n to the end.
const HEADER = 2;
const FUNC_SIZE = 3;

/** Capacity of each frame's value stack. */
const STACK_SIZE = 64;
/** Most locals a function may have. */
const MAX_LOCALS = 256;
/** Most guest call activations alive at once. */
const MAX_DEPTH = 400;

/**
 * A guest function activation: its value stack and its locals (arguments first).
 * @virtualizable stack[*] locals[*]
 */
class Frame {
  readonly stack: Int32Array;
  readonly locals: Int32Array;
  constructor(nlocals: i32) {
    this.stack = new Int32Array(STACK_SIZE);
    this.locals = new Int32Array(nlocals);
  }
}

/** State shared by every activation: the guest memory and the call depth. */
class Machine {
  readonly memory: Int32Array;
  depth: i32;
  constructor(memSize: i32) {
    this.memory = new Int32Array(memSize);
    this.depth = 0;
  }
}

const driver = new JitDriver({ greens: ["code", "pc", "sp"], reds: ["frame", "machine"], virtualizables: ["frame"] });

/** First pc of the instructions. */
function codeStart(code: ImmutableInt32Array): i32 {
  return (HEADER + Math.imul(FUNC_SIZE, code[0])) | 0;
}

/** The operand of the instruction at pc. */
function operand(code: ImmutableInt32Array, pc: i32): i32 {
  if (((pc + 1) | 0) >= code.length) fail("truncated instruction");
  return code[(pc + 1) | 0];
}

/** A jump's target, checked to lie among the instructions. */
function jumpTarget(code: ImmutableInt32Array, pc: i32): i32 {
  const t = operand(code, pc);
  if (t < codeStart(code) || t >= code.length) fail("bad jump target");
  return t;
}

function boolToInt(c: bool): i32 {
  if (c) return 1;
  return 0;
}

/** The result of a binary arithmetic, bitwise or comparison opcode. */
function binary(op: i32, a: i32, b: i32): i32 {
  switch (op) {
    case OP_ADD:
      return (a + b) | 0;
    case OP_SUB:
      return (a - b) | 0;
    case OP_MUL:
      return Math.imul(a, b);
    case OP_DIV:
      return idiv(a, b);
    case OP_MOD:
      return imod(a, b);
    case OP_AND:
      return a & b;
    case OP_OR:
      return a | b;
    case OP_XOR:
      return a ^ b;
    case OP_SHL:
      return a << b;
    case OP_SHR:
      return a >> b;
    case OP_LT:
      return boolToInt(a < b);
    case OP_LE:
      return boolToInt(a <= b);
    case OP_EQ:
      return boolToInt(a === b);
    case OP_NE:
      return boolToInt(a !== b);
    case OP_GT:
      return boolToInt(a > b);
    case OP_GE:
      return boolToInt(a >= b);
  }
  fail("bad opcode");
}

/**
 * Move the top `nargs` stack items of the caller into the callee's first locals.
 * @unrollSafe
 */
function passArguments(from: Int32Array, sp: i32, nargs: i32, to: Int32Array): void {
  for (let i = 0; i < nargs; i = (i + 1) | 0) {
    to[i] = from[(((sp - nargs) | 0) + i) | 0];
  }
}

/** Call guest function f with the top of the caller's stack as arguments; returns its result. */
function callFunction(code: ImmutableInt32Array, f: i32, stack: Int32Array, sp: i32, machine: Machine): i32 {
  if (f < 0 || f >= code[0]) fail("bad function index");
  const base = (HEADER + Math.imul(FUNC_SIZE, f)) | 0;
  const nargs = code[(base + 1) | 0];
  if (sp < nargs) fail("stack underflow");
  // the result replaces the arguments: with no arguments it needs a free slot
  if (((sp - nargs) | 0) >= STACK_SIZE) fail("stack overflow");
  if (machine.depth >= MAX_DEPTH) fail("call stack overflow");
  const callee = new Frame(code[(base + 2) | 0]);
  passArguments(stack, sp, nargs, callee.locals);
  machine.depth = (machine.depth + 1) | 0;
  const result = interpret(code, code[base], callee, machine);
  machine.depth = (machine.depth - 1) | 0;
  return result;
}

/**
 * Run one guest function activation from pc until it returns. Every variable live at the merge
 * point is named there (the stack and the locals are reached through the frame).
 */
function interpret(code: ImmutableInt32Array, pc: i32, frame: Frame, machine: Machine): i32 {
  let sp: i32 = 0;
  // A guest function's entry: recursive guest functions (no backward jump) get compiled too.
  driver.canEnterJit({ code, pc, sp, frame, machine });
  while (true) {
    driver.mergePoint({ code, pc, sp, frame, machine });
    if (pc >= code.length) fail("pc out of range");
    const op = code[pc];
    switch (op) {
      case OP_PUSH: {
        const k = operand(code, pc);
        if (sp >= STACK_SIZE) fail("stack overflow");
        frame.stack[sp] = k;
        sp = (sp + 1) | 0;
        pc = (pc + 2) | 0;
        continue;
      }
      case OP_POP: {
        if (sp < 1) fail("stack underflow");
        sp = (sp - 1) | 0;
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_DUP: {
        if (sp < 1) fail("stack underflow");
        if (sp >= STACK_SIZE) fail("stack overflow");
        frame.stack[sp] = frame.stack[(sp - 1) | 0];
        sp = (sp + 1) | 0;
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_SWAP: {
        if (sp < 2) fail("stack underflow");
        const b = frame.stack[(sp - 1) | 0];
        frame.stack[(sp - 1) | 0] = frame.stack[(sp - 2) | 0];
        frame.stack[(sp - 2) | 0] = b;
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_OVER: {
        if (sp < 2) fail("stack underflow");
        if (sp >= STACK_SIZE) fail("stack overflow");
        frame.stack[sp] = frame.stack[(sp - 2) | 0];
        sp = (sp + 1) | 0;
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_ADD:
      case OP_SUB:
      case OP_MUL:
      case OP_DIV:
      case OP_MOD:
      case OP_AND:
      case OP_OR:
      case OP_XOR:
      case OP_SHL:
      case OP_SHR:
      case OP_LT:
      case OP_LE:
      case OP_EQ:
      case OP_NE:
      case OP_GT:
      case OP_GE: {
        if (sp < 2) fail("stack underflow");
        const r = binary(op, frame.stack[(sp - 2) | 0], frame.stack[(sp - 1) | 0]);
        sp = (sp - 1) | 0;
        frame.stack[(sp - 1) | 0] = r;
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_NEG: {
        if (sp < 1) fail("stack underflow");
        frame.stack[(sp - 1) | 0] = (0 - frame.stack[(sp - 1) | 0]) | 0;
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_JUMP: {
        const t = jumpTarget(code, pc);
        if (t <= pc) {
          pc = t;
          driver.canEnterJit({ code, pc, sp, frame, machine });
          continue;
        }
        pc = t;
        continue;
      }
      case OP_JZ:
      case OP_JNZ: {
        const t = jumpTarget(code, pc);
        if (sp < 1) fail("stack underflow");
        sp = (sp - 1) | 0;
        const c = frame.stack[sp];
        if ((op === OP_JZ && c === 0) || (op === OP_JNZ && c !== 0)) {
          if (t <= pc) {
            pc = t;
            driver.canEnterJit({ code, pc, sp, frame, machine });
            continue;
          }
          pc = t;
          continue;
        }
        pc = (pc + 2) | 0;
        continue;
      }
      case OP_GET: {
        const i = operand(code, pc);
        if (i < 0 || i >= frame.locals.length) fail("bad local index");
        if (sp >= STACK_SIZE) fail("stack overflow");
        frame.stack[sp] = frame.locals[i];
        sp = (sp + 1) | 0;
        pc = (pc + 2) | 0;
        continue;
      }
      case OP_SET: {
        const i = operand(code, pc);
        if (i < 0 || i >= frame.locals.length) fail("bad local index");
        if (sp < 1) fail("stack underflow");
        sp = (sp - 1) | 0;
        frame.locals[i] = frame.stack[sp];
        pc = (pc + 2) | 0;
        continue;
      }
      case OP_CALL: {
        const f = operand(code, pc);
        const result = callFunction(code, f, frame.stack, sp, machine);
        // the arguments are popped and the result pushed (callFunction checked there is room)
        sp = (sp - code[(HEADER + Math.imul(FUNC_SIZE, f) + 1) | 0]) | 0;
        frame.stack[sp] = result;
        sp = (sp + 1) | 0;
        pc = (pc + 2) | 0;
        continue;
      }
      case OP_RET: {
        if (sp < 1) fail("stack underflow");
        return frame.stack[(sp - 1) | 0];
      }
      case OP_PRINT: {
        if (sp < 1) fail("stack underflow");
        sp = (sp - 1) | 0;
        printInt(frame.stack[sp]);
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_PRINTC: {
        if (sp < 1) fail("stack underflow");
        sp = (sp - 1) | 0;
        printChar(frame.stack[sp]);
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_ALOAD: {
        if (sp < 1) fail("stack underflow");
        const addr = frame.stack[(sp - 1) | 0];
        if (addr < 0 || addr >= machine.memory.length) fail("memory address out of range");
        frame.stack[(sp - 1) | 0] = machine.memory[addr];
        pc = (pc + 1) | 0;
        continue;
      }
      case OP_ASTORE: {
        if (sp < 2) fail("stack underflow");
        const addr = frame.stack[(sp - 2) | 0];
        if (addr < 0 || addr >= machine.memory.length) fail("memory address out of range");
        machine.memory[addr] = frame.stack[(sp - 1) | 0];
        sp = (sp - 2) | 0;
        pc = (pc + 1) | 0;
        continue;
      }
      default:
        fail("bad opcode");
    }
  }
}

/** Check the header: function count, main index, and each function's entry, argument and local counts. */
function checkHeader(code: ImmutableInt32Array): void {
  if (code.length < HEADER) fail("bad code header");
  const n = code[0];
  if (n < 1 || n > code.length || codeStart(code) > code.length) fail("bad code header");
  if (code[1] < 0 || code[1] >= n) fail("bad code header");
  const start = codeStart(code);
  for (let f = 0; f < n; f = (f + 1) | 0) {
    const base = (HEADER + Math.imul(FUNC_SIZE, f)) | 0;
    const entry = code[base];
    const nargs = code[(base + 1) | 0];
    const nlocals = code[(base + 2) | 0];
    if (entry < start || entry >= code.length || nargs < 0 || nargs > STACK_SIZE || nlocals < nargs || nlocals > MAX_LOCALS)
      fail("bad code header");
  }
}

/** Run a guest program: `code` as made by the assembler, `memSize` words of zeroed guest memory. */
export function main(code: ImmutableInt32Array, memSize: i32): i32 {
  checkHeader(code);
  if (memSize < 0) fail("bad memory size");
  const machine = new Machine(memSize);
  const base = (HEADER + Math.imul(FUNC_SIZE, code[1])) | 0;
  if (code[(base + 1) | 0] !== 0) fail("main function takes arguments");
  return interpret(code, code[base], new Frame(code[(base + 2) | 0]), machine);
}

export const target: Target = { entry: main, prepare };
