import type { Kernel } from "./kernel.js";

/** Heaviside step: 1 where `x > 0`, else 0. */
export const step: Kernel<"step"> = (_node, [{ data: x }], { data: o }) => {
  for (let i = 0; i < o.length; i++) o[i] = x[i] > 0 ? 1 : 0;
};
