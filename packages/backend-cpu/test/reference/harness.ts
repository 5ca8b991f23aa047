import { loadProgram, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import { runForward, type SequenceData, type WindowResult } from "@unroll/bptt";
import { createCpuBackend } from "../../src/index.js";
import { expectForwardMatches } from "./compare.js";
import { referenceForward, type RefModel, type RefResult } from "./model.js";
import { randomClasses, randomDense, seededRandom } from "./rng.js";

/** Absolute tolerance of engine-vs-reference comparisons, per precision, on values of order 1. */
export const TOLERANCE: Readonly<Record<Dtype, number>> = { float64: 1e-12, float32: 1e-5 };

/** Both precisions, for `describe.each`. */
export const DTYPES: readonly Dtype[] = ["float64", "float32"];

/**
 * Runs a program forward on the CPU backend, the code under test. Everything
 * else in this folder is the independent reference it is checked against.
 */
export async function engineForward(program: CheckedProgram, params: Record<string, Tensor>, data: SequenceData, dtype: Dtype): Promise<WindowResult> {
  const backend = createCpuBackend();
  const loaded = await backend.load(program, { dtype });
  try {
    return await runForward(loaded, params, data, program);
  } finally {
    await loaded.dispose();
    await backend.dispose();
  }
}

/** Loads a model document (spec, program or graph JSON) the way an application does. */
export function load(json: unknown): CheckedProgram {
  return loadProgram(JSON.parse(JSON.stringify(json)));
}

/** Random parameters for every param of a program, uniform in [-scale, scale], in sorted-name order. */
export function randomParams(program: CheckedProgram, rand: () => number, dtype: Dtype, scale = 0.7): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(program.params).sort()) out[name] = randomDense(program.params[name], rand, scale, dtype);
  return out;
}

/** How to build one engine-vs-reference comparison of a model spec. */
export interface ModelCase {
  readonly dtype: Dtype;
  readonly seed: number;
  /** Sequence length T (default 5). */
  readonly steps?: number;
  /** Batch size B (default 3). */
  readonly batch?: number;
  /** Per-row lengths; x and y past them are filled with a large value the result must not depend on. */
  readonly lengths?: readonly number[];
  /** States given an initial value (random); the others start at zero. */
  readonly initialState?: readonly string[];
}

/** Value written into x and y past each row's length. */
const PADDING = 50;

/**
 * Compiles a model spec, draws params and data from a seeded generator, runs
 * the engine and the plain-loop reference on the same numbers and expects them
 * to agree on outputs, every state at every step, final states and loss.
 */
export async function compareModel(spec: RefModel, c: ModelCase): Promise<{ engine: WindowResult; ref: RefResult; program: CheckedProgram }> {
  const program = load(spec);
  const rand = seededRandom(c.seed);
  const T = c.steps ?? 5;
  const B = c.batch ?? 3;
  const params = randomParams(program, rand, c.dtype);
  const x = randomDense([T, B, spec.input], rand, 1, c.dtype);
  const sequences: Record<string, Tensor> = { x };
  if (spec.loss === "cross_entropy") {
    sequences.y = randomClasses(T, B, spec.head!.units, rand, c.dtype);
  } else if (spec.loss === "mse") {
    const last = spec.layers[spec.layers.length - 1];
    const width = spec.head?.units ?? (last.bidirectional ? 2 : 1) * last.hidden;
    sequences.y = randomDense([T, B, width], rand, 1, c.dtype);
  }
  if (c.lengths) {
    for (const seq of Object.values(sequences)) {
      const inner = seq.data.length / (T * B);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          // class ids must stay valid ids even where they are ignored
          if (t >= c.lengths[b])
            seq.data.fill(seq === sequences.y && spec.loss === "cross_entropy" ? 0 : PADDING, (t * B + b) * inner, (t * B + b + 1) * inner);
        }
      }
    }
  }
  const initialState: Record<string, Tensor> = {};
  for (const name of c.initialState ?? []) {
    const info = program.states[name];
    if (!info) throw new Error(`test setup: the program has no state "${name}" (states: ${Object.keys(program.states).join(", ")})`);
    initialState[name] = randomDense(
      info.shape.map((d) => (d === "B" ? B : d)),
      rand,
      0.8,
      c.dtype,
    );
  }
  const data: SequenceData = {
    sequences,
    ...(c.initialState ? { initialState } : {}),
    ...(c.lengths ? { lengths: c.lengths } : {}),
  };
  const engine = await engineForward(program, params, data, c.dtype);
  const ref = referenceForward(spec, params, data);
  expectForwardMatches(engine, ref, TOLERANCE[c.dtype]);
  return { engine, ref, program };
}
