// ONNX stores a recurrent node's weights per direction as [gates·H, in] rows (column vectors: W x), in its own gate
// order; unroll's are [in, gates·H] (row vectors: x W) in PyTorch's gate order. Each function reads one direction.

/** For each of our gate blocks, the ONNX block it comes from: LSTM i,o,f,c → i,f,g,o; GRU z,r,h → r,z,n. */
export const GATES_FROM_ONNX = { rnn: [0], lstm: [0, 2, 3, 1], gru: [1, 0, 2] } as const;

/**
 * Our `[in, G·H]` weight from direction `d` of an ONNX `[dirs, G·H, in]` weight: transposed, with column block j
 * taken from the ONNX row block `order[j]`.
 */
export function gateMatrix(onnx: Float64Array, d: number, order: readonly number[], hidden: number, inputs: number): Float64Array {
  const gates = order.length;
  const out = new Float64Array(inputs * gates * hidden);
  const base = d * gates * hidden * inputs;
  for (let j = 0; j < gates; j++) {
    for (let h = 0; h < hidden; h++) {
      const row = base + (order[j] * hidden + h) * inputs;
      for (let i = 0; i < inputs; i++) out[i * gates * hidden + j * hidden + h] = onnx[row + i];
    }
  }
  return out;
}

/** Our `[G·H]` bias from one half of direction `d` of an ONNX `[dirs, 2·G·H]` bias (`half` 0 = Wb, 1 = Rb), reordered. */
export function gateVector(onnx: Float64Array, d: number, half: 0 | 1, order: readonly number[], hidden: number): Float64Array {
  const gates = order.length;
  const out = new Float64Array(gates * hidden);
  const base = (2 * d + half) * gates * hidden;
  for (let j = 0; j < gates; j++) for (let h = 0; h < hidden; h++) out[j * hidden + h] = onnx[base + order[j] * hidden + h];
  return out;
}
