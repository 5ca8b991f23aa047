import type { Dtype } from "@unroll/ir";

/** A tensor on the WebAssembly device: a range of its one memory. */
export interface WasmBuf {
  /** Byte offset in the memory. */
  readonly byteOffset: number;
  /** Elements. */
  readonly size: number;
  /** Its shape (`size` is their product). */
  readonly shape: readonly number[];
  /** float32 or float64. */
  readonly dtype: Dtype;
}
