// The tiny assembler (text form, errors as `path:line: message`, disassembly) and the
// interpreter's own checks on malformed code, which the assembler never produces: every one is a
// guest error, the same untranslated and in the reference evaluator.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AsmError, assemble, disassemble, MAX_LOCALS, OPCODES } from "../../examples/tiny/asm.ts";
import { main } from "../../examples/tiny/interp.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { outcomeText } from "./modes.ts";
import { runRef } from "./ref.ts";

const interpSource = readFileSync(join(import.meta.dirname, "../../examples/tiny/interp.ts"), "utf8");
const op = (name: string) => OPCODES.find((o) => o.name === name)?.code as number;

test("the assembler's opcode numbers and limits are the interpreter's", () => {
  const consts = new Map([...interpSource.matchAll(/^const (\w+) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
  for (const o of OPCODES) assert.equal(consts.get(`OP_${o.name.toUpperCase()}`), o.code, `opcode ${o.name}`);
  assert.equal([...consts.keys()].filter((k) => k?.startsWith("OP_")).length, OPCODES.length, "every OP_ constant has a mnemonic");
  assert.equal(consts.get("MAX_LOCALS"), MAX_LOCALS);
  assert.equal(consts.get("STACK_SIZE"), 64, "test/tiny/ref.ts assumes a 64-item stack");
  assert.equal(consts.get("MAX_DEPTH"), 400, "test/tiny/ref.ts assumes a call depth of 400");
});

test("layout: header, function table, instructions; labels, calls and character literals resolved", () => {
  const a = assemble(
    [
      "memory 4",
      "func main 0 1   # entry",
      "  push ' '",
      "top: push '#'  ; a comment",
      "  call g",
      "  jump top",
      "func g 1 2",
      "x: y: ret",
    ].join("\n"),
    "t.tiny",
  );
  assert.equal(a.memory, 4);
  assert.equal(a.main, 0);
  const start = 2 + 3 * 2;
  assert.deepEqual(
    [...a.code],
    [2, 0, start, 0, 1, start + 8, 1, 2, op("push"), 32, op("push"), 35, op("call"), 1, op("jump"), start + 2, op("ret")],
  );
  assert.deepEqual(
    a.functions.map((f) => [f.name, f.entry]),
    [
      ["main", start],
      ["g", start + 8],
    ],
  );
  assert.match(disassemble(a.code), /func f1 1 2\n\s+16 {2}ret\n$/);
});

test("integer operands: decimal, hex, signed, escapes, and the i32 range", () => {
  const a = assemble("func main 0 0\n push -2147483648\n push 0x7fffffff\n push '\\n'\n push '\\''\n push +5\n ret", "t");
  assert.deepEqual([...a.code.slice(5)], [1, -2147483648, 1, 2147483647, 1, 10, 1, 39, 1, 5, op("ret")]);
});

const cases: [string, string, RegExp][] = [
  ["unknown instruction", "func main 0 0\n  pusj 1\n  ret", /^t\.tiny:2: unknown instruction 'pusj'$/],
  ["missing operand", "func main 0 0\n  push\n  ret", /^t\.tiny:2: 'push' takes one operand \(an integer\)$/],
  ["extra operand", "func main 0 0\n  ret 1", /^t\.tiny:2: 'ret' takes no operand$/],
  ["bad integer", "func main 0 0\n  push 12x\n  ret", /^t\.tiny:2: 'push' expects an integer, not '12x'$/],
  ["out of i32 range", "func main 0 0\n  push 2147483648\n  ret", /^t\.tiny:2: 'push': 2147483648 is out of the 32-bit integer range$/],
  ["unknown label", "func main 0 0\n  jump nowhere\n  ret", /^t\.tiny:2: unknown label 'nowhere' in function 'main'$/],
  [
    "label of another function",
    "func f 0 0\nin_f: ret\nfunc main 0 0\n  jump in_f",
    /^t\.tiny:4: unknown label 'in_f' in function 'main'$/,
  ],
  ["duplicate label", "func main 0 0\na: push 0\na: ret", /^t\.tiny:3: label 'a' is already defined in function 'main'$/],
  ["label outside a function", "start:\nfunc main 0 0\n  ret", /^t\.tiny:1: label 'start' outside a function/],
  ["instruction outside a function", "push 1\nfunc main 0 0\n  ret", /^t\.tiny:1: 'push' outside a function/],
  ["unknown function", "func main 0 0\n  call nothing\n  ret", /^t\.tiny:2: unknown function 'nothing'$/],
  ["duplicate function", "func main 0 0\n  ret\nfunc main 0 0\n  ret", /^t\.tiny:3: function 'main' is already defined$/],
  ["no main", "func f 0 0\n  ret", /^t\.tiny:2: no function 'main'/],
  ["main with arguments", "func main 1 1\n  ret", /^t\.tiny:1: function 'main' must take 0 arguments$/],
  ["local out of range", "func main 0 2\n  get 2\n  ret", /^t\.tiny:2: local 2 out of range: function 'main' has 2 locals \(0\.\.1\)$/],
  ["fewer locals than arguments", "func f 2 1\n  ret\nfunc main 0 0\n  ret", /^t\.tiny:1: function 'f' has 2 arguments but only 1 locals/],
  ["too many locals", "func main 0 1000\n  ret", /^t\.tiny:1: bad local count '1000'/],
  ["empty function", "func main 0 0\nfunc f 0 0\n  ret", /^t\.tiny:1: function 'main' has no instructions$/],
  ["bad func line", "func main 0\n  ret\nfunc f 0 0\n  ret", /^t\.tiny:1: expected 'func <name> <nargs> <nlocals>'$/],
  ["bad memory", "memory -1\nfunc main 0 0\n  ret", /^t\.tiny:1: expected 'memory <words>'/],
  ["memory twice", "memory 1\nmemory 2\nfunc main 0 0\n  ret", /^t\.tiny:2: memory is already set on line 1$/],
];
for (const [what, src, re] of cases) {
  test(`assembler error: ${what}`, () => {
    assert.throws(
      () => assemble(src, "t.tiny"),
      (e: unknown) => e instanceof AsmError && e.errors.length === 1 && re.test(e.message),
    );
  });
}

test("assembler reports every error at once, in line order within a pass", () => {
  try {
    assemble("func main 0 1\n  pusj 1\n  get 7\n  jump away\n  ret", "many.tiny");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof AsmError);
    assert.deepEqual(e.errors, [
      "many.tiny:2: unknown instruction 'pusj'",
      "many.tiny:3: local 7 out of range: function 'main' has 1 locals (0..0)",
      "many.tiny:4: unknown label 'away' in function 'main'",
    ]);
  }
});

/** Run hand-made code untranslated and in the reference evaluator; both outcomes as text. */
function runBoth(code: number[], mem = 0): [string, string] {
  const c = Int32Array.from(code);
  const io = new MemoryIO();
  let error: string | null = null;
  try {
    withHostIO(io, () => main(c, mem));
  } catch (e) {
    if (!(e instanceof GuestError)) throw e;
    error = e.message;
  }
  const r = runRef(c, mem);
  return [outcomeText({ output: io.bytes(), error }), outcomeText(r)];
}

const S = 5; // first instruction pc with one function: header (2) + table (3)
const guestErrors: [string, number[], number, string][] = [
  ["empty code", [], 0, "error: bad code header\n"],
  ["no functions", [0, 0, op("ret")], 0, "error: bad code header\n"],
  ["main index out of range", [1, 1, S, 0, 0, op("ret")], 0, "error: bad code header\n"],
  ["entry outside the code", [1, 0, 99, 0, 0, op("ret")], 0, "error: bad code header\n"],
  ["fewer locals than arguments", [1, 0, S, 1, 0, op("ret")], 0, "error: bad code header\n"],
  ["main takes arguments", [1, 0, S, 1, 1, op("ret")], 0, "error: main function takes arguments\n"],
  ["negative memory size", [1, 0, S, 0, 0, op("ret")], -1, "error: bad memory size\n"],
  ["falls off the end", [1, 0, S, 0, 0, op("push"), 7, op("print")], 0, "7\nerror: pc out of range\n"],
  ["truncated instruction", [1, 0, S, 0, 0, op("push")], 0, "error: truncated instruction\n"],
  ["bad jump target", [1, 0, S, 0, 0, op("jump"), 2], 0, "error: bad jump target\n"],
  ["bad jump target beyond the end", [1, 0, S, 0, 0, op("push"), 0, op("jz"), 100], 0, "error: bad jump target\n"],
  ["bad local index", [1, 0, S, 0, 1, op("get"), 1], 0, "error: bad local index\n"],
  ["negative local index", [1, 0, S, 0, 1, op("push"), 0, op("set"), -1], 0, "error: bad local index\n"],
  ["bad function index", [1, 0, S, 0, 0, op("call"), 1], 0, "error: bad function index\n"],
  ["stack underflow", [1, 0, S, 0, 0, op("push"), 1, op("add")], 0, "error: stack underflow\n"],
  ["underflow on return", [1, 0, S, 0, 0, op("ret")], 0, "error: stack underflow\n"],
  ["memory address out of range", [1, 0, S, 0, 0, op("push"), 4, op("aload")], 4, "error: memory address out of range\n"],
  ["bad opcode", [1, 0, S, 0, 0, 0], 0, "error: bad opcode\n"],
  ["main's result is not printed", [1, 0, S, 0, 0, op("push"), 3, op("ret")], 0, ""],
];
for (const [what, code, mem, expected] of guestErrors) {
  test(`interpreter check: ${what}`, () => {
    const [untranslated, ref] = runBoth(code, mem);
    assert.equal(untranslated, expected);
    assert.equal(ref, expected);
  });
}

test("a call with no arguments needs a free stack slot for its result", () => {
  // main: push 0 x64, call f (0 args) -> stack overflow; f returns 1
  const f = 2 + 3 * 2;
  const body = [...Array.from({ length: 64 }, () => [op("push"), 0]).flat(), op("call"), 1];
  const code = [2, 0, f, 0, 0, f + body.length, 0, 0, ...body, op("push"), 1, op("ret")];
  const [untranslated, ref] = runBoth(code);
  assert.equal(untranslated, "error: stack overflow\n");
  assert.equal(ref, "error: stack overflow\n");
});
