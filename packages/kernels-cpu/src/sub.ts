import { broadcastBinary } from "./broadcast.js";
import { binaryFast } from "./binary-fast.js";
import type { Kernel } from "./kernel.js";

/** `a - b` with NumPy broadcasting. */
export const sub: Kernel<"sub"> = (_node, [a, b], out) => {
  if (!binaryFast("sub", a, b, out)) broadcastBinary(a, b, out, (x, y) => x - y);
};
