import type { Kernel } from "./kernel.js";
import { reduceInto, reducedAxes } from "./reduce.js";

/** Mean over `axes` (all by default, negative from the end), accumulated in float64. */
export const mean: Kernel<"mean"> = (node, [x], out) => {
  const axes = reducedAxes(node.attrs?.axes, x.shape.length);
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  reduceInto(
    x,
    x.shape.map((d, i) => (axes.has(i) ? 1 : d)),
    out,
    1 / count,
  );
};
