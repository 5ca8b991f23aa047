import { describe, expect, it } from "vitest";
import { loadProgram, type ModelSpec, type Tensor } from "@unroll/ir";
import { decodeSafetensors, encodeSafetensors, modelFromTorchStateDict, torchStateDictFromModel } from "../../src/index.js";
import { maxAbsDiff, randomStateDict, randomTensor, runModel, uniform } from "./helpers.js";
import { torchReference } from "./torch-reference.js";

/** Random weights for every parameter of a model spec. */
function randomWeights(spec: ModelSpec, seed: number): Record<string, Tensor> {
  const draw = uniform(seed);
  return Object.fromEntries(Object.entries(loadProgram(spec).params).map(([name, shape]) => [name, randomTensor([...shape] as number[], draw)]));
}

describe("state_dict round trips", () => {
  for (const cell of ["rnn", "lstm", "gru"] as const) {
    it(`${cell}: unroll → state_dict → safetensors → unroll gives back the spec and every weight bit for bit, and the same outputs`, async () => {
      const spec: ModelSpec = {
        format: "unroll.model/1",
        input: 3,
        layers: [
          { cell, hidden: 4, bidirectional: true },
          { cell, hidden: 4, bidirectional: true },
        ],
        head: { units: 2, activation: "tanh" },
      };
      const weights = randomWeights(spec, 11);
      const { stateDict, module } = torchStateDictFromModel(spec, weights);
      expect(module).toMatchObject({
        cell,
        prefix: "rnn",
        inputSize: 3,
        hiddenSize: 4,
        numLayers: 2,
        bidirectional: true,
        head: { prefix: "head", activation: "tanh" },
      });
      const bytes = encodeSafetensors(stateDict);
      const back = modelFromTorchStateDict(decodeSafetensors(bytes, { dtype: "float64" }).tensors, { cell, headActivation: "tanh" });
      expect(back.spec).toEqual(spec);
      expect(Object.keys(back.weights).sort()).toEqual(Object.keys(weights).sort());
      // lstm and rnn: b went whole into bias_ih and zeros into bias_hh, so b + 0 is b exactly
      for (const [name, t] of Object.entries(weights)) expect(back.weights[name], name).toEqual(t);
      const x = randomTensor([4, 2, 3], uniform(12));
      const ours = await runModel(spec, weights, x);
      expect(
        maxAbsDiff(ours, torchReference(stateDict, { cell, layers: 2, bidirectional: true, prefix: "rnn.", head: { prefix: "head.", activation: "tanh" } }, x)),
      ).toBeLessThan(1e-12);
    });

    it(`${cell}: state_dict → unroll → state_dict keeps the keys and PyTorch's outputs`, () => {
      const sd = randomStateDict({ cell, layers: 2, bidirectional: false, prefix: "encoder.", head: { prefix: "decoder.", units: 3 } }, 2, 3, 21);
      const { spec, weights, module } = modelFromTorchStateDict(sd, { cell });
      const again = torchStateDictFromModel(spec, weights, { prefix: module.prefix, headPrefix: module.head!.prefix });
      expect(Object.keys(again.stateDict).sort()).toEqual(Object.keys(sd).sort());
      for (const key of Object.keys(sd).filter((k) => !k.includes("bias"))) expect(again.stateDict[key], key).toEqual(sd[key]);
      if (cell === "gru") for (const key of Object.keys(sd)) expect(again.stateDict[key], key).toEqual(sd[key]);
      const m = { cell, layers: 2, bidirectional: false, prefix: "encoder.", head: { prefix: "decoder.", activation: "linear" as const } };
      const x = randomTensor([3, 2, 2], uniform(22));
      // rnn and lstm: bias_ih + bias_hh moved into bias_ih, which changes the sum's rounding only
      const before = torchReference(sd, m, x).flat(2);
      const after = torchReference(again.stateDict, m, x).flat(2);
      expect(Math.max(...before.map((v, i) => Math.abs(v - after[i])))).toBeLessThan(1e-14);
    });
  }

  it("float32 weights give a float32 state_dict", () => {
    const spec: ModelSpec = { input: 2, layers: [{ cell: "gru", hidden: 2 }] };
    const weights = Object.fromEntries(Object.entries(randomWeights(spec, 1)).map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data) }]));
    const { stateDict, module } = torchStateDictFromModel(spec, weights);
    expect(module.prefix).toBe("");
    expect(Object.keys(stateDict).sort()).toEqual(["bias_hh_l0", "bias_ih_l0", "weight_hh_l0", "weight_ih_l0"]);
    for (const t of Object.values(stateDict)) expect(t.data).toBeInstanceOf(Float32Array);
  });

  it("an embedding becomes an nn.Embedding, and comes back", () => {
    const spec: ModelSpec = {
      format: "unroll.model/1",
      input: 6,
      embedding: { vocab: 6, units: 3 },
      layers: [{ cell: "lstm", hidden: 2 }],
      head: { units: 6, activation: "softmax" },
      loss: "cross_entropy",
    };
    const weights = randomWeights(spec, 4);
    const { stateDict, module } = torchStateDictFromModel(spec, weights);
    expect(module.embedding).toEqual({ prefix: "embedding", numEmbeddings: 6, embeddingDim: 3 });
    expect(stateDict["embedding.weight"]).toEqual(weights["embedding.table"]);
    const back = modelFromTorchStateDict(stateDict, { cell: "lstm", headActivation: "softmax", loss: "cross_entropy" });
    expect(back.spec).toEqual(spec);
    for (const [name, t] of Object.entries(weights)) expect(back.weights[name], name).toEqual(t);
  });
});
