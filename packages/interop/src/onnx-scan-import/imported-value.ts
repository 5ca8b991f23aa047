/**
 * What an ONNX value of a Scan body is to the import. Most are values of our step graph; the others are the
 * pieces our ops are spelled with in ONNX (constants, shapes, the step mask), which become ops of ours only where
 * they are used: a `Cast` of `Gather(Shape(x), k)` is `countOf(x, [k])`, a `Cast` of `Greater(x, 0)` is `step(x)`.
 */
export type ImportedValue =
  /** A value of our step graph, by id (ids, which ONNX holds as int64, are numbers in ours). */
  | { readonly kind: "value"; readonly id: string }
  /** A constant; it becomes a `constant` node of ours when an op reads it as a value. */
  | { readonly kind: "constant"; readonly name: string; readonly dims: readonly number[]; readonly values: Float64Array; readonly integer: boolean }
  /** `Shape(x)`. */
  | { readonly kind: "shape"; readonly of: string }
  /** `Gather(Shape(x), axis)`: one dimension of x, int64. */
  | { readonly kind: "dim"; readonly of: string; readonly axis: number }
  /** `Greater(x, 0)`. */
  | { readonly kind: "positive"; readonly of: string }
  /** The step mask, bool `[B]`, or unsqueezed to `[B, 1, ...]`. */
  | { readonly kind: "mask" }
  /** `Where(mask, value, otherwise)`: value inside a row's sequence, otherwise on its padding. */
  | { readonly kind: "masked"; readonly value: string; readonly otherwise: ImportedValue };

/** Describes an imported value's kind for messages. */
export function describeImported(v: ImportedValue): string {
  switch (v.kind) {
    case "value":
      return `the value "${v.id}"`;
    case "constant":
      return `a constant [${v.dims.join(", ")}]`;
    case "shape":
      return `the shape of "${v.of}"`;
    case "dim":
      return `dimension ${v.axis} of "${v.of}"`;
    case "positive":
      return `a comparison (Greater) of "${v.of}"`;
    case "mask":
      return "the step mask";
    case "masked":
      return `the masked value "${v.value}"`;
  }
}
