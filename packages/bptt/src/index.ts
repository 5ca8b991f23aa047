/**
 * `@unroll/bptt`: the scheduler that unrolls a program over time, the
 * {@link Backend} contract it runs on, and training on top of it.
 *
 * Guides: [training through time](../../../docs/guides/training-through-time.md) (BPTT, truncated BPTT and RTRL on a worked
 * example), [training.md](../../../docs/guides/training.md) (what `computeGradients` and `Trainer` compute),
 * [writing a backend](../../../docs/guides/writing-a-backend.md) (the `Device` and `Backend` contracts).
 * @packageDocumentation
 */
export * from "./backend.js";
export * from "./window.js";
export * from "./non-finite-error.js";
export * from "./check-request.js";
export * from "./plan.js";
export * from "./data.js";
export * from "./gradients.js";
export * from "./mean-loss.js";
export * from "./gradient-flow.js";
export * from "./optim/index.js";
export * from "./init.js";
export * from "./rows.js";
export * from "./trainer.js";
export * from "./trainer-state.js";
export * from "./metrics.js";
export * from "./validation-split.js";
export * from "./training-callback.js";
export * from "./early-stopping.js";
export * from "./rtrl-memory.js";
export * from "./memory-budget.js";
export * from "./input-error.js";
export * from "./sample.js";
export * from "./generate.js";
export * from "./device.js";
export * from "./device-backend.js";
export * from "./range-arena.js";
export * from "./program/stage-graphs.js";
export * from "./program/window-program.js";
export * from "./program/compile-window.js";
export * from "./program/ops-of-windows.js";
export * from "./executor/scan-executor.js";
export * from "./executor/window-executor.js";
export * from "./program/memory-estimate.js";
export * from "./program/format-window.js";
export * from "./program/run-memory.js";
export * from "./program/window-program-json.js";
export * from "./dropout-masks.js";
