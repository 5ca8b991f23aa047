import type { NodeOf } from "@unroll/ir";
import type { BulkMemory } from "./bulk-memory.js";
import type { WasmBuf } from "./wasm-buf.js";

// The last-axis copies of gate slicing and concatenation (an LSTM's four gates out of one
// product, their gradients back into one) as one memmove per row: the kernels of
// @unroll/kernels-cpu's slice, pad and concat, on byte offsets.

const width = (b: WasmBuf): number => b.shape[b.shape.length - 1];
const bytesOf = (b: WasmBuf): number => (b.dtype === "float64" ? 8 : 4);
const rowsOf = (b: WasmBuf): number => (width(b) === 0 ? 0 : b.size / width(b));

/** Columns `[start, end)` of `x`'s last axis into `out`. */
export function sliceRows(bulk: BulkMemory, node: NodeOf<"slice">, x: WasmBuf, out: WasmBuf): void {
  const e = bytesOf(x);
  const [from, w] = [width(x), width(out)];
  for (let r = 0, rows = rowsOf(out); r < rows; r++) bulk.copy(out.byteOffset + e * r * w, x.byteOffset + e * (r * from + node.attrs.start), e * w);
}

/** `x` with `before` zeros ahead of each row and zeros after it. */
export function padRows(bulk: BulkMemory, node: NodeOf<"pad">, x: WasmBuf, out: WasmBuf): void {
  const e = bytesOf(x);
  const [w, to] = [width(x), width(out)];
  bulk.zero(out.byteOffset, e * out.size);
  for (let r = 0, rows = rowsOf(x); r < rows; r++) bulk.copy(out.byteOffset + e * (r * to + node.attrs.before), x.byteOffset + e * r * w, e * w);
}

/** The inputs' rows side by side. */
export function concatRows(bulk: BulkMemory, inputs: readonly WasmBuf[], out: WasmBuf): void {
  const e = bytesOf(out);
  const to = width(out);
  const rows = rowsOf(out);
  let offset = 0;
  for (const x of inputs) {
    const w = width(x);
    for (let r = 0; r < rows; r++) bulk.copy(out.byteOffset + e * (r * to + offset), x.byteOffset + e * r * w, e * w);
    offset += w;
  }
}
