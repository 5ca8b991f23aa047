import type { Kernel } from "./kernel.js";

/** `max(x, 0)` (NaN stays NaN). */
export const relu: Kernel<"relu"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = Math.max(x[i], 0);
};
