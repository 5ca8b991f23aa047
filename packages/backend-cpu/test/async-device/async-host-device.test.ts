import { describe, expect, it } from "vitest";
import { describeBackend } from "@unroll/backend-conformance";
import { checkProgram, compileModel, opKinds, zeros, type Tensor } from "@unroll/ir";
import { computeGradients, deviceBackend, initParams, maskOfLengths } from "@unroll/bptt";
import { cpuKernels, createCpuBackend } from "../../src/index.js";
import { asyncHostDevice, createAsyncHostBackend } from "./async-host-device.js";

// A device with asynchronous reads and no code about time passes the whole kit.
describeBackend("async-host device", () => createAsyncHostBackend());

const program = checkProgram(
  compileModel({
    input: 2,
    layers: [
      { cell: "lstm", hidden: 3 },
      { cell: "gru", hidden: 3 },
    ],
    head: { units: 2, activation: "linear" },
    loss: "mse",
  }),
);
const [T, B] = [9, 3];
const seq = (width: number, phase: number): Tensor => {
  const data = new Float64Array(T * B * width);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(0.7 * i + phase);
  return { shape: [T, B, width], data };
};

describe("the async-host device under the shared executor", () => {
  it("gives bitwise the CPU backend's results with the same kernels: truncated BPTT(2, 4), masks, checkpoints", async () => {
    const params = initParams(program, 3, "float64");
    const data = { sequences: { x: seq(2, 0), y: seq(2, 1) }, lengths: [9, 5, 7] };
    const options = { checkpointEvery: 3 };
    const truncation = { kind: "k1k2", k1: 2, k2: 4 } as const;
    const cpu = await computeGradients(
      await createCpuBackend({ kernels: cpuKernels }).load(program, { dtype: "float64" }),
      program,
      params,
      data,
      truncation,
      options,
    );
    const dev = await computeGradients(await createAsyncHostBackend().load(program, { dtype: "float64" }), program, params, data, truncation, options);
    expect(dev.loss).toBe(cpu.loss);
    for (const name of Object.keys(cpu.grads)) expect([...dev.grads[name].data], name).toEqual([...cpu.grads[name].data]);
    expect([...dev.inputGrads.x.data]).toEqual([...cpu.inputGrads.x.data]);
    expect([...dev.forward.outputs.data]).toEqual([...cpu.forward.outputs.data]);
    expect(maskOfLengths(data.lengths, T, "float64").shape).toEqual([T, B]);
  });
});

describe("what a device declares decides what it is asked to run", () => {
  // relu's backward graph uses `step`, which its forward graph does not
  const relu = checkProgram(compileModel({ input: 2, layers: [{ cell: "rnn", hidden: 3, activation: "relu" }], loss: "mse" }));
  const withoutStep = opKinds.filter((op) => op !== "step");

  it("a device without a kernel for an op of the backward graph cannot load the program, and the error names the op", async () => {
    const device = asyncHostDevice();
    const backend = deviceBackend({ ...device, capabilities: { ...device.capabilities, ops: withoutStep } });
    await expect(backend.load(relu, { dtype: "float64" })).rejects.toThrow(/no kernel for "step"/);
  });

  it("a forward-only device needs only the forward ops, runs forward, and rejects a window with gradients", async () => {
    const device = asyncHostDevice();
    const backend = deviceBackend({ ...device, capabilities: { ...device.capabilities, ops: withoutStep, gradients: false } });
    const loaded = await backend.load(relu, { dtype: "float64" });
    const request = { params: initParams(relu, 1, "float64"), sequences: { x: zeros([4, 2, 2], "float64"), y: zeros([4, 2, 3], "float64") }, initialState: {} };
    expect((await loaded.runWindow({ ...request, gradients: false })).outputs.shape).toEqual([4, 2, 3]);
    await expect(loaded.runWindow({ ...request, gradients: true })).rejects.toThrow(/forward-only/);
  });
});
