import { formatShape, type Tensor } from "@unroll/ir";
import type { TorchRecurrentModule } from "./torch-module.js";
import { TorchStateDictError } from "./torch-state-dict-error.js";

/**
 * unroll's initial states from PyTorch's `h_0` (and an LSTM's `c_0`), each
 * `[numLayers × directions, B, hiddenSize]` with row `layer × directions + direction`:
 * `layers.k.h`, `layers.k.h_reverse`, `layers.k.c`, ... each `[B, hiddenSize]`.
 */
export function initialStateFromTorch(
  module: Pick<TorchRecurrentModule, "cell" | "numLayers" | "bidirectional" | "hiddenSize">,
  h0: Tensor,
  c0?: Tensor,
): Record<string, Tensor> {
  const directions = module.bidirectional ? 2 : 1;
  if (module.cell === "lstm" && c0 === undefined) throw new TorchStateDictError(`an nn.LSTM's initial state needs c_0 as well as h_0`);
  if (module.cell !== "lstm" && c0 !== undefined) throw new TorchStateDictError(`c_0 is an nn.LSTM's; this module is not one`);
  const out: Record<string, Tensor> = {};
  for (const [name, t] of [
    ["h", h0],
    ["c", c0],
  ] as const) {
    if (t === undefined) continue;
    const [rows, batch, hidden] = t.shape;
    if (t.shape.length !== 3 || rows !== module.numLayers * directions || hidden !== module.hiddenSize) {
      throw new TorchStateDictError(`${name}_0 has shape ${formatShape(t.shape)}, expected [${module.numLayers * directions}, batch, ${module.hiddenSize}]`);
    }
    const size = batch * hidden;
    for (let layer = 0; layer < module.numLayers; layer++) {
      for (let d = 0; d < directions; d++) {
        const row = layer * directions + d;
        out[`layers.${layer}.${name}${d === 1 ? "_reverse" : ""}`] = { shape: [batch, hidden], data: t.data.slice(row * size, (row + 1) * size) };
      }
    }
  }
  return out;
}
