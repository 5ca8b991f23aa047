import { allocate, dtypeOf, sizeOf, type Tensor } from "@unroll/ir";

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
