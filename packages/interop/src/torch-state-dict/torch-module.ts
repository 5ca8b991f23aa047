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
  /** An `nn.Linear` applied to every step's output, then its activation. */
  readonly head?: TorchLinearHead;
  /** An `nn.Embedding` that turns token ids into the recurrent module's input. */
  readonly embedding?: TorchEmbedding;
}

/** An `nn.Linear(inFeatures, outFeatures)` head on every step, and the activation after it. */
export interface TorchLinearHead {
  /** Its keys' prefix (`"fc"` for `fc.weight`, `fc.bias`). */
  readonly prefix: string;
  /** `in_features`: the recurrent module's output width (2 × hidden when bidirectional). */
  readonly inFeatures: number;
  /** `out_features`. */
  readonly outFeatures: number;
  /** The activation applied after it (not part of a state_dict). */
  readonly activation: HeadSpec["activation"];
}

/** An `nn.Embedding(numEmbeddings, embeddingDim)` before the recurrent module. */
export interface TorchEmbedding {
  /** Its key's prefix (`"embedding"` for `embedding.weight`). */
  readonly prefix: string;
  /** `num_embeddings`: the number of token ids. */
  readonly numEmbeddings: number;
  /** `embedding_dim`: the recurrent module's `input_size`. */
  readonly embeddingDim: number;
}

/** One layer of a model spec read from a state_dict (every layer the same, as in PyTorch's module). */
export interface TorchLayerSpec {
  /** The cell. */
  cell: TorchCell;
  /** `hidden_size`. */
  hidden: number;
  /** Present (true) for a bidirectional module. */
  bidirectional?: true;
  /** Present for an `nn.RNN` with `nonlinearity="relu"`. */
  activation?: "relu";
}

/** A model spec (`unroll.model/1`, a `ModelSpec` of `@unroll/ir`) read from a state_dict. */
export interface TorchModelSpec {
  /** `"unroll.model/1"`. */
  format: "unroll.model/1";
  /** The input width, or with an embedding the number of token ids. */
  input: number;
  /** The embedding, when the state_dict has an `nn.Embedding`. */
  embedding?: {
    /** Number of token ids. */
    vocab: number;
    /** Width of each token's vector. */
    units: number;
  };
  /** The layers, bottom first. */
  layers: TorchLayerSpec[];
  /** The head, when the state_dict has an `nn.Linear`. */
  head?: {
    /** Output width. */
    units: number;
    /** Its activation. */
    activation: HeadSpec["activation"];
  };
  /** The loss asked for in the import's options. */
  loss?: "mse" | "cross_entropy";
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
