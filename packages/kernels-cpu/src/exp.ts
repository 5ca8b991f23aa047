import type { Kernel } from "./kernel.js";

/** `e^x`. */
export const exp: Kernel<"exp"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = Math.exp(x[i]);
};
