import type { Dtype, Tensor } from "@unroll/ir";
import type { Backend, GradientResult, LoadedProgram, WindowResult } from "@unroll/bptt";
import { castData, modelData, type ModelData } from "../models/model-data.js";
import type { NamedProgram } from "../suite-context.js";
import { recordMismatches, scalarMismatches, tensorMismatches } from "./compare.js";
import { castAll, randomParams, rngFor } from "./tensors.js";
import { SAME_BACKEND_TOLERANCE, type Tolerance } from "./tolerance.js";

/** A program loaded on the backend under test, with params and data: the setup of checks that compare two runs of one backend. */
export interface SameBackendSetup {
  /** The loaded program. */
  readonly loaded: LoadedProgram;
  /** Random params in the dtype. */
  readonly params: Record<string, Tensor>;
  /** Random data in the dtype. */
  readonly data: ModelData;
  /** {@link SAME_BACKEND_TOLERANCE} of the dtype. */
  readonly tol: Tolerance;
}

/** Runs `body` on `model` loaded in `dtype` with params and data drawn from `seed` (`steps` × `batch`), and disposes it after. */
export async function withSetup<R>(
  backend: Backend,
  model: NamedProgram,
  dtype: Dtype,
  shape: { steps: number; batch: number },
  seed: string,
  body: (s: SameBackendSetup) => Promise<R>,
): Promise<R> {
  const { program } = model;
  const rand = rngFor(`${seed}/${model.name}`);
  const params = castAll(randomParams(program, rand), dtype);
  const data = castData(modelData(program, shape.steps, shape.batch, rand), dtype);
  const loaded = await backend.load(program, { dtype });
  try {
    return await body({ loaded, params, data, tol: SAME_BACKEND_TOLERANCE[dtype] });
  } finally {
    await loaded.dispose();
  }
}

/** Mismatches between two forward results: outputs, states (time order), final state and loss. */
export function forwardResultMismatches(a: WindowResult, b: WindowResult, tol: Tolerance): string[] {
  return [
    ...tensorMismatches("outputs", a.outputs, b.outputs, tol, "sequence"),
    ...recordMismatches("states", a.states, b.states, tol, "sequence"),
    ...recordMismatches("finalState", a.finalState, b.finalState, tol, "rows"),
    ...scalarMismatches("loss", a.loss, b.loss, tol),
  ];
}

/** Mismatches between two gradient results: loss, every gradient, and each window's bounds, loss and gradients. */
export function gradientResultMismatches(a: GradientResult, b: GradientResult, tol: Tolerance): string[] {
  const problems = [
    ...scalarMismatches("loss", a.loss, b.loss, tol),
    ...recordMismatches("grads", a.grads, b.grads, tol),
    ...recordMismatches("inputGrads", a.inputGrads, b.inputGrads, tol, "sequence"),
    ...recordMismatches("initialStateGrads", a.initialStateGrads, b.initialStateGrads, tol, "rows"),
  ];
  const bounds = (r: GradientResult) => r.windows.map((w) => `[${w.start}, ${w.end}) loss from ${w.lossStart}`).join("; ");
  if (bounds(a) !== bounds(b)) return [...problems, `windows ${bounds(a)}, expected ${bounds(b)}`];
  a.windows.forEach((w, i) => {
    problems.push(...scalarMismatches(`windows[${i}].loss`, w.loss, b.windows[i].loss, tol));
    problems.push(...recordMismatches(`windows[${i}].grads`, w.grads, b.windows[i].grads, tol));
  });
  return problems;
}
