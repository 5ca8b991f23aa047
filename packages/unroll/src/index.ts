// One import for the whole library: the public API of each package, unchanged. The test kit
// (@unroll/backend-conformance, which needs vitest) and the browser entry points (@unroll/backends/web,
// @unroll/backend-workers/web) stay separate installs and imports.
export * from "@unroll/ir";
export * from "@unroll/bptt";
export * from "@unroll/kernels-cpu";
export * from "@unroll/kernels-wasm";
export * from "@unroll/backend-cpu";
export * from "@unroll/backend-workers";
export * from "@unroll/backend-webgpu";
export * from "@unroll/backend-wasm";
export * from "@unroll/backends";
export * from "@unroll/viz";
export * from "@unroll/data";
export * from "@unroll/interop";
export { runUnroll, reportFailure, type CliIo } from "@unroll/cli";
