// Ambient types for the parts of the WebAssembly JS API the project uses. The tsconfig's lib is
// es2023 only (no DOM), and @types/node does not declare WebAssembly; remove this file if the
// project ever adds the "dom" or "webworker" lib.

declare namespace WebAssembly {
  type ImportValue = unknown;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;
  type Exports = Record<string, unknown>;

  class Module {
    constructor(bytes: Uint8Array | ArrayBuffer);
    static exports(m: Module): { name: string; kind: string }[];
    static imports(m: Module): { module: string; name: string; kind: string }[];
  }

  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }

  interface TableDescriptor {
    element: "anyfunc" | "externref" | "funcref" | "anyref";
    initial: number;
    maximum?: number;
  }

  class Table {
    constructor(desc: TableDescriptor, value?: unknown);
    readonly length: number;
    get(index: number): unknown;
    set(index: number, value?: unknown): void;
    grow(delta: number, value?: unknown): number;
  }

  interface GlobalDescriptor {
    value: string;
    mutable?: boolean;
  }

  class Global {
    constructor(desc: GlobalDescriptor, value?: unknown);
    value: unknown;
  }

  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}

  function validate(bytes: Uint8Array | ArrayBuffer): boolean;
  function compile(bytes: Uint8Array | ArrayBuffer): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
