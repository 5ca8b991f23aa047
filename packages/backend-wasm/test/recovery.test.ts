import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { initParams, type Device, type WindowRequest, type WindowResult } from "@unroll/bptt";
import { createWasmBackend, startThread, type TeamThread, type WasmBuf } from "../src/index.js";

const program = loadProgram({ input: 8, layers: [{ cell: "gru", hidden: 32 }], head: { units: 4, activation: "linear" }, loss: "mse" });
const wave = (T: number, B: number, I: number, phase: number) => {
  const data = new Float32Array(T * B * I);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(0.37 * i + phase);
  return { shape: [T, B, I], data };
};
const request: WindowRequest = {
  params: initParams(program, 3, "float32"),
  sequences: { x: wave(6, 4, 8, 0), y: wave(6, 4, 4, 1) },
  initialState: {},
  gradients: true,
};

function expectClose(got: WindowResult, want: WindowResult): void {
  expect(Math.abs(got.loss! - want.loss!)).toBeLessThan(1e-6);
  for (const [name, g] of Object.entries(want.grads!)) {
    const d = got.grads![name].data;
    g.data.forEach((v, i) => expect(Math.abs(d[i] - v)).toBeLessThan(2e-5 + 1e-4 * Math.abs(v)));
  }
}

describe("wasm backend: a failed worker fails its call, and the next call runs on new workers", () => {
  it("a worker that dies in the middle of a call fails that call within hangTimeoutMs, saying so; the next calls compute what one thread computes", async () => {
    const workers: TeamThread[] = [];
    let killOnNextProduct = false;
    const wrapDevice = (d: Device<WasmBuf>): Device<WasmBuf> => ({
      ...d,
      run(exe, inputs, out) {
        if (killOnNextProduct && exe.nodes[0].op === "matmul") {
          killOnNextProduct = false;
          void workers[workers.length - 1].terminate(); // the worker stops while this thread is busy: no event reaches it
        }
        d.run(exe, inputs, out);
      },
    });
    const backend = createWasmBackend({
      threads: 2,
      hangTimeoutMs: 300,
      parallelMinFlops: 0, // every product split
      wrapDevice,
      startThread: (name) => {
        const w = startThread(name);
        workers.push(w);
        return w;
      },
    });
    const oneThread = createWasmBackend({ threads: 1 });
    try {
      const want = await (await oneThread.load(program, { dtype: "float32" })).runWindow(request);
      const loaded = await backend.load(program, { dtype: "float32" });
      expectClose(await loaded.runWindow(request), want);
      killOnNextProduct = true;
      const t0 = performance.now();
      await expect(loaded.runWindow(request)).rejects.toThrow(
        /^wasm thread 2 of 2 did not finish (a \d+×\d+·\d+×\d+ matrix product|waking up) within 300 ms \(hung or crashed\); the threads are restarted before the next call$/,
      );
      expect(performance.now() - t0).toBeLessThan(3000);
      expectClose(await loaded.runWindow(request), want);
      expect(workers).toHaveLength(2);
      // and the new worker takes its share: the product is still split
      const before = (await backend.threading()).waits().jobs;
      expectClose(await loaded.runWindow(request), want);
      expect((await backend.threading()).waits().jobs).toBeGreaterThan(before);
    } finally {
      await backend.dispose();
      await oneThread.dispose();
    }
  }, 30_000);
});
