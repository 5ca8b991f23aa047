import type { Kernel } from "./kernel.js";

/** `-x`. */
export const neg: Kernel<"neg"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = -x[i];
};
