import { formatShape, parseModelSpec, type HeadSpec, type LayerSpec, type ModelSpec, type Tensor } from "@unroll/ir";
import { add, copy, transpose } from "./tensor-ops.js";
import { TORCH_CLASS, TORCH_GATES, ourParamName, torchParamName, withPrefix, type TorchCell, type TorchRecurrentModule } from "./torch-module.js";
import { TorchStateDictError } from "./torch-state-dict-error.js";

/** How to read a state_dict: which module it is, and what the state_dict does not say. */
export interface TorchImportOptions {
  /** The recurrent module: `nn.RNN`, `nn.LSTM` or `nn.GRU`. */
  readonly cell: TorchCell;
  /** `num_layers`, checked against the keys when given (they say it anyway). */
  readonly layers?: number;
  /** `bidirectional`, checked against the keys when given. */
  readonly bidirectional?: boolean;
  /** `nn.RNN`'s `nonlinearity` (not in its state_dict): `"tanh"` (the default) or `"relu"`. */
  readonly activation?: "tanh" | "relu";
  /** The activation after an `nn.Linear` head (not in its state_dict; default `"linear"`). */
  readonly headActivation?: HeadSpec["activation"];
  /** A loss to put in the model spec, so that it can be trained. */
  readonly loss?: ModelSpec["loss"];
}

/** A model imported from a state_dict: its spec, its weights, and the PyTorch modules it was read as. */
export interface TorchImport {
  /** The model spec (`unroll.model/1`). */
  readonly spec: ModelSpec;
  /** Its weights, by unroll's parameter names, in the state_dict's dtype. */
  readonly weights: Record<string, Tensor>;
  /** The PyTorch modules the state_dict was read as (keys' prefixes, sizes). */
  readonly module: TorchRecurrentModule;
}

