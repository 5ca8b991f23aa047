import type { Kernel } from "./kernel.js";

/** Natural logarithm. */
export const log: Kernel<"log"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = Math.log(x[i]);
};
