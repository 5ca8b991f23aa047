import { describe, expect, it } from "vitest";
import { loadProgram, type Tensor } from "@unroll/ir";
import { computeGradients, createOptimizer, Trainer, type TrainerOptions, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";

/** An RNN step whose state is called `state`: h_next = tanh(x W + h), loss mse(h_next, y). */
function rnnWithState(state: string) {
  return loadProgram(
    JSON.parse(`{ "format": "unroll.graph/1",
      "xs": [{ "id": "x", "shape": ["B", 2] }, { "id": "y", "shape": ["B", 2] }], "params": [{ "id": "W", "shape": [2, 2] }],
      "carry": [{ "id": ${JSON.stringify(state)}, "shape": ["B", 2] }],
      "nodes": [{ "id": "xw", "op": "matmul", "inputs": ["x", "W"] }, { "id": "u", "op": "add", "inputs": ["xw", ${JSON.stringify(state)}] },
        { "id": "h_next", "op": "tanh", "inputs": ["u"] }, { "id": "loss", "op": "mse", "inputs": ["h_next", "y"] }],
      "ys": [{ "id": "output", "value": "h_next" }], "update": { ${JSON.stringify(state)}: "h_next" }, "loss": "loss" }`),
  );
}

const tensor = (shape: number[], values: number[]): Tensor => ({ shape, data: Float64Array.from(values) });
const T = 3;
const B = 1;
const params = { W: tensor([2, 2], [0.5, -0.3, 0.2, 0.8]) };
const sequences = { x: tensor([T, B, 2], [1, 0, 0.5, -1, -0.2, 0.3]), y: tensor([T, B, 2], [0.1, 0.2, -0.3, 0.4, 0.5, -0.6]) };

describe("a state named after a member of Object.prototype (fuzz regression)", () => {
  const truncations: Truncation[] = [
    { kind: "chunked", window: 1 },
    { kind: "k1k2", k1: 1, k2: 2 },
  ];
  for (const truncation of truncations) {
    it(`gets the same initial-state gradient as one named h, ${truncation.kind} (was TypeError: Cannot read properties of undefined (reading 'length'))`, async () => {
      const backend = createCpuBackend();
      const run = async (state: string) => {
        const program = rnnWithState(state);
        const loaded = await backend.load(program, { dtype: "float64" });
        const initialState = { [state]: tensor([B, 2], [0.25, -0.5]) };
        return computeGradients(loaded, program, params, { sequences, initialState }, truncation);
      };
      const name: string = "hasOwnProperty"; // typed as a string: the literal would type-check as Object's method
      const named = await run(name);
      const plain = await run("h");
      expect(Object.keys(named.initialStateGrads)).toEqual(["hasOwnProperty"]);
      expect([...named.initialStateGrads[name].data]).toEqual([...plain.initialStateGrads.h.data]);
      expect([...named.grads.W.data]).toEqual([...plain.grads.W.data]);
      expect(plain.initialStateGrads.h.data.some((v) => v !== 0)).toBe(true);
      await backend.dispose();
    });
  }
});

describe("training a model whose state is named after a member of Object.prototype (fuzz regression)", () => {
  const cases: [string, Omit<TrainerOptions, "optimizer">][] = [
    ["BPTT, stateful", { stateful: true }],
    ["BPTT", {}],
    ["RTRL, an update every step", { method: "rtrl", updateEvery: 1 }],
  ];
  for (const [what, options] of cases) {
    it(`trains as one named h, ${what} (was TypeError: Cannot read properties of undefined (reading 'length'))`, async () => {
      const backend = createCpuBackend();
      const train = async (state: string) => {
        const program = rnnWithState(state);
        const loaded = await backend.load(program, { dtype: "float64" });
        const trainer = new Trainer(
          loaded,
          program,
          { W: tensor([2, 2], [...params.W.data]) },
          { optimizer: createOptimizer({ name: "sgd", lr: 0.1 }), ...options },
        );
        // data that gives no initial state for it: {} has no own "constructor"
        await trainer.fit({ sequences, initialState: {} });
        await trainer.fit({ sequences, initialState: {} });
        return [...trainer.params.W.data];
      };
      const named = await train("constructor");
      expect(named).toEqual(await train("h"));
      expect(named).not.toEqual([...params.W.data]);
      await backend.dispose();
    });
  }
});
