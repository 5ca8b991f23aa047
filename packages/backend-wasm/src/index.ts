/**
 * `@unroll/backend-wasm`: a WebAssembly device under the shared executor.
 * Every buffer of a loaded program lives in one `WebAssembly.Memory`; the
 * kernels are WebAssembly SIMD; with threads, workers attached to the same
 * (shared) memory split each large kernel, synchronized with `Atomics`.
 * @packageDocumentation
 * @module @unroll/backend-wasm
 */
export {
  createWasmBackend,
  defaultThreads,
  PARALLEL_MIN_ELEMENTS,
  PARALLEL_MIN_FLOPS,
  wasmCapabilities,
  type WasmBackend,
  type WasmBackendOptions,
  type WasmThreading,
} from "./wasm-backend.js";
export { wasmDevice, type WasmDeviceParts } from "./wasm-device.js";
export { LinearMemory, type LinearMemoryOptions, type WasmMemoryObject } from "./linear-memory.js";
export type { WasmBuf } from "./wasm-buf.js";
export type { MatmulContext } from "./wasm-matmul.js";
export { ThreadTeam, ThreadFailure, controlBytes, type ThreadTeamOptions, type ThreadWaits } from "./threads/thread-team.js";
export { startThread, type TeamThread } from "./threads/start-thread.js";
export { chainModule, type ChainMemory, type WasmChain } from "./elementwise/chain-module.js";
export type { ImportedMemory } from "./elementwise/wasm-module.js";
export { ChainKernels } from "./chain-kernels.js";
export { bulkMemory, type BulkMemory } from "./bulk-memory.js";
