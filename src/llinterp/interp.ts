// L3, the LL graph interpreter: runs any graph of a Program directly, with the meaning each op
// has in src/ir/ops.ts (scalar ops through the catalogue's own functions: one definition of
// arithmetic). Each graph is compiled once, on first use, into closures over a register array
// (every variable and constant has a slot), so running an op costs one closure call. Every failure
// becomes an LLError naming the graph, block and op (and source location) where it happened, with
// the call stack; a raised guest message (Program.messages) becomes an LLError of kind "guest".

import type { Block, Const, Graph, Link, Op, Program, SourceLoc, Value, Var } from "../ir/graph.ts";
import { allFields, arrayDef, findField, graphParams, isSubStruct, locToString, structDef } from "../ir/graph.ts";
import { isScalarOp, ScalarError, scalarInfo } from "../ir/ops.ts";
import type { ArrayDef, StructDef } from "../ir/types.ts";
import { GuestError } from "../hints/index.ts";
import type { FnRef, Heap, HeapRef, LLValue } from "./heap.ts";
import type { HostImpl } from "./hosts.ts";
import { defaultHosts } from "./hosts.ts";
import type { JSArray } from "./js-heap.ts";
import { isFnRef, JSHeap, JSStruct, MarshalError, zeroValue } from "./js-heap.ts";

export type LLErrorKind =
  /** A raise of a message index (Program.messages) reached the top: the guest program's error. */
  | "guest"
  /** Any other raised value reached the top. */
  | "raise"
  | "bounds"
  | "negative length"
  | "division by zero"
  | "integer overflow"
  | "null reference"
  | "cast"
  | "unknown graph"
  | "unknown host"
  | "unknown global"
  | "unknown type"
  | "step limit"
  | "stack overflow"
  | "out of memory"
  /** A host function threw. */
  | "host"
  /** Arguments given to L3 from outside do not fit the graph (count or types). */
  | "argument"
  /** The graph itself is broken (a variable used but never defined, a link with the wrong number of arguments...). */
  | "malformed"
  /** A bug: a JS exception L3 did not expect. */
  | "internal";

/** A place in a running program: an op (opIndex < number of ops of the block) or the block's exit. */
export interface FrameInfo {
  readonly graph: string;
  readonly block: string;
  readonly opIndex: number;
  /** The op name, or the exit kind (raise, return, jump...) when the place is the exit. */
  readonly op: string;
  readonly isExit: boolean;
  readonly loc?: SourceLoc;
}

function placeToString(f: FrameInfo): string {
  const at = f.isExit ? `exit (${f.op})` : `op ${f.opIndex} (${f.op})`;
  return `graph '${f.graph}', block '${f.block}', ${at}${f.loc ? ` at ${locToString(f.loc)}` : ""}`;
}

/** Every failure of a program run on L3. `message` is the reason and the place, except for guest errors where it is exactly the guest's message. */
export class LLError extends Error {
  override name = "LLError";
  readonly kind: LLErrorKind;
  /** The problem without the place, e.g. `index 7 out of bounds for array of length 4`. */
  readonly reason: string;
  /** Where it happened (null when L3 was called wrongly from outside). */
  readonly graph: string | null;
  readonly block: string | null;
  readonly opIndex: number;
  readonly op: string | null;
  readonly loc: SourceLoc | undefined;
  /** The frames from the failing one (first) out to the outermost call. */
  readonly callStack: FrameInfo[];
  /** The raised value, for kinds "guest" and "raise". */
  readonly value: LLValue | undefined;

