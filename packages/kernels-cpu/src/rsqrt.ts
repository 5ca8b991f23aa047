import type { Kernel } from "./kernel.js";

/** `1 / sqrt(x)`: Infinity at 0, NaN below. */
export const rsqrt: Kernel<"rsqrt"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = 1 / Math.sqrt(x[i]);
};
