import { describe, expect, it } from "vitest";
import { checkProgram, GraphBuilder, programOfGraph, type Tensor } from "@unroll/ir";
import { createWasmBackend } from "../src/index.js";

/** One step: out = x W, mse against y; x is [B, K], W [K, N]. */
function product(k: number, n: number) {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", k]);
  const y = b.input("y", ["B", n]);
  const out = b.matmul(x, b.param("W", [k, n]));
  b.output("out", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph("product")));
}
const zeros = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((p, q) => p * q, 1)) });

describe("wasm backend: the memory's maximum", () => {
  it("refuses a tensor that would take the memory past maxMemoryMiB before allocating it, with the figures; the next window runs", async () => {
    const backend = createWasmBackend({ threads: 1, maxMemoryMiB: 64 });
    try {
      const program = product(2048, 2048);
      const loaded = await backend.load(program, { dtype: "float32" });
      // x and y are 16 MiB each at B = 2048, W 16 MiB: with the output and the gradients, past 64 MiB
      const big = {
        params: { W: zeros([2048, 2048]) },
        sequences: { x: zeros([1, 2048, 2048]), y: zeros([1, 2048, 2048]) },
        initialState: {},
        gradients: true,
      };
      await expect(loaded.runWindow(big)).rejects.toThrow(
        /^the wasm device cannot allocate 16\.0 MiB for a \[\d+(, \d+)*\] float32 tensor: \d+\.\d MiB is in use and its memory's maximum is 64\.0 MiB \(the backend's maxMemoryMiB option\)$/,
      );
      // a window that fits runs on the same memory, its ranges released by the failed one
      const small = { ...big, sequences: { x: zeros([1, 64, 2048]), y: zeros([1, 64, 2048]) } };
      const r = await loaded.runWindow(small);
      expect(r.loss).toBe(0);
    } finally {
      await backend.dispose();
    }
  });
});
