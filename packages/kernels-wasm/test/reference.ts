/** Transposes and accumulation of one product. */
export interface Ops {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  readonly accumulate?: boolean;
}

/** op(a)·op(b) (+ c0) in float64 by the definition (rows of op(a) and columns of op(b) gathered first, for speed). */
export function referenceMatmul(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ops: Ops, c0?: Float32Array): Float64Array {
  const rowsA = new Float64Array(m * k);
  const colsB = new Float64Array(n * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) rowsA[i * k + p] = ops.transposeA ? a[p * m + i] : a[i * k + p];
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) colsB[j * k + p] = ops.transposeB ? b[j * k + p] : b[p * n + j];
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = ops.accumulate && c0 ? c0[i * n + j] : 0;
      for (let p = 0; p < k; p++) s += rowsA[i * k + p] * colsB[j * k + p];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** max |x − ref| / max |ref| (1 when ref is all zero and x is not). */
export function relativeError(x: Float32Array, ref: Float64Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(x[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return scale === 0 ? (err === 0 ? 0 : 1) : err / scale;
}

/** Deterministic uniform values in [-0.5, 0.5) (xorshift32). */
export function randomMatrix(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 32 - 0.5;
  }
  return x;
}
