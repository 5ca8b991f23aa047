import type { Kernel } from "./kernel.js";

/** Per-row squared error of `[B, O]` predictions and targets: the mean over O of `(p - t)^2`, shape `[B]`. */
export const mse: Kernel<"mse"> = (_node, [pred, target], out) => {
  const [rows, width] = pred.shape;
  const p = pred.data;
  const t = target.data;
  const o = out.data;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = r * width, end = j + width; j < end; j++) {
      const d = p[j] - t[j];
      s += d * d;
    }
    o[r] = s / width;
  }
};
