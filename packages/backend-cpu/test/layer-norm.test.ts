import { describe, expect, it } from "vitest";
import { GraphBuilder, type Tensor } from "@unroll/ir";
import { GraphRunner, cpuKernels } from "../src/index.js";

describe("GraphBuilder.layerNorm", () => {
  it("normalizes each row over the last axis, then scales by gain and shifts by bias", () => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 4]);
    const y = b.layerNorm(x, b.param("gain", [4]), b.param("bias", [4]), 1e-5);
    b.output("y", y);
    const env = new Map<string, Tensor>([
      ["x", { shape: [2, 4], data: Float64Array.from([1, 2, 3, 4, -3, 0, 0, 7]) }],
      ["gain", { shape: [4], data: Float64Array.from([2, 2, 1, 1]) }],
      ["bias", { shape: [4], data: Float64Array.from([0.5, 0, 0, -1]) }],
    ]);
    const out = new GraphRunner(b.build(), cpuKernels, "float64").run(env, 2).get(y)!;
    // row 0: mean 2.5, variance 1.25; row 1: mean 1, variance (16 + 1 + 1 + 36) / 4 = 13.5
    const s0 = 1 / Math.sqrt(1.25 + 1e-5);
    const s1 = 1 / Math.sqrt(13.5 + 1e-5);
    const expected = [-1.5 * s0 * 2 + 0.5, -0.5 * s0 * 2, 0.5 * s0, 1.5 * s0 - 1, -4 * s1 * 2 + 0.5, -1 * s1 * 2, -1 * s1, 6 * s1 - 1];
    Array.from(out.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });
});
