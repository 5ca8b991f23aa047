import { SAFETENSORS_DTYPE_SIZE, isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
import { SafetensorsError } from "./safetensors-error.js";

/** The largest header the reference implementation reads (100 MB): a longer one is refused before it is parsed. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** The key of the header's optional string-to-string metadata. */
export const METADATA_KEY = "__metadata__";

/** One tensor's entry in a safetensors header, with its offsets made absolute in the file. */
export interface SafetensorsEntry {
  /** The tensor's name (its key in the header). */
  readonly name: string;
  /** Its element type. */
  readonly dtype: SafetensorsDtype;
  /** Its dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Where its bytes start in the file (the header's `data_offsets[0]` plus 8 plus the header length). */
  readonly begin: number;
  /** Where its bytes end in the file, exclusive. */
  readonly end: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** The tensors in the order of their bytes in the file. */
  readonly entries: readonly SafetensorsEntry[];
  /** The `__metadata__` strings (empty when the file has none). */
  readonly metadata: Record<string, string>;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Checks one header entry's fields, naming the tensor and the field at fault. */
function parseEntry(name: string, raw: unknown): { dtype: SafetensorsDtype; shape: number[]; offsets: [number, number] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SafetensorsError(`its header entry is not an object`, name);
  // Other fields are ignored, as the reference reader ignores them.
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype))
    throw new SafetensorsError(`dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(SAFETENSORS_DTYPE_SIZE).join(", ")}`, name);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new SafetensorsError(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new SafetensorsError(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`, name);
  }
  return { dtype, shape: shape as number[], offsets: [offsets[0] as number, offsets[1] as number] };
}

/**
 * Reads and validates the header of a safetensors file, as the reference implementation does:
 * an 8-byte little-endian length of at most {@link MAX_SAFETENSORS_HEADER_BYTES}, a UTF-8 JSON
 * object starting with `{`, tensors whose byte ranges follow one another without gaps from 0 to
 * the end of the file, each `product(shape) × dtype size` bytes long. Throws a
 * {@link SafetensorsError} naming the tensor and the figures at fault.
 */
export function readSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (bytes.length < 8) throw new SafetensorsError(`the file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(4, true);
  const length = high * 2 ** 32 + view.getUint32(0, true);
  if (length > MAX_SAFETENSORS_HEADER_BYTES) {
    throw new SafetensorsError(`the header is ${length} bytes, more than the ${MAX_SAFETENSORS_HEADER_BYTES} allowed`);
  }
  if (8 + length > bytes.length) throw new SafetensorsError(`the header claims ${length} bytes but the file has only ${bytes.length - 8} after the length`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + length));
  } catch {
    throw new SafetensorsError(`the ${length}-byte header is not valid UTF-8`);
  }
  if (!text.startsWith("{")) throw new SafetensorsError(`the header does not start with "{" (it starts with ${JSON.stringify(text.slice(0, 16))})`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`the header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new SafetensorsError(`the header is not a JSON object`);

  let metadata: Record<string, string> = {};
  const parsed: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; offsets: [number, number] }> = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === METADATA_KEY) {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SafetensorsError(`${METADATA_KEY} is not an object of strings`);
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== "string") throw new SafetensorsError(`${METADATA_KEY}.${k} is ${JSON.stringify(v)}; metadata values must be strings`);
      }
      // fromEntries defines own properties, so a key such as "__proto__" stays a key.
      metadata = Object.fromEntries(Object.entries(raw)) as Record<string, string>;
    } else parsed.push({ name, ...parseEntry(name, raw) });
  }

  // The reference reader sorts by offsets first: a writer may list the tensors in any order.
  parsed.sort((a, b) => a.offsets[0] - b.offsets[0] || a.offsets[1] - b.offsets[1]);
  const dataStart = 8 + length;
  const entries: SafetensorsEntry[] = [];
  let expected = 0;
  for (const { name, dtype, shape, offsets } of parsed) {
    const [begin, end] = offsets;
    if (begin !== expected) {
      const where = expected === 0 ? "the first tensor must start at 0" : "the previous tensor ends at " + expected;
      throw new SafetensorsError(`data_offsets [${begin}, ${end}] do not follow on: ${where} (tensors must be contiguous, in order)`, name);
    }
    if (end < begin) throw new SafetensorsError(`data_offsets [${begin}, ${end}] end before they begin`, name);
    const elements = shape.reduce((n, d) => n * d, 1);
    const byteLength = elements * SAFETENSORS_DTYPE_SIZE[dtype];
    if (!Number.isSafeInteger(byteLength)) throw new SafetensorsError(`shape [${shape.join(", ")}] of ${dtype} overflows`, name);
    if (end - begin !== byteLength) {
      throw new SafetensorsError(
        `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${shape.join(", ")}] of ${dtype} needs ${elements} × ${SAFETENSORS_DTYPE_SIZE[dtype]} = ${byteLength}`,
        name,
      );
    }
    if (dataStart + end > bytes.length) {
      throw new SafetensorsError(`data_offsets [${begin}, ${end}] run past the end of the data (${bytes.length - dataStart} bytes)`, name);
    }
    entries.push({ name, dtype, shape, begin: dataStart + begin, end: dataStart + end });
    expected = end;
  }
  if (dataStart + expected !== bytes.length) {
    throw new SafetensorsError(`the tensors cover ${expected} bytes of data but the file has ${bytes.length - dataStart} after the header`);
  }
  return { entries, metadata };
}