// A recurrent module's key: optional module prefix, then weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0 (proj_size)...
const RECURRENT_KEY = /^(?:(.*)\.)?(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$/;

/** The non-recurrent modules of a state_dict: prefix → its keys by parameter name (`weight`, `bias`, ...). */
function otherModules(keys: readonly string[]): Map<string, Map<string, string>> {
  const modules = new Map<string, Map<string, string>>();
  for (const key of keys) {
    const dot = key.lastIndexOf(".");
    const [prefix, name] = dot < 0 ? ["", key] : [key.slice(0, dot), key.slice(dot + 1)];
    if (!modules.has(prefix)) modules.set(prefix, new Map());
    modules.get(prefix)!.set(name, key);
  }
  return modules;
}

/**
 * A model spec and its weights from the state_dict of a PyTorch `nn.RNN`, `nn.LSTM` or
 * `nn.GRU` (keys `weight_ih_l{k}[_reverse]`, `weight_hh_l{k}`, `bias_ih_l{k}`,
 * `bias_hh_l{k}`, possibly behind a module prefix such as `rnn.`), with an optional
 * `nn.Linear` head (`<p>.weight` `[O, H]`, `<p>.bias`) and an optional `nn.Embedding`
 * before it (`<p>.weight` `[V, input_size]`, no bias). The layers, hidden size, input size
 * and directions come from the keys and shapes. The mapping (see docs/guides/model-spec.md):
 * `W_in = weight_ih.T`, `W_re = weight_hh.T`; rnn and lstm `b = bias_ih + bias_hh`; gru
 * `b_in = bias_ih`, `b_re = bias_hh` (PyTorch's GRU is `resetAfter: true`); the gate orders
 * (lstm i,f,g,o; gru r,z,n) are the same. Refuses, naming the key and the shapes, a
 * missing or extra key, a misshapen tensor, an LSTM with `proj_size` (`weight_hr`), and
 * modules without biases.
 *
 * @example
 * const { tensors } = decodeSafetensors(bytes, { dtype: "float64" });
 * const { spec, weights } = modelFromTorchStateDict(tensors, { cell: "lstm" });
 */
export function modelFromTorchStateDict(stateDict: Readonly<Record<string, Tensor>>, options: TorchImportOptions): TorchImport {
  const { cell } = options;
  const gates = TORCH_GATES[cell];
  const cls = TORCH_CLASS[cell];
  if (options.activation !== undefined && cell !== "rnn") throw new TorchStateDictError(`activation is nn.RNN's nonlinearity; ${cls} has none to choose`);
  const keys = Object.keys(stateDict);
  const shapeOf = (key: string): string => formatShape(stateDict[key].shape);

  // the recurrent module's keys, by prefix
  let prefix: string | undefined;
  let firstKey = "";
  let layers = 0;
  let bidirectional = false;
  const others: string[] = [];
  for (const key of keys) {
    const m = RECURRENT_KEY.exec(key);
    if (!m) {
      others.push(key);
      continue;
    }
    const [, p = "", , which, layer, reverse] = m;
    if (which === "hr") {
      throw new TorchStateDictError(`key "${key}" ${shapeOf(key)} is the projection of an nn.LSTM with proj_size, which unroll's lstm cannot express`);
    }
    if (prefix !== undefined && p !== prefix) {
      throw new TorchStateDictError(`keys "${firstKey}" and "${key}" belong to two recurrent modules ("${prefix}" and "${p}"); import one ${cls} at a time`);
    }
    [prefix, firstKey] = [p, prefix === undefined ? key : firstKey];
    layers = Math.max(layers, Number(layer) + 1);
    bidirectional ||= reverse !== undefined;
  }
  if (prefix === undefined) throw new TorchStateDictError(`no key of an ${cls} (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0) among ${keys.length} keys`);
  const key = (kind: Parameters<typeof torchParamName>[0], layer: number, reverse: boolean): string =>
    withPrefix(prefix!, torchParamName(kind, layer, reverse));
  if (options.layers !== undefined && options.layers !== layers) {
    throw new TorchStateDictError(
      `the keys hold ${layers} layer${layers === 1 ? "" : "s"} (up to "${key("weight_ih", layers - 1, false)}"), not ${options.layers}`,
    );
  }
  if (options.bidirectional !== undefined && options.bidirectional !== bidirectional) {
    throw new TorchStateDictError(
      bidirectional
        ? `the keys hold a reverse direction ("${key("weight_ih", 0, true)}"): the module is bidirectional`
        : `no key holds a reverse direction ("${key("weight_ih", 0, true)}"): the module is not bidirectional`,
    );
  }
  const hh0 = key("weight_hh", 0, false);
  if (!Object.hasOwn(stateDict, hh0)) throw new TorchStateDictError(`key "${hh0}" is missing`);
  const [rows, hidden] = stateDict[hh0].shape;
  if (stateDict[hh0].shape.length !== 2 || rows !== gates * hidden) {
    const other = (Object.keys(TORCH_GATES) as TorchCell[]).find((c) => stateDict[hh0].shape.length === 2 && rows === TORCH_GATES[c] * hidden);
    throw new TorchStateDictError(
      `key "${hh0}" has shape ${shapeOf(hh0)}, but an ${cls}'s is [${gates} × hidden, hidden]` +
        (other ? ` (it is an ${TORCH_CLASS[other]}'s, ${TORCH_GATES[other]} × ${hidden})` : ""),
    );
  }
  const ih0 = key("weight_ih", 0, false);
  if (!Object.hasOwn(stateDict, ih0)) throw new TorchStateDictError(`key "${ih0}" is missing; expected shape [${gates * hidden}, input_size]`);
  const inputSize = stateDict[ih0].shape[1];
  if (!keys.some((k) => /(^|\.)bias_(ih|hh)_l\d+(_reverse)?$/.test(k))) {
    throw new TorchStateDictError(
      `no bias_ih_l0/bias_hh_l0 keys: an ${cls} made with bias=False, which unroll's ${cell} (always with biases) does not load back`,
    );
  }

  const directions = bidirectional ? [false, true] : [false];
  const used = new Set<string>();
  const take = (k: string, shape: readonly number[]): Tensor => {
    if (!Object.hasOwn(stateDict, k)) throw new TorchStateDictError(`key "${k}" is missing; expected shape ${formatShape(shape)}`);
    if (formatShape(stateDict[k].shape) !== formatShape(shape))
      throw new TorchStateDictError(`key "${k}" has shape ${shapeOf(k)}, expected ${formatShape(shape)}`);
    used.add(k);
    return stateDict[k];
  };
  const weights: Record<string, Tensor> = {};
  const specLayers: LayerSpec[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const width = layer === 0 ? inputSize : hidden * directions.length;
    for (const reverse of directions) {
      const wih = take(key("weight_ih", layer, reverse), [gates * hidden, width]);
      const whh = take(key("weight_hh", layer, reverse), [gates * hidden, hidden]);
      const bih = take(key("bias_ih", layer, reverse), [gates * hidden]);
      const bhh = take(key("bias_hh", layer, reverse), [gates * hidden]);
      weights[ourParamName("W_in", layer, reverse)] = transpose(wih);
      weights[ourParamName("W_re", layer, reverse)] = transpose(whh);
      if (cell === "gru") {
        // PyTorch's n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) is resetAfter: b_hn stays inside the reset
        weights[ourParamName("b_in", layer, reverse)] = copy(bih);
        weights[ourParamName("b_re", layer, reverse)] = copy(bhh);
      } else weights[ourParamName("b", layer, reverse)] = add(bih, bhh); // both biases only ever appear summed
    }
    specLayers.push({
      cell,
      hidden,
      ...(bidirectional ? { bidirectional: true } : {}),
      ...(cell === "rnn" && options.activation === "relu" ? { activation: "relu" as const } : {}),
    });
  }

  // what is left: an nn.Linear head (weight and bias) and an nn.Embedding (a weight alone)
  const outWidth = hidden * directions.length;
  let head: TorchRecurrentModule["head"];
  let embedding: TorchRecurrentModule["embedding"];
  for (const [p, names] of otherModules(others.filter((k) => !used.has(k)))) {
    const extra = [...names.keys()].find((n) => n !== "weight" && n !== "bias");
    if (extra !== undefined || !names.has("weight")) {
      const k = names.get(extra ?? "bias")!;
      throw new TorchStateDictError(`key "${k}" ${shapeOf(k)} is not part of an ${cls}, an nn.Linear head or an nn.Embedding`);
    }
    const w = names.get("weight")!;
    if (stateDict[w].shape.length !== 2)
      throw new TorchStateDictError(`key "${w}" has shape ${shapeOf(w)}; an nn.Linear's or nn.Embedding's weight is a matrix`);
    const [a, b] = stateDict[w].shape;
    if (names.has("bias")) {
      if (head) throw new TorchStateDictError(`keys "${withPrefix(head.prefix, "weight")}" and "${w}": two nn.Linear heads; unroll's model has one`);
      if (b !== outWidth)
        throw new TorchStateDictError(
          `key "${w}" has shape ${shapeOf(w)}, but a head on the ${cls}'s output takes ${outWidth} features: [out_features, ${outWidth}]`,
        );
      take(names.get("bias")!, [a]);
      weights["head.W"] = transpose(stateDict[w]);
      weights["head.b"] = copy(stateDict[names.get("bias")!]);
      head = { prefix: p, inFeatures: b, outFeatures: a, activation: options.headActivation ?? "linear" };
    } else {
      if (embedding)
        throw new TorchStateDictError(`keys "${withPrefix(embedding.prefix, "weight")}" and "${w}": two nn.Embedding tables; unroll's model has one`);
      if (b !== inputSize)
        throw new TorchStateDictError(`key "${w}" has shape ${shapeOf(w)}, but an nn.Embedding feeding the ${cls} is [num_embeddings, ${inputSize}]`);
      weights["embedding.table"] = copy(stateDict[w]);
      embedding = { prefix: p, numEmbeddings: a, embeddingDim: b };
    }
  }
  if (options.headActivation !== undefined && !head)
    throw new TorchStateDictError(`headActivation is given but the state_dict has no nn.Linear head (<prefix>.weight and <prefix>.bias)`);

  const spec = parseModelSpec({
    format: "unroll.model/1",
    input: embedding ? embedding.numEmbeddings : inputSize,
    ...(embedding ? { embedding: { vocab: embedding.numEmbeddings, units: embedding.embeddingDim } } : {}),
    layers: specLayers,
    ...(head ? { head: { units: head.outFeatures, activation: head.activation } } : {}),
    ...(options.loss ? { loss: options.loss } : {}),
  });
  const module: TorchRecurrentModule = {
    cell,
    prefix,
    inputSize,
    hiddenSize: hidden,
    numLayers: layers,
    bidirectional,
    ...(cell === "rnn" ? { nonlinearity: options.activation ?? "tanh" } : {}),
    ...(head ? { head } : {}),
    ...(embedding ? { embedding } : {}),
  };
  return { spec, weights, module };
}
