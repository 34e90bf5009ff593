// The Wasm backend's public API: translate a Program to one Wasm GC module, instantiate it, and
// link modules compiled later (JIT code) to it.

export { CodeWriter, assembleModule } from "./emitter.ts";
export { WasmHeap } from "./heap.ts";
export type { InstantiateOptions, LinkedModule } from "./instance.ts";
export { TranslatedModule, instantiateProgram, instantiateProgramSync } from "./instance.ts";
export type { CompiledModule, CompileOptions, GraphStats, ModuleStats } from "./module.ts";
export { EXPORT, compileLinkedModule, compileProgram } from "./module.ts";
export { convertError } from "./runtime.ts";
export type { LayoutOptions, StructLayout, ArrayLayout, FieldLayout } from "./types.ts";
export { BackendError, HIDDEN_SLOT, Layout } from "./types.ts";
