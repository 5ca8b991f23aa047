// A copy of the reference kernel in packages/kernels-cpu/src/matmul.ts, unwrapped from
// the kernel-table signature: the layer rules keep kernels-wasm from importing the backend.

/** c = op(a)·op(b) in float64 accumulators, as the CPU backend computes it. */
export function jsMatmul(x: Float32Array, y: Float32Array, o: Float32Array, m: number, n: number, k: number, tA: boolean, tB: boolean): void {
  // op(a)[i, p] lives at x[i * ai + p * ak]
  const ai = tA ? 1 : k;
  const ak = tA ? m : 1;
  if (!tB) {
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
}
