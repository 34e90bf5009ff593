#!/usr/bin/env python3
# A straightforward Brainfuck interpreter in Python, the reference of bench/bf/run.ts for CPython
# and PyPy: the design of the PyPy tutorial's interpreter (comments dropped, a bracket map computed
# once, one dispatch step per command, the tape and its pointer as plain variables), with the
# conventions of examples/bf: 8-bit cells that wrap, 1 << 20 cells with the pointer at cell 0
# (moving off either end is an error), `,` at end of input stores 0.
#
#   python3 bench/bf/bf.py prog.b < input        (or pypy3)

import sys

TAPE_SIZE = 1 << 20


def parse(source):
    """The commands of `source` and, for each bracket, the index of its partner."""
    program = [c for c in source if c in "+-<>.,[]"]
    brackets = {}
    open_at = []
    for i, c in enumerate(program):
        if c == "[":
            open_at.append(i)
        elif c == "]":
            if not open_at:
                raise SyntaxError("unmatched ']'")
            j = open_at.pop()
            brackets[i] = j
            brackets[j] = i
    if open_at:
        raise SyntaxError("unmatched '['")
    return "".join(program), brackets


def run(program, brackets, read, write):
    tape = bytearray(TAPE_SIZE)
    ptr = 0
    pc = 0
    n = len(program)
    while pc < n:
        c = program[pc]
        if c == "+":
            tape[ptr] = (tape[ptr] + 1) & 255
        elif c == "-":
            tape[ptr] = (tape[ptr] - 1) & 255
        elif c == ">":
            if ptr == TAPE_SIZE - 1:
                raise RuntimeError("pointer moved right of the last cell")
            ptr += 1
        elif c == "<":
            if ptr == 0:
                raise RuntimeError("pointer moved left of the first cell")
            ptr -= 1
        elif c == ".":
            write(tape[ptr])
        elif c == ",":
            b = read(1)
            tape[ptr] = b[0] if b else 0
        elif c == "[":
            if tape[ptr] == 0:
                pc = brackets[pc]
        elif c == "]":
            if tape[ptr] != 0:
                pc = brackets[pc]
        pc += 1


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: bf.py <program.b> < input\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        source = f.read()
    try:
        program, brackets = parse(source)
    except SyntaxError as e:
        sys.stderr.write("%s: %s\n" % (argv[1], e.msg))
        return 2
    out = sys.stdout.buffer
    try:
        run(program, brackets, sys.stdin.buffer.read, lambda b: out.write(bytes((b,))))
    except RuntimeError as e:
        out.flush()
        sys.stderr.write("error: %s\n" % e)
        return 1
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
