import type { Kernel } from "./kernel.js";

/** Copies its input. */
export const identity: Kernel<"identity"> = (_node, [x], out) => out.data.set(x.data);
