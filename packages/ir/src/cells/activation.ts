import type { GraphBuilder } from "../builder.js";

/** An elementwise nonlinearity of a recurrent cell. */
export type CellActivation = "tanh" | "relu" | "sigmoid";

/** The output nonlinearity of a dense head; `"linear"` is none, `"softmax"` normalizes the last axis. */
export type HeadActivation = "linear" | "sigmoid" | "tanh" | "softmax";

/** `act(x)` as one node with the given id; `"linear"` returns `x` itself and adds nothing. */
export function activate(b: GraphBuilder, x: string, act: CellActivation | HeadActivation, id?: string): string {
  return act === "linear" ? x : b.node(act, [x], undefined, id);
}
