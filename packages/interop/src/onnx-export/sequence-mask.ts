import { attr } from "../onnx/onnx-attributes.js";
import { OnnxDataType } from "../onnx/onnx-messages.js";
import type { OnnxGraphWriter } from "./graph-writer.js";

/** The graph input of per-row lengths, int32 `[B]`: ONNX's `sequence_lens`, unroll's `lengths`. */
export const SEQUENCE_LENS = "sequence_lens";

/** The main-graph value of the step mask, bool `[T, B]`. */
export const SEQUENCE_MASK = "sequence_mask";

/**
 * Writes the step mask `t < sequence_lens[b]`, bool `[T, B]`, with T read from the time-major sequence `timeMajor`
 * (`[T, B, ...]`), and returns its name: true inside a row's sequence, false on its padding.
 */
export function writeSequenceMask(w: OnnxGraphWriter, timeMajor: string): string {
  const steps = w.temp("Gather", [w.temp("Shape", [timeMajor], "steps.shape"), w.constant("steps.axis", [], [0], "int64")], "steps");
  const range = w.temp("Range", [w.constant("steps.start", [], [0], "int64"), steps, w.constant("steps.delta", [], [1], "int64")], "steps.range");
  const column = w.temp("Unsqueeze", [range, w.int64s("steps.range.axes", [1])], "steps.column");
  const lens = w.temp("Cast", [SEQUENCE_LENS], "sequence_lens.int64", [attr.int("to", OnnxDataType.INT64)]);
  const row = w.temp("Unsqueeze", [lens, w.int64s("sequence_lens.axes", [0])], "sequence_lens.row");
  return w.node("Less", [column, row], w.names.take(SEQUENCE_MASK));
}
