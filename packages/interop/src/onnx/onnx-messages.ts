// The parts of ONNX's messages (proto/onnx.proto) that unroll reads and writes, as plain objects: what protobufjs's
// reflection gives with `toObject(…, { longs: Number, arrays: true })` and takes in `fromObject`. Field names are
// protobufjs's camelCase of the .proto's names (`raw_data` is `rawData`).

/** `TensorProto.DataType`: the element types unroll writes or reads. */
export const OnnxDataType = {
  /** float32. */
  FLOAT: 1,
  /** uint8. */
  UINT8: 2,
  /** int8. */
  INT8: 3,
  /** int32 (`sequence_lens`). */
  INT32: 6,
  /** int64 (token ids, shapes). */
  INT64: 7,
  /** bool, one byte each. */
  BOOL: 9,
  /** IEEE half precision. */
  FLOAT16: 10,
  /** float64. */
  DOUBLE: 11,
} as const;

/** `AttributeProto.AttributeType`. */
export const OnnxAttributeType = {
  /** One float (`f`). */
  FLOAT: 1,
  /** One integer (`i`). */
  INT: 2,
  /** One string (`s`). */
  STRING: 3,
  /** A tensor (`t`). */
  TENSOR: 4,
  /** A graph (`g`). */
  GRAPH: 5,
  /** Floats (`floats`). */
  FLOATS: 6,
  /** Integers (`ints`). */
  INTS: 7,
  /** Strings (`strings`). */
  STRINGS: 8,
} as const;

/** A constant tensor: an initializer, or the value of a `Constant` node. */
export interface OnnxTensor {
  /** Its name (the value id, for an initializer). */
  name?: string;
  /** The dimensions. */
  dims?: number[];
  /** An {@link OnnxDataType}. */
  dataType?: number;
  /** Little-endian bytes of the elements, row-major (how unroll writes every tensor). */
  rawData?: Uint8Array;
  /** FLOAT (and FLOAT16 bits) elements, when `rawData` is absent. */
  floatData?: number[];
  /** DOUBLE elements, when `rawData` is absent. */
  doubleData?: number[];
  /** INT32, INT8, UINT8, BOOL elements, when `rawData` is absent. */
  int32Data?: number[];
  /** INT64 elements, when `rawData` is absent. */
  int64Data?: number[];
}

/** One dimension of a value's type: a size, a symbolic name (`"B"`, `"T"`), or unknown. */
export interface OnnxDimension {
  /** A fixed size. */
  dimValue?: number;
  /** A symbolic size shared by the values that name it. */
  dimParam?: string;
}

/** A tensor type: element type and shape. */
export interface OnnxValueType {
  /** An {@link OnnxDataType}. */
  elemType?: number;
  /** The dimensions; absent for a tensor of unknown rank. */
  shape?: {
    /** One entry per axis. */
    dim?: OnnxDimension[];
  };
}

/** The type of a graph input or output: a tensor's element type and shape. */
export interface OnnxValueInfo {
  /** The value id. */
  name?: string;
  /** Its type (unroll reads and writes tensors only). */
  type?: {
    /** The tensor type. */
    tensorType?: OnnxValueType;
  };
}

/** A node attribute: exactly one of the value fields is set, as `type` says. */
export interface OnnxAttribute {
  /** The attribute's name. */
  name?: string;
  /** An {@link OnnxAttributeType}. */
  type?: number;
  /** FLOAT. */
  f?: number;
  /** INT. */
  i?: number;
  /** STRING, as UTF-8 bytes. */
  s?: Uint8Array;
  /** TENSOR. */
  t?: OnnxTensor;
  /** GRAPH (a `Scan` body). */
  g?: OnnxGraph;
  /** FLOATS. */
  floats?: number[];
  /** INTS. */
  ints?: number[];
  /** STRINGS, as UTF-8 bytes. */
  strings?: Uint8Array[];
}

/** One operator application. */
export interface OnnxNode {
  /** Input value ids; `""` marks an optional input left out. */
  input?: string[];
  /** Output value ids; `""` marks an optional output left out. */
  output?: string[];
  /** The node's name, which error messages quote. */
  name?: string;
  /** The operator (`"LSTM"`, `"MatMul"`, …). */
  opType?: string;
  /** The operator's domain; `""` is the default ONNX domain. */
  domain?: string;
  /** The attributes. */
  attribute?: OnnxAttribute[];
}

/** A graph: nodes in topological order, initializers, inputs and outputs. */
export interface OnnxGraph {
  /** The nodes, in topological order. */
  node?: OnnxNode[];
  /** The graph's name. */
  name?: string;
  /** Constant tensors (weights), by name. */
  initializer?: OnnxTensor[];
  /** A description. */
  docString?: string;
  /** The graph's inputs (for a model, its feeds; initializers need not be listed). */
  input?: OnnxValueInfo[];
  /** The graph's outputs. */
  output?: OnnxValueInfo[];
}

/** A model file: IR version, operator sets and the main graph. */
export interface OnnxModel {
  /** The IR version (unroll writes 8, ONNX 1.12's). */
  irVersion?: number;
  /** The operator sets the graph uses. */
  opsetImport?: OnnxOperatorSet[];
  /** What wrote the file. */
  producerName?: string;
  /** Its version. */
  producerVersion?: string;
  /** A description. */
  docString?: string;
  /** The main graph. */
  graph?: OnnxGraph;
  /** Free-form key/value metadata. */
  metadataProps?: {
    /** The key. */
    key?: string;
    /** The value. */
    value?: string;
  }[];
}

/** An operator set a model imports: a domain and its version. */
export interface OnnxOperatorSet {
  /** The domain; `""` is the default ONNX domain. */
  domain?: string;
  /** The opset version (unroll writes 17). */
  version?: number;
}
