import { sizeOf, type Dtype } from "@unroll/ir";
import type { Plan } from "../plan.js";
import type { WindowCompiler } from "./compile-window.js";
import { estimateWindowMemory, type MaterializedValues, type WindowMemory } from "./memory-estimate.js";
import type { WindowProgram } from "./window-program.js";

/** The facts of a whole run that its memory depends on. */
export interface RunShape {
  /** Rows in the batch. */
  readonly batch: number;
  /** Precision. */
  readonly dtype: Dtype;
  /** The data has lengths. */
  readonly masked: boolean;
  /** Time checkpointing interval (1: keep every state). */
  readonly checkpointEvery?: number;
  /** Full BPTT keeps every step's state in its result (default true). */
  readonly collectStates?: boolean;
  /** States the data gives an initial value for. */
  readonly givenStates?: readonly string[];
}

/** A window program and the memory it needs. */
export interface SizedWindowProgram {
  /** The program. */
  readonly program: WindowProgram;
  /** Its memory estimate. */
  readonly memory: WindowMemory;
}

/** A window program shared by several windows of a plan. */
export interface PlannedWindowProgram extends SizedWindowProgram {
  /** Indices of the plan's windows that run it. */
  readonly planWindows: readonly number[];
}

/** The window programs of a gradient computation and the memory they need, as `computeGradients` runs them. */
export interface RunMemory {
  /** The forward pass over the whole sequence that truncated plans start with (absent for full BPTT). */
  readonly forward?: SizedWindowProgram;
  /** Each distinct window program (windows of the same length and loss offset share one), with the plan windows that run it. */
  readonly windows: readonly PlannedWindowProgram[];
  /** Bytes of the gradient sums over windows: params and data sequences. */
  readonly accumulators: number;
  /** Estimated peak bytes of the whole run. */
  readonly peak: number;
}

/**
 * Compiles the window programs of a gradient computation under `plan` (what
 * {@link computeGradients} will run) and estimates the peak memory of the run:
 * full BPTT is one window; a truncated plan first runs the whole sequence
 * forward, keeps its outputs and states, then runs each window on views of
 * the data while summing gradients.
 */
export function estimateRunMemory(compiler: WindowCompiler, plan: Plan, shape: RunShape, materialized?: MaterializedValues): RunMemory {
  const { program } = compiler;
  const base = { batch: shape.batch, dtype: shape.dtype, masked: shape.masked, givenStates: shape.givenStates ?? [] };
  const bytesPer = shape.dtype === "float32" ? 4 : 8;
  const checkpointEvery = shape.checkpointEvery ?? 1;
  if (plan.windows.length === 1) {
    const p = compiler.compile({ ...base, steps: plan.steps, gradients: true, collectStates: shape.collectStates ?? true, checkpointEvery });
    const memory = estimateWindowMemory(p, materialized);
    return { windows: [{ program: p, memory, planWindows: [0] }], accumulators: 0, peak: memory.peak };
  }
  const fp = compiler.compile({ ...base, steps: plan.steps, gradients: false, collectStates: true });
  const forward = { program: fp, memory: estimateWindowMemory(fp, materialized) };
  // what the forward pass hands back and keeps through the windows
  const kept = fp.buffers.filter((b) => b.role === "output" || b.role === "state" || b.role === "final").reduce((a, b) => a + sizeOf(b.shape) * bytesPer, 0);
  let accumulators = Object.values(program.params).reduce((a, s) => a + sizeOf(s) * bytesPer, 0);
  for (const b of fp.buffers) if (b.role === "sequence") accumulators += sizeOf(b.shape) * bytesPer;
  const byKey = new Map<string, { program: WindowProgram; memory: WindowMemory; planWindows: number[] }>();
  plan.windows.forEach((w, k) => {
    const key = `${w.end - w.start}:${w.lossStart - w.start}`;
    let entry = byKey.get(key);
    if (!entry) {
      const p = compiler.compile({
        ...base,
        steps: w.end - w.start,
        gradients: true,
        lossFrom: w.lossStart - w.start,
        collectStates: false,
        checkpointEvery,
        givenStates: Object.keys(program.states),
      });
      entry = { program: p, memory: estimateWindowMemory(p, materialized), planWindows: [] };
      byKey.set(key, entry);
    }
    entry.planWindows.push(k);
  });
  const windows = [...byKey.values()];
  // windows read the data and the forward's states as views: only their own buffers are new
  const window = Math.max(...windows.map((w) => w.memory.buffers + w.memory.workspace + w.memory.loop));
  const peak = Math.max(forward.memory.peak, forward.memory.inputs + kept + accumulators + window);
  return { forward, windows, accumulators, peak };
}
