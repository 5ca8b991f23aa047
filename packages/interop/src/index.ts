// @unroll/interop: unroll models in and out of ONNX, PyTorch and safetensors.
export {};