  constructor(kind: LLErrorKind, reason: string, where: FrameInfo | null, value?: LLValue, cause?: unknown) {
    super(kind === "guest" || !where ? reason : `${reason} in ${placeToString(where)}`, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.reason = reason;
    this.graph = where?.graph ?? null;
    this.block = where?.block ?? null;
    this.opIndex = where?.opIndex ?? -1;
    this.op = where?.op ?? null;
    this.loc = where?.loc;
    this.callStack = where ? [where] : [];
    this.value = value;
  }
}

/**
 * How every mode prints an error: `error: <message>` (for a guest error, exactly the guest's
 * message, as an untranslated GuestError prints), then for other L3 errors the calling frames.
 */
export function formatError(e: unknown): string {
  if (e instanceof LLError) {
    const lines = [`error: ${e.message}`];
    const shown = e.kind === "guest" ? [] : e.callStack.slice(1, 21);
    for (const f of shown) lines.push(`  called from ${placeToString(f)}`);
    const more = e.kind === "guest" ? 0 : e.callStack.length - 1 - shown.length;
    if (more > 0) lines.push(`  ... ${more} more frames`);
    return lines.join("\n");
  }
  if (e instanceof GuestError || e instanceof MarshalError) return `error: ${e.message}`;
  if (e instanceof Error) return `internal error: ${e.stack ?? e.message}`;
  return `error: ${String(e)}`;
}

/** A failure inside L3 before the place is known (turned into an LLError by the frame that catches it). */
class Fail {
  readonly kind: LLErrorKind;
  readonly reason: string;
  readonly value: LLValue | undefined;
  constructor(kind: LLErrorKind, reason: string, value?: LLValue) {
    this.kind = kind;
    this.reason = reason;
    this.value = value;
  }
}

type Regs = LLValue[];
/** An op: returns undefined, or CALL after setting up a call (L3.callee*), which the run loop performs. */
type OpFn = (r: Regs) => typeof CALL | undefined;
/** A link's register moves. */
type MoveFn = (r: Regs) => void;
const CALL = 1;

/** A suspended caller: it continues after op `i` of block `b`, storing the result in slot `dest`. */
interface Frame {
  readonly cg: CGraph;
  readonly r: Regs;
  readonly b: CBlock;
  readonly i: number;
  readonly dest: number;
}

interface CBlock {
  readonly label: string;
  readonly src: Block;
  /** Register slots of the block's parameters. */
  params: number[];
  ops: OpFn[];
  /** Steps charged when the block runs: its ops and its exit. */
  cost: number;
  /** Runs the exit: the next block, or null after a return (the value is in slot 0). */
  exit: (r: Regs) => CBlock | null;
}

interface CGraph {
  readonly name: string;
  readonly src: Graph;
  readonly blocks: CBlock[];
  readonly byLabel: Map<string, CBlock>;
  /** Initial registers: slot 0 for the return value, constants in their slots. */
  readonly template: Regs;
}

const NOP: OpFn = () => undefined;

export interface L3Options {
  /** Where objects live (default: a new JSHeap). */
  heap?: Heap;
  /** Host function implementations by name (default: defaultHosts()). */
  hosts?: Map<string, HostImpl>;
  /** Most ops (and block exits) one outside call may run; exceeding it is an LLError "step limit". */
  maxSteps?: number;
  /** Most nested calls (default 100000); exceeding it is an LLError "stack overflow". */
  maxDepth?: number;
}

export class L3 {
  readonly program: Program;
  readonly heap: Heap;
  readonly hosts: Map<string, HostImpl>;
  maxSteps: number;
  maxDepth: number;
  /** Steps taken by the current (or last) outside call. */
  steps = 0;
  private readonly js: JSHeap | null;
  private readonly compiled = new Map<string, CGraph>();
  private readonly fnRefs = new Map<string, FnRef>();
  private readonly globalIndex = new Map<string, number>();
  private readonly globals: LLValue[] = [];
  /** Bumped by invalidate(): call sites re-resolve their callee. */
  private epoch = 0;
  private running = false;
  /** Suspended callers of the running frames (L3 does not recurse on the JS stack for LL calls). */
  private readonly stack: Frame[] = [];
  /** Set by a call op before it returns CALL: the callee, its registers, the caller's result slot. */
  private calleeGraph: CGraph | null = null;
  private calleeRegs: Regs = [];
  private calleeDest = 0;

  constructor(program: Program, opts: L3Options = {}) {
    this.program = program;
    this.heap = opts.heap ?? new JSHeap(program);
    this.js = this.heap instanceof JSHeap ? this.heap : null;
    this.hosts = opts.hosts ?? defaultHosts();
    this.maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;
    this.maxDepth = opts.maxDepth ?? 100000;
    for (const g of program.globals.values()) {
      this.globalIndex.set(g.name, this.globals.length);
      this.globals.push(this.constValue(g.init));
    }
  }

  /** Run graph `graph` on argument values; returns its result (null for void). */
  call(graph: string, args: readonly LLValue[]): LLValue {
    return this.callFrom(graph, null, args);
  }

  /**
   * Run graph `graph` from block `block` (its label; null for the start block) with the block's
   * parameters bound to `args`: how execution resumes inside an interpreter graph.
   */
  callFrom(graph: string, block: string | null, args: readonly LLValue[]): LLValue {
    const cg = this.outside(() => this.resolve(graph));
    const b = block === null ? cg.blocks[0] : cg.byLabel.get(block);
    if (!b)
      throw new LLError("argument", block === null ? `graph '${graph}' has no blocks` : `graph '${graph}' has no block '${block}'`, null);
    if (args.length !== b.params.length)
      throw new LLError(
        "argument",
        `${block === null ? `graph '${graph}'` : `block '${block}' of graph '${graph}'`} takes ${b.params.length} arguments, got ${args.length}`,
        null,
      );
    const r = cg.template.slice();
    for (let k = 0; k < args.length; k++) r[b.params[k] as number] = args[k] as LLValue;
    const outer = this.running;
    if (!outer) this.steps = 0;
    this.running = true;
    try {
      return this.exec(cg, r, b);
    } finally {
      this.running = outer;
    }
  }

