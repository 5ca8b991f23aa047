import { loadProgram, type CheckedProgram, type Tensor } from "@unroll/ir";
import { createRng, initParams } from "@unroll/bptt";
import { customCellProgram } from "./custom-cells.js";
import type { Workload } from "./workloads.js";

/** Seed of the parameters; the data uses the next one. */
export const SEED = 1234;

/** Learning rate of the SGD update in every training step. */
export const LEARNING_RATE = 0.01;

/** The unroll model spec of a workload: one layer and a linear head, mse loss. */
export function modelSpec(w: Workload): unknown {
  return { input: w.input, layers: [{ cell: w.cell, hidden: w.hidden }], head: { units: w.output, activation: "linear" }, loss: "mse" };
}

/** A float32 sequence `[T, B, W]`, usable as an unroll tensor and by TF.js. */
export interface Sequence3 {
  /** `[T, B, W]`. */
  readonly shape: [number, number, number];
  /** Row-major values. */
  readonly data: Float32Array;
}

/** The data of an unroll float32 tensor, checked (TF.js takes no Float64Array). */
export function float32(t: Tensor): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error("expected a float32 tensor");
  return t.data;
}

/** The same problem for every system: program, seeded float32 parameters and random data. */
export interface Problem {
  /** The checked unroll program (its param shapes name the weights for TF.js too). */
  readonly program: CheckedProgram;
  /** Parameters by unroll name: `layers.0.W_in`, `layers.0.W_re`, `layers.0.b`, `head.W`, `head.b`. */
  readonly params: Record<string, Tensor>;
  /** Inputs `[T, B, I]`, uniform in [-1, 1). */
  readonly x: Sequence3;
  /** Targets `[T, B, O]`, uniform in [-1, 1). */
  readonly y: Sequence3;
}

function uniform(shape: [number, number, number], rng: () => number): Sequence3 {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = 2 * rng() - 1;
  return { shape, data };
}

/** Builds the workload's problem, identical bit for bit on every run and system. */
export function makeProblem(w: Workload): Problem {
  const program = w.custom ? customCellProgram(w) : loadProgram(modelSpec(w));
  const params = initParams(program, SEED, "float32");
  const rng = createRng(SEED + 1);
  const x = uniform([w.steps, w.batch, w.input], rng);
  const y = uniform([w.steps, w.batch, w.output], rng);
  return { program, params, x, y };
}
