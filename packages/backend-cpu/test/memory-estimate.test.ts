import { describe, expect, it } from "vitest";
import { checkProgram, compileModel, type Tensor } from "@unroll/ir";
import { deviceBackend, estimateWindowMemory, initParams, materializedBy, WindowCompiler, type Device } from "@unroll/bptt";
import { cpuDevice, fastKernels } from "../src/index.js";

/** The CPU device, counting the bytes of live buffers (alloc and upload minus release) and their peak. */
function countingDevice(inner: Device<Tensor>): Device<Tensor> & { readonly peak: () => number; readonly live: () => number } {
  const sizes = new Map<Tensor, number>();
  let live = 0;
  let peak = 0;
  const track = (b: Tensor): Tensor => {
    // an upload to a real device is a copy; the CPU's is the tensor itself, counted the same
    const copy = { shape: b.shape, data: b.data };
    sizes.set(copy, b.data.byteLength);
    live += b.data.byteLength;
    peak = Math.max(peak, live);
    return copy;
  };
  return {
    ...inner,
    alloc: (shape, dtype) => track(inner.alloc(shape, dtype)),
    upload: (t) => track(inner.upload(t)),
    release: (b) => {
      live -= sizes.get(b) ?? 0;
      sizes.delete(b);
    },
    peak: () => peak,
    live: () => live,
  };
}

// W6 of the benchmark: B8 T4096 I32 H128, an rnn with a linear head and mse
const program = checkProgram(compileModel({ input: 32, layers: [{ cell: "rnn", hidden: 128 }], head: { units: 32, activation: "linear" }, loss: "mse" }));
const [T, B] = [4096, 8];
const sequence = (width: number, phase: number): Tensor => {
  const data = new Float32Array(T * B * width);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(0.01 * i + phase);
  return { shape: [T, B, width], data };
};

describe("the window program's memory estimate against the bytes the executor really holds on the device (W6 sizes, float32)", () => {
  it.each([
    ["full BPTT", 1],
    ["full BPTT, checkpoints every 64 steps", 64],
  ])("%s: equal to the measured peak", async (_, checkpointEvery) => {
    const device = countingDevice(cpuDevice({ kernels: fastKernels(), fuse: true }));
    const loaded = await deviceBackend(device).load(program, { dtype: "float32" });
    const request = {
      params: initParams(program, 1, "float32"),
      sequences: { x: sequence(32, 0), y: sequence(32, 1) },
      initialState: {},
      gradients: true,
      checkpointEvery,
    };
    await loaded.runWindow(request);
    const estimate = estimateWindowMemory(
      new WindowCompiler(program).compile({ steps: T, batch: B, dtype: "float32", gradients: true, masked: false, checkpointEvery }),
      materializedBy(device, "float32"),
    );
    const measured = device.peak();
    // the estimate replays the executor's allocations, so it is exact for the device it was given
    expect(estimate.peak, `estimate ${estimate.peak} B, measured ${measured} B`).toBe(measured);
    // after the window only the loop's buffer sets stay
    expect(device.live()).toBe(estimate.loop);
    await loaded.dispose();
    expect(device.live()).toBe(0);
  });
});

describe("the RTRL window's memory estimate against the bytes the executor really holds (B8 I4 H8 lstm, float32)", () => {
  const small = checkProgram(compileModel({ input: 4, layers: [{ cell: "lstm", hidden: 8 }], head: { units: 2, activation: "linear" }, loss: "mse" }));
  const seq = (steps: number, width: number, phase: number): Tensor => {
    const data = new Float32Array(steps * B * width);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(0.03 * i + phase);
    return { shape: [steps, B, width], data };
  };
  it.each([16, 64])("%i steps: equal to the measured peak", async (steps) => {
    const device = countingDevice(cpuDevice({ kernels: fastKernels(), fuse: true }));
    const loaded = await deviceBackend(device).load(small, { dtype: "float32" });
    await loaded.runWindow({
      params: initParams(small, 1, "float32"),
      sequences: { x: seq(steps, 4, 0), y: seq(steps, 2, 1) },
      initialState: {},
      gradients: true,
      method: "rtrl",
      collectStates: false,
    });
    const estimate = estimateWindowMemory(
      new WindowCompiler(small).compile({ steps, batch: B, dtype: "float32", gradients: true, method: "rtrl", masked: false, collectStates: false }),
      materializedBy(device, "float32"),
    );
    expect(estimate.peak, `estimate ${estimate.peak} B, measured ${device.peak()} B`).toBe(device.peak());
    await loaded.dispose();
    expect(device.live()).toBe(0);
  });
});
