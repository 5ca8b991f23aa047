import { fromNested, type Dtype, type Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";

/** The engine's view of a valid DATA document (as `validData` generates): tensors from its nested arrays. */
export function sequenceDataOf(doc: Record<string, unknown>, dtype: Dtype): SequenceData {
  const { initialState, lengths, ...sequences } = doc;
  const tensors = (o: object): Record<string, Tensor> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromNested(v, dtype, k)]));
  return {
    sequences: tensors(sequences),
    ...(initialState ? { initialState: tensors(initialState) } : {}),
    ...(lengths ? { lengths: lengths as number[] } : {}),
  };
}
