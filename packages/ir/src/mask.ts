import { GraphBuilder } from "./builder.js";
import type { Dim } from "./shape.js";
import { checkGraph, type CheckedGraph } from "./validate.js";

/** The id of the per-step row mask `[B]` that {@link maskGraph} adds to a step graph. */
export const MASK_ID = "step:mask";

/**
 * The step graph for padded batches (ONNX `sequence_lens` semantics): with the
 * per-row mask m (1 inside a sequence, 0 past its end) each carry becomes
 * `c + m (c' - c)` (unchanged on padding), each output `m y` and the loss `m loss`.
 * Autodiff of the result gives masked steps zero gradient.
 */
export function maskGraph(checked: CheckedGraph): CheckedGraph {
  const g = checked.graph;
  const b = GraphBuilder.from(checked, "mask");
  const m = b.input(MASK_ID, ["B"]);
  const rowMask = (rank: number): string => (rank === 1 ? m : b.reshape(m, ["B", ...Array<Dim>(rank - 1).fill(1)]));
  const update: Record<string, string> = {};
  for (const c of g.carry) {
    update[c.id] = b.add(c.id, b.mul(rowMask(c.shape.length), b.sub(g.update[c.id], c.id)));
  }
  const ys = g.ys.map((y) => ({ id: y.id, value: b.mul(y.value, rowMask(b.shape(y.value).length)) }));
  const loss = g.loss === undefined ? {} : { loss: b.mul(g.loss, m) };
  return checkGraph({ ...b.toGraph(g.name), ys, update, ...loss });
}
