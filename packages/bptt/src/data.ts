import { InputError } from "./input-error.js";
import type { WindowSize } from "./check-request.js";
import { allocate, sizeOf, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";

/** A batch of sequences for a program, time-major. */
export interface SequenceData {
  /** Every data sequence of the program (e.g. `x`, and `y` with a loss), `[T, B, ...]`. */
  readonly sequences: Readonly<Record<string, Tensor>>;
  /** State at the start, `[B, ...]` per state name; missing states start at their graph's init (zeros). */
  readonly initialState?: Readonly<Record<string, Tensor>>;
  /** Per-row sequence lengths; steps at or past a row's length are padding. */
  readonly lengths?: readonly number[];
}

/** Steps `[start, end)` of a time-major tensor, as a view sharing its memory. */
export function sliceSteps(t: Tensor, start: number, end: number): Tensor {
  const n = sizeOf(t.shape.slice(1));
  return { shape: [end - start, ...t.shape.slice(1)], data: t.data.subarray(start * n, end * n) };
}

/** Step `t` of a time-major tensor `[T, ...rest]`, as a view `[...rest]` sharing its memory. */
export function stepView(seq: Tensor, t: number): Tensor {
  const rest = seq.shape.slice(1);
  const n = sizeOf(rest);
  return { shape: rest, data: seq.data.subarray(t * n, (t + 1) * n) };
}

/** The `[T, B]` mask of per-row lengths: 1 for steps inside a row's sequence, 0 past its end. */
export function maskOfLengths(lengths: readonly number[], steps: number, dtype: Dtype): Tensor {
  const batch = lengths.length;
  lengths.forEach((len, b) => {
    if (!(Number.isInteger(len) && len >= 0 && len <= steps)) {
      throw new InputError(`lengths[${b}] is ${len}; lengths must be integers from 0 to the sequence length ${steps}`);
    }
  });
  const data = allocate(dtype, steps * batch);
  for (let t = 0; t < steps; t++) for (let b = 0; b < batch; b++) data[t * batch + b] = t < lengths[b] ? 1 : 0;
  return { shape: [steps, batch], data };
}

/** Sequence length and batch size of the data, checked against the program's data inputs. */
export function dataSize(program: CheckedProgram, data: SequenceData): WindowSize {
  // dropout masks are filled by the scheduler, not given
  const names = Object.keys(program.dataInputs).filter((name) => !program.dropout[name]);
  for (const name of names) {
    if (!Object.hasOwn(data.sequences, name)) throw new InputError(`the data has no sequence "${name}" (the program reads: ${names.join(", ")})`);
  }
  const first = data.sequences[names[0]];
  if (first.shape.length < 2) throw new InputError(`sequence "${names[0]}" must be time-major [T, B, ...]`);
  const [steps, batch] = first.shape;
  if (data.lengths && data.lengths.length !== batch) {
    throw new InputError(`lengths has ${data.lengths.length} entries but the batch has ${batch} rows`);
  }
  return { steps, batch };
}

/**
 * The (step, row) pairs whose loss counts in a window of `steps` × `batch`:
 * steps from `lossFrom` on, and only where the `[L, B]` mask is 1. The loss
 * of a window is divided by this count (or by a request's `lossRowsTotal`: a
 * backend that splits the batch passes each slice the whole window's count).
 */
export function countedRows(steps: number, batch: number, lossFrom: number, mask?: Tensor): number {
  if (!mask) return (steps - lossFrom) * batch;
  let n = 0;
  for (let i = lossFrom * batch; i < steps * batch; i++) n += mask.data[i];
  return n;
}
