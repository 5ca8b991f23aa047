import { describe, expect, it } from "vitest";
import { initialStateFromTorch, modelFromTorchStateDict, type TorchCell } from "../../src/index.js";
import { maxAbsDiff, randomStateDict, randomTensor, runModel, uniform } from "./helpers.js";
import { torchReference } from "./torch-reference.js";

// The mapping checked against PyTorch's documented equations (torch-reference.ts, in PyTorch's own layout):
// a random state_dict imported and run by unroll gives the reference loop's outputs, float64.
const T = 5;
const B = 3;
const I = 4;
const H = 3;
const TOL = 1e-12;

const cases: { cell: TorchCell; layers: number; bidirectional: boolean; relu?: boolean }[] = [];
for (const cell of ["rnn", "lstm", "gru"] as const) {
  for (const layers of [1, 2]) for (const bidirectional of [false, true]) cases.push({ cell, layers, bidirectional });
}
cases.push({ cell: "rnn", layers: 2, bidirectional: true, relu: true });

describe("modelFromTorchStateDict against PyTorch's equations", () => {
  cases.forEach(({ cell, layers, bidirectional, relu }, n) => {
    const name = `${cell}${relu ? " (relu)" : ""}, ${layers} layer${layers > 1 ? "s" : ""}${bidirectional ? ", bidirectional" : ""}`;
    it(`${name}: the same outputs and the inferred sizes`, async () => {
      const sd = randomStateDict({ cell, layers, bidirectional, prefix: "" }, I, H, 100 + n);
      const imported = modelFromTorchStateDict(sd, { cell, ...(relu ? { activation: "relu" as const } : {}) });
      expect(imported.module).toMatchObject({ cell, prefix: "", inputSize: I, hiddenSize: H, numLayers: layers, bidirectional });
      expect(imported.spec.layers).toHaveLength(layers);
      const x = randomTensor([T, B, I], uniform(7));
      const ours = await runModel(imported.spec, imported.weights, x);
      const reference = torchReference(sd, { cell, layers, bidirectional, prefix: "", ...(relu ? { nonlinearity: "relu" as const } : {}) }, x);
      expect(ours.shape).toEqual([T, B, H * (bidirectional ? 2 : 1)]);
      expect(maxAbsDiff(ours, reference)).toBeLessThan(TOL);
    });
  });

  for (const cell of ["rnn", "lstm", "gru"] as const) {
    it(`${cell}, 2 layers, bidirectional, behind a prefix, with a softmax nn.Linear head and PyTorch's h_0${cell === "lstm" ? ", c_0" : ""}`, async () => {
      const sd = randomStateDict({ cell, layers: 2, bidirectional: true, prefix: "model.rnn.", head: { prefix: "model.fc.", units: 5 } }, I, H, 31);
      const imported = modelFromTorchStateDict(sd, { cell, layers: 2, bidirectional: true, headActivation: "softmax", loss: "cross_entropy" });
      expect(imported.module.prefix).toBe("model.rnn");
      expect(imported.module.head).toEqual({ prefix: "model.fc", inFeatures: 2 * H, outFeatures: 5, activation: "softmax" });
      expect(imported.spec.loss).toBe("cross_entropy");
      const draw = uniform(8);
      const x = randomTensor([T, B, I], draw);
      const h0 = randomTensor([4, B, H], draw);
      const c0 = cell === "lstm" ? randomTensor([4, B, H], draw) : undefined;
      const ours = await runModel(imported.spec, imported.weights, x, initialStateFromTorch(imported.module, h0, c0));
      const reference = torchReference(
        sd,
        { cell, layers: 2, bidirectional: true, prefix: "model.rnn.", head: { prefix: "model.fc.", activation: "softmax" } },
        x,
        h0,
        c0,
      );
      expect(ours.shape).toEqual([T, B, 5]);
      expect(maxAbsDiff(ours, reference)).toBeLessThan(TOL);
    });
  }

  it("gru with an nn.Embedding in front: token ids in, the table's rows fed to the GRU", async () => {
    const sd = randomStateDict(
      { cell: "gru", layers: 1, bidirectional: false, prefix: "rnn.", embedding: { prefix: "embed.", vocab: 7 }, head: { prefix: "out.", units: 2 } },
      I,
      H,
      5,
    );
    const imported = modelFromTorchStateDict(sd, { cell: "gru" });
    expect(imported.spec.embedding).toEqual({ vocab: 7, units: I });
    expect(imported.spec.input).toBe(7);
    expect(imported.module.embedding).toEqual({ prefix: "embed", numEmbeddings: 7, embeddingDim: I });
    const ids = { shape: [T, B], data: Float64Array.from({ length: T * B }, (_, i) => (i * 5) % 7) };
    const ours = await runModel(imported.spec, imported.weights, ids);
    const reference = torchReference(
      sd,
      { cell: "gru", layers: 1, bidirectional: false, prefix: "rnn.", embedding: "embed.", head: { prefix: "out.", activation: "linear" } },
      ids,
    );
    expect(maxAbsDiff(ours, reference)).toBeLessThan(TOL);
  });

  it("the weights are PyTorch's transposed, and lstm's b is the sum of both biases (element by element)", () => {
    const sd = randomStateDict({ cell: "lstm", layers: 1, bidirectional: false, prefix: "" }, 2, 1, 3);
    const { weights } = modelFromTorchStateDict(sd, { cell: "lstm" });
    // weight_ih_l0 [4H, I] = [4, 2]; W_in [I, 4H] = [2, 4]: W_in[i][g] = weight_ih[g][i]
    expect(weights["layers.0.W_in"].shape).toEqual([2, 4]);
    for (let g = 0; g < 4; g++) for (let i = 0; i < 2; i++) expect(weights["layers.0.W_in"].data[i * 4 + g]).toBe(sd.weight_ih_l0.data[g * 2 + i]);
    for (let g = 0; g < 4; g++) expect(weights["layers.0.b"].data[g]).toBe(sd.bias_ih_l0.data[g] + sd.bias_hh_l0.data[g]);
  });
});
