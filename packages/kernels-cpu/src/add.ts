import { broadcastBinary } from "./broadcast.js";
import { binaryFast } from "./binary-fast.js";
import type { Kernel } from "./kernel.js";

/** `a + b` with NumPy broadcasting. */
export const add: Kernel<"add"> = (_node, [a, b], out) => {
  if (!binaryFast("add", a, b, out)) broadcastBinary(a, b, out, (x, y) => x + y);
};
