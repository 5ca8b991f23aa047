/**
 * `@unroll/backend-wasm`: a WebAssembly device under the shared executor.
 * Every buffer of a loaded program lives in one `WebAssembly.Memory`; the
 * kernels are WebAssembly SIMD; with threads, workers attached to the same
 * (shared) memory split each large kernel, synchronized with `Atomics`.
 * @packageDocumentation
 * @module @unroll/backend-wasm
 */
export { chainModule, type ChainMemory, type OperandAccess, type WasmChain } from "./elementwise/chain-module.js";
