import { describe, expect, it } from "vitest";
import { createGemm, type GemmVariant } from "../src/index.js";
import { randomMatrix, referenceMatmul, relativeError, type Ops } from "./reference.js";

const variants: GemmVariant[] = ["relaxed-simd", "simd"];
const modes: [string, Ops][] = [
  ["NN", {}],
  ["NT", { transposeB: true }],
  ["TN", { transposeA: true }],
  ["TT", { transposeA: true, transposeB: true }],
];
/** M×K×N: odd edges, tiny M (the no-packing path), several k, m and n blocks (KC 256, MC 128, NC 4096), large-ish. */
const sizes: [number, number, number][] = [
  [1, 1, 1],
  [7, 5, 13],
  [9, 300, 17],
  [3, 64, 5],
  [33, 257, 65],
  [1, 37, 70],
  [2, 300, 33],
  [3, 513, 19],
  [4, 8, 8],
  [5, 3, 4100],
  [131, 270, 20],
  [128, 512, 256],
];

function check(variant: GemmVariant, [m, k, n]: [number, number, number], ops: Ops, seed: number): number {
  const gemm = createGemm({ variant });
  const a = randomMatrix(m * k, seed);
  const b = randomMatrix(k * n, seed + 1);
  const c0 = randomMatrix(m * n, seed + 2);
  const c = c0.slice();
  gemm.matmul(a, b, c, m, n, k, ops);
  return relativeError(c, referenceMatmul(a, b, m, n, k, ops, c0));
}

describe.each(variants)("matmul (%s build)", (variant) => {
  it("runs the build it was asked for", () => {
    expect(createGemm({ variant }).variant).toBe(variant);
  });

  for (const [name, ops] of modes) {
    for (const size of sizes) {
      it(`${name} ${size.join("×")}`, () => {
        expect(check(variant, size, ops, 11)).toBeLessThan(1e-5);
        expect(check(variant, size, { ...ops, accumulate: true }, 23)).toBeLessThan(1e-5);
      });
    }
  }
});

describe("createGemm", () => {
  it("picks relaxed SIMD on this runtime (Node 20 via the V8 flag) or falls back to SIMD", () => {
    expect(variants).toContain(createGemm().variant);
    if (Number(process.versions.node.split(".")[0]) >= 20) expect(createGemm().variant).toBe("relaxed-simd");
  });

  it("k = 0 gives zeros, or leaves c when accumulating", () => {
    const gemm = createGemm();
    const c = new Float32Array([1, 2, 3, 4]);
    gemm.matmul(new Float32Array(0), new Float32Array(0), c, 2, 2, 0, { accumulate: true });
    expect([...c]).toEqual([1, 2, 3, 4]);
    gemm.matmul(new Float32Array(0), new Float32Array(0), c, 2, 2, 0);
    expect([...c]).toEqual([0, 0, 0, 0]);
  });

  it("rejects bad sizes, short operands and an output that overlaps an input", () => {
    const gemm = createGemm();
    const x = new Float32Array(16);
    expect(() => gemm.matmul(x, x, new Float32Array(4), 2.5, 2, 2)).toThrow(RangeError);
    expect(() => gemm.matmul(x, x, new Float32Array(4), 3, 3, 3)).toThrow(/c has 4 elements/);
    expect(() => gemm.matmul(x.subarray(0, 4), x.subarray(4, 8), x.subarray(2, 6), 2, 2, 2)).toThrow(/overlaps/);
    expect(() => gemm.matmul(x.subarray(0, 4), x.subarray(0, 4), x.subarray(4, 8), 2, 2, 2)).not.toThrow();
  });
});
