import type { Tensor } from "@unroll/ir";
import { SAFETENSORS_DTYPE_SIZE, dtypeRank, type WritableSafetensorsDtype } from "./dtypes.js";
import { METADATA_KEY } from "./header.js";
import { requireLittleEndianHost } from "./host-endianness.js";
import { SafetensorsError } from "./safetensors-error.js";

/** Options of {@link encodeSafetensors}. */
export interface EncodeSafetensorsOptions {
  /**
   * The dtype to write: one for every tensor, or one per tensor name. A tensor without one is
   * written as its array is: F32 for float32, F64 for float64. I64 is for integer data (token
   * ids, lengths): every element must then be a safe integer.
   */
  readonly dtype?: WritableSafetensorsDtype | Readonly<Record<string, WritableSafetensorsDtype>>;
  /** Strings for the header's `__metadata__` (written with sorted keys). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Orders strings by code point, which is the byte order of their UTF-8 (how the reference writer sorts names). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Writes one tensor's elements into the output at `offset` (aligned for its dtype by the writer's ordering). */
function writeElements(out: Uint8Array, offset: number, name: string, tensor: Tensor, dtype: WritableSafetensorsDtype): void {
  const { data } = tensor;
  if (dtype === "F32") new Float32Array(out.buffer, offset, data.length).set(data);
  else if (dtype === "F64") new Float64Array(out.buffer, offset, data.length).set(data);
  else {
    const ints = new BigInt64Array(out.buffer, offset, data.length);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isSafeInteger(data[i])) throw new SafetensorsError(`element ${i} is ${data[i]}, not an integer I64 can hold exactly`, name);
      ints[i] = BigInt(data[i]);
    }
  }
}

/**
 * Writes tensors as a safetensors file, byte for byte as the reference writer lays it out:
 * the 8-byte little-endian header length, the compact JSON header (`__metadata__` first, then
 * the tensors by decreasing dtype alignment and then by name, each with `dtype`, `shape`,
 * `data_offsets`), padded with spaces to a multiple of 8 bytes, then each tensor's bytes in
 * that order. Throws a {@link SafetensorsError} naming a tensor whose data does not fit its shape.
 *
 * @example
 * writeFileSync("w.safetensors", encodeSafetensors(weights, { metadata: { format: "pt" } }));
 */
export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, options: EncodeSafetensorsOptions = {}): Uint8Array {
  requireLittleEndianHost();
  const dtypeOf = (name: string, tensor: Tensor): WritableSafetensorsDtype => {
    const asked = typeof options.dtype === "string" ? options.dtype : options.dtype?.[name];
    return asked ?? (tensor.data instanceof Float64Array ? "F64" : "F32");
  };
  const items = Object.entries(tensors).map(([name, tensor]) => {
    if (name === METADATA_KEY) throw new SafetensorsError(`a tensor cannot be named ${METADATA_KEY}, the header's metadata key`);
    const { shape, data } = tensor;
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafetensorsError(`shape [${shape.join(", ")}] is not a list of non-negative integers`, name);
    const elements = shape.reduce((n, d) => n * d, 1);
    if (elements !== data.length) throw new SafetensorsError(`shape [${shape.join(", ")}] has ${elements} elements but its data has ${data.length}`, name);
    return { name, tensor, dtype: dtypeOf(name, tensor) };
  });
  if (typeof options.dtype === "object") {
    const unknown = Object.keys(options.dtype).find((name) => !Object.hasOwn(tensors, name));
    if (unknown !== undefined) throw new SafetensorsError(`options.dtype names a tensor that is not among those written`, unknown);
  }
  items.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareCodePoints(a.name, b.name));

  // Built as text, not as an object: an object would move integer-like names ("0") to the front.
  const fields: string[] = [];
  if (options.metadata !== undefined) {
    const metadata = options.metadata;
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const bad = keys.find((k) => typeof metadata[k] !== "string");
    if (bad !== undefined) throw new SafetensorsError(`metadata.${bad} is ${JSON.stringify(metadata[bad])}; metadata values must be strings`);
    fields.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const { name, tensor, dtype } of items) {
    const end = offset + tensor.data.length * SAFETENSORS_DTYPE_SIZE[dtype];
    fields.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape: tensor.shape, data_offsets: [offset, end] })}`);
    offsets.push(offset);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${fields.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces, so the data starts 8-byte aligned
  items.forEach(({ name, tensor, dtype }, i) => writeElements(out, 8 + headerLength + offsets[i], name, tensor, dtype));
  return out;
}
