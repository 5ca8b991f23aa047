import { describe, expect, it } from "vitest";
import { describeBackend } from "@unroll/backend-conformance";
import { loadProgram, zeros } from "@unroll/ir";
import { initParams } from "@unroll/bptt";
import { createTracingBackend, type KernelCall } from "./tracing-backend.js";

describeBackend("tracing", () => createTracingBackend([]));

describe("the tracing backend", () => {
  it("records the kernels of one rnn step, in order, with their input shapes", async () => {
    const log: KernelCall[] = [];
    const program = loadProgram({ input: 2, layers: [{ cell: "rnn", hidden: 3 }] });
    const backend = createTracingBackend(log);
    const loaded = await backend.load(program, { dtype: "float32" });
    // one step (T = 1) of a batch of 4, forward only
    await loaded.runWindow({ params: initParams(program, 1, "float32"), sequences: { x: zeros([1, 4, 2], "float32") }, initialState: {}, gradients: false });
    // h' = tanh(h W_re + (x W_in + b)): the x part first, as the cell builds it
    expect(log).toEqual([
      {
        op: "matmul",
        node: "layers.0.n0",
        inputShapes: [
          [4, 2],
          [2, 3],
        ],
      }, // x W_in
      { op: "add", node: "layers.0.n1", inputShapes: [[4, 3], [3]] }, // + b
      {
        op: "matmul",
        node: "layers.0.n2",
        inputShapes: [
          [4, 3],
          [3, 3],
        ],
      }, // h W_re
      {
        op: "add",
        node: "layers.0.n3",
        inputShapes: [
          [4, 3],
          [4, 3],
        ],
      },
      { op: "tanh", node: "layers.0.h_next", inputShapes: [[4, 3]] },
    ]);
    await backend.dispose();
  });

  it("with gradients, the backward kernels follow the forward ones: the VJP graph's nodes, written in IR ops", async () => {
    const log: KernelCall[] = [];
    const program = loadProgram({ input: 2, layers: [{ cell: "rnn", hidden: 3 }], loss: "mse" });
    const backend = createTracingBackend(log);
    const loaded = await backend.load(program, { dtype: "float32" });
    const sequences = { x: zeros([1, 4, 2], "float32"), y: zeros([1, 4, 3], "float32") };
    await loaded.runWindow({ params: initParams(program, 1, "float32"), sequences, initialState: {}, gradients: true });
    const end = log.findIndex((c) => c.op === "mse") + 1;
    expect(log.slice(0, end).map((c) => c.op)).toEqual(["matmul", "add", "matmul", "add", "tanh", "mse"]);
    // the gradient nodes (ids "d…") include four matmuls: dh·W_reᵀ, hᵀ·du, du·W_inᵀ, xᵀ·du
    const gradientMatmuls = log.slice(end).filter((c) => c.op === "matmul" && c.node.startsWith("d"));
    expect(gradientMatmuls.map((c) => c.inputShapes).sort()).toEqual([
      [
        [4, 2],
        [4, 3],
      ],
      [
        [4, 3],
        [2, 3],
      ],
      [
        [4, 3],
        [3, 3],
      ],
      [
        [4, 3],
        [4, 3],
      ],
    ]);
    await backend.dispose();
  });
});
