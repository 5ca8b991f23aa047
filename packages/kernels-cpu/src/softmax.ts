import type { Kernel } from "./kernel.js";
import { rowCount, rowMax } from "./rows.js";

/** Softmax over the last axis, stable: `exp(x - max) / Σ exp(x - max)`. */
export const softmax: Kernel<"softmax"> = (_node, [x], out) => {
  const width = x.shape[x.shape.length - 1];
  const src = x.data;
  const o = out.data;
  for (let r = 0, rows = rowCount(o.length, width); r < rows; r++) {
    const start = r * width;
    const end = start + width;
    const max = rowMax(src, start, width);
    let s = 0;
    for (let j = start; j < end; j++) s += Math.exp(src[j] - max);
    for (let j = start; j < end; j++) o[j] = Math.exp(src[j] - max) / s;
  }
};
