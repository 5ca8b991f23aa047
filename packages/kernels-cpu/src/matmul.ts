import type { Kernel } from "./kernel.js";

/**
 * `op(a) · op(b)` on the matrix views of the operands (leading axes of `a` are
 * rows, or with `transposeA` contracted): transposes are read in place, sums
 * accumulate in float64.
 */
export const matmul: Kernel<"matmul"> = (node, [a, b], out) => {
  const tA = node.attrs?.transposeA ?? false;
  const tB = node.attrs?.transposeB ?? false;
  const n = out.shape[out.shape.length - 1];
  const m = out.data.length / n;
  const lastA = a.shape[a.shape.length - 1];
  const k = tA ? a.data.length / lastA : lastA;
  const x = a.data;
  const y = b.data;
  const o = out.data;
  // op(a)[i, p] lives at x[i * ai + p * ak]
  const ai = tA ? 1 : k;
  const ak = tA ? m : 1;
  if (!tB) {
    // i-p-j: stream rows of b into a float64 row of the output
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const v = x[i * ai + p * ak];
        const off = p * n;
        for (let j = 0; j < n; j++) row[j] += v * y[off + j];
      }
      o.set(row, i * n);
    }
  } else {
    // b is [n, k]: each output is a dot product of op(a)'s row i (gathered) with b's row j
    const rowA = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) rowA[p] = x[i * ai + p * ak];
      for (let j = 0; j < n; j++) {
        const off = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += rowA[p] * y[off + p];
        o[i * n + j] = s;
      }
    }
  }
};
