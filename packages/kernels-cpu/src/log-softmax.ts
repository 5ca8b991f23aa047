import type { Kernel } from "./kernel.js";
import { logSumExpShifted, rowCount, rowMax } from "./rows.js";

/** Log-softmax over the last axis, stable: `x - max - log Σ exp(x - max)`. */
export const logSoftmax: Kernel<"logSoftmax"> = (_node, [x], out) => {
  const width = x.shape[x.shape.length - 1];
  const src = x.data;
  const o = out.data;
  for (let r = 0, rows = rowCount(o.length, width); r < rows; r++) {
    const start = r * width;
    const max = rowMax(src, start, width);
    const lse = logSumExpShifted(src, start, width, max);
    for (let j = start, end = start + width; j < end; j++) o[j] = src[j] - max - lse;
  }
};
