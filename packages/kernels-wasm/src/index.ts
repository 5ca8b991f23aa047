/**
 * `@unroll/kernels-wasm`: float32 matrix products as WebAssembly SIMD kernels
 * (AssemblyScript, 4×8 register tile, relaxed-SIMD FMA where available).
 * @packageDocumentation
 */
export { createGemm, type Gemm, type GemmOptions, type MatmulOptions } from "./gemm.js";
export { compileGemm, type CompiledGemm, type GemmMemoryKind, type GemmVariant } from "./variant.js";
export type { GemmExports } from "./wasm-api.js";
