import protobuf from "protobufjs/light.js";
import { onnxSchema } from "../generated/onnx-schema.js";
import type { OnnxModel } from "./onnx-messages.js";

// one Root per process: a read-only table of message types, built on first use
let modelType: protobuf.Type | undefined;
function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(onnxSchema).lookupType("onnx.ModelProto");
  return modelType;
}

/** The bytes of an ONNX file (`ModelProto`, protobuf binary) for a model. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const type = modelProto();
  return type.encode(type.fromObject(model)).finish();
}

/**
 * Reads an ONNX file. Throws an error that says the file is not an ONNX model when the bytes are not a
 * `ModelProto` (protobufjs's own message names the offset).
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const type = modelProto();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model (protobuf ModelProto): ${(e as Error).message}`, { cause: e });
  }
  return type.toObject(message, { longs: Number, arrays: true }) as OnnxModel;
}
