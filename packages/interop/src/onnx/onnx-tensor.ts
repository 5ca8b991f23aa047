import { OnnxDataType, type OnnxTensor } from "./onnx-messages.js";

// typed arrays use the platform's byte order and ONNX's raw_data is little-endian: every platform unroll runs on is
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The element types {@link onnxTensor} writes. */
export type OnnxTensorType = "float32" | "float64" | "int32" | "int64";

const dataTypes: Record<OnnxTensorType, number> = {
  float32: OnnxDataType.FLOAT,
  float64: OnnxDataType.DOUBLE,
  int32: OnnxDataType.INT32,
  int64: OnnxDataType.INT64,
};

/** A tensor message with its elements as little-endian `rawData` (row-major). */
export function onnxTensor(name: string, dims: readonly number[], values: ArrayLike<number>, type: OnnxTensorType): OnnxTensor {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`tensor "${name}": ${values.length} values for dims [${dims.join(", ")}] (${size} elements)`);
  if (!littleEndian) throw new Error("ONNX tensors are written little-endian; this platform is big-endian");
  const array =
    type === "float32"
      ? Float32Array.from(values)
      : type === "float64"
        ? Float64Array.from(values)
        : type === "int32"
          ? Int32Array.from(values)
          : BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, dims: [...dims], dataType: dataTypes[type], rawData: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) };
}

/** Names an ONNX element type for messages (`FLOAT`, `INT64`, or the number). */
export function dataTypeName(dataType: number | undefined): string {
  const entry = Object.entries(OnnxDataType).find(([, v]) => v === dataType);
  return entry ? entry[0] : `data type ${dataType}`;
}

/**
 * The elements of a tensor message as numbers, row-major, from `rawData` or the typed fields. Reads FLOAT, DOUBLE,
 * FLOAT16, INT32, INT64, INT8, UINT8 and BOOL; another type is an error naming the tensor.
 */
export function onnxTensorValues(t: OnnxTensor, what = `tensor "${t.name ?? ""}"`): Float64Array {
  const size = (t.dims ?? []).reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const out = new Float64Array(size);
  const fromRaw = (width: number, read: (offset: number) => number): Float64Array => {
    if (raw!.length !== size * width)
      throw new Error(`${what}: ${raw!.length} bytes of raw data for dims [${(t.dims ?? []).join(", ")}] (${size * width} expected)`);
    for (let i = 0; i < size; i++) out[i] = read(i * width);
    return out;
  };
  const fromList = (list: readonly number[] | undefined, convert: (v: number) => number = (v) => v): Float64Array => {
    const values = list ?? [];
    if (values.length !== size) throw new Error(`${what}: ${values.length} values for dims [${(t.dims ?? []).join(", ")}] (${size} expected)`);
    for (let i = 0; i < size; i++) out[i] = convert(values[i]);
    return out;
  };
  switch (t.dataType) {
    case OnnxDataType.FLOAT:
      return view ? fromRaw(4, (o) => view.getFloat32(o, true)) : fromList(t.floatData);
    case OnnxDataType.DOUBLE:
      return view ? fromRaw(8, (o) => view.getFloat64(o, true)) : fromList(t.doubleData);
    case OnnxDataType.FLOAT16:
      return view ? fromRaw(2, (o) => halfToNumber(view.getUint16(o, true))) : fromList(t.int32Data, halfToNumber);
    case OnnxDataType.INT32:
      return view ? fromRaw(4, (o) => view.getInt32(o, true)) : fromList(t.int32Data);
    case OnnxDataType.INT64:
      return view ? fromRaw(8, (o) => Number(view.getBigInt64(o, true))) : fromList(t.int64Data);
    case OnnxDataType.INT8:
      return view ? fromRaw(1, (o) => view.getInt8(o)) : fromList(t.int32Data);
    case OnnxDataType.UINT8:
    case OnnxDataType.BOOL:
      return view ? fromRaw(1, (o) => view.getUint8(o)) : fromList(t.int32Data);
    default:
      throw new Error(`${what}: element type ${dataTypeName(t.dataType)} is not supported (FLOAT, DOUBLE, FLOAT16 and integer types are)`);
  }
}

/** An IEEE 754 half-precision value from its 16 bits. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
