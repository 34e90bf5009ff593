// The Brainfuck front matter and the interpreters' own checks: parsing and bracket errors with
// line:column, the tape's ends, end of input, malformed entry arguments (which prepare never
// makes: guest errors), the folding of the optimizing variant, and the C translator of bench/bf.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bfToC } from "../../bench/bf/bf2c.ts";
import { bfToJs, runJs } from "../../bench/bf/bf2js.ts";
import { bfToWasm, runWasm } from "../../bench/bf/bf2wasm.ts";
import { main as optMain } from "../../examples/bf/interp-opt.ts";
import { main as plainMain } from "../../examples/bf/interp.ts";
import { fold, listing, prepareOpt } from "../../examples/bf/fold.ts";
import { BfSyntaxError, parse, prepare as plainPrepare } from "../../examples/bf/parse.ts";
import { GuestError, MemoryIO, withHostIO } from "../../src/hints/index.ts";
import { translate } from "../../src/vm/translate.ts";
import { MODES, outcomeBytes } from "./modes.ts";

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const run = async (source: string, input = "") => {
  const results = [];
  for (const mode of MODES) results.push(text(await outcomeBytes(mode, source, "t.b", new Uint8Array(Buffer.from(input, "latin1")))));
  for (const r of results) assert.equal(r, results[0], "modes disagree");
  return results[0];
};

test("parse: comments dropped, bracket map, positions", () => {
  const p = parse("a+[\n >-]b.", "t.b");
  assert.equal(String.fromCharCode(...p.program), "+[>-].");
  assert.deepEqual([...p.brackets], [-1, 4, -1, -1, 1, -1]);
  assert.deepEqual([...p.lines], [1, 1, 2, 2, 2, 2]);
  assert.deepEqual([...p.columns], [2, 3, 2, 3, 4, 6]);
});

test("parse: every unmatched bracket, in source order, as path:line:column", () => {
  assert.throws(
    () => parse("[[]\n]]\n  [", "p.b"),
    (e: unknown) =>
      e instanceof BfSyntaxError &&
      e.message === ["p.b:2:2: unmatched ']' (no '[' before it is open)", "p.b:3:3: unmatched '[' (never closed by a ']')"].join("\n"),
  );
  assert.throws(() => parse("]", "q.b"), /^BfSyntaxError: q\.b:1:1: unmatched '\]'/);
});

test("the tape has 1 << 20 cells: the last is usable, one more step right is an error", async () => {
  const n = (1 << 20) - 1;
  assert.equal(await run(`${">".repeat(n)}+++.`), "\x03");
  assert.equal(await run(`+.${">".repeat(n + 1)}+.`), "\x01error: pointer moved right of the last cell\n");
  assert.equal(await run("><<"), "error: pointer moved left of the first cell\n");
});

test("',' reads bytes, then stores 0 at end of input (overwriting the cell)", async () => {
  assert.equal(await run(",.,.,.", "ab"), "ab\x00");
  assert.equal(await run("+++,.", ""), "\x00");
  assert.equal(await run(",[.,]", "\xff\x80x"), "\xff\x80x");
});

test("cells wrap both ways; comments are any other character, including in the middle of runs", async () => {
  assert.equal(await run("-.+.+++ ++ +."), "\xff\x00\x06");
  assert.equal(await run(`${"+".repeat(256 + 65)}.`), "A");
});

test("the plain interpreter checks its bracket map", () => {
  const prog = Uint8Array.from("[]", (c) => c.charCodeAt(0));
  const bad = (brackets: number[], program = prog) =>
    assert.throws(
      () => plainMain(program, Int32Array.from(brackets)),
      (e: unknown) => e instanceof GuestError && e.message === "bad bracket map",
    );
  bad([1]);
  bad([1, 1]);
  bad([5, 0]);
  bad([-1, 0]);
  bad(
    [1, 0],
    Uint8Array.from("]]", (c) => c.charCodeAt(0)),
  );
  assert.equal(
    plainMain(
      Uint8Array.from("x>y>", (c) => c.charCodeAt(0)),
      new Int32Array(4).fill(-1),
    ),
    2,
    "other bytes are comments",
  );
});

