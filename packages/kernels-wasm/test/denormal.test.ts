import { describe, expect, it } from "vitest";
import { createGemm } from "../src/index.js";
import { randomMatrix, referenceMatmul, relativeError, type Ops } from "./reference.js";

const TINY = 2 ** -62;

/** Fastest of a few calls, in ms. */
function fastest(f: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe.each([
  ["packed path", 64],
  ["M < 4 path", 2],
])("denormal flush (%s)", (_, m) => {
  const [k, n] = [96, 80];
  const gemm = createGemm();

  it("leaves small normal operands alone", () => {
    // |x| in [5e-16, 1e-15): above the 2^-62 threshold, with normal products ~1e-30
    const small = (x: number) => Math.sign(x) * (0.5 + Math.abs(x)) * 1e-15;
    const a = randomMatrix(m * k, 5).map(small);
    const b = randomMatrix(k * n, 6).map(small);
    for (const ops of [{}, { transposeA: true }, { transposeB: true }] as Ops[]) {
      const c = new Float32Array(m * n);
      gemm.matmul(a, b, c, m, n, k, ops);
      expect(relativeError(c, referenceMatmul(a, b, m, n, k, ops))).toBeLessThan(1e-5);
    }
  });

  it("treats |x| < 2^-62 as zero and keeps NaN", () => {
    const a = randomMatrix(m * k, 7);
    const b = randomMatrix(k * n, 8);
    // sprinkle denormals and tiny normals; the flushed reference drops them
    for (let i = 0; i < a.length; i += 3) a[i] = i % 2 ? 1e-39 : -TINY / 2;
    for (let i = 1; i < b.length; i += 4) b[i] = i % 2 ? -3e-41 : 1e-25;
    const flushed = (x: Float32Array) => x.map((v) => (Math.abs(v) < TINY ? 0 : v));
    const c = new Float32Array(m * n);
    gemm.matmul(a, b, c, m, n, k);
    const ref = referenceMatmul(flushed(a), flushed(b), m, n, k, {});
    expect(relativeError(c, ref)).toBeLessThan(1e-5);
    a[1] = NaN;
    gemm.matmul(a, b, c, m, n, k);
    expect(c.subarray(0, n).every(Number.isNaN)).toBe(true);
    expect(c.subarray(n).some(Number.isNaN)).toBe(false);
  });

  it("runs denormal operands at normal speed", () => {
    const [mm, kk, nn] = [m === 2 ? 3 : 128, 256, 256];
    const normal = randomMatrix(mm * kk, 9);
    const tiny = normal.map((x) => x * 1e-38);
    const b = randomMatrix(kk * nn, 10).map((x) => x * 1e-3);
    const c = new Float32Array(mm * nn);
    gemm.matmul(normal, b, c, mm, nn, kk);
    const tNormal = fastest(() => gemm.matmul(normal, b, c, mm, nn, kk));
    const tTiny = fastest(() => gemm.matmul(tiny, b, c, mm, nn, kk));
    // unflushed, denormal multipliers cost ~200×; allow a noisy host plenty of slack
    expect(tTiny).toBeLessThan(10 * tNormal + 1);
  });
});
