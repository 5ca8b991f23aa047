import type { ModelSpec, Tensor } from "@unroll/ir";

/** What one axis of an ONNX input or output holds: its parts, outermost first (`["direction", "hidden"]` is 2H wide). `[]` is an axis of size 1. */
export type OnnxAxis = readonly ("time" | "batch" | "direction" | "hidden" | "features")[];

/** The ONNX graph input that is DATA's `x`. */
export interface OnnxDataInput {
  /** The graph input's name. */
  readonly name: string;
  /** `"x"`. */
  readonly role: "x";
  /** Its axes: `[time, batch, features]` or `[batch, time, features]`; without `features` for token ids. */
  readonly axes: readonly OnnxAxis[];
  /** True when it holds token ids for the model's embedding, not vectors. */
  readonly tokenIds: boolean;
}

/** The ONNX graph input `sequence_lens` `[batch]`, DATA's `lengths`. */
export interface OnnxLengthsInput {
  /** The graph input's name. */
  readonly name: string;
  /** `"lengths"`. */
  readonly role: "lengths";
}

/** An ONNX graph input that gives `initial_h` or `initial_c` of one or more layers: DATA's `initialState`. */
export interface OnnxInitialStateInput {
  /** The graph input's name. */
  readonly name: string;
  /** `"initialState"`. */
  readonly role: "initialState";
  /** Its axes: `[direction, batch, hidden]`, `[batch, direction, hidden]` (layout 1), or `[batch, hidden]` for one state. */
  readonly axes: readonly OnnxAxis[];
  /** Entry i along `direction` is the initial value of each state in `states[i]` (none when no layer reads it). */
  readonly states: readonly (readonly string[])[];
}

/** How unroll's DATA gets one ONNX graph input. */
export type OnnxInputRole = OnnxDataInput | OnnxLengthsInput | OnnxInitialStateInput;

/** An ONNX output that is the head's output at every step: unroll's `outputs`. */
export interface OnnxSequenceOutput {
  /** The graph output's name. */
  readonly name: string;
  /** `"output"`. */
  readonly role: "output";
  /** Its axes, holding `time`, `batch` and `features`. */
  readonly axes: readonly OnnxAxis[];
  /**
   * True when the ONNX graph sets the head's output to 0 past each row's length (a step mask, as unroll's export
   * writes), as unroll's is; false when ONNX gives the head of a zero state there.
   */
  readonly zeroPastLengths: boolean;
}

/**
 * An ONNX output that is the head of a one-direction last layer's final state `Y_h`: unroll's `outputs` at one step
 * per row, the row's last (`lengths[b] − 1`), or step 0 for a reverse layer.
 */
export interface OnnxFinalOutput {
  /** The graph output's name. */
  readonly name: string;
  /** `"finalOutput"`. */
  readonly role: "finalOutput";
  /** Its axes, holding `batch` and `features`. */
  readonly axes: readonly OnnxAxis[];
  /** `"last"`, or `"first"` for a reverse layer. */
  readonly step: "last" | "first";
}

/** An ONNX output that is a layer's output sequence `Y`: unroll's `states` of its h per direction, 0 past a row's length as ONNX's `Y` is. */
export interface OnnxLayerSequenceOutput {
  /** The graph output's name. */
  readonly name: string;
  /** `"sequence"`. */
  readonly role: "sequence";
  /** Its axes, holding `time`, `direction`, `batch` and `hidden`. */
  readonly axes: readonly OnnxAxis[];
  /** The state at index i along `direction`. */
  readonly states: readonly string[];
}

/** An ONNX output of final states (`Y_h`, `Y_c`, or several joined): unroll's `finalState`. */
export interface OnnxFinalStatesOutput {
  /** The graph output's name. */
  readonly name: string;
  /** `"finalStates"`. */
  readonly role: "finalStates";
  /** Its axes, holding `direction`, `batch` and `hidden`. */
  readonly axes: readonly OnnxAxis[];
  /** The state at index i along `direction`. */
  readonly states: readonly string[];
}

/** Where one ONNX graph output is in what unroll's `run` returns. */
export type OnnxOutputRole = OnnxSequenceOutput | OnnxFinalOutput | OnnxLayerSequenceOutput | OnnxFinalStatesOutput;

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
