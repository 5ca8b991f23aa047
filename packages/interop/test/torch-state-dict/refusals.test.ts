import { describe, expect, it } from "vitest";
import type { ModelSpec, Tensor } from "@unroll/ir";
import { modelFromTorchStateDict, torchStateDictFromModel, TorchStateDictError } from "../../src/index.js";
import { randomStateDict, randomTensor, uniform } from "./helpers.js";

const lstm = (): Record<string, Tensor> =>
  randomStateDict({ cell: "lstm", layers: 2, bidirectional: false, prefix: "rnn.", head: { prefix: "fc.", units: 2 } }, 3, 4, 1);
const without = (sd: Record<string, Tensor>, ...keys: string[]) => Object.fromEntries(Object.entries(sd).filter(([k]) => !keys.includes(k)));

describe("modelFromTorchStateDict refuses, naming the key and the shapes", () => {
  it("a missing key, or a missing layer between two", () => {
    expect(() => modelFromTorchStateDict(without(lstm(), "rnn.bias_hh_l1"), { cell: "lstm" })).toThrow('key "rnn.bias_hh_l1" is missing; expected shape [16]');
    const sd = lstm();
    sd["rnn.weight_ih_l2"] = sd["rnn.weight_ih_l1"];
    expect(() => modelFromTorchStateDict(sd, { cell: "lstm" })).toThrow('key "rnn.weight_hh_l2" is missing; expected shape [16, 4]');
  });

  it("an extra key, and keys of two recurrent modules", () => {
    expect(() => modelFromTorchStateDict({ ...lstm(), "bn.running_mean": randomTensor([4], uniform(1)) }, { cell: "lstm" })).toThrow(
      'key "bn.running_mean" [4] is not part of an nn.LSTM, an nn.Linear head or an nn.Embedding',
    );
    expect(() => modelFromTorchStateDict({ ...lstm(), "other.weight_ih_l0": randomTensor([16, 3], uniform(1)) }, { cell: "lstm" })).toThrow(
      'keys "rnn.weight_ih_l0" and "other.weight_ih_l0" belong to two recurrent modules ("rnn" and "other")',
    );
  });

  it("an LSTM with proj_size, and modules made with bias=False", () => {
    expect(() => modelFromTorchStateDict({ ...lstm(), "rnn.weight_hr_l0": randomTensor([2, 4], uniform(1)) }, { cell: "lstm" })).toThrow(
      'key "rnn.weight_hr_l0" [2, 4] is the projection of an nn.LSTM with proj_size, which unroll\'s lstm cannot express',
    );
    const noBias = without(lstm(), "rnn.bias_ih_l0", "rnn.bias_hh_l0", "rnn.bias_ih_l1", "rnn.bias_hh_l1");
    expect(() => modelFromTorchStateDict(noBias, { cell: "lstm" })).toThrow("no bias_ih_l0/bias_hh_l0 keys: an nn.LSTM made with bias=False");
  });

  it("a state_dict of another cell, or of other sizes than the options say", () => {
    expect(() => modelFromTorchStateDict(lstm(), { cell: "gru" })).toThrow(
      `key "rnn.weight_hh_l0" has shape [16, 4], but an nn.GRU's is [3 × hidden, hidden] (it is an nn.LSTM's, 4 × 4)`,
    );
    expect(() => modelFromTorchStateDict(lstm(), { cell: "lstm", layers: 3 })).toThrow('the keys hold 2 layers (up to "rnn.weight_ih_l1"), not 3');
    expect(() => modelFromTorchStateDict(lstm(), { cell: "lstm", bidirectional: true })).toThrow(
      'no key holds a reverse direction ("rnn.weight_ih_l0_reverse")',
    );
    expect(() => modelFromTorchStateDict(lstm(), { cell: "lstm", activation: "relu" })).toThrow(
      "activation is nn.RNN's nonlinearity; nn.LSTM has none to choose",
    );
  });

  it("misshapen tensors: a layer's input width, a head that does not fit the output", () => {
    const sd = lstm();
    sd["rnn.weight_ih_l1"] = randomTensor([16, 5], uniform(2));
    expect(() => modelFromTorchStateDict(sd, { cell: "lstm" })).toThrow('key "rnn.weight_ih_l1" has shape [16, 5], expected [16, 4]');
    const head = lstm();
    head["fc.weight"] = randomTensor([2, 8], uniform(2));
    expect(() => modelFromTorchStateDict(head, { cell: "lstm" })).toThrow(
      `key "fc.weight" has shape [2, 8], but a head on the nn.LSTM's output takes 4 features: [out_features, 4]`,
    );
    const twoHeads = { ...lstm(), "fc2.weight": randomTensor([2, 4], uniform(3)), "fc2.bias": randomTensor([2], uniform(3)) };
    expect(() => modelFromTorchStateDict(twoHeads, { cell: "lstm" })).toThrow('keys "fc.weight" and "fc2.weight": two nn.Linear heads');
    expect(() => modelFromTorchStateDict({}, { cell: "lstm" })).toThrow(TorchStateDictError);
  });
});

