import { describe, expect, it } from "vitest";
import { createGemm, type Gemm } from "../src/index.js";
import { randomMatrix, referenceMatmul, relativeError, type Ops } from "./reference.js";

function copyTo(gemm: Gemm, x: Float32Array): Float32Array {
  const v = gemm.alloc(x.length);
  v.set(x);
  return v;
}

describe("arena and staging", () => {
  const [m, k, n] = [70, 300, 90];
  const a = randomMatrix(m * k, 1);
  const b = randomMatrix(k * n, 2);
  const c0 = randomMatrix(m * n, 3);

  it("alloc views are used in place, alone or mixed with plain arrays", () => {
    const gemm = createGemm();
    const ops: Ops = { transposeB: true, accumulate: true };
    const ref = referenceMatmul(a, b, m, n, k, ops, c0);
    const [va, vb] = [copyTo(gemm, a), copyTo(gemm, b)];
    for (const [x, y] of [
      [va, vb],
      [a, vb],
      [va, b],
    ]) {
      const vc = copyTo(gemm, c0);
      gemm.matmul(x, y, vc, m, n, k, ops);
      expect(relativeError(vc, ref)).toBeLessThan(1e-5);
      const c = c0.slice();
      gemm.matmul(x, y, c, m, n, k, ops);
      expect(relativeError(c, ref)).toBeLessThan(1e-5);
    }
    // subarrays of alloc views count too
    const big = gemm.alloc(m * k + 5);
    big.subarray(5).set(a);
    const c = new Float32Array(m * n);
    gemm.matmul(big.subarray(5), vb, c, m, n, k, { transposeB: true });
    expect(relativeError(c, referenceMatmul(a, b, m, n, k, { transposeB: true }))).toBeLessThan(1e-5);
  });

  it("grows the memory for plain operands while no view is live", () => {
    const gemm = createGemm({ stagingBytes: 64 * 1024, arenaBytes: 0 });
    for (const ops of [{}, { transposeA: true }, { transposeB: true, accumulate: true }] as Ops[]) {
      const c = c0.slice();
      gemm.matmul(a, b, c, m, n, k, ops);
      expect(relativeError(c, referenceMatmul(a, b, m, n, k, ops, c0))).toBeLessThan(1e-5);
    }
  });

  it("never moves live views: plain operands go through the fixed staging in blocks", () => {
    const gemm = createGemm({ stagingBytes: 64 * 1024, arenaBytes: 1 << 20 });
    const kept = gemm.alloc(1000);
    kept.fill(7);
    for (const ops of [{}, { transposeA: true, accumulate: true }, { transposeA: true, transposeB: true }] as Ops[]) {
      const c = c0.slice();
      gemm.matmul(a, b, c, m, n, k, ops);
      expect(relativeError(c, referenceMatmul(a, b, m, n, k, ops, c0))).toBeLessThan(1e-5);
    }
    // an arena output with a staged input that needs blocks
    const vc = copyTo(gemm, c0);
    gemm.matmul(a, b, vc, m, n, k, { accumulate: true });
    expect(relativeError(vc, referenceMatmul(a, b, m, n, k, { accumulate: true }, c0))).toBeLessThan(1e-5);
    expect(kept.length).toBe(1000);
    expect(kept.every((x) => x === 7)).toBe(true);
  });

  it("alloc past the arena throws while views are live, and grows after reset", () => {
    const gemm = createGemm({ arenaBytes: 4096 });
    const first = gemm.alloc(512);
    // capacity is rounded up to whole 64 KiB pages, so ask for more than one
    expect(() => gemm.alloc(1 << 15)).toThrow(/arena full/);
    expect(first.length).toBe(512);
    gemm.reset();
    const big = gemm.alloc(1 << 20);
    expect(big.length).toBe(1 << 20);
    expect(big[123]).toBe(0);
  });
});
