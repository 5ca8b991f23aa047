import type { Kernel } from "./kernel.js";

/** Logistic sigmoid `1 / (1 + exp(-x))`; saturates to 0 or 1 without overflow. */
export const sigmoid: Kernel<"sigmoid"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-x[i]));
};
