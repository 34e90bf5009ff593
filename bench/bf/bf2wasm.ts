// Brainfuck → WebAssembly, one instruction sequence per command (a reference of bench/bf/run.ts:
// what V8's own Wasm compilers make of the program written straight in our target, with no JIT
// in between). Each loop is a function `(tape, p) -> p`, called where the loop stands, and its
// body another, called once per iteration: V8 compiles a function with its baseline compiler first
// and replaces it with optimized code only for later calls (no on-stack replacement in Wasm), so
// code entered once runs in baseline code to its end. On mandelbrot.b (2026-11-26) one function
// for the whole program took 3.7 s, a function per loop 1.5-2.1 s, and this 1.15-1.29 s.
// The tape is a Wasm GC array of 1 << 20 bytes, as the translated interpreters' is; like the C
// translation (bf2c.ts) the program does not check the pointer itself, but Wasm checks every
// access against the array's length (a pointer off the tape traps). Written with the backend's
// binary writer (src/backend/wasm/emitter.ts).
//   node bench/bf/bf2wasm.ts prog.b > prog.wasm   (imports io.putchar(i32), io.getchar() -> i32;
//                                                  exports main() -> i32, the final pointer)

import { parse } from "../../examples/bf/parse.ts";
import { byteIO, translatorMain } from "./cli.ts";
import { assembleModule, CodeWriter, type CompType, type FuncBody, I8S, I32T, OP, refType } from "../../src/backend/wasm/emitter.ts";

const TAPE = 1 << 20;
/** Type indices: the tape, a loop's function, putchar, getchar and main. */
const T_TAPE = 0;
const T_LOOP = 1;
const T_PUT = 2;
const T_GET = 3;
const TYPES: CompType[] = [
  { kind: "array", item: { type: I8S, mutable: true }, final: true, supertype: null },
  { kind: "func", params: [refType(T_TAPE), I32T], results: [I32T] },
  { kind: "func", params: [I32T], results: [] },
  { kind: "func", params: [], results: [I32T] },
];
/** Function indices of the imports; defined functions follow. */
const F_PUT = 0;
const F_GET = 1;
const IMPORTS = 2;
/** Locals of every function: the tape, the pointer, a scratch byte (`,`). */
const L_TAPE = 0;
const L_P = 1;
const L_C = 2;

/** The Wasm module of a Brainfuck program (unmatched brackets throw parse.ts's BfSyntaxError). */
export function bfToWasm(source: string, path: string): Uint8Array {
  const { program } = parse(source, path);
  const funcs: number[] = [];
  const bodies: FuncBody[] = [];
  const define = (type: number): number => {
    funcs.push(type);
    bodies.push({ locals: [], code: new Uint8Array() });
    return IMPORTS + funcs.length - 1;
  };
  const cell = (w: CodeWriter) => w.localGet(L_TAPE).localGet(L_P).arrayGet(T_TAPE, true);
  /** Write the commands from `i` to the matching `]` (or the end) into `w`; returns where it stopped. */
  const emit = (i: number, w: CodeWriter): number => {
    for (; i < program.length; i++) {
      switch (String.fromCharCode(program[i] as number)) {
        case "+":
        case "-":
          w.localGet(L_TAPE).localGet(L_P);
          cell(w)
            .i32Const(1)
            .op(program[i] === 43 ? OP.i32_add : OP.i32_sub)
            .arraySet(T_TAPE);
          break;
        case ">":
        case "<":
          w.localGet(L_P)
            .i32Const(1)
            .op(program[i] === 62 ? OP.i32_add : OP.i32_sub)
            .localSet(L_P);
          break;
        case ".":
          cell(w).call(F_PUT);
          break;
        case ",":
          // end of input (-1) stores 0
          w.localGet(L_TAPE).localGet(L_P).call(F_GET).localSet(L_C);
          w.i32Const(0).localGet(L_C).localGet(L_C).i32Const(0).op(OP.i32_lt_s).op(OP.select).arraySet(T_TAPE);
          break;
        case "[": {
          // the loop, and its body as a function of its own (see the top of the file)
          const loop = define(T_LOOP);
          const body = define(T_LOOP);
          const b = new CodeWriter();
          i = emit(i + 1, b);
          b.localGet(L_P);
          bodies[body - IMPORTS] = { locals: [I32T], code: b.view().slice() };
          const l = new CodeWriter();
          l.block().loop();
          cell(l).op(OP.i32_eqz).brIf(1);
          l.localGet(L_TAPE).localGet(L_P).call(body).localSet(L_P).br(0).end().end().localGet(L_P);
          bodies[loop - IMPORTS] = { locals: [I32T], code: l.view().slice() };
          w.localGet(L_TAPE).localGet(L_P).call(loop).localSet(L_P);
          break;
        }
        case "]":
          return i;
      }
    }
    return i;
  };
  const main = define(T_GET);
  const w = new CodeWriter();
  w.i32Const(TAPE).arrayNewDefault(T_TAPE).localSet(L_TAPE);
  emit(0, w);
  w.localGet(L_P);
  bodies[main - IMPORTS] = { locals: [refType(T_TAPE), I32T, I32T], code: w.view().slice() };
  return assembleModule({
    types: TYPES.map((t) => ({ single: t })),
    imports: [
      { module: "io", name: "putchar", desc: { kind: "func", type: T_PUT } },
      { module: "io", name: "getchar", desc: { kind: "func", type: T_GET } },
    ],
    funcs,
    tables: [],
    globals: [],
    exports: [{ name: "main", kind: "func", index: main }],
    declaredFuncs: [],
    bodies,
  }).bytes;
}

/** Compile and run a module made by bfToWasm on `input`; its output bytes. */
export function runWasm(bytes: Uint8Array, input: Uint8Array = new Uint8Array()): Uint8Array {
  const io = byteIO(input);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { io: { putchar: io.put, getchar: io.get } });
  (instance.exports.main as () => number)();
  return io.output();
}

if (import.meta.main) translatorMain("bf2wasm", "program.wasm", bfToWasm);
