import type { Kernel } from "./kernel.js";
import { reducedAxes } from "./reduce.js";

/** Product of `x`'s dimensions along `axes` (all by default), as a scalar; reads the shape only. */
export const countOf: Kernel<"countOf"> = (node, [x], out) => {
  let count = 1;
  for (const a of reducedAxes(node.attrs?.axes, x.shape.length)) count *= x.shape[a];
  out.data[0] = count;
};
