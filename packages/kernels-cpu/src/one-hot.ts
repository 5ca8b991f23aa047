import type { Kernel } from "./kernel.js";

/** One-hot rows `[B, depth]` from class ids `[B]`; throws when an id is not an integer in `[0, depth)`. */
export const oneHot: Kernel<"oneHot"> = (node, [classes], out) => {
  const { depth } = node.attrs;
  const o = out.data;
  o.fill(0);
  for (let r = 0; r < classes.data.length; r++) {
    const c = classes.data[r];
    if (!Number.isInteger(c) || c < 0 || c >= depth) {
      throw new Error(`oneHot: row ${r} has class id ${c}, which is not an integer in [0, ${depth})`);
    }
    o[r * depth + c] = 1;
  }
};
