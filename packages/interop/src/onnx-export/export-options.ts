import type { Dtype } from "@unroll/ir";

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** The element type of the weights, inputs and outputs: `"float32"` (the default; what ONNX Runtime's recurrent nodes run) or `"float64"`. */
  readonly dtype?: Dtype;
  /**
   * Add the graph input `sequence_lens`, int32 `[B]`: per-row lengths with unroll's `lengths` semantics (padding
   * steps keep the state and output 0). Default false.
   */
  readonly sequenceLengths?: boolean;
  /** Add one graph input per state, `initialState.<state>` `[B, ...]` (default false: every state starts at its init, 0). */
  readonly initialStates?: boolean;
  /**
   * How a model spec's cells are written: `"auto"` (the default) as ONNX `RNN`, `LSTM` and `GRU` nodes when those can
   * express every layer and the dtype is float32 (ONNX Runtime runs those nodes in float32 only), as `Scan` otherwise; `"native"` as those nodes or an error naming the layer that needs
   * Scan; `"scan"` always as `Scan`. Step graphs and programs are always written as `Scan`.
   */
  readonly cells?: "auto" | "native" | "scan";
}

/** The options with their defaults filled in. */
export interface ResolvedExportOptions {
  /** Element type of float values. */
  readonly dtype: Dtype;
  /** Whether the graph has a `sequence_lens` input. */
  readonly sequenceLengths: boolean;
  /** Whether every state is a graph input. */
  readonly initialStates: boolean;
}

/** The graph input that gives a state's initial value. */
export function initialStateName(state: string): string {
  return `initialState.${state}`;
}

/** The graph output of a state's final value. */
export function finalStateName(state: string): string {
  return `finalState.${state}`;
}
