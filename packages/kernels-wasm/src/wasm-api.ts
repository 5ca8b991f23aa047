// The few WebAssembly JS-API members this package uses, typed locally: the repo compiles
// with lib ES2022 and no DOM, which declare no `WebAssembly` global.

/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** The exports of the AssemblyScript build (see `assembly/gemm.ts`). */
export interface GemmExports {
  /** C = alpha·op(A)·op(B) + beta·C on byte offsets; lds in elements; ws: `workspaceBytes()` bytes. */
  gemm(
    flags: number,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    alpha: number,
    beta: number,
    ws: number,
  ): void;
  /** Bytes of workspace one `gemm` call needs at `ws` (a constant of the build). */
  workspaceBytes(): number;
}

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** The global `WebAssembly` object. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Bytes per wasm page. */
export const PAGE_BYTES = 65536;
