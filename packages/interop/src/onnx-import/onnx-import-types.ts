import type { ModelSpec, Tensor } from "@unroll/ir";

/** What one axis of an ONNX input or output holds: its parts, outermost first (`["direction", "hidden"]` is 2H wide). `[]` is an axis of size 1. */
export type OnnxAxis = readonly ("time" | "batch" | "direction" | "hidden" | "features")[];

/** How unroll's DATA gets one ONNX graph input. */
export type OnnxInputRole =
  /** The sequence, DATA's `x`: vectors along `features`, or token ids (no features axis) for a model with an embedding. */
  | { readonly name: string; readonly role: "x"; readonly axes: readonly OnnxAxis[]; readonly tokenIds: boolean }
  /** `sequence_lens` `[batch]`, DATA's `lengths`. */
  | { readonly name: string; readonly role: "lengths" }
  /**
   * `initial_h` or `initial_c` of one or more layers, DATA's `initialState`: entry i along `direction` is the initial
   * value of each state in `states[i]` (none when no layer reads it).
   */
  | { readonly name: string; readonly role: "initialState"; readonly axes: readonly OnnxAxis[]; readonly states: readonly (readonly string[])[] };

/** Where one ONNX graph output is in what unroll's `run` returns. */
export type OnnxOutputRole =
  /**
   * `outputs`, the head's output at every step; unroll's is 0 at steps past a row's length. So is ONNX's when
   * `zeroPastLengths` (the graph applies a step mask, as unroll's export writes); otherwise ONNX gives there the head
   * of a zero state.
   */
  | { readonly name: string; readonly role: "output"; readonly axes: readonly OnnxAxis[]; readonly zeroPastLengths: boolean }
  /**
   * `outputs` at one step per row: the head read a one-direction layer's final state `Y_h`, which is the state at the
   * row's last step (`"last"`: `lengths[b] − 1`), or at step 0 for a reverse layer (`"first"`).
   */
  | { readonly name: string; readonly role: "finalOutput"; readonly axes: readonly OnnxAxis[]; readonly step: "last" | "first" }
  /** A layer's output sequence `Y`: `states` of its h per direction (index along `direction`), read as 0 past a row's length as ONNX's `Y` is. */
  | { readonly name: string; readonly role: "sequence"; readonly axes: readonly OnnxAxis[]; readonly states: readonly string[] }
  /** Final states (`Y_h`, `Y_c`, or several concatenated): `finalState` of `states[i]` at index i along `direction`. */
  | { readonly name: string; readonly role: "finalStates"; readonly axes: readonly OnnxAxis[]; readonly states: readonly string[] };

/** An ONNX model read as an unroll model: the spec, its weights, and how ONNX's inputs and outputs map to unroll's data and results. */
export interface OnnxImport {
  /** The model, an `unroll.model/1` spec without a loss. */
  readonly model: ModelSpec;
  /** Its weights, by our parameter names, float32 (float64 when the ONNX weights are DOUBLE). */
  readonly weights: Readonly<Record<string, Tensor>>;
  /** The ONNX graph inputs the model reads, and what each is in DATA. */
  readonly inputs: readonly OnnxInputRole[];
  /** Every ONNX graph output, and where it is in unroll's results. */
  readonly outputs: readonly OnnxOutputRole[];
  /**
   * Initial states that the ONNX graph holds as constants (not zeros), `[B, H]` each: DATA's `initialState` must give
   * them, since a model spec has no constant initial state. They fix the batch size B.
   */
  readonly initialState: Readonly<Record<string, Tensor>>;
}
