import type { Kernel } from "./kernel.js";

/** Hyperbolic tangent. */
export const tanh: Kernel<"tanh"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = Math.tanh(x[i]);
};
