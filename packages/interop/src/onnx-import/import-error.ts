/**
 * An ONNX model the import cannot express exactly. The message names the node (`node "lstm_0" (LSTM)`) and the
 * attribute, input or output at fault, and says what unroll reads instead.
 */
export class OnnxImportError extends Error {
  /** `"OnnxImportError"`. */
  override readonly name = "OnnxImportError";
}
