import { toNested, type Nested, type Tensor } from "@unroll/ir";

/** Tensors of a record as nested arrays. */
export function recordToJson(record: Readonly<Record<string, Tensor>>): Record<string, Nested> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, toNested(v)]));
}
