import { type CheckedProgram, type Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";
import { castAll, classIds, randomInitialState, randomTensor, uniform } from "../support/tensors.js";

/** Sequences and initial state of one run, both always present. */
export interface ModelData extends SequenceData {
  /** Every data sequence, `[T, B, ...]`. */
  readonly sequences: Readonly<Record<string, Tensor>>;
  /** A value for every state, `[B, ...]`. */
  readonly initialState: Readonly<Record<string, Tensor>>;
}

/** Width of the program's output sequence: the number of classes when its targets are class ids. */
function outputWidth(program: CheckedProgram): number {
  const shape = program.sequences[program.program.output];
  return shape[shape.length - 1] as number;
}

/**
 * Random float64 data for a program: each data sequence but the dropout masks `[T, B, ...]` uniform in
 * [-1, 1), except targets `[B]` per step, which are class ids of the output's
 * width; and a random initial state for every state.
 */
export function modelData(program: CheckedProgram, steps: number, batch: number, rand: () => number): ModelData {
  const sequences: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(program.dataInputs)) {
    // dropout masks are the scheduler's to fill
    if (program.dropout[name]) continue;
    const rest = shape.slice(1) as number[];
    sequences[name] = randomTensor([steps, batch, ...rest], rand, rest.length === 0 ? classIds(outputWidth(program)) : uniform);
  }
  return { sequences, initialState: randomInitialState(program, batch, rand) };
}

/** The same data in another precision. */
export function castData(data: ModelData, dtype: "float32" | "float64"): ModelData {
  return { sequences: castAll(data.sequences, dtype), initialState: castAll(data.initialState, dtype), ...(data.lengths ? { lengths: data.lengths } : {}) };
}
