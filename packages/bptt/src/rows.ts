import { allocate, dtypeOf, sizeOf, type Tensor } from "@unroll/ir";
import type { SequenceData } from "./data.js";

/** Rows `[from, to)` of axis `axis` (1 for time-major sequences, 0 for states), copied. */
export function selectRows(t: Tensor, from: number, to: number, axis: number): Tensor {
  const outer = sizeOf(t.shape.slice(0, axis));
  const rows = t.shape[axis];
  const inner = sizeOf(t.shape.slice(axis + 1));
  const shape = [...t.shape];
  shape[axis] = to - from;
  const data = allocate(dtypeOf(t.data), outer * (to - from) * inner);
  for (let o = 0; o < outer; o++) {
    data.set(t.data.subarray((o * rows + from) * inner, (o * rows + to) * inner), o * (to - from) * inner);
  }
  return { shape, data };
}

/**
 * Rows `[from, to)` of a batch of sequences: each sequence's rows (axis 1),
 * each initial state's (axis 0) and the lengths; the data itself when that is
 * every row.
 */
export function selectDataRows(data: SequenceData, from: number, to: number): SequenceData {
  const batch = Object.values(data.sequences)[0].shape[1];
  if (from === 0 && to === batch) return data;
  const rows = (tensors: Readonly<Record<string, Tensor>>, axis: number) =>
    Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, selectRows(v, from, to, axis)]));
  return {
    sequences: rows(data.sequences, 1),
    ...(data.initialState ? { initialState: rows(data.initialState, 0) } : {}),
    ...(data.lengths ? { lengths: data.lengths.slice(from, to) } : {}),
  };
}
