import { decodeOnnxModel } from "../onnx/onnx-codec.js";
import { importOnnxRecurrent } from "./import-recurrent.js";
import type { OnnxImport } from "./onnx-import-types.js";

/** Reads an ONNX file (its bytes) whose recurrent part is RNN, LSTM or GRU nodes: {@link importOnnxRecurrent} of the decoded model. */
export function importOnnx(bytes: Uint8Array): OnnxImport {
  return importOnnxRecurrent(decodeOnnxModel(bytes));
}
