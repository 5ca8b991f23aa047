import { attributesOf } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxNode, type OnnxTensor } from "../onnx/onnx-messages.js";
import { onnxTensorValues } from "../onnx/onnx-tensor.js";
import { OnnxImportError } from "./import-error.js";
import type { ConstantTensor } from "./import-values.js";

/** An initializer as a constant. */
export function constantOfTensor(t: OnnxTensor, what: string): ConstantTensor {
  return { what, dims: [...(t.dims ?? [])], values: onnxTensorValues(t, what), double: t.dataType === OnnxDataType.DOUBLE };
}

/** The value of a `Constant` node (`value`, `value_float(s)` or `value_int(s)`). */
export function constantOfNode(node: OnnxNode, where: string): ConstantTensor {
  const a = attributesOf(node);
  const what = `the output of ${where}`;
  const t = a.tensor("value");
  if (t) return constantOfTensor(t, what);
  const f = a.float("value_float");
  if (f !== undefined) return { what, dims: [], values: Float64Array.of(f), double: false };
  const fs = a.floats("value_floats");
  if (fs) return { what, dims: [fs.length], values: Float64Array.from(fs), double: false };
  const i = a.int("value_int");
  if (i !== undefined) return { what, dims: [], values: Float64Array.of(i), double: false };
  const is = a.ints("value_ints");
  if (is) return { what, dims: [is.length], values: Float64Array.from(is), double: false };
  throw new OnnxImportError(
    `${where}: has no "value", "value_float(s)" or "value_int(s)" attribute that unroll's import reads (${a.names().join(", ") || "none"})`,
  );
}

/** The constant with its axes permuted (output axis i is input axis perm[i]). */
export function transposeConstant(c: ConstantTensor, perm: readonly number[], what: string): ConstantTensor {
  const rank = c.dims.length;
  const dims = perm.map((p) => c.dims[p]);
  const inStrides = c.dims.map((_, i) => c.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const values = new Float64Array(c.values.length);
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < values.length; k++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += index[i] * inStrides[perm[i]];
    values[k] = c.values[src];
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < dims[i]) break;
      index[i] = 0;
    }
  }
  return { what, dims, values, double: c.double };
}

/** The constant with new dims of the same size (Reshape, Squeeze, Unsqueeze, Flatten of a constant). */
export function redimConstant(c: ConstantTensor, dims: readonly number[], what: string): ConstantTensor {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== c.values.length) throw new OnnxImportError(`${what}: dims [${dims.join(", ")}] do not fit ${c.what} [${c.dims.join(", ")}]`);
  return { what, dims: [...dims], values: c.values, double: c.double };
}

/** ONNX Reshape's target dims for a constant input (0 copies, −1 infers). */
export function reshapeDims(dims: readonly number[], target: readonly number[], allowzero: boolean, where: string): number[] {
  const out = target.map((d, i) => (d === 0 && !allowzero ? dims[i] : d));
  const size = dims.reduce((a, b) => a * b, 1);
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const minus = out.indexOf(-1);
  if (minus >= 0) out[minus] = known === 0 ? 0 : size / known;
  if (out.some((d) => d === undefined || !Number.isInteger(d) || d < 0) || out.reduce((a, b) => a * b, 1) !== size) {
    throw new OnnxImportError(`${where}: shape [${target.join(", ")}] does not fit the input [${dims.join(", ")}]`);
  }
  return out;
}
