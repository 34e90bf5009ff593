// The WebAssembly binary writer: a growable byte buffer with LEB128/f64/name encoders, Wasm value
// and heap type encodings (including Wasm GC), an instruction writer with the opcodes the backend
// uses (control, numeric, GC, tail calls), and the module assembler that lays out the sections.
// No dependencies: the output is checked by V8 itself (WebAssembly.validate / new Module).

const utf8 = new TextEncoder();

/** A growable byte buffer with the Wasm primitive encodings. */
export class ByteWriter {
  private buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** Make room for `extra` more bytes. */
  grow(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  u8(b: number): this {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^32. */
  u32(n: number): this {
    if (n >>> 0 !== n) throw new RangeError(`u32 out of range: ${n}`);
    while (n >= 0x80) {
      this.u8((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    return this.u8(n);
  }

  /** Signed LEB128 of an integer in [-2^31, 2^31) (also used for s33 type indices). */
  s32(n: number): this {
    n |= 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        this.u8(b);
        return this;
      }
      this.u8(b | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(v: bigint): this {
    let n = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
        this.u8(b);
        return this;
      }
      this.u8(b | 0x80);
    }
  }

  f64(x: number): this {
    this.grow(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, x, true);
    this.len += 8;
    return this;
  }

  /** A UTF-8 string with its byte length in front. */
  name(s: string): this {
    // ASCII (every name we make, nearly always) is written directly; the rest goes through UTF-8.
    const n = s.length;
    for (let i = 0; i < n; i++)
      if (s.charCodeAt(i) > 0x7f) {
        const b = utf8.encode(s);
        this.u32(b.length);
        return this.bytes(b);
      }
    this.u32(n);
    this.grow(n);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.len = p;
    return this;
  }

  /** A vector: its length, then each item written by `fn`. */
  vec<T>(items: readonly T[], fn: (w: this, item: T, i: number) => void): this {
    this.u32(items.length);
    for (let i = 0; i < items.length; i++) fn(this, items[i] as T, i);
    return this;
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** Forget what was written (the buffer is kept, for the next use). */
  reset(): this {
    this.len = 0;
    return this;
  }
}

// ---- types ------------------------------------------------------------------------------------

/** Abstract heap types (their one-byte encodings). */
export const HT = {
  func: 0x70,
  extern: 0x6f,
  any: 0x6e,
  eq: 0x6d,
  i31: 0x6c,
  struct: 0x6b,
  array: 0x6a,
  none: 0x71,
  noextern: 0x72,
  nofunc: 0x73,
} as const;

/** A heap type: an abstract one (HT.*) or a defined type by index. */
export type HeapType = { readonly abs: number } | { readonly idx: number };

/** A value type: a numeric type code, or a reference. */
export type ValType = { readonly num: number } | { readonly ref: HeapType; readonly nullable: boolean };

export const I32T: ValType = { num: 0x7f };
export const I64T: ValType = { num: 0x7e };
export const F64T: ValType = { num: 0x7c };

export function refType(idx: number, nullable = true): ValType {
  return { ref: { idx }, nullable };
}
export function absRef(abs: number, nullable = true): ValType {
  return { ref: { abs }, nullable };
}

/** A storage type for struct fields and array items: a value type or a packed i8/i16. */
export type StorageType = ValType | { readonly packed: 0x78 | 0x77 };
export const I8S: StorageType = { packed: 0x78 };

export function writeHeapType(w: ByteWriter, h: HeapType): void {
  if ("abs" in h) w.u8(h.abs);
  else w.s32(h.idx);
}

export function writeValType(w: ByteWriter, t: ValType): void {
  if ("num" in t) w.u8(t.num);
  else {
    w.u8(t.nullable ? 0x63 : 0x64);
    writeHeapType(w, t.ref);
  }
}

export function writeStorageType(w: ByteWriter, t: StorageType): void {
  if ("packed" in t) w.u8(t.packed);
  else writeValType(w, t);
}

const NUM_KEYS: Record<number, string> = { 127: "i32", 126: "i64", 125: "f32", 124: "f64" };
/** Keys of reference types, by type object (value types are immutable; layouts share theirs). */
const refKeys = new WeakMap<ValType, string>();

/** A readable key for a value type (used to group locals and to dedupe types). */
export function valTypeKey(t: StorageType): string {
  if ("packed" in t) return t.packed === 0x78 ? "i8" : "i16";
  if ("num" in t) return NUM_KEYS[t.num] ?? `num${t.num}`;
  let k = refKeys.get(t);
  if (k === undefined) {
    const h = "abs" in t.ref ? `abs${t.ref.abs}` : `$${t.ref.idx}`;
    k = `${t.nullable ? "null " : ""}${h}`;
    refKeys.set(t, k);
  }
  return k;
}

export function valTypeEq(a: ValType, b: ValType): boolean {
  if ("num" in a) return "num" in b && a.num === b.num;
  if ("num" in b || a.nullable !== b.nullable) return false;
  const x = a.ref;
  const y = b.ref;
  return "abs" in x ? "abs" in y && x.abs === y.abs : "idx" in y && x.idx === y.idx;
}

export interface FieldType {
  readonly type: StorageType;
  readonly mutable: boolean;
}

/** A composite type with its subtyping declaration. */
export type CompType =
  | { readonly kind: "func"; readonly params: readonly ValType[]; readonly results: readonly ValType[] }
  | { readonly kind: "struct"; readonly fields: readonly FieldType[]; readonly final: boolean; readonly supertype: number | null }
  | { readonly kind: "array"; readonly item: FieldType; readonly final: boolean; readonly supertype: number | null };

function writeField(w: ByteWriter, f: FieldType): void {
  writeStorageType(w, f.type);
  w.u8(f.mutable ? 1 : 0);
}

export function writeCompType(w: ByteWriter, t: CompType): void {
  if (t.kind === "func") {
    w.u8(0x60);
    w.u32(t.params.length);
    for (const p of t.params) writeValType(w, p);
    w.u32(t.results.length);
    for (const r of t.results) writeValType(w, r);
    return;
  }
  w.u8(t.final ? 0x4f : 0x50);
  if (t.supertype === null) w.u32(0);
  else w.u32(1).u32(t.supertype);
  if (t.kind === "struct") {
    w.u8(0x5f);
    w.u32(t.fields.length);
    for (const f of t.fields) writeField(w, f);
  } else {
    w.u8(0x5e);
    writeField(w, t.item);
  }
}

/** An entry of the type section: a rec group of several types, or one type on its own. */
export type TypeEntry = { readonly rec: readonly CompType[] } | { readonly single: CompType };

// ---- instructions -----------------------------------------------------------------------------

/** One-byte opcodes (control, parametric, variable, constants, numeric). */
export const OP = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  return_call: 0x12,
  call_ref: 0x14,
  return_call_ref: 0x15,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  table_get: 0x25,
  table_set: 0x26,
  i32_const: 0x41,
  i64_const: 0x42,
  f64_const: 0x44,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_gt_s: 0x55,
  i64_le_s: 0x57,
  i64_ge_s: 0x59,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_rem_s: 0x6f,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_rem_s: 0x81,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  f64_abs: 0x99,
  f64_neg: 0x9a,
  f64_ceil: 0x9b,
  f64_floor: 0x9c,
  f64_trunc: 0x9d,
  f64_sqrt: 0x9f,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  f64_min: 0xa4,
  f64_max: 0xa5,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  f64_convert_i32_s: 0xb7,
  f64_convert_i32_u: 0xb8,
  f64_convert_i64_s: 0xb9,
  ref_null: 0xd0,
  ref_is_null: 0xd1,
  ref_func: 0xd2,
  ref_eq: 0xd3,
} as const;

/** 0xFB-prefixed (GC) sub-opcodes. */
export const GC = {
  struct_new: 0,
  struct_new_default: 1,
  struct_get: 2,
  struct_set: 5,
  array_new: 6,
  array_new_default: 7,
  array_new_fixed: 8,
  array_get: 11,
  array_get_u: 13,
  array_set: 14,
  array_len: 15,
  array_fill: 16,
  array_copy: 17,
  ref_test: 20,
  ref_test_null: 21,
  ref_cast: 22,
  ref_cast_null: 23,
} as const;

/** 0xFC-prefixed sub-opcodes. */
export const FC = {
  i32_trunc_sat_f64_s: 2,
  i64_trunc_sat_f64_s: 6,
} as const;

/** A block type: no result, or one value type. */
export type BlockType = null | ValType;

/** Writes instruction sequences (a function body's expression). */
export class CodeWriter extends ByteWriter {
  op(code: number): this {
    return this.u8(code);
  }
  gc(sub: number): this {
    return this.u8(0xfb).u32(sub);
  }
  fc(sub: number): this {
    return this.u8(0xfc).u32(sub);
  }
  blockType(bt: BlockType): this {
    if (bt === null) this.u8(0x40);
    else writeValType(this, bt);
    return this;
  }
  block(bt: BlockType = null): this {
    return this.u8(OP.block).blockType(bt);
  }
  loop(bt: BlockType = null): this {
    return this.u8(OP.loop).blockType(bt);
  }
  if(bt: BlockType = null): this {
    return this.u8(OP.if).blockType(bt);
  }
  else(): this {
    return this.u8(OP.else);
  }
  end(): this {
    return this.u8(OP.end);
  }
  br(depth: number): this {
    return this.u8(OP.br).u32(depth);
  }
  brIf(depth: number): this {
    return this.u8(OP.br_if).u32(depth);
  }
  brTable(depths: readonly number[], dflt: number): this {
    this.u8(OP.br_table).u32(depths.length);
    for (const d of depths) this.u32(d);
    return this.u32(dflt);
  }
  localGet(i: number): this {
    return this.u8(OP.local_get).u32(i);
  }
  localSet(i: number): this {
    return this.u8(OP.local_set).u32(i);
  }
  localTee(i: number): this {
    return this.u8(OP.local_tee).u32(i);
  }
  globalGet(i: number): this {
    return this.u8(OP.global_get).u32(i);
  }
  globalSet(i: number): this {
    return this.u8(OP.global_set).u32(i);
  }
  i32Const(n: number): this {
    return this.u8(OP.i32_const).s32(n);
  }
  i64Const(n: bigint): this {
    return this.u8(OP.i64_const).s64(n);
  }
  f64Const(x: number): this {
    return this.u8(OP.f64_const).f64(x);
  }
  call(f: number): this {
    return this.u8(OP.call).u32(f);
  }
  returnCall(f: number): this {
    return this.u8(OP.return_call).u32(f);
  }
  callRef(typeIdx: number): this {
    return this.u8(OP.call_ref).u32(typeIdx);
  }
  returnCallRef(typeIdx: number): this {
    return this.u8(OP.return_call_ref).u32(typeIdx);
  }
  refNull(h: HeapType): this {
    this.u8(OP.ref_null);
    writeHeapType(this, h);
    return this;
  }
  refFunc(f: number): this {
    return this.u8(OP.ref_func).u32(f);
  }
  structNew(t: number): this {
    return this.gc(GC.struct_new).u32(t);
  }
  structNewDefault(t: number): this {
    return this.gc(GC.struct_new_default).u32(t);
  }
  structGet(t: number, field: number): this {
    return this.gc(GC.struct_get).u32(t).u32(field);
  }
  structSet(t: number, field: number): this {
    return this.gc(GC.struct_set).u32(t).u32(field);
  }
  arrayNew(t: number): this {
    return this.gc(GC.array_new).u32(t);
  }
  arrayNewDefault(t: number): this {
    return this.gc(GC.array_new_default).u32(t);
  }
  arrayNewFixed(t: number, n: number): this {
    return this.gc(GC.array_new_fixed).u32(t).u32(n);
  }
  arrayGet(t: number, unsigned = false): this {
    return this.gc(unsigned ? GC.array_get_u : GC.array_get).u32(t);
  }
  arraySet(t: number): this {
    return this.gc(GC.array_set).u32(t);
  }
  arrayLen(): this {
    return this.gc(GC.array_len);
  }
  arrayCopy(dst: number, src: number): this {
    return this.gc(GC.array_copy).u32(dst).u32(src);
  }
  refTest(h: HeapType, nullable = false): this {
    this.gc(nullable ? GC.ref_test_null : GC.ref_test);
    writeHeapType(this, h);
    return this;
  }
  refCast(h: HeapType, nullable = true): this {
    this.gc(nullable ? GC.ref_cast_null : GC.ref_cast);
    writeHeapType(this, h);
    return this;
  }
}

// ---- the module -------------------------------------------------------------------------------

export type ImportDesc =
  | { readonly kind: "func"; readonly type: number }
  | { readonly kind: "table"; readonly type: ValType; readonly min: number; readonly max?: number }
  | { readonly kind: "global"; readonly type: ValType; readonly mutable: boolean };

export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}

export interface Export {
  readonly name: string;
  readonly kind: "func" | "table" | "global";
  readonly index: number;
}

export interface GlobalEntry {
  readonly type: ValType;
  readonly mutable: boolean;
  /** The constant initializer expression, without its final `end`. */
  readonly init: Uint8Array;
}

export interface FuncBody {
  /** Types of the declared locals (after the params), in local index order. */
  readonly locals: readonly ValType[];
  /** The instructions, without the final `end`. */
  readonly code: Uint8Array;
}

export interface ModuleSpec {
  types: TypeEntry[];
  imports: Import[];
  /** Type index of each defined function. */
  funcs: number[];
  tables: { type: ValType; min: number; max?: number }[];
  globals: GlobalEntry[];
  exports: Export[];
  /** Functions referenced by ref.func (a declarative element segment). */
  declaredFuncs: number[];
  bodies: FuncBody[];
  /** Name section contents (function index → name; type index → name). */
  funcNames?: Map<number, string>;
  typeNames?: Map<number, string>;
  /** Module name (V8 shows it in stack traces: wasm://wasm/<name>-<hash>). */
  moduleName?: string;
}

export const EXPORT_KIND = { func: 0, table: 1, global: 3 } as const;

function writeLimits(w: ByteWriter, min: number, max?: number): void {
  if (max === undefined) w.u8(0).u32(min);
  else w.u8(1).u32(min).u32(max);
}

/** Write the locals declaration of a body: runs of equal types compressed into (count, type). */
function writeLocals(w: ByteWriter, locals: readonly ValType[]): void {
  let runs = 0;
  for (let i = 0; i < locals.length; i++) if (i === 0 || !valTypeEq(locals[i - 1] as ValType, locals[i] as ValType)) runs++;
  w.u32(runs);
  for (let i = 0; i < locals.length; ) {
    const t = locals[i] as ValType;
    let j = i + 1;
    while (j < locals.length && valTypeEq(t, locals[j] as ValType)) j++;
    w.u32(j - i);
    writeValType(w, t);
    i = j;
  }
}

export interface AssembledModule {
  readonly bytes: Uint8Array;
  /** Byte offset in the module of each defined function's instructions (for mapping trap offsets). */
  readonly codeOffsets: number[];
}

/**
 * Encodings that every module of a program repeats, made once: a rec group's (the program's
 * canonical group, the same array for every module) and a type-name map's (shared the same way).
 * Both are treated as immutable once assembled.
 */
const recGroupBytes = new WeakMap<readonly CompType[], Uint8Array>();
const typeNameBytes = new WeakMap<Map<number, string>, Uint8Array>();

/** Scratch writers, reused by every assembly (assembleModule does not nest): the module is copied out once at the end. */
const moduleScratch = new ByteWriter(16384);
const sectionScratch = new ByteWriter(4096);
const localsScratch = new ByteWriter(64);
const nameScratch = new ByteWriter(256);

function section(out: ByteWriter, id: number, body: ByteWriter): void {
  out.u8(id).u32(body.len).bytes(body.view());
  body.reset();
}

function nameMap(w: ByteWriter, names: Map<number, string>): void {
  const entries = [...names].sort((a, b) => a[0] - b[0]);
  w.u32(entries.length);
  for (const [i, n] of entries) w.u32(i).name(n);
}

const MAGIC_VERSION = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Assemble a module from its parts. */
export function assembleModule(m: ModuleSpec): AssembledModule {
  const out = moduleScratch.reset();
  out.bytes(MAGIC_VERSION);
  const w = sectionScratch.reset();
  w.u32(m.types.length);
  for (const e of m.types) {
    if ("rec" in e) {
      let b = recGroupBytes.get(e.rec);
      if (!b) {
        const g = new ByteWriter();
        g.u8(0x4e);
        g.u32(e.rec.length);
        for (const t of e.rec) writeCompType(g, t);
        b = g.toBytes();
        recGroupBytes.set(e.rec, b);
      }
      w.bytes(b);
    } else writeCompType(w, e.single);
  }
  section(out, 1, w);
  if (m.imports.length > 0) {
    w.u32(m.imports.length);
    for (const imp of m.imports) {
      w.name(imp.module).name(imp.name);
      const d = imp.desc;
      if (d.kind === "func") w.u8(0).u32(d.type);
      else if (d.kind === "table") {
        w.u8(1);
        writeValType(w, d.type);
        writeLimits(w, d.min, d.max);
      } else {
        w.u8(3);
        writeValType(w, d.type);
        w.u8(d.mutable ? 1 : 0);
      }
    }
    section(out, 2, w);
  }
  w.u32(m.funcs.length);
  for (const t of m.funcs) w.u32(t);
  section(out, 3, w);
  if (m.tables.length > 0) {
    w.u32(m.tables.length);
    for (const t of m.tables) {
      writeValType(w, t.type);
      writeLimits(w, t.min, t.max);
    }
    section(out, 4, w);
  }
  if (m.globals.length > 0) {
    w.u32(m.globals.length);
    for (const g of m.globals) {
      writeValType(w, g.type);
      w.u8(g.mutable ? 1 : 0);
      w.bytes(g.init).u8(OP.end);
    }
    section(out, 6, w);
  }
  if (m.exports.length > 0) {
    w.u32(m.exports.length);
    for (const e of m.exports) w.name(e.name).u8(EXPORT_KIND[e.kind]).u32(e.index);
    section(out, 7, w);
  }
  if (m.declaredFuncs.length > 0) {
    w.u32(1); // one declarative segment: flags 3, elemkind funcref, function indices
    w.u8(3).u8(0);
    w.u32(m.declaredFuncs.length);
    for (const f of m.declaredFuncs) w.u32(f);
    section(out, 9, w);
  }
  // Code section: remember where each body's instructions start, relative to the module.
  w.u32(m.bodies.length);
  const rel: number[] = [];
  const lw = localsScratch;
  for (const b of m.bodies) {
    writeLocals(lw.reset(), b.locals);
    w.u32(lw.len + b.code.length + 1);
    rel.push(w.len + lw.len);
    w.bytes(lw.view()).bytes(b.code).u8(OP.end);
  }
  lw.reset();
  out.u8(10).u32(w.len);
  const codeStart = out.len;
  out.bytes(w.view());
  w.reset();
  const codeOffsets = rel.map((r) => codeStart + r);
  if (m.funcNames || m.typeNames || m.moduleName) {
    const s = nameScratch.reset();
    w.name("name");
    if (m.moduleName !== undefined) {
      s.name(m.moduleName);
      w.u8(0).u32(s.len).bytes(s.view());
      s.reset();
    }
    if (m.funcNames) {
      nameMap(s, m.funcNames);
      w.u8(1).u32(s.len).bytes(s.view());
      s.reset();
    }
    if (m.typeNames) {
      let b = typeNameBytes.get(m.typeNames);
      if (!b) {
        nameMap(s, m.typeNames);
        b = s.toBytes();
        s.reset();
        typeNameBytes.set(m.typeNames, b);
      }
      w.u8(4).u32(b.length).bytes(b);
    }
    section(out, 0, w);
    s.reset();
  }
  const bytes = out.toBytes();
  out.reset();
  return { bytes, codeOffsets };
}
