import { broadcastBinary } from "./broadcast.js";
import type { Kernel } from "./kernel.js";

/** `a + b` with NumPy broadcasting. */
export const add: Kernel<"add"> = (_node, [a, b], out) => broadcastBinary(a, b, out, (x, y) => x + y);
