import type { HeadSpec } from "@unroll/ir";

/** The recurrent modules of PyTorch whose state_dicts this package maps: `nn.RNN`, `nn.LSTM`, `nn.GRU`. */
export type TorchCell = "rnn" | "lstm" | "gru";

/** Gates stacked in each weight's rows (PyTorch) or columns (unroll): lstm i,f,g,o; gru r,z,n; both libraries in the same order. */
export const TORCH_GATES: { readonly [C in TorchCell]: number } = { rnn: 1, lstm: 4, gru: 3 };

/** The PyTorch class of a cell, for messages. */
export const TORCH_CLASS: { readonly [C in TorchCell]: string } = { rnn: "nn.RNN", lstm: "nn.LSTM", gru: "nn.GRU" };

/**
 * The PyTorch modules a state_dict belongs to: what to construct so that
 * `load_state_dict` takes it. The recurrent module is
 * `nn.LSTM(inputSize, hiddenSize, numLayers, bidirectional=...)` (and `nonlinearity` for
 * `nn.RNN`), sequence-first (`batch_first=False`, unroll's time-major layout).
 */
export interface TorchRecurrentModule {
  /** Which module: `nn.RNN`, `nn.LSTM` or `nn.GRU`. */
  readonly cell: TorchCell;
  /** The key prefix of its parameters (`"rnn"` for `rnn.weight_ih_l0`; `""` for a bare module's state_dict). */
  readonly prefix: string;
  /** `input_size`: the width of each step's input (the embedding's width when there is one). */
  readonly inputSize: number;
  /** `hidden_size`. */
  readonly hiddenSize: number;
  /** `num_layers`. */
  readonly numLayers: number;
  /** `bidirectional`. */
  readonly bidirectional: boolean;
  /** `nonlinearity` of an `nn.RNN`. */
  readonly nonlinearity?: "tanh" | "relu";
  /** An `nn.Linear(inFeatures, outFeatures)` applied to every step's output, then `activation`. */
  readonly head?: { readonly prefix: string; readonly inFeatures: number; readonly outFeatures: number; readonly activation: HeadSpec["activation"] };
  /** An `nn.Embedding(numEmbeddings, embeddingDim)` that turns token ids into the recurrent module's input. */
  readonly embedding?: { readonly prefix: string; readonly numEmbeddings: number; readonly embeddingDim: number };
}

/** A state_dict key: the prefix (with its dot), then the name. */
export function withPrefix(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

/** PyTorch's name of one of a layer's four tensors: `weight_ih_l0`, `bias_hh_l1_reverse`. */
export function torchParamName(kind: "weight_ih" | "weight_hh" | "bias_ih" | "bias_hh", layer: number, reverse: boolean): string {
  return `${kind}_l${layer}${reverse ? "_reverse" : ""}`;
}

/** unroll's name of a layer's parameter: `layers.0.W_in`, `layers.1.b_re_reverse`. */
export function ourParamName(param: "W_in" | "W_re" | "b" | "b_in" | "b_re", layer: number, reverse: boolean): string {
  return `layers.${layer}.${param}${reverse ? "_reverse" : ""}`;
}
