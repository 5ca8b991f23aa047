/** A row vector. */
export type Vec = number[];
/** A matrix as an array of rows. */
export type Mat = number[][];

/** Anything shaped like a tensor: a shape and row-major numbers (a `Tensor`, without importing the IR). */
export interface Dense {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** The elements of a 1-D tensor. */
export function toVec(t: Dense): Vec {
  if (t.shape.length !== 1) throw new Error(`expected a vector, got shape [${t.shape.join(", ")}]`);
  return Array.from(t.data);
}

/** The rows of a 2-D tensor. */
export function toMat(t: Dense): Mat {
  if (t.shape.length !== 2) throw new Error(`expected a matrix, got shape [${t.shape.join(", ")}]`);
  const [rows, cols] = t.shape;
  const m: Mat = [];
  for (let i = 0; i < rows; i++) {
    const row: Vec = [];
    for (let j = 0; j < cols; j++) row.push(t.data[i * cols + j]);
    m.push(row);
  }
  return m;
}

/** A time-major 3-D tensor `[T, B, N]` as `seq[t][b][n]`. */
export function toSeq(t: Dense): number[][][] {
  if (t.shape.length !== 3) throw new Error(`expected [T, B, N], got shape [${t.shape.join(", ")}]`);
  const [steps, rows, cols] = t.shape;
  const s: number[][][] = [];
  for (let k = 0; k < steps; k++) {
    const m: Mat = [];
    for (let b = 0; b < rows; b++) {
      const row: Vec = [];
      for (let j = 0; j < cols; j++) row.push(t.data[(k * rows + b) * cols + j]);
      m.push(row);
    }
    s.push(m);
  }
  return s;
}

/** `n` zeros. */
export function zeroVec(n: number): Vec {
  return new Array<number>(n).fill(0);
}

/** The row vector times a matrix: `(v m)_j = Σ_i v_i m[i][j]`. */
export function vecMat(v: Vec, m: Mat): Vec {
  if (v.length !== m.length) throw new Error(`vecMat: vector of ${v.length} times matrix of ${m.length} rows`);
  const out = zeroVec(m[0].length);
  for (let i = 0; i < v.length; i++) for (let j = 0; j < out.length; j++) out[j] += v[i] * m[i][j];
  return out;
}

/** Elementwise sum of equally long vectors. */
export function add(...vs: Vec[]): Vec {
  const out = zeroVec(vs[0].length);
  for (const v of vs) for (let j = 0; j < out.length; j++) out[j] += v[j];
  return out;
}

/** Elementwise product. */
export function mul(a: Vec, b: Vec): Vec {
  return a.map((x, j) => x * b[j]);
}

/** Column block k of width `width`: elements `[k·width, (k+1)·width)`. */
export function block(v: Vec, k: number, width: number): Vec {
  return v.slice(k * width, (k + 1) * width);
}

/** The columns of block k of every row of a matrix. */
export function blockCols(m: Mat, k: number, width: number): Mat {
  return m.map((row) => block(row, k, width));
}

/** Logistic sigmoid. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
/** Rectifier. */
export const relu = (x: number): number => (x > 0 ? x : 0);

/** `log Σ_j exp(v_j)`, shifted by the max for stability. */
export function logSumExp(v: Vec): number {
  const m = Math.max(...v);
  let s = 0;
  for (const x of v) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Softmax of a vector. */
export function softmax(v: Vec): Vec {
  const lse = logSumExp(v);
  return v.map((x) => Math.exp(x - lse));
}
