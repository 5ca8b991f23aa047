import { describe, expect, it } from "vitest";
import { decodeSafetensors, MAX_SAFETENSORS_HEADER_BYTES, readSafetensorsHeader } from "../../src/index.js";

/** A file from a header given as an object or as text, then `data` bytes. */
function file(header: object | string, dataBytes: number, lengthOverride?: number): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthOverride ?? text.length), true);
  out.set(text, 8);
  return out;
}

const entry = (dtype: string, shape: number[], offsets: [number, number]) => ({ dtype, shape, data_offsets: offsets });

describe("readSafetensorsHeader", () => {
  it("accepts tensors listed in any order and makes their offsets absolute", () => {
    const header = { b: entry("F32", [2], [8, 16]), a: entry("F64", [1], [0, 8]) };
    const bytes = file(header, 16);
    const start = bytes.length - 16;
    const { entries } = readSafetensorsHeader(bytes);
    expect(entries.map((e) => [e.name, e.begin - start, e.end - start])).toEqual([
      ["a", 0, 8],
      ["b", 8, 16],
    ]);
  });

  it("refuses a file shorter than the length field, a header too long, or longer than the file", () => {
    expect(() => readSafetensorsHeader(new Uint8Array(7))).toThrow("safetensors: the file is 7 bytes, shorter than the 8-byte header length");
    expect(() => readSafetensorsHeader(file("{}", 0, MAX_SAFETENSORS_HEADER_BYTES + 1))).toThrow(
      "the header is 100000001 bytes, more than the 100000000 allowed",
    );
    expect(() => readSafetensorsHeader(file("{}", 0, 2 ** 40))).toThrow("more than the 100000000 allowed");
    expect(() => readSafetensorsHeader(file("{}", 0, 3))).toThrow("the header claims 3 bytes but the file has only 2 after the length");
  });

  it("refuses a header that is not UTF-8, not starting with {, not JSON, or not an object", () => {
    const bad = file("{}", 0);
    bad[8] = 0xff;
    expect(() => readSafetensorsHeader(bad)).toThrow("the 2-byte header is not valid UTF-8");
    expect(() => readSafetensorsHeader(file(' {"a":1}', 0))).toThrow('the header does not start with "{"');
    expect(() => readSafetensorsHeader(file("{a}", 0))).toThrow("the header is not valid JSON");
    expect(() => readSafetensorsHeader(file("[1]", 0))).toThrow('the header does not start with "{"');
  });

  it("refuses bad entries, naming the tensor and the field", () => {
    expect(() => readSafetensorsHeader(file({ w: 3 }, 0))).toThrow('tensor "w": its header entry is not an object');
    expect(() => readSafetensorsHeader(file({ w: entry("F8_E4M3", [1], [0, 1]) }, 1))).toThrow('tensor "w": dtype "F8_E4M3" is not one of BOOL, U8');
    expect(() => readSafetensorsHeader(file({ w: entry("F32", [1.5], [0, 4]) }, 4))).toThrow('tensor "w": shape [1.5] is not a list of non-negative integers');
    expect(() => readSafetensorsHeader(file({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, 4))).toThrow(
      'tensor "w": data_offsets [0] is not a pair of non-negative integers',
    );
    expect(() => readSafetensorsHeader(file({ __metadata__: { a: 1 } }, 0))).toThrow("__metadata__.a is 1; metadata values must be strings");
  });

  it("refuses gaps, overlaps, reversed offsets, wrong byte lengths, and data that ends early or runs on", () => {
    expect(() => readSafetensorsHeader(file({ w: entry("F32", [1], [4, 8]) }, 8))).toThrow(
      'tensor "w": data_offsets [4, 8] do not follow on: the first tensor must start at 0',
    );
    expect(() => readSafetensorsHeader(file({ a: entry("F32", [2], [0, 8]), b: entry("F32", [1], [4, 8]) }, 8))).toThrow(
      'tensor "b": data_offsets [4, 8] do not follow on: the previous tensor ends at 8',
    );
    expect(() => readSafetensorsHeader(file({ a: entry("U8", [1], [0, 1]), b: entry("U8", [0], [1, 0]) }, 1))).toThrow(
      'tensor "b": data_offsets [1, 0] end before they begin',
    );
    expect(() => readSafetensorsHeader(file({ w: entry("F32", [2, 3], [0, 20]) }, 20))).toThrow(
      'tensor "w": data_offsets [0, 20] hold 20 bytes but shape [2, 3] of F32 needs 6 × 4 = 24',
    );
    expect(() => readSafetensorsHeader(file({ w: entry("F64", [2], [0, 16]) }, 8))).toThrow(
      'tensor "w": data_offsets [0, 16] run past the end of the data (8 bytes)',
    );
    expect(() => readSafetensorsHeader(file({ w: entry("F64", [1], [0, 8]) }, 12))).toThrow(
      "the tensors cover 8 bytes of data but the file has 12 after the header",
    );
    expect(() => readSafetensorsHeader(file({ w: entry("U8", [2 ** 20, 2 ** 20], [0, 0]) }, 0))).toThrow(
      'tensor "w": data_offsets [0, 0] hold 0 bytes but shape [1048576, 1048576] of U8 needs 1099511627776 × 1 = 1099511627776',
    );
    expect(() => readSafetensorsHeader(file({ w: entry("F64", [2 ** 30, 2 ** 30], [0, 0]) }, 0))).toThrow(
      'tensor "w": shape [1073741824, 1073741824] of F64 overflows',
    );
  });

  it("keeps a tensor named __proto__ as a tensor", () => {
    const { tensors } = decodeSafetensors(file({ ["__proto__"]: entry("F32", [1], [0, 4]) }, 4));
    expect(Object.keys(tensors)).toEqual(["__proto__"]);
  });
});
