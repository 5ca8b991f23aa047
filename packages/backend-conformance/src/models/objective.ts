import type { CheckedProgram, Tensor } from "@unroll/ir";
import { runForward, sliceSteps, type LoadedProgram, type Plan } from "@unroll/bptt";
import type { ModelData } from "./model-data.js";

/** The state entering step t (t ≥ 1) of one uninterrupted forward pass: its state after step t-1, copied. */
export async function statesEntering(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Readonly<Record<string, Tensor>>,
  data: ModelData,
): Promise<Map<number, Record<string, Tensor>>> {
  const fwd = await runForward(loaded, params, data, program);
  const steps = Object.values(data.sequences)[0].shape[0];
  const out = new Map<number, Record<string, Tensor>>();
  for (let t = 1; t < steps; t++) {
    const s: Record<string, Tensor> = {};
    for (const name of Object.keys(program.states)) {
      const v = sliceSteps(fwd.states[name], t - 1, t);
      s[name] = { shape: v.shape.slice(1), data: v.data.slice() };
    }
    out.set(t, s);
  }
  return out;
}

/**
 * The objective a truncation plan differentiates, from its definition: the sum
 * over windows of the window's loss (the mean over its loss steps), each window
 * entering with the state of the uninterrupted forward pass held constant (the
 * initial state for a window starting at 0). It reads `params` and `data` when
 * called, so finite differences can perturb them in place.
 */
export function truncatedObjective(
  loaded: LoadedProgram,
  params: Readonly<Record<string, Tensor>>,
  data: ModelData,
  plan: Plan,
  entering: ReadonlyMap<number, Record<string, Tensor>>,
): () => Promise<number> {
  return async () => {
    let total = 0;
    for (const w of plan.windows) {
      const sequences = Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, w.start, w.end)]));
      const r = await loaded.runWindow({
        params,
        sequences,
        initialState: w.start === 0 ? data.initialState : entering.get(w.start)!,
        lossFrom: w.lossStart - w.start,
        gradients: false,
      });
      total += r.loss!;
    }
    return total;
  };
}
