import type { LayerSpec } from "@unroll/ir";
import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { Axis, PartSizes } from "./symbolic-axes.js";

/** A constant tensor: an initializer, a `Constant` node's value, or one of them rearranged. */
export interface ConstantTensor {
  /** Where it came from, for messages: `initializer "W"`, `the output "c0" of node "k" (Constant)`. */
  readonly what: string;
  /** Its dims. */
  readonly dims: readonly number[];
  /** Its elements, row-major. */
  readonly values: Float64Array;
  /** True for DOUBLE elements (the imported weights are then float64). */
  readonly double: boolean;
}

/** A recurrent layer the import has read: one RNN, LSTM or GRU node. */
export interface ImportedLayer {
  /** Its position in the stack (0 = bottom): the `k` of `layers.k.…`. */
  readonly index: number;
  /** The node, as messages name it. */
  readonly where: string;
  /** The node. */
  readonly node: OnnxNode;
  /** The layer as a model spec has it. */
  readonly spec: LayerSpec;
  /** 1, or 2 for a bidirectional node. */
  readonly dirs: number;
  /** Hidden size H. */
  readonly hidden: number;
  /** Its input width (W's last dim). */
  readonly inputs: number;
  /** Its `layout` attribute: 0 (time-major) or 1 (batch-major). */
  readonly layout: number;
  /** Our state names per ONNX direction index (forward first): `h`, and `c` for an LSTM. */
  readonly states: { readonly h: readonly string[]; readonly c?: readonly string[] };
}

/** The dense head the import has read so far: `MatMul` (+ `Add`) or `Gemm`, then an optional activation. */
export interface ImportedHead {
  /** The node that starts it (MatMul or Gemm), as messages name it: one head per model. */
  readonly where: string;
  /** `W` `[in, units]`, row-major. */
  readonly W: Float64Array;
  /** `b` `[units]`. */
  readonly b: Float64Array;
  /** Its input width (the last layer's output width). */
  readonly inputs: number;
  /** Output width O. */
  readonly units: number;
  /** The activation applied last, if any. */
  readonly activation?: "softmax" | "sigmoid" | "tanh";
  /** What it reads: a layer's output sequence, or the final state h of a one-direction layer. */
  readonly input: Source;
  /** True when some weight was DOUBLE. */
  readonly double: boolean;
}

/** What a tensor of the model holds, along its {@link Axis | axes}. */
export type Source =
  /** The data input `x` (features: its width). */
  | { readonly kind: "input"; readonly feed: string }
  /** Token ids, before a `Gather` embedding (no features axis). */
  | { readonly kind: "ids"; readonly feed: string }
  /** The rows of the embedding table that the ids pick. */
  | { readonly kind: "embedding"; readonly feed: string }
  /** A layer's output sequence `Y` (parts direction and hidden). */
  | { readonly kind: "sequence"; readonly layer: ImportedLayer }
  /** Final states (`Y_h`, `Y_c`, or several of them concatenated): one of our states per index along `direction`. */
  | { readonly kind: "final"; readonly states: readonly string[]; readonly layers: readonly ImportedLayer[]; readonly cell: boolean }
  /** The dense head's output (features: its units); `zeroPastLengths` once a `Where` on the step mask has set it to 0 past each row's length. */
  | { readonly kind: "head"; readonly head: ImportedHead; readonly zeroPastLengths?: boolean };

/**
 * Entries of one graph input along a direction axis: `start` to `end − 1` of its own direction axis (PyTorch slices
 * each layer's `h0` out of one input), or, when `whole`, the input itself, `[B, H]` unsqueezed (one entry, as
 * unroll's export writes an initial state per direction).
 */
export interface StateRange {
  /** The graph input. */
  readonly feed: string;
  /** The first entry of its direction axis. */
  readonly start: number;
  /** One past the last (may be past its size: ONNX clamps a Slice's end). */
  readonly end: number;
  /** True for a `[B, H]` input that is one entry. */
  readonly whole: boolean;
}

/** What the import knows about an ONNX value. */
export type ImportValue =
  /** Known numbers. */
  | { readonly kind: "constant"; readonly tensor: ConstantTensor }
  /** Zeros of a shape computed at run time (PyTorch's `ConstantOfShape` initial states), or a slice or rearrangement of them. */
  | { readonly kind: "zeros"; readonly what: string }
  /** A graph input the import has not yet given a role (data, lengths or an initial state). */
  | { readonly kind: "feed"; readonly name: string; readonly rank?: number; readonly ids: boolean }
  /** Initial states from graph inputs, stacked along the direction axis `dirAxis` of a 3-axis tensor (see {@link StateRange}). */
  | { readonly kind: "stateFeeds"; readonly dirAxis: number; readonly ranges: readonly StateRange[] }
  /** The dims of a tensor along these axes (`Shape`). */
  | { readonly kind: "shape"; readonly of: readonly Axis[] }
  /** One dim of a tensor: the size of this axis. */
  | { readonly kind: "size"; readonly axis: Axis }
  /** Each element is its own index along the time axis (`Range(0, T, 1)`), along these axes. */
  | { readonly kind: "steps"; readonly axes: readonly Axis[] }
  /** The graph input `feed` of per-row lengths, along these axes. */
  | { readonly kind: "lengths"; readonly feed: string; readonly axes: readonly Axis[] }
  /** The step mask `t < lengths[b]` of the lengths `feed`, along these axes. */
  | { readonly kind: "stepMask"; readonly feed: string; readonly axes: readonly Axis[] }
  /** `lengths[b] > 0` of the lengths `feed`: the rows that read at least one step, along these axes. */
  | { readonly kind: "startedRows"; readonly feed: string; readonly axes: readonly Axis[] }
  /** A tensor of the model along known axes. */
  | { readonly kind: "tensor"; readonly source: Source; readonly axes: readonly Axis[]; readonly sizes: PartSizes };
