// @unroll/interop: unroll models in and out of ONNX, PyTorch and safetensors.
export { encodeOnnxModel, decodeOnnxModel } from "./onnx/onnx-codec.js";
export { OnnxDataType, OnnxAttributeType } from "./onnx/onnx-messages.js";
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxAttribute, OnnxTensor, OnnxValueInfo, OnnxDimension } from "./onnx/onnx-messages.js";
export { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET } from "./onnx-export/export-onnx.js";
export type { ExportOnnxOptions } from "./onnx-export/export-options.js";
export { importOnnxScan } from "./onnx-scan-import/import-onnx-scan.js";
export type { ImportOnnxScanOptions, ImportedOnnxModel } from "./onnx-scan-import/import-onnx-scan.js";
