import type { Kernel } from "./kernel.js";
import { rowCount } from "./rows.js";

/** Zero padding of the last axis: `before` zeros, the input row, then `after` zeros. */
export const pad: Kernel<"pad"> = (node, [x], out) => {
  const { before } = node.attrs;
  const w = x.shape[x.shape.length - 1];
  const width = out.shape[out.shape.length - 1];
  const src = x.data;
  const o = out.data;
  o.fill(0);
  for (let r = 0, rows = rowCount(o.length, width); r < rows; r++) {
    const from = r * w;
    const to = r * width + before;
    o.set(src.subarray(from, from + w), to);
  }
};
