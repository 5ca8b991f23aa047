import { formatShape, sizeOf } from "./shape.js";

/** Floating-point precision of a run. float32 is the default; float64 is for checking gradients. */
export type Dtype = "float32" | "float64";

/** The typed array behind a tensor. */
export type FloatArray = Float32Array | Float64Array;

/** A dense row-major array of numbers with a concrete shape. */
export interface Tensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Row-major elements; its length is the product of `shape`. */
  readonly data: FloatArray;
}

/** Nested number arrays, as tensors appear in JSON files. */
export type Nested = number | Nested[];

/** A typed array of the given dtype and length, filled with zeros. */
export function allocate(dtype: Dtype, length: number): FloatArray {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype of a typed array. */
export function dtypeOf(data: FloatArray): Dtype {
  return data instanceof Float64Array ? "float64" : "float32";
}

/** `target += source`, elementwise (same length). */
export function addInto(target: Tensor, source: Tensor): void {
  const a = target.data;
  const b = source.data;
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** A zero tensor of the given shape. */
export function zeros(shape: readonly number[], dtype: Dtype): Tensor {
  return { shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}

/** A tensor filled with one value. */
export function full(shape: readonly number[], value: number, dtype: Dtype): Tensor {
  const t = zeros(shape, dtype);
  t.data.fill(value);
  return t;
}

/** The most dimensions a tensor read from nested arrays may have: far more than any model uses, far fewer than the call stack allows. */
export const MAX_NESTED_RANK = 32;

/** Describes the shape of nested arrays, or returns a message saying where they are ragged or nested too deeply. */
function nestedShape(value: Nested, path: string, depth = 0): number[] | string {
  if (typeof value === "number") return [];
  if (!Array.isArray(value)) return `${path} is not a number or an array`;
  if (depth === MAX_NESTED_RANK) return `${path} is an array nested ${MAX_NESTED_RANK + 1} deep; a tensor has at most ${MAX_NESTED_RANK} dimensions`;
  if (value.length === 0) return [0];
  const inner = nestedShape(value[0], `${path}[0]`, depth + 1);
  if (typeof inner === "string") return inner;
  for (let i = 1; i < value.length; i++) {
    const s = nestedShape(value[i], `${path}[${i}]`, depth + 1);
    if (typeof s === "string") return s;
    if (formatShape(s) !== formatShape(inner)) {
      return `${path}[${i}] has shape ${formatShape(s)} but ${path}[0] has shape ${formatShape(inner)}`;
    }
  }
  return [value.length, ...inner];
}

/**
 * A tensor from nested arrays. Throws a message naming `what` when the arrays are
 * ragged, hold something other than numbers, or hold NaN or Infinity.
 */
export function fromNested(value: unknown, dtype: Dtype, what = "value"): Tensor {
  const shape = nestedShape(value as Nested, what);
  if (typeof shape === "string") throw new Error(shape);
  const data = allocate(dtype, sizeOf(shape));
  let k = 0;
  const walk = (v: Nested, path: string): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error(`${path} is ${v}; only finite numbers are allowed`);
      data[k++] = v;
    } else v.forEach((e, i) => walk(e, `${path}[${i}]`));
  };
  walk(value as Nested, what);
  return { shape, data };
}

/** Nested arrays from a tensor (plain numbers, for JSON). */
export function toNested(t: Tensor): Nested {
  const build = (dim: number, offset: number): Nested => {
    if (dim === t.shape.length) return t.data[offset];
    const stride = sizeOf(t.shape.slice(dim + 1));
    const out: Nested[] = [];
    for (let i = 0; i < t.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}
