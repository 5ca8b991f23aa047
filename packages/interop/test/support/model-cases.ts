import { createRng, initParams, type SequenceData } from "@unroll/bptt";
import { checkProgram, compileModel, resolveShape, sizeOf, type CheckedProgram, type ModelSpec, type Program, type Tensor } from "@unroll/ir";

/** How the data of a case is drawn. */
export interface DataOptions {
  /** Steps. */
  readonly steps: number;
  /** Rows. */
  readonly batch: number;
  /** Per-row lengths, or none. */
  readonly lengths?: readonly number[];
  /** The states given an initial value; the others start at their init. */
  readonly initial?: readonly string[];
  /** Sequences of integer ids, by name, with their count (class ids of a cross-entropy target, token ids of an embedding). */
  readonly ids?: Readonly<Record<string, number>>;
  /** Seed of the draws. */
  readonly seed: number;
}

/** A float64 tensor of `shape`, uniform in [-scale, scale). */
function uniform(shape: readonly number[], rng: () => number, scale = 1): Tensor {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = scale * (2 * rng() - 1);
  return { shape: [...shape], data };
}

/** A float64 tensor of integer ids in [0, n). */
function ids(shape: readonly number[], n: number, rng: () => number): Tensor {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.min(n - 1, Math.floor(rng() * n));
  return { shape: [...shape], data };
}

/** Data for a program: every data sequence (dropout masks aside), the chosen initial states and the lengths. */
export function dataFor(program: CheckedProgram, o: DataOptions): SequenceData {
  const rng = createRng(o.seed);
  const sequences: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(program.dataInputs)) {
    if (program.dropout[name]) continue;
    const full = [o.steps, ...resolveShape(shape, o.batch)];
    const n = o.ids?.[name];
    sequences[name] = n === undefined ? uniform(full, rng) : ids(full, n, rng);
  }
  const initialState: Record<string, Tensor> = {};
  for (const name of o.initial ?? []) initialState[name] = uniform(resolveShape(program.states[name].shape, o.batch), rng, 0.8);
  return { sequences, initialState, ...(o.lengths ? { lengths: o.lengths } : {}) };
}

/**
 * Weights for a program: `initParams`, each element moved by up to ±0.2 so
 * that no parameter keeps a special value (a layer norm's gain of 1, a bias of 0).
 */
export function weightsFor(program: CheckedProgram, seed: number): Record<string, Tensor> {
  const params = initParams(program, seed, "float64");
  const rng = createRng(seed + 1000);
  for (const t of Object.values(params)) for (let i = 0; i < t.data.length; i++) t.data[i] += 0.2 * (2 * rng() - 1);
  return params;
}

/** A model spec compiled and checked. */
export function modelProgram(spec: ModelSpec): CheckedProgram {
  return checkProgram(compileModel(spec));
}

/** A program document checked. */
export function checked(program: Program): CheckedProgram {
  return checkProgram(program);
}
