import type { Tensor } from "@unroll/ir";

/** The transpose of a matrix `[r, c]` as a new `[c, r]` tensor of the same dtype (PyTorch's `[out, in]` weights are unroll's `[in, out]`). */
export function transpose(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = new (t.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(t.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data: out };
}

/** `a + b` elementwise, as a new tensor of a's dtype (same shapes). */
export function add(a: Tensor, b: Tensor): Tensor {
  const out = a.data.slice();
  for (let i = 0; i < out.length; i++) out[i] += b.data[i];
  return { shape: [...a.shape], data: out };
}

/** A copy of a tensor. */
export function copy(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}

/** A zero tensor with `like`'s dtype. */
export function zerosLike(like: Tensor, shape: readonly number[]): Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  return { shape: [...shape], data: new (like.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(size) };
}
