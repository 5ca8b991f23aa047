import type { Kernel } from "./kernel.js";
import { reduceInto, reducedAxes } from "./reduce.js";

/** Sum over `axes` (all by default, negative from the end), accumulated in float64. */
export const sum: Kernel<"sum"> = (node, [x], out) => {
  const axes = reducedAxes(node.attrs?.axes, x.shape.length);
  reduceInto(
    x,
    x.shape.map((d, i) => (axes.has(i) ? 1 : d)),
    out,
    1,
  );
};
