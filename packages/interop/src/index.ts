// @unroll/interop: unroll models in and out of ONNX, PyTorch and safetensors.
export { encodeOnnxModel, decodeOnnxModel } from "./onnx/onnx-codec.js";
export { OnnxDataType, OnnxAttributeType } from "./onnx/onnx-messages.js";
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxAttribute, OnnxTensor, OnnxValueInfo, OnnxDimension } from "./onnx/onnx-messages.js";
export { torchModuleSource, type TorchModuleOptions } from "./torch-module/torch-module-source.js";
export { checkParamNames } from "./torch-module/param-names.js";