describe("torchStateDictFromModel refuses what PyTorch's modules cannot express, naming the field", () => {
  const base: ModelSpec = { input: 2, layers: [{ cell: "gru", hidden: 3 }] };
  // no weights: the spec is refused before they are looked at
  const refused = (spec: ModelSpec, message: string) => expect(() => torchStateDictFromModel(spec, {})).toThrow(message);

  it("layer normalization, a reverse-only layer, a GRU with resetAfter false, an RNN with sigmoid", () => {
    refused({ ...base, layers: [{ cell: "lstm", hidden: 3, layerNorm: true }] }, "layers[0].layerNorm: nn.LSTM has no layer normalization");
    refused(
      { ...base, layers: [{ cell: "gru", hidden: 3, resetAfter: false }] },
      "layers[0].resetAfter: false: nn.GRU applies the reset gate after the recurrent matmul (resetAfter: true) only",
    );
    refused({ ...base, layers: [{ cell: "rnn", hidden: 3, activation: "sigmoid" }] }, `layers[0].activation: "sigmoid": nn.RNN's nonlinearity is tanh or relu`);
    refused(
      { ...base, layers: [{ cell: "gru", hidden: 3, direction: "reverse" }] },
      `layers[0].direction: "reverse": an nn.GRU layer reads forward, or both ways when bidirectional`,
    );
  });

  it("layers that differ in cell, hidden size, direction or activation", () => {
    refused(
      {
        ...base,
        layers: [
          { cell: "gru", hidden: 3 },
          { cell: "lstm", hidden: 3 },
        ],
      },
      `layers[1].cell: "lstm" after "gru" in layers[0]: an nn.GRU stacks layers of one cell`,
    );
    refused(
      {
        ...base,
        layers: [
          { cell: "gru", hidden: 3 },
          { cell: "gru", hidden: 4 },
        ],
      },
      "layers[1].hidden: 4 after 3 in layers[0]: an nn.GRU has one hidden_size",
    );
    refused(
      {
        ...base,
        layers: [
          { cell: "gru", hidden: 3 },
          { cell: "gru", hidden: 3, bidirectional: true },
        ],
      },
      "layers[1].bidirectional: differs from layers[0]'s",
    );
    refused(
      {
        ...base,
        layers: [
          { cell: "rnn", hidden: 3 },
          { cell: "rnn", hidden: 3, activation: "relu" },
        ],
      },
      `layers[1].activation: "relu" after "tanh" in layers[0]`,
    );
  });

  it("weights that are missing, misshapen or extra", () => {
    const w = {
      "layers.0.W_in": randomTensor([2, 9], uniform(1)),
      "layers.0.W_re": randomTensor([3, 9], uniform(1)),
      "layers.0.b_in": randomTensor([9], uniform(1)),
    };
    expect(() => torchStateDictFromModel(base, w)).toThrow('parameter "layers.0.b_re" is missing; expected shape [9]');
    expect(() => torchStateDictFromModel(base, { ...w, "layers.0.b_re": randomTensor([3], uniform(1)) })).toThrow(
      'parameter "layers.0.b_re" has shape [3], expected [9]',
    );
    expect(() => torchStateDictFromModel(base, { ...w, "layers.0.b_re": randomTensor([9], uniform(1)), "head.W": randomTensor([3, 1], uniform(1)) })).toThrow(
      '"head.W" is not a parameter of this model',
    );
  });
});
