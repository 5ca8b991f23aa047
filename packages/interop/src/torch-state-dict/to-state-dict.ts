import { formatShape, parseModelSpec, type ModelSpec, type Tensor } from "@unroll/ir";
import { copy, transpose, zerosLike } from "./tensor-ops.js";
import { TORCH_CLASS, TORCH_GATES, ourParamName, torchParamName, withPrefix, type TorchRecurrentModule } from "./torch-module.js";
import { TorchStateDictError } from "./torch-state-dict-error.js";

/** The module names to give the state_dict's keys. */
export interface TorchExportOptions {
  /**
   * The recurrent module's key prefix: `"rnn"` gives `rnn.weight_ih_l0`. Default: `"rnn"` when
   * the model has a head or an embedding (a module holding several needs names for them),
   * none otherwise (the state_dict of a bare `nn.LSTM`).
   */
  readonly prefix?: string;
  /** The `nn.Linear` head's prefix (default `"head"`). */
  readonly headPrefix?: string;
  /** The `nn.Embedding`'s prefix (default `"embedding"`). */
  readonly embeddingPrefix?: string;
}

/** A state_dict for PyTorch, and the modules that load it. */
export interface TorchExport {
  /** Tensors by PyTorch key, in the weights' dtype. */
  readonly stateDict: Record<string, Tensor>;
  /** The modules to construct (sizes, prefixes) so that `load_state_dict(stateDict)` takes it. */
  readonly module: TorchRecurrentModule;
}

/** Refuses a model field PyTorch's modules cannot express, naming it. */
function refuse(field: string, message: string): never {
  throw new TorchStateDictError(`${field}: ${message}`);
}

/**
 * The state_dict of the PyTorch modules that compute a model: an `nn.RNN`, `nn.LSTM` or
 * `nn.GRU` (all layers of one cell, hidden size and direction), an optional `nn.Embedding`
 * before it and an optional `nn.Linear` head after it (its activation is returned in
 * `module.head.activation`: apply it after the Linear). The reverse of
 * {@link modelFromTorchStateDict}: `weight_ih = W_in.T`, `weight_hh = W_re.T`; an rnn's or
 * lstm's one bias `b` goes whole into `bias_ih`, with zeros in `bias_hh` (PyTorch adds
 * them); a gru's `b_in`, `b_re` are `bias_ih`, `bias_hh`. Refuses, naming the model field,
 * what those modules cannot express: layers that differ in cell, hidden size, direction or
 * activation, `layerNorm`, a reverse-only layer (`direction: "reverse"`), a gru with
 * `resetAfter: false`, an rnn with the sigmoid activation; and weights that are missing, extra or misshapen. Dropout is a training
 * setting, not in a state_dict, and is left out.
 */
