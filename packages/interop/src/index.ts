// @unroll/interop: unroll models in and out of ONNX, PyTorch and safetensors.
export { encodeOnnxModel, decodeOnnxModel } from "./onnx/onnx-codec.js";
export { OnnxDataType, OnnxAttributeType } from "./onnx/onnx-messages.js";
export type {
  OnnxModel,
  OnnxGraph,
  OnnxNode,
  OnnxAttribute,
  OnnxTensor,
  OnnxValueInfo,
  OnnxValueType,
  OnnxOperatorSet,
  OnnxDimension,
} from "./onnx/onnx-messages.js";
export { torchModuleSource, type TorchModuleOptions } from "./torch-module/torch-module-source.js";
export { checkParamNames } from "./torch-module/param-names.js";
export { SafetensorsError } from "./safetensors/safetensors-error.js";
export { SAFETENSORS_DTYPES, SAFETENSORS_DTYPE_SIZE, type SafetensorsDtype, type WritableSafetensorsDtype } from "./safetensors/dtypes.js";
export { MAX_SAFETENSORS_HEADER_BYTES, readSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from "./safetensors/header.js";
export { decodeSafetensors, type DecodeSafetensorsOptions, type DecodedSafetensors } from "./safetensors/decode.js";
export { encodeSafetensors, type EncodeSafetensorsOptions } from "./safetensors/encode.js";
export { TorchStateDictError } from "./torch-state-dict/torch-state-dict-error.js";
export {
  TORCH_GATES,
  type TorchCell,
  type TorchEmbedding,
  type TorchLayerSpec,
  type TorchLinearHead,
  type TorchModelSpec,
  type TorchRecurrentModule,
} from "./torch-state-dict/torch-module.js";
export { modelFromTorchStateDict, type TorchImport, type TorchImportOptions } from "./torch-state-dict/from-state-dict.js";
export { torchStateDictFromModel, type TorchExport, type TorchExportOptions } from "./torch-state-dict/to-state-dict.js";
export { initialStateFromTorch } from "./torch-state-dict/initial-state.js";
export { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET } from "./onnx-export/export-onnx.js";
export type { ExportOnnxOptions } from "./onnx-export/export-options.js";
export { importOnnx } from "./onnx-import/import-onnx.js";
export { importOnnxRecurrent } from "./onnx-import/import-recurrent.js";
export { OnnxImportError } from "./onnx-import/import-error.js";
export { onnxFeedsToData, type OnnxFeed, type OnnxImportData } from "./onnx-import/onnx-feeds.js";
export { onnxOutputsOf, type OnnxOutputTensor, type UnrollRunResult } from "./onnx-import/onnx-outputs.js";
export type {
  OnnxAxis,
  OnnxImport,
  OnnxInputRole,
  OnnxDataInput,
  OnnxLengthsInput,
  OnnxInitialStateInput,
  OnnxOutputRole,
  OnnxSequenceOutput,
  OnnxFinalOutput,
  OnnxLayerSequenceOutput,
  OnnxFinalStatesOutput,
} from "./onnx-import/onnx-import-types.js";
export { importOnnxScan } from "./onnx-scan-import/import-onnx-scan.js";
export type { ImportOnnxScanOptions, ImportedOnnxModel } from "./onnx-scan-import/import-onnx-scan.js";
