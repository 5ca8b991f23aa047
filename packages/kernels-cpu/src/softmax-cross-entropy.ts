import type { Kernel } from "./kernel.js";
import { logSumExpShifted, rowMax } from "./rows.js";

/** Per-row `-logSoftmax(logits)[row, class]` of logits `[B, C]`; throws on a class id outside the integers of `[0, C)`. */
export const softmaxCrossEntropy: Kernel<"softmaxCrossEntropy"> = (_node, [logits, classes], out) => {
  const [rows, width] = logits.shape;
  const src = logits.data;
  const o = out.data;
  for (let r = 0; r < rows; r++) {
    const c = classes.data[r];
    if (!Number.isInteger(c) || c < 0 || c >= width) {
      throw new Error(`softmaxCrossEntropy: row ${r} has class id ${c}, which is not an integer in [0, ${width})`);
    }
    const start = r * width;
    const max = rowMax(src, start, width);
    // -(x_c - max - lse) = lse - (x_c - max)
    o[r] = logSumExpShifted(src, start, width, max) - (src[start + c] - max);
  }
};
