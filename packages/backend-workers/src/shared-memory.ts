import { allocate, dtypeOf, sizeOf, type Dtype, type FloatArray, type Tensor } from "@unroll/ir";

/**
 * True when buffers can be shared with workers: `SharedArrayBuffer` exists
 * (always in Node; in a browser only on a cross-origin-isolated page, served
 * with COOP `same-origin` and COEP `require-corp`).
 */
export function sharedMemoryAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === "function" && g.crossOriginIsolated !== false;
}

/** True when a typed array already lives in shared memory. */
export function isShared(data: FloatArray): boolean {
  return typeof SharedArrayBuffer === "function" && data.buffer instanceof SharedArrayBuffer;
}

/** A zero tensor in a `SharedArrayBuffer`. */
export function sharedZeros(shape: readonly number[], dtype: Dtype): Tensor {
  const n = sizeOf(shape);
  const bytes = n * (dtype === "float64" ? 8 : 4);
  const sab = new SharedArrayBuffer(bytes);
  return { shape: [...shape], data: dtype === "float64" ? new Float64Array(sab) : new Float32Array(sab) };
}

/** The tensor in shared memory: itself when it already is, else a copy (same dtype). */
export function toShared(t: Tensor): Tensor {
  if (isShared(t.data)) return t;
  const s = sharedZeros(t.shape, dtypeOf(t.data));
  s.data.set(t.data);
  return s;
}

/** Every tensor of a record in shared memory. */
export function recordToShared(ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, toShared(t)]));
}

/** A zero tensor, in shared memory or not. */
export function zerosIn(shared: boolean, shape: readonly number[], dtype: Dtype): Tensor {
  return shared ? sharedZeros(shape, dtype) : { shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}