  /**
   * Call a graph with host values (numbers, booleans, bigints, typed arrays, arrays), marshalled
   * by the heap's fromJS (a JSHeap); returns the result as a host value.
   */
  callJS(graph: string, args: readonly unknown[]): unknown {
    const g = this.program.graphs.get(graph);
    if (!g) throw new LLError("unknown graph", `unknown graph '${graph}'`, null);
    const js = this.js;
    if (!js) throw new LLError("argument", "callJS needs a JSHeap (other heaps marshal values themselves)", null);
    const params = graphParams(g);
    if (args.length !== params.length)
      throw new LLError("argument", `graph '${graph}' takes ${params.length} arguments, got ${args.length}`, null);
    const vals = params.map((p: Var, i) => this.outside(() => js.fromJS(args[i], p.type, `argument ${i + 1} of '${graph}'`)));
    return js.toJS(this.call(graph, vals), g.result);
  }

  getGlobal(name: string): LLValue {
    const i = this.globalIndex.get(name);
    if (i === undefined) throw new LLError("unknown global", `unknown global '${name}'`, null);
    return this.globals[i] as LLValue;
  }

  setGlobal(name: string, v: LLValue): void {
    const i = this.globalIndex.get(name);
    if (i === undefined) throw new LLError("unknown global", `unknown global '${name}'`, null);
    this.globals[i] = v;
  }

  /** Forget compiled graphs: call after changing graphs of the program that already ran. */
  invalidate(): void {
    this.compiled.clear();
    this.epoch++;
  }

  /** The (interned) function reference value for graph `name`. */
  fnRef(name: string): FnRef {
    let f = this.fnRefs.get(name);
    if (!f) {
      f = { fn: name };
      this.fnRefs.set(name, f);
    }
    return f;
  }

  // ---- running --------------------------------------------------------------------------------

