// @unroll/interop: unroll models in and out of ONNX, PyTorch and safetensors.
export { encodeOnnxModel, decodeOnnxModel } from "./onnx/onnx-codec.js";
export { OnnxDataType, OnnxAttributeType } from "./onnx/onnx-messages.js";
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxAttribute, OnnxTensor, OnnxValueInfo, OnnxDimension } from "./onnx/onnx-messages.js";
export { importOnnx } from "./onnx-import/import-onnx.js";
export { importOnnxRecurrent } from "./onnx-import/import-recurrent.js";
export { OnnxImportError } from "./onnx-import/import-error.js";
export { onnxFeedsToData, type OnnxFeed, type OnnxImportData } from "./onnx-import/onnx-feeds.js";
export { onnxOutputsOf, type OnnxOutputTensor, type UnrollRunResult } from "./onnx-import/onnx-outputs.js";
export type { OnnxAxis, OnnxImport, OnnxInputRole, OnnxOutputRole } from "./onnx-import/onnx-import-types.js";
