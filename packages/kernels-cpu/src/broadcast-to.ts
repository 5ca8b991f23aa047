import { broadcastInto } from "./broadcast.js";
import type { Kernel } from "./kernel.js";

/** Broadcasts `x` to the shape of `like` (values unread). */
export const broadcastTo: Kernel<"broadcastTo"> = (_node, [x], out) => broadcastInto(x, out);