  private outside<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof Fail) throw new LLError(e.kind, e.reason, null, e.value);
      if (e instanceof MarshalError) throw new LLError("argument", e.message, null);
      throw e;
    }
  }

  /**
   * Run from block `b` of `cg` until that frame returns. Calls push the caller on `this.stack` and
   * continue in the callee, so LL recursion depth is bounded by maxDepth, not by the JS stack.
   */
  private exec(cg: CGraph, r: Regs, b: CBlock): LLValue {
    const stack = this.stack;
    const base = stack.length;
    let i = 0;
    try {
      run: for (;;) {
        if (i === 0) {
          this.steps += b.cost;
          if (this.steps > this.maxSteps) throw new Fail("step limit", `step limit of ${this.maxSteps} exceeded`);
        }
        const ops = b.ops;
        for (; i < ops.length; i++) {
          if ((ops[i] as OpFn)(r) !== undefined) {
            if (stack.length >= this.maxDepth) throw new Fail("stack overflow", `stack overflow (more than ${this.maxDepth} nested calls)`);
            stack.push({ cg, r, b, i, dest: this.calleeDest });
            cg = this.calleeGraph as CGraph;
            r = this.calleeRegs;
            b = cg.blocks[0] as CBlock;
            i = 0;
            continue run;
          }
        }
        const next = b.exit(r);
        if (next !== null) {
          b = next;
          i = 0;
          continue;
        }
        if (stack.length === base) return r[0] as LLValue;
        const v = r[0] as LLValue;
        const f = stack.pop() as Frame;
        cg = f.cg;
        r = f.r;
        b = f.b;
        r[f.dest] = v;
        i = f.i + 1;
      }
    } catch (e) {
      const err = this.wrap(e, cg, b, i);
      while (stack.length > base) {
        const f = stack.pop() as Frame;
        err.callStack.push(frameInfo(f.cg, f.b, f.i));
      }
      throw err;
    }
  }

  /** Turn whatever was thrown at op `i` of block `b` into an LLError, or add this frame to one. */
  private wrap(e: unknown, cg: CGraph, b: CBlock, i: number): LLError {
    const frame = frameInfo(cg, b, i);
    if (e instanceof LLError) {
      e.callStack.push(frame);
      return e;
    }
    if (e instanceof Fail) {
      if (e.kind === "raise") {
        const v = e.value as LLValue;
        const msgs = this.program.messages;
        if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < msgs.length)
          return new LLError("guest", msgs[v] as string, frame, v);
        return new LLError("raise", `unhandled raise of ${showValue(v)}`, frame, v);
      }
      return new LLError(e.kind, e.reason, frame, e.value);
    }
    if (e instanceof ScalarError) return new LLError(e.reason, e.reason, frame);
    // Only through host functions that call back into L3 can the JS stack overflow.
    if (e instanceof RangeError && e.message.includes("call stack"))
      return new LLError("stack overflow", "stack overflow (JS call stack exhausted)", frame);
    const msg = e instanceof Error ? e.message : String(e);
    return new LLError("internal", `internal error: ${msg}`, frame, undefined, e);
  }

  /** The compiled graph `name` (compiled on first use); Fail "unknown graph" if there is none. */
  private resolve(name: string): CGraph {
    const g = this.program.graphs.get(name);
    if (!g) throw new Fail("unknown graph", `unknown graph '${name}'`);
    let cg = this.compiled.get(name);
    if (!cg || cg.src !== g) {
      cg = this.compile(g);
      this.compiled.set(name, cg);
    }
    return cg;
  }

  private constValue(c: Const): LLValue {
    const v = c.value;
    if (v === null || typeof v !== "object") return v;
    if ("fn" in v) return this.fnRef(v.fn);
    return v.obj as HeapRef;
  }

  // ---- compiling a graph to closures ----------------------------------------------------------

  private compile(g: Graph): CGraph {
    const slots = new Map<Var, number>();
    const constSlots = new Map<Const, number>();
    const template: Regs = [null];
    const define = (v: Var): void => {
      if (!slots.has(v)) {
        slots.set(v, template.length);
        template.push(null);
      }
    };
    for (const b of g.blocks) {
      for (const p of b.params) define(p);
      for (const o of b.ops) if (o.result) define(o.result);
    }
    const scratch = template.length;
    template.push(null);
    const slot = (v: Value): number => {
      if (v.kind === "var") {
        const s = slots.get(v);
        if (s === undefined)
          throw new Fail("malformed", `variable '${v.name}' (id ${v.id}) is used but defined nowhere in graph '${g.name}'`);
        return s;
      }
      let s = constSlots.get(v);
      if (s === undefined) {
        s = template.length;
        constSlots.set(v, s);
        template.push(this.constValue(v));
      }
      return s;
    };

    const blocks: CBlock[] = g.blocks.map((b) => ({
      label: b.label,
      src: b,
      params: b.params.map((p) => slots.get(p) as number),
      ops: [],
      cost: b.ops.length + 1,
      exit: () => null,
    }));
    const byBlock = new Map<Block, CBlock>(blocks.map((cb) => [cb.src, cb]));
    const byLabel = new Map<string, CBlock>();
    for (const cb of blocks) if (!byLabel.has(cb.label)) byLabel.set(cb.label, cb);

    for (const cb of blocks) {
      cb.ops = cb.src.ops.map((o) => {
        try {
          return this.compileOp(o, slot, o.result ? (slots.get(o.result) as number) : scratch);
        } catch (e) {
          if (!(e instanceof Fail)) throw e;
          return () => {
            throw e;
          };
        }
      });
      try {
        cb.exit = this.compileExit(cb.src, slot, byBlock);
      } catch (e) {
        if (!(e instanceof Fail)) throw e;
        cb.exit = () => {
          throw e;
        };
      }
    }
    return { name: g.name, src: g, blocks, byLabel, template };
  }

  private compileLink(l: Link, slot: (v: Value) => number, byBlock: Map<Block, CBlock>): { target: CBlock; move: MoveFn | null } {
    const target = byBlock.get(l.target);
    if (!target) throw new Fail("malformed", `link to block '${l.target.label}', which is not in this graph`);
    if (l.args.length !== target.params.length)
      throw new Fail(
        "malformed",
        `link to block '${target.label}' passes ${l.args.length} arguments for ${target.params.length} parameters`,
      );
    const src: number[] = [];
    const dst: number[] = [];
    l.args.forEach((a, k) => {
      const s = slot(a);
      const d = target.params[k] as number;
      if (s !== d) {
        src.push(s);
        dst.push(d);
      }
    });
    return { target, move: moveFn(src, dst) };
  }

  private compileExit(b: Block, slot: (v: Value) => number, byBlock: Map<Block, CBlock>): (r: Regs) => CBlock | null {
    const e = b.exit;
    switch (e.kind) {
      case "jump": {
        const { target, move } = this.compileLink(e.link, slot, byBlock);
        if (!move) return () => target;
        return (r) => {
          move(r);
          return target;
        };
      }
      case "branch": {
        const c = slot(e.cond);
        const t = this.compileLink(e.ifTrue, slot, byBlock);
        const f = this.compileLink(e.ifFalse, slot, byBlock);
        const tt = t.target;
        const ft = f.target;
        const tm = t.move;
        const fm = f.move;
        if (!tm && !fm) return (r) => (r[c] === true ? tt : ft);
        return (r) => {
          if (r[c] === true) {
            if (tm) tm(r);
            return tt;
          }
          if (fm) fm(r);
          return ft;
        };
      }
      case "switch": {
        const s = slot(e.value);
        const dflt = this.compileLink(e.default, slot, byBlock);
        const cases = e.cases.map((c) => ({ value: c.value, link: this.compileLink(c.link, slot, byBlock) }));
        type CL = { target: CBlock; move: MoveFn | null };
        let pick: (v: number) => CL;
        const vals = cases.map((c) => c.value);
        const min = vals.length ? Math.min(...vals) : 0;
        const max = vals.length ? Math.max(...vals) : -1;
        if (max - min < 4 * cases.length + 16) {
          const table: (CL | undefined)[] = new Array(max - min + 1).fill(undefined);
          for (const c of cases) if (table[c.value - min] === undefined) table[c.value - min] = c.link;
          pick = (v) => table[v - min] ?? dflt;
        } else {
          const m = new Map<number, CL>();
          for (const c of cases) if (!m.has(c.value)) m.set(c.value, c.link);
          pick = (v) => m.get(v) ?? dflt;
        }
        return (r) => {
          const l = pick(r[s] as number);
          if (l.move) l.move(r);
          return l.target;
        };
      }
      case "return": {
        if (e.value === null)
          return (r) => {
            r[0] = null;
            return null;
          };
        const v = slot(e.value);
        return (r) => {
          r[0] = r[v] as LLValue;
          return null;
        };
      }
      case "raise": {
        const v = slot(e.value);
        return (r) => {
          throw new Fail("raise", "raise", r[v]);
        };
      }
      case "none":
        throw new Fail("malformed", `block '${b.label}' has no exit`);
    }
  }

  private structOf(name: string | undefined, op: string): StructDef {
    if (name === undefined) throw new Fail("malformed", `${op} without a struct type`);
    const s = structDef(this.program, name);
    if (!s) throw new Fail("unknown type", `unknown struct type '${name}'`);
    return s;
  }

  private arrayOf(name: string | undefined, op: string): ArrayDef {
    if (name === undefined) throw new Fail("malformed", `${op} without an array type`);
    const a = arrayDef(this.program, name);
    if (!a) throw new Fail("unknown type", `unknown array type '${name}'`);
    return a;
  }

  private compileOp(o: Op, slot: (v: Value) => number, d: number): OpFn {
    const a = o.args.map(slot);
    const arity = (n: number): void => {
      if (a.length !== n) throw new Fail("malformed", `${o.op} takes ${n} operands, got ${a.length}`);
    };
    const name = o.op;
    if (isScalarOp(name)) {
      const info = scalarInfo(name);
      arity(info.params.length);
      if (a.length === 1) {
        const f = info.fn as unknown as (x: LLValue) => LLValue;
        const x = a[0] as number;
        return (r) => {
          r[d] = f(r[x] as LLValue);
        };
      }
      const f = info.fn as unknown as (x: LLValue, y: LLValue) => LLValue;
      const x = a[0] as number;
      const y = a[1] as number;
      return (r) => {
        r[d] = f(r[x] as LLValue, r[y] as LLValue);
      };
    }
    const heap = this.heap;
    const js = this.js;
    const x = a[0] as number;
    const y = a[1] as number;
    const z = a[2] as number;
    switch (name) {
      case "same_as":
      case "promote":
        arity(1);
        return (r) => {
          r[d] = r[x] as LLValue;
        };
      case "is_constant":
        arity(1);
        return (r) => {
          r[d] = false;
        };
      case "assert_green":
      case "jit_merge_point":
      case "can_enter_jit":
        return NOP;
      case "new": {
        const s = this.structOf(o.attrs.type, name);
        const n = allFields(this.program, s.name).length;
        if (a.length === 0) {
          if (js) {
            const zeros = allFields(this.program, s.name).map((f) => zeroValue(f.type));
            return (r) => {
              r[d] = new JSStruct(s.name, zeros.slice());
            };
          }
          return (r) => {
            r[d] = heap.newStruct(s);
          };
        }
        arity(n);
        return (r) => {
          const vals = new Array<LLValue>(n);
          for (let k = 0; k < n; k++) vals[k] = r[a[k] as number] as LLValue;
          r[d] = js ? new JSStruct(s.name, vals) : heap.newStruct(s, vals);
        };
      }
      case "getfield":
      case "setfield": {
        const s = this.structOf(o.attrs.type, name);
        const field = o.attrs.field;
        if (field === undefined) throw new Fail("malformed", `${name} without a field name`);
        if (!findField(this.program, s.name, field)) throw new Fail("malformed", `struct '${s.name}' has no field '${field}'`);
        const what = `${name === "getfield" ? "reading" : "writing"} field '${s.name}.${field}'`;
        if (name === "getfield") {
          arity(1);
          if (js) {
            const idx = js.fieldIndex(s.name, field);
            return (r) => {
              const obj = r[x] as JSStruct | null;
              if (obj === null) throw nullRef(what);
              r[d] = obj.values[idx] as LLValue;
            };
          }
          return (r) => {
            const obj = r[x] as LLValue;
            if (obj === null) throw nullRef(what);
            r[d] = heap.getField(obj as HeapRef, s.name, field);
          };
        }
        arity(2);
        if (js) {
          const idx = js.fieldIndex(s.name, field);
          return (r) => {
            const obj = r[x] as JSStruct | null;
            if (obj === null) throw nullRef(what);
            obj.values[idx] = r[y] as LLValue;
          };
        }
        return (r) => {
          const obj = r[x] as LLValue;
          if (obj === null) throw nullRef(what);
          heap.setField(obj as HeapRef, s.name, field, r[y] as LLValue);
        };
      }
      case "newarray": {
        const t = this.arrayOf(o.attrs.type, name);
        arity(1);
        return (r) => {
          r[d] = allocArray(heap, t, r[x] as number);
        };
      }
      case "newarray_init": {
        const t = this.arrayOf(o.attrs.type, name);
        const u8 = t.item.kind === "u8";
        const n = a.length;
        return (r) => {
          const arr = allocArray(heap, t, n);
          for (let k = 0; k < n; k++) {
            const v = r[a[k] as number] as LLValue;
            heap.setItem(arr, t.name, k, u8 ? (v as number) & 255 : v);
          }
          r[d] = arr;
        };
      }
      case "getitem": {
        const t = this.arrayOf(o.attrs.type, name);
        arity(2);
        const what = `reading an item of '${t.name}'`;
        if (js)
          return (r) => {
            const arr = r[x] as JSArray | null;
            if (arr === null) throw nullRef(what);
            const i = r[y] as number;
            if (i >>> 0 >= arr.length) throw outOfBounds(i, arr.length);
            r[d] = arr[i] as LLValue;
          };
        return (r) => {
          const arr = r[x] as HeapRef | null;
          if (arr === null) throw nullRef(what);
          const i = r[y] as number;
          const len = heap.length(arr, t.name);
          if (i >>> 0 >= len) throw outOfBounds(i, len);
          r[d] = heap.getItem(arr, t.name, i);
        };
      }
      case "setitem": {
        const t = this.arrayOf(o.attrs.type, name);
        arity(3);
        const what = `writing an item of '${t.name}'`;
        if (js)
          return (r) => {
            const arr = r[x] as LLValue[] | null;
            if (arr === null) throw nullRef(what);
            const i = r[y] as number;
            if (i >>> 0 >= arr.length) throw outOfBounds(i, arr.length);
            arr[i] = r[z] as LLValue;
          };
        const u8 = t.item.kind === "u8";
        return (r) => {
          const arr = r[x] as HeapRef | null;
          if (arr === null) throw nullRef(what);
          const i = r[y] as number;
          const len = heap.length(arr, t.name);
          if (i >>> 0 >= len) throw outOfBounds(i, len);
          const v = r[z] as LLValue;
          heap.setItem(arr, t.name, i, u8 ? (v as number) & 255 : v);
        };
      }
      case "arraylen": {
        const t = this.arrayOf(o.attrs.type, name);
        arity(1);
        const what = `length of '${t.name}'`;
        return (r) => {
          const arr = r[x] as HeapRef | null;
          if (arr === null) throw nullRef(what);
          r[d] = js ? (arr as JSArray).length : heap.length(arr, t.name);
        };
      }
      case "arraycopy": {
        const t = this.arrayOf(o.attrs.type, name);
        arity(5);
        const [s0, s1, s2, s3, s4] = a as [number, number, number, number, number];
        return (r) => {
          arrayCopy(heap, js, t.name, r[s0] as HeapRef | null, r[s1] as number, r[s2] as HeapRef | null, r[s3] as number, r[s4] as number);
        };
      }
      case "ref_is_null":
        arity(1);
        return (r) => {
          r[d] = r[x] === null;
        };
      case "ref_eq":
        arity(2);
        return (r) => {
          const p = r[x] as LLValue;
          const q = r[y] as LLValue;
          r[d] = p === q || (isFnRef(p) && isFnRef(q) && p.fn === q.fn);
        };
      case "ref_test":
      case "ref_cast": {
        const s = this.structOf(o.attrs.type, name);
        arity(1);
        const cache = new Map<string, boolean>();
        const program = this.program;
        const isA = (obj: HeapRef): boolean => {
          const tn = heap.typeName(obj);
          let ok = cache.get(tn);
          if (ok === undefined) {
            ok = structDef(program, tn) !== undefined && isSubStruct(program, tn, s.name);
            cache.set(tn, ok);
          }
          return ok;
        };
        if (name === "ref_test")
          return (r) => {
            const obj = r[x] as LLValue;
            r[d] = obj !== null && !isFnRef(obj) && isA(obj as HeapRef);
          };
        return (r) => {
          const obj = r[x] as LLValue;
          if (obj !== null && (isFnRef(obj) || !isA(obj as HeapRef)))
            throw new Fail(
              "cast",
              `cannot cast ${isFnRef(obj) ? "a function reference" : `an object of type '${heap.typeName(obj as HeapRef)}'`} to '${s.name}'`,
            );
          r[d] = obj;
        };
      }
      case "call": {
        const callee = o.attrs.callee;
        if (callee === undefined) throw new Fail("malformed", "call without a callee");
        let target: CGraph | null = null;
        let epoch = -1;
        return (r) => {
          if (epoch !== this.epoch || target === null) {
            target = this.resolve(callee);
            checkArity(target, a.length);
            epoch = this.epoch;
          }
          return this.enter(target, r, a, 0, d);
        };
      }
      case "call_ref": {
        if (a.length < 1) throw new Fail("malformed", "call_ref without a function operand");
        const n = a.length - 1;
        let lastName = "";
        let target: CGraph | null = null;
        let epoch = -1;
        return (r) => {
          const f = r[x] as LLValue;
          if (f === null) throw nullRef("call_ref");
          const fname = (f as FnRef).fn;
          if (fname !== lastName || epoch !== this.epoch || target === null) {
            if (typeof fname !== "string") throw new Fail("internal", "call_ref of a value that is not a function reference");
            target = this.resolve(fname);
            checkArity(target, n);
            lastName = fname;
            epoch = this.epoch;
          }
          return this.enter(target, r, a, 1, d);
        };
      }
      case "call_host": {
        const hname = o.attrs.callee;
        if (hname === undefined) throw new Fail("malformed", "call_host without a host function name");
        const def = this.program.hosts.get(hname);
        if (!def) throw new Fail("unknown host", `unknown host function '${hname}'`);
        const impl = this.hosts.get(hname);
        if (!impl) throw new Fail("unknown host", `no implementation given for host function '${hname}'`);
        arity(def.params.length);
        const isVoid = def.result.kind === "void";
        return (r) => {
          const args = a.map((s) => r[s] as LLValue);
          let v: LLValue;
          try {
            v = impl(heap, args);
          } catch (e) {
            if (e instanceof LLError) throw e;
            if (e instanceof GuestError) throw new Fail("guest", e.message);
            throw new Fail("host", `host function '${hname}' failed: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (!isVoid) {
            if (v === undefined) throw new Fail("host", `host function '${hname}' returned no value`);
            r[d] = v;
          }
        };
      }
      case "getglobal":
      case "setglobal": {
        const gname = o.attrs.callee;
        if (gname === undefined) throw new Fail("malformed", `${name} without a global name`);
        const gi = this.globalIndex.get(gname);
        if (gi === undefined) throw new Fail("unknown global", `unknown global '${gname}'`);
        const globals = this.globals;
        if (name === "getglobal") {
          arity(0);
          return (r) => {
            r[d] = globals[gi] as LLValue;
          };
        }
        arity(1);
        return (r) => {
          globals[gi] = r[x] as LLValue;
        };
      }
    }
    throw new Fail("malformed", `unknown op '${name}'`);
  }

  /** Set up a call of `t` with the values of caller slots a[from...], result to slot `dest`; the run loop enters it. */
  private enter(t: CGraph, r: Regs, a: number[], from: number, dest: number): typeof CALL {
    const cr = t.template.slice();
    const ps = (t.blocks[0] as CBlock).params;
    for (let k = 0; k < ps.length; k++) cr[ps[k] as number] = r[a[k + from] as number] as LLValue;
    this.calleeGraph = t;
    this.calleeRegs = cr;
    this.calleeDest = dest;
    return CALL;
  }
}

function frameInfo(cg: CGraph, b: CBlock, i: number): FrameInfo {
  const src = b.src;
  const op = i < src.ops.length ? (src.ops[i] as Op) : undefined;
  return {
    graph: cg.name,
    block: b.label,
    opIndex: i,
    op: op ? op.op : src.exit.kind,
    isExit: op === undefined,
    ...(op?.loc ? { loc: op.loc } : {}),
  };
}

function checkArity(t: CGraph, n: number): void {
  const start = t.blocks[0];
  if (!start) throw new Fail("malformed", `graph '${t.name}' has no blocks`);
  if (start.params.length !== n) throw new Fail("malformed", `graph '${t.name}' takes ${start.params.length} arguments, called with ${n}`);
}

/** The register moves of a link: all sources are read before any destination is written. */
function moveFn(src: number[], dst: number[]): MoveFn | null {
  const n = src.length;
  if (n === 0) return null;
  if (n === 1) {
    const s = src[0] as number;
    const d = dst[0] as number;
    return (r) => {
      r[d] = r[s] as LLValue;
    };
  }
  // Sequential copying is safe unless a later move reads a slot an earlier one wrote.
  let sequential = true;
  for (let k = 0; k < n && sequential; k++) for (let j = k + 1; j < n; j++) if (src[j] === dst[k]) sequential = false;
  if (sequential && n === 2) {
    const [s0, s1] = src as [number, number];
    const [d0, d1] = dst as [number, number];
    return (r) => {
      r[d0] = r[s0] as LLValue;
      r[d1] = r[s1] as LLValue;
    };
  }
  if (sequential)
    return (r) => {
      for (let k = 0; k < n; k++) r[dst[k] as number] = r[src[k] as number] as LLValue;
    };
  const tmp = new Array<LLValue>(n);
  return (r) => {
    for (let k = 0; k < n; k++) tmp[k] = r[src[k] as number] as LLValue;
    for (let k = 0; k < n; k++) r[dst[k] as number] = tmp[k] as LLValue;
  };
}

function nullRef(what: string): Fail {
  return new Fail("null reference", `null reference (${what})`);
}

function outOfBounds(i: number, len: number): Fail {
  return new Fail("bounds", `index ${i} out of bounds for array of length ${len}`);
}

function allocArray(heap: Heap, t: ArrayDef, n: number): HeapRef {
  if (n < 0) throw new Fail("negative length", `negative array length ${n}`);
  try {
    return heap.newArray(t, n);
  } catch (e) {
    if (e instanceof RangeError) throw new Fail("out of memory", `cannot allocate an array of length ${n} (${e.message})`);
    throw e;
  }
}

function arrayCopy(
  heap: Heap,
  js: JSHeap | null,
  name: string,
  src: HeapRef | null,
  sp: number,
  dst: HeapRef | null,
  dp: number,
  n: number,
): void {
  if (src === null) throw nullRef(`arraycopy source of '${name}'`);
  if (dst === null) throw nullRef(`arraycopy destination of '${name}'`);
  const sl = heap.length(src, name);
  const dl = heap.length(dst, name);
  if (n < 0) throw new Fail("bounds", `arraycopy of negative length ${n}`);
  if (sp < 0 || sp + n > sl) throw new Fail("bounds", `arraycopy source range [${sp}, ${sp + n}) out of bounds for array of length ${sl}`);
  if (dp < 0 || dp + n > dl)
    throw new Fail("bounds", `arraycopy destination range [${dp}, ${dp + n}) out of bounds for array of length ${dl}`);
  if (n === 0) return;
  if (js) {
    const s = src as JSArray;
    const t = dst as JSArray;
    if (s === t) s.copyWithin(dp, sp, sp + n);
    else if (Array.isArray(s)) for (let k = 0; k < n; k++) (t as LLValue[])[dp + k] = s[sp + k] as LLValue;
    else (t as Int32Array).set((s as Int32Array).subarray(sp, sp + n), dp);
    return;
  }
  if (src === dst && sp < dp) for (let k = n - 1; k >= 0; k--) heap.setItem(dst, name, dp + k, heap.getItem(src, name, sp + k));
  else for (let k = 0; k < n; k++) heap.setItem(dst, name, dp + k, heap.getItem(src, name, sp + k));
}

function showValue(v: LLValue): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v !== "object") return String(v);
  if (isFnRef(v)) return `a reference to graph '${v.fn}'`;
  if (v instanceof JSStruct) return `a '${v.type}' object`;
  return "an object";
}