export function torchStateDictFromModel(model: ModelSpec, weights: Readonly<Record<string, Tensor>>, options: TorchExportOptions = {}): TorchExport {
  const spec = parseModelSpec(model);
  const first = spec.layers[0];
  const { cell, hidden } = first;
  const cls = TORCH_CLASS[cell];
  const bidirectional = first.bidirectional ?? false;
  const activation = first.activation ?? "tanh";
  spec.layers.forEach((layer, k) => {
    const at = `layers[${k}]`;
    if (layer.cell !== cell) refuse(`${at}.cell`, `"${layer.cell}" after "${cell}" in layers[0]: an ${cls} stacks layers of one cell`);
    if (layer.hidden !== hidden) refuse(`${at}.hidden`, `${layer.hidden} after ${hidden} in layers[0]: an ${cls} has one hidden_size`);
    if ((layer.bidirectional ?? false) !== bidirectional)
      refuse(`${at}.bidirectional`, `differs from layers[0]'s: an ${cls} is bidirectional in every layer or in none`);
    if ((layer.activation ?? "tanh") !== activation)
      refuse(`${at}.activation`, `"${layer.activation ?? "tanh"}" after "${activation}" in layers[0]: an nn.RNN has one nonlinearity`);
    if (layer.activation === "sigmoid") refuse(`${at}.activation`, `"sigmoid": nn.RNN's nonlinearity is tanh or relu`);
    if (layer.layerNorm) refuse(`${at}.layerNorm`, `${cls} has no layer normalization`);
    if (layer.direction === "reverse")
      refuse(`${at}.direction`, `"reverse": an ${cls} layer reads forward, or both ways when bidirectional; it has no reverse-only layer`);
    if (layer.resetAfter === false) refuse(`${at}.resetAfter`, `false: nn.GRU applies the reset gate after the recurrent matmul (resetAfter: true) only`);
  });

  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]): Tensor => {
    if (!Object.hasOwn(weights, name)) throw new TorchStateDictError(`parameter "${name}" is missing; expected shape ${formatShape(shape)}`);
    if (formatShape(weights[name].shape) !== formatShape(shape)) {
      throw new TorchStateDictError(`parameter "${name}" has shape ${formatShape(weights[name].shape)}, expected ${formatShape(shape)}`);
    }
    used.add(name);
    return weights[name];
  };
  const prefix = options.prefix ?? (spec.head || spec.embedding ? "rnn" : "");
  const gates = TORCH_GATES[cell];
  const directions = bidirectional ? [false, true] : [false];
  const inputSize = spec.embedding ? spec.embedding.units : spec.input;
  const stateDict: Record<string, Tensor> = {};
  const put = (key: string, t: Tensor): void => {
    stateDict[key] = t;
  };
  spec.layers.forEach((_, layer) => {
    const width = layer === 0 ? inputSize : hidden * directions.length;
    for (const reverse of directions) {
      const key = (kind: Parameters<typeof torchParamName>[0]): string => withPrefix(prefix, torchParamName(kind, layer, reverse));
      put(key("weight_ih"), transpose(take(ourParamName("W_in", layer, reverse), [width, gates * hidden])));
      put(key("weight_hh"), transpose(take(ourParamName("W_re", layer, reverse), [hidden, gates * hidden])));
      if (cell === "gru") {
        put(key("bias_ih"), copy(take(ourParamName("b_in", layer, reverse), [gates * hidden])));
        put(key("bias_hh"), copy(take(ourParamName("b_re", layer, reverse), [gates * hidden])));
      } else {
        const b = take(ourParamName("b", layer, reverse), [gates * hidden]);
        put(key("bias_ih"), copy(b));
        put(key("bias_hh"), zerosLike(b, b.shape)); // PyTorch adds the two; one holds the whole bias
      }
    }
  });
  let head: TorchRecurrentModule["head"];
  if (spec.head) {
    const p = options.headPrefix ?? "head";
    const width = hidden * directions.length;
    put(withPrefix(p, "weight"), transpose(take("head.W", [width, spec.head.units])));
    put(withPrefix(p, "bias"), copy(take("head.b", [spec.head.units])));
    head = { prefix: p, inFeatures: width, outFeatures: spec.head.units, activation: spec.head.activation };
  }
  let embedding: TorchRecurrentModule["embedding"];
  if (spec.embedding) {
    const p = options.embeddingPrefix ?? "embedding";
    put(withPrefix(p, "weight"), copy(take("embedding.table", [spec.embedding.vocab, spec.embedding.units])));
    embedding = { prefix: p, numEmbeddings: spec.embedding.vocab, embeddingDim: spec.embedding.units };
  }
  const extra = Object.keys(weights).find((name) => !used.has(name));
  if (extra !== undefined) throw new TorchStateDictError(`"${extra}" is not a parameter of this model`);
  const prefixes = [prefix, head?.prefix, embedding?.prefix].filter((p) => p !== undefined);
  if (new Set(prefixes).size !== prefixes.length) throw new TorchStateDictError(`the module prefixes ${prefixes.map((p) => `"${p}"`).join(", ")} must differ`);
  const module: TorchRecurrentModule = {
    cell,
    prefix,
    inputSize,
    hiddenSize: hidden,
    numLayers: spec.layers.length,
    bidirectional,
    ...(cell === "rnn" ? { nonlinearity: activation as "tanh" | "relu" } : {}),
    ...(head ? { head } : {}),
    ...(embedding ? { embedding } : {}),
  };
  return { stateDict, module };
}
