import { resolveShape, sizeOf, type CheckedProgram, type Dtype } from "@unroll/ir";
import { InputError } from "./input-error.js";
import { checkBudget, defaultMemoryBudget, MemoryBudgetError } from "./memory-budget.js";
import type { WindowCompiler } from "./program/compile-window.js";
import { formatBytes } from "./program/format-window.js";
import { estimateWindowMemory } from "./program/memory-estimate.js";
import type { ForwardMethod } from "./window.js";

/** What RTRL needs in memory for one window, in bytes. */
export interface RtrlMemory {
  /** One copy of every sensitivity `∂state/∂param` (`B × size(param) × size(state)` numbers each). */
  readonly sensitivities: number;
  /** Numbers in one copy of the sensitivities. */
  readonly sensitivityNumbers: number;
  /** The whole window's estimated peak (the sensitivities entering, in the loop and leaving, the per-step tangents, the data). */
  readonly peak: number;
}

/** Sizes an RTRL window of `steps` × `batch` by compiling it (keeping every step's state when `collectStates`): the sensitivities and the window's peak. */
export function rtrlMemory(
  compiler: WindowCompiler,
  steps: number,
  batch: number,
  dtype: Dtype,
  masked: boolean,
  collectStates = false,
  method: ForwardMethod = "rtrl",
): RtrlMemory {
  const window = compiler.compile({ steps, batch, dtype, gradients: true, method, masked, collectStates });
  const scan = compiler.rtrl(masked, method);
  let numbers = 0;
  for (const byState of Object.values(scan.rtrl.sensitivities)) {
    for (const carry of Object.values(byState)) numbers += sizeOf(resolveShape(scan.scan.graph.shapes.get(carry)!, batch));
  }
  return { sensitivities: numbers * (dtype === "float32" ? 4 : 8), sensitivityNumbers: numbers, peak: estimateWindowMemory(window).peak };
}

/**
 * Refuses an RTRL run that would need more than `budget` bytes, before
 * anything is allocated, with the figures: RTRL keeps `∂state/∂param` for
 * every state value and parameter of every row, `O(B·H·P)` numbers, which
 * for a wide layer is far more than BPTT's `O(T·B·H)`.
 */
export function checkRtrlMemory(
  compiler: WindowCompiler,
  steps: number,
  batch: number,
  dtype: Dtype,
  masked: boolean,
  budget = defaultMemoryBudget(),
  collectStates = false,
  method: ForwardMethod = "rtrl",
): RtrlMemory {
  const m = rtrlMemory(compiler, steps, batch, dtype, masked, collectStates, method);
  if (m.peak > checkBudget(budget)) {
    const params = Object.values(compiler.program.params).reduce((a, s) => a + sizeOf(s), 0);
    const name = method === "snap1" ? "SnAp-1" : "RTRL";
    throw new MemoryBudgetError(
      "",
      m.peak,
      budget,
      `${name} would need ${formatBytes(m.peak)} for a window of ${steps} steps, above the memory budget of ${formatBytes(budget)}: ` +
        `its sensitivities alone are ${m.sensitivityNumbers.toLocaleString("en-US")} numbers (${formatBytes(m.sensitivities)}), ` +
        (method === "snap1"
          ? `one per parameter (of ${params.toLocaleString("en-US")}), state and row. Use a smaller batch or model, BPTT, or a larger budget`
          : `every state value's derivative by each of the ${params.toLocaleString("en-US")} parameters for each of ${batch} rows. ` +
            `Use SnAp-1 (method "snap1": one number per parameter and row), BPTT (truncated for long or endless sequences), a smaller batch or model, or a larger budget`),
    );
  }
  return m;
}

/**
 * Throws unless RTRL (or SnAp-1) can serve this program with these options: it
 * must be causal (no reverse stage) and have a loss, and it keeps no history to
 * checkpoint.
 */
export function checkRtrlProgram(program: CheckedProgram, options: { readonly checkpointEvery?: number } = {}): void {
  const reverse = program.stages.findIndex((s) => s.reverse);
  if (reverse >= 0)
    throw new InputError(`RTRL needs a causal model: stage ${reverse} scans in reverse (a bidirectional or reverse layer reads the future), so use BPTT`);
  if (!program.hasLoss) throw new InputError("RTRL computes the gradient of the loss, and the model has no loss");
  if ((options.checkpointEvery ?? 1) > 1) throw new InputError("checkpointEvery does not apply to RTRL, which keeps no history to recompute");
}
