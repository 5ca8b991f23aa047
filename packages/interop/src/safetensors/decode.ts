import { allocate, type Dtype, type FloatArray, type Tensor } from "@unroll/ir";
import { isIntegerDtype, type SafetensorsDtype } from "./dtypes.js";
import { readSafetensorsHeader, type SafetensorsEntry } from "./header.js";
import { requireLittleEndianHost } from "./host-endianness.js";
import { SafetensorsError } from "./safetensors-error.js";

/** Options of {@link decodeSafetensors}. */
export interface DecodeSafetensorsOptions {
  /** The precision of the tensors read, whatever the file stores (default float32). */
  readonly dtype?: Dtype;
  /**
   * False lets a tensor stored in the requested precision be a view of `bytes` instead of a
   * copy, when it is aligned in memory (it is, in a file whose buffer starts the ArrayBuffer):
   * for a caller that owns `bytes` and will not change them. Default true.
   */
  readonly copy?: boolean;
}

/** What a safetensors file holds, as our tensors. */
export interface DecodedSafetensors {
  /** The tensors by name, in the requested precision. */
  readonly tensors: Record<string, Tensor>;
  /** The dtype each tensor had in the file (so a caller can tell token ids, stored as integers, from floats). */
  readonly dtypes: Record<string, SafetensorsDtype>;
  /** The header's `__metadata__` strings (empty when it has none). */
  readonly metadata: Record<string, string>;
}

/** IEEE 754 half precision to a number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and ±0)
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The file's elements of one tensor, as numbers (exact for every dtype but the 64-bit integers, checked by the caller). */
function elementsOf(entry: SafetensorsEntry, own: ArrayBuffer, view?: Float32Array | Float64Array): ArrayLike<number> | BigInt64Array | BigUint64Array {
  if (view) return view;
  switch (entry.dtype) {
    case "F64":
      return new Float64Array(own);
    case "F32":
      return new Float32Array(own);
    case "F16": {
      const half = new Uint16Array(own);
      const out = new Float32Array(half.length);
      for (let i = 0; i < half.length; i++) out[i] = halfToNumber(half[i]);
      return out;
    }
    case "BF16": {
      // bfloat16 is the upper half of a float32.
      const half = new Uint16Array(own);
      const bits = new Uint32Array(half.length);
      for (let i = 0; i < half.length; i++) bits[i] = half[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case "I64":
      return new BigInt64Array(own);
    case "U64":
      return new BigUint64Array(own);
    case "I32":
      return new Int32Array(own);
    case "U32":
      return new Uint32Array(own);
    case "I16":
      return new Int16Array(own);
    case "U16":
      return new Uint16Array(own);
    case "I8":
      return new Int8Array(own);
    case "U8":
      return new Uint8Array(own);
    case "BOOL": {
      const flags = new Uint8Array(own);
      const bad = flags.findIndex((b) => b > 1);
      if (bad >= 0) throw new SafetensorsError(`BOOL element ${bad} is the byte ${flags[bad]}; a boolean is 0 or 1`, entry.name);
      return flags;
    }
  }
}

/** Converts one tensor's elements to the requested precision; integers must arrive exactly. */
function toFloats(entry: SafetensorsEntry, elements: ReturnType<typeof elementsOf>, dtype: Dtype): FloatArray {
  const exact = isIntegerDtype(entry.dtype);
  if (!exact && (dtype === "float32") === elements instanceof Float32Array) return elements as FloatArray;
  const out = allocate(dtype, elements.length);
  const inexact = (i: number, value: bigint | number): never => {
    throw new SafetensorsError(`${entry.dtype} element ${i} is ${value}, which ${dtype} cannot hold exactly`, entry.name);
  };
  if (elements instanceof BigInt64Array || elements instanceof BigUint64Array) {
    for (let i = 0; i < elements.length; i++) {
      const v = elements[i];
      const n = Number(v);
      if ((n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER) && BigInt(n) !== v) inexact(i, v);
      out[i] = n;
      if (out[i] !== n) inexact(i, v);
    }
    return out;
  }
  for (let i = 0; i < elements.length; i++) {
    out[i] = elements[i];
    if (exact && out[i] !== elements[i]) inexact(i, elements[i]);
  }
  return out;
}

/** A view of an entry's bytes when it is stored in the requested precision and aligned for it in memory. */
function alignedView(bytes: Uint8Array, entry: SafetensorsEntry, dtype: Dtype): Float32Array | Float64Array | undefined {
  const at = bytes.byteOffset + entry.begin;
  const count = (entry.end - entry.begin) / (dtype === "float32" ? 4 : 8);
  if (entry.dtype === "F32" && dtype === "float32" && at % 4 === 0) return new Float32Array(bytes.buffer, at, count);
  if (entry.dtype === "F64" && dtype === "float64" && at % 8 === 0) return new Float64Array(bytes.buffer, at, count);
  return undefined;
}

/**
 * Reads a safetensors file into tensors of the requested precision. Floats (F64, F32, F16,
 * BF16) are rounded to it; integers and booleans (I64, I32, I16, I8, U64, U32, U16, U8, BOOL)
 * must be exact in it, or the read fails naming the tensor and the element. The header is
 * validated as {@link readSafetensorsHeader} describes.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(readFileSync("model.safetensors"), { dtype: "float64" });
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeSafetensorsOptions = {}): DecodedSafetensors {
  requireLittleEndianHost();
  const dtype = options.dtype ?? "float32";
  const { entries, metadata } = readSafetensorsHeader(bytes);
  const tensors: Array<[string, Tensor]> = [];
  const dtypes: Array<[string, SafetensorsDtype]> = [];
  for (const entry of entries) {
    const view = options.copy === false ? alignedView(bytes, entry, dtype) : undefined;
    // Uint8Array's slice copies into a buffer of its own, aligned for any typed array (a Node Buffer's own slice is a
    // view into the whole file, hence the prototype's)
    const own = view ? new ArrayBuffer(0) : Uint8Array.prototype.slice.call(bytes, entry.begin, entry.end).buffer;
    tensors.push([entry.name, { shape: [...entry.shape], data: toFloats(entry, elementsOf(entry, own, view), dtype) }]);
    dtypes.push([entry.name, entry.dtype]);
  }
  // fromEntries defines own properties, so a tensor named "__proto__" stays a tensor.
  return { tensors: Object.fromEntries(tensors), dtypes: Object.fromEntries(dtypes), metadata };
}
