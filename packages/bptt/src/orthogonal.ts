/**
 * A `rows × cols` matrix, row-major, with orthonormal columns (orthonormal
 * rows when `rows < cols`): the Q of a Gram-Schmidt QR of a matrix of
 * standard normal draws, which makes Q uniform over such matrices (Saxe et
 * al. 2014; PyTorch's and Keras' `orthogonal`). Computed in float64.
 */
export function orthogonalMatrix(rows: number, cols: number, normal: () => number): Float64Array {
  const n = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  // k columns of length n, each stored contiguously
  const q = new Float64Array(n * k);
  for (let i = 0; i < q.length; i++) q[i] = normal();
  for (let j = 0; j < k; j++) {
    const col = q.subarray(j * n, (j + 1) * n);
    // modified Gram-Schmidt, run twice: one pass leaves errors of order ε·cond(A) ("twice is enough")
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const prev = q.subarray(p * n, (p + 1) * n);
        let dot = 0;
        for (let i = 0; i < n; i++) dot += prev[i] * col[i];
        for (let i = 0; i < n; i++) col[i] -= dot * prev[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += col[i] * col[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) col[i] /= norm;
  }
  const out = new Float64Array(rows * cols);
  // tall: column j of Q is column j of the result; wide: it is row j
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      if (rows >= cols) out[i * cols + j] = q[j * n + i];
      else out[j * cols + i] = q[j * n + i];
    }
  }
  return out;
}
