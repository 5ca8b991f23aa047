import { broadcastBinary } from "./broadcast.js";
import { binaryFast } from "./binary-fast.js";
import type { Kernel } from "./kernel.js";

/** `a * b` with NumPy broadcasting. */
export const mul: Kernel<"mul"> = (_node, [a, b], out) => {
  if (!binaryFast("mul", a, b, out)) broadcastBinary(a, b, out, (x, y) => x * y);
};
