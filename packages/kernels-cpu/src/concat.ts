import type { Kernel } from "./kernel.js";
import { rowCount } from "./rows.js";

/** Concatenation along the last axis: each output row is the inputs' rows side by side. */
export const concat: Kernel<"concat"> = (_node, inputs, out) => {
  const width = out.shape[out.shape.length - 1];
  const o = out.data;
  const rows = rowCount(o.length, width);
  let offset = 0;
  for (const x of inputs) {
    const w = x.shape[x.shape.length - 1];
    const src = x.data;
    for (let r = 0; r < rows; r++) {
      const from = r * w;
      const to = r * width + offset;
      o.set(src.subarray(from, from + w), to);
    }
    offset += w;
  }
};
