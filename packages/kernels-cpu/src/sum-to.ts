import type { Kernel } from "./kernel.js";
import { reduceInto } from "./reduce.js";

/** Sums `x` down to the shape of `like` (values unread): the reverse of broadcasting. */
export const sumTo: Kernel<"sumTo"> = (_node, [x], out) => {
  // out's shape is like's, aligned to x's rank with leading 1s
  const kept = [...Array<number>(x.shape.length - out.shape.length).fill(1), ...out.shape];
  reduceInto(x, kept, out, 1);
};
