import type { Workload } from "./workloads.js";

/** Matmul FLOPs of one forward step for the whole batch: 2·M·N·K per product. */
export function forwardStepFlops(w: Workload): number {
  const gates = w.cell === "lstm" ? 4 : 1;
  // x W_in [I, gH], h W_re [H, gH], head h W_out [H, O]
  return 2 * w.batch * (w.input * gates * w.hidden + w.hidden * gates * w.hidden + w.hidden * w.output);
}

/**
 * Model FLOPs of one timed step (one sequence): the forward matmuls over all
 * steps, and twice that again for backward when training. Recomputation by
 * time checkpointing is not counted: GFLOP/s is useful work per second.
 */
export function stepFlops(w: Workload): number {
  const forward = forwardStepFlops(w) * w.steps;
  return w.mode === "train" ? 3 * forward : forward;
}
