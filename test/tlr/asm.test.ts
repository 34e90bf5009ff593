// The tlr assembler (text form, errors as `path:line: message`, disassembly) and the interpreter's
// own checks on malformed code, which the assembler never produces: guest errors in every mode.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { assemble, disassemble, OPCODES, prepare, TlrAsmError } from "../../examples/tlr/asm.ts";
import { MODES, outcomeText } from "./modes.ts";

const interpSource = readFileSync(join(import.meta.dirname, "../../examples/tlr/interp.ts"), "utf8");
const op = (name: string) => OPCODES.find((o) => o.name === name)?.code as number;

test("the assembler's opcode numbers are the interpreter's", () => {
  const consts = new Map([...interpSource.matchAll(/^const (\w+) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
  for (const o of OPCODES) assert.equal(consts.get(o.name), o.code, o.name);
  assert.equal(consts.get("MAX_REGISTERS"), 256);
  assert.equal(consts.size, OPCODES.length + 1, "every constant has a mnemonic");
});

test("layout: labels resolved, operands in place, the input directive, comments, lower case", () => {
  const a = assemble(
    ["input -7  # the input", "top: set_a 0x10 ; hex", "  JUMP_IF_A end", "NEG_A", "a: b: end: RETURN_A"].join("\n"),
    "t.tlr",
  );
  assert.deepEqual([...a.code], [op("SET_A"), 16, op("JUMP_IF_A"), 5, op("NEG_A"), op("RETURN_A")]);
  assert.equal(a.input, -7);
  assert.deepEqual(
    [...a.labels],
    [
      ["top", 0],
      ["a", 5],
      ["b", 5],
      ["end", 5],
    ],
  );
  assert.deepEqual(prepare("RETURN_A", "t.tlr"), [Int32Array.from([op("RETURN_A")]), 0]);
  assert.equal(disassemble(a.code), ["   0  SET_A 16", "   2  JUMP_IF_A 5", "   4  NEG_A", "   5  RETURN_A"].join("\n"));
  assert.equal(disassemble(Int32Array.from([99, op("MOV_A_R")])), ["   0  word 99", "   1  MOV_A_R <missing>"].join("\n"));
});

test("assembler errors: every one, with its line", () => {
  const source = [
    "input x",
    "FOO 1",
    "MOV_A_R",
    "MOV_A_R 256",
    "SET_A 3000000000",
    "NEG_A 1",
    "JUMP_IF_A 4",
    "JUMP_IF_A nowhere",
    "ALLOCATE 257",
    "x: x: RETURN_A",
    "9bad: RETURN_A",
    "input 1",
    "input 2",
    "JUMP_IF_A last",
    "last:",
  ].join("\n");
  assert.throws(
    () => assemble(source, "e.tlr"),
    (e: unknown) => {
      assert.ok(e instanceof TlrAsmError);
      assert.deepEqual(e.errors, [
        "e.tlr:1: 'input' expects one integer, not 'x'",
        "e.tlr:2: unknown instruction 'FOO' (instructions: MOV_A_R, MOV_R_A, JUMP_IF_A, SET_A, ADD_R_TO_A, RETURN_A, ALLOCATE, NEG_A)",
        "e.tlr:3: 'MOV_A_R' expects one operand (a register number)",
        "e.tlr:4: register 256 is out of range (0 to 255)",
        "e.tlr:5: 'SET_A' expects an integer, not '3000000000'",
        "e.tlr:6: 'NEG_A' takes no operand",
        "e.tlr:7: 'JUMP_IF_A' expects a label, not '4'",
        "e.tlr:9: ALLOCATE 257: a program has 0 to 256 registers",
        "e.tlr:10: label 'x' is defined twice",
        "e.tlr:11: bad label name '9bad'",
        "e.tlr:13: 'input' is given twice",
        "e.tlr:8: unknown label 'nowhere'",
        "e.tlr:14: label 'last' is at the end of the program, where no instruction is",
      ]);
      return true;
    },
  );
  assert.throws(() => assemble("# nothing\n", "n.tlr"), /n\.tlr: the program has no instructions/);
});

const malformed: [string, number[], string][] = [
  ["a missing operand", [op("SET_A")], "truncated instruction"],
  ["a jump out of the code", [op("SET_A"), 1, op("JUMP_IF_A"), 9], "bad jump target"],
  ["a jump to a negative pc, even when not taken", [op("JUMP_IF_A"), -1], "bad jump target"],
  ["an unknown opcode", [42], "bad opcode"],
  ["opcode 0", [0], "bad opcode"],
  ["a negative register count", [op("ALLOCATE"), -1], "bad register count"],
  ["too many registers", [op("ALLOCATE"), 257], "bad register count"],
  ["a negative register", [op("ALLOCATE"), 1, op("ADD_R_TO_A"), -1], "bad register"],
];

for (const mode of MODES) {
  test(`malformed code is a guest error (${mode.name})`, () => {
    for (const [what, words, message] of malformed) {
      assert.equal(outcomeText(mode.run(Int32Array.from(words), 0)), `error: ${message}\n`, what);
    }
  });
}