test("fold: runs of one command fold, [-] and [+] clear, jumps point past their partner", () => {
  const code = fold(parse("+++--->>><[-]+[+].,[>]", "t.b").program);
  assert.equal(
    listing(code),
    [
      "     0  add 3",
      "     2  add 253",
      "     4  move 3",
      "     6  move -1",
      "     8  clear",
      "    10  add 1",
      "    12  clear",
      "    14  out",
      "    16  in",
      "    18  jz 24",
      "    20  move 1",
      "    22  jnz 20",
    ].join("\n"),
  );
  assert.equal(fold(parse("+".repeat(256), "t.b").program).length, 0, "256 increments are no change");
});

test("fold.ts and interp-opt.ts agree on the opcode numbers", () => {
  const src = readFileSync(join(import.meta.dirname, "../../examples/bf/interp-opt.ts"), "utf8");
  const host = readFileSync(join(import.meta.dirname, "../../examples/bf/fold.ts"), "utf8");
  const consts = (s: string) => new Map([...s.matchAll(/^(?:export )?const (OP_\w+) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(consts(src), consts(host));
  assert.equal(consts(src).size, 7);
});

test("the optimizing interpreter checks its code", () => {
  const bad = (words: number[], message: string) =>
    assert.throws(
      () => optMain(Int32Array.from(words)),
      (e: unknown) => e instanceof GuestError && e.message === message,
    );
  bad([1], "bad code");
  bad([9, 0], "bad opcode");
  bad([0, 0], "bad opcode");
  bad([6, 3, 7, 0], "bad code");
  bad([6, 6, 7, 0], "bad code");
  bad([2, (1 << 20) + 1], "bad code");
  const io = new MemoryIO();
  withHostIO(io, () => optMain(Int32Array.from([1, 65, 4, 0])));
  assert.equal(io.text(), "A");
});

test("bf2c: one C statement per command; the compiled program matches the interpreter", (t) => {
  const source = readFileSync(join(import.meta.dirname, "../../examples/bf/programs/rev.b"), "utf8");
  const c = bfToC(source, "rev.b");
  assert.match(c, /static unsigned char tape\[1 << 20\];/);
  assert.equal((c.match(/while \(\*p\) \{/g) ?? []).length, 2);
  assert.throws(() => bfToC("[", "u.b"), /u\.b:1:1: unmatched '\['/);
  if (spawnSync("gcc", ["--version"]).status !== 0) {
    t.skip("gcc is not installed");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "bf2c-"));
  try {
    writeFileSync(join(dir, "rev.c"), c);
    const cc = spawnSync("gcc", ["-O2", "-o", join(dir, "rev"), join(dir, "rev.c")], { encoding: "utf8" });
    assert.equal(cc.status, 0, cc.stderr);
    const r = spawnSync(join(dir, "rev"), { input: "abc\n" });
    assert.equal(r.stdout.toString("latin1"), "\ncba");
    // --count: the same output, and on stderr the commands (in "++[>+<-]>[>>]<.": two '+', the
    // '[' test, two iterations of five commands with the ']' test, '>', a '[' test, one iteration
    // of three, '<' and '.'),
    // the loop iterations, the share in scanning loops and the loops, hottest first
    writeFileSync(join(dir, "count.c"), bfToC("++[>+<-]>[>>]<.", "count.b", true));
    const cc2 = spawnSync("gcc", ["-O2", "-Wall", "-o", join(dir, "count"), join(dir, "count.c")], { encoding: "utf8" });
    assert.equal(cc2.status, 0, cc2.stderr);
    const r2 = spawnSync(join(dir, "count"), { encoding: "latin1" });
    assert.equal(r2.stdout, "\0");
    assert.equal(
      r2.stderr,
      "20 commands, 3 loop iterations, 33.3% of them in pointer-scanning loops\n             2 iterations  1:3  [>+<-]\n             1 iterations  1:10  [>>]\n",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bf2js and bf2wasm: the translated programs print what the interpreter prints", () => {
  const dir = join(import.meta.dirname, "../../examples/bf/programs");
  // every program that ends without a guest error, with its input where it has one
  for (const name of ["cat", "far", "hello", "rev", "triangle", "wrap"]) {
    const source = readFileSync(join(dir, `${name}.b`), "utf8");
    const input = existsSync(join(dir, `${name}.in`)) ? new Uint8Array(readFileSync(join(dir, `${name}.in`))) : new Uint8Array();
    const expected = readFileSync(join(dir, `${name}.out`), "latin1");
    assert.equal(text(runJs(bfToJs(source, `${name}.b`), input)), expected, `${name}.b in JS`);
    assert.equal(text(runWasm(bfToWasm(source, `${name}.b`), input)), expected, `${name}.b in Wasm`);
  }
  // ',' at end of input stores 0; cells wrap
  const eof = ",+.-.";
  assert.deepEqual([...runJs(bfToJs(eof, "e.b"))], [1, 0]);
  assert.deepEqual([...runWasm(bfToWasm(eof, "e.b"))], [1, 0]);
  assert.deepEqual([...runJs(bfToJs(eof, "e.b"), Uint8Array.of(255))], [0, 255]);
  assert.deepEqual([...runWasm(bfToWasm(eof, "e.b"), Uint8Array.of(255))], [0, 255]);
  assert.throws(() => bfToJs("]", "u.b"), /u\.b:1:1: unmatched '\]'/);
  assert.throws(() => bfToWasm("[", "u.b"), /u\.b:1:1: unmatched '\['/);
});

test("fold: a run longer than the tape is split into moves the optimizing interpreter accepts", async () => {
  const code = fold(parse(">".repeat((1 << 21) + 3), "t.b").program);
  assert.deepEqual([...code], [2, 1 << 20, 2, 1 << 20, 2, 3]);
  assert.equal(await run(`+${"<".repeat((1 << 20) + 1)}`), "error: pointer moved left of the first cell\n");
});

test("the JIT compiles the hot loops of both interpreters, with no failure", () => {
  const source = readFileSync(join(import.meta.dirname, "../../examples/bf/programs/triangle.b"), "utf8");
  const expected = readFileSync(join(import.meta.dirname, "../../examples/bf/programs/triangle.out"), "latin1");
  for (const [file, prepare] of [
    ["interp.ts", plainPrepare],
    ["interp-opt.ts", prepareOpt],
  ] as const) {
    const vm = translate(join(import.meta.dirname, "../../examples/bf", file), { jit: { threshold: 2 } });
    const io = new MemoryIO();
    withHostIO(io, () => vm.run(prepare(source, "triangle.b")));
    assert.equal(text(io.bytes()), expected, file);
    assert.ok((vm.jit?.stats.compilations ?? 0) >= 1, `${file}: nothing was compiled`);
    assert.equal(vm.jit?.stats.failures, 0, `${file}: a compilation failed`);
  }
});

// A generator bug found by hanoi.b under the JIT (fixed): src/pe/cleanup.ts followed chains of
// copied variables at most 1000 steps, so a residual straight line of more than about 1000 guest
// instructions after a loop used variables that were never defined (null tape in compiled code).
test("the JIT: a loop followed by 500 '+.' (a residual straight line of 1000 commands)", () => {
  const source = `++[-]${"+.".repeat(500)}`;
  const expected = Uint8Array.from({ length: 500 }, (_, i) => i + 1);
  const vm = translate(join(import.meta.dirname, "../../examples/bf/interp.ts"), { jit: { threshold: 1 } });
  const io = new MemoryIO();
  withHostIO(io, () => vm.run(plainPrepare(source, "line.b")));
  assert.deepEqual(io.bytes(), expected);
});
