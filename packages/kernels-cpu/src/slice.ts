import type { Kernel } from "./kernel.js";
import { rowCount } from "./rows.js";

/** Columns `[start, end)` of the last axis. */
export const slice: Kernel<"slice"> = (node, [x], out) => {
  const { start, end } = node.attrs;
  const width = x.shape[x.shape.length - 1];
  const w = end - start;
  const src = x.data;
  const o = out.data;
  for (let r = 0, rows = rowCount(o.length, w); r < rows; r++) {
    const from = r * width + start;
    const to = r * w;
    o.set(src.subarray(from, from + w), to);
  }
};
