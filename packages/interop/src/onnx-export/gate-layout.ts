import type { Tensor } from "@unroll/ir";

/** A cell that ONNX has a node for. */
export type NativeCell = "rnn" | "lstm" | "gru";

/**
 * For each gate block of ONNX's layout, in ONNX's order, the block of ours that holds it. ONNX's LSTM is i, o, f, c
 * (ours i, f, g, o); its GRU is z, r, h (ours r, z, n).
 */
export const ONNX_GATE_BLOCKS: Readonly<Record<NativeCell, readonly number[]>> = { rnn: [0], lstm: [0, 3, 1, 2], gru: [1, 0, 2] };

/**
 * A weight of ours `[in, gates·H]` (row vectors: `x W`) as ONNX's `[gates·H, in]` (ONNX computes `x Wᵀ`), its gate
 * blocks in ONNX's order, row-major.
 */
export function onnxGateRows(w: Tensor, blocks: readonly number[], hidden: number): Float64Array {
  const [rows, cols] = w.shape;
  const out = new Float64Array(rows * cols);
  blocks.forEach((ours, k) => {
    for (let j = 0; j < hidden; j++) {
      const onnxRow = k * hidden + j;
      const ourCol = ours * hidden + j;
      for (let i = 0; i < rows; i++) out[onnxRow * rows + i] = w.data[i * cols + ourCol];
    }
  });
  return out;
}

/** A bias of ours `[gates·H]` with its gate blocks in ONNX's order. */
export function onnxGateBias(b: Tensor, blocks: readonly number[], hidden: number): Float64Array {
  const out = new Float64Array(blocks.length * hidden);
  blocks.forEach((ours, k) => out.set(b.data.subarray(ours * hidden, (ours + 1) * hidden), k * hidden));
  return out;
}
