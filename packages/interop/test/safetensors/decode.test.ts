import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../../src/index.js";
import { fixtureBytes, fixtureJson } from "./fixtures.js";

type Expected = Record<string, { dtype: string; shape: number[]; values: number[] }>;

describe("decodeSafetensors", () => {
  // every-dtype.safetensors: written with Python (struct, json, torch's tobytes) by make-safetensors-fixtures.py.
  const bytes = fixtureBytes("every-dtype.safetensors");
  const expected = fixtureJson("every-dtype.json") as Expected;

  it("reads a Node Buffer (readFileSync's result, a view into a larger pool) as it reads its bytes", () => {
    const pooled = Buffer.concat([Buffer.alloc(24, 7), Buffer.from(bytes)]).subarray(24);
    const fromBuffer = decodeSafetensors(pooled, { dtype: "float64" }).tensors;
    const fromBytes = decodeSafetensors(bytes, { dtype: "float64" }).tensors;
    for (const name of Object.keys(fromBytes))
      expect(Array.from(fromBuffer[name].data as Float64Array), name).toEqual(Array.from(fromBytes[name].data as Float64Array));
  });

  it("reads every dtype of a file written by Python into float64, integers exactly", () => {
    const { tensors, dtypes, metadata } = decodeSafetensors(bytes, { dtype: "float64" });
    expect(metadata).toEqual({ format: "pt", note: "written by make-safetensors-fixtures.py" });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, e] of Object.entries(expected)) {
      expect(dtypes[name], name).toBe(e.dtype);
      expect(tensors[name].shape, name).toEqual(e.shape);
      expect(tensors[name].data).toBeInstanceOf(Float64Array);
      // torch's own .double() of each value: every conversion (F16, BF16, F32, the integers) is exact in float64.
      expect([...tensors[name].data], name).toEqual(e.values);
    }
    expect(tensors.i64.data[2]).toBe(2 ** 53);
    expect(tensors.f16.data[3]).toBe(2 ** -24); // 6e-8 rounds to the smallest subnormal half
    expect(Object.is(tensors.f16.data[4], -0)).toBe(true);
  });

  it("reads floats into float32 rounded as Math.fround does", () => {
    const { tensors } = decodeSafetensors(encodeSafetensors({ w: { shape: [3], data: new Float64Array([0.1, 1 / 3, -2.5]) } }, { metadata: {} }), {
      dtype: "float32",
    });
    expect(tensors.w.data).toBeInstanceOf(Float32Array);
    expect([...tensors.w.data]).toEqual([Math.fround(0.1), Math.fround(1 / 3), -2.5]);
  });

  it("refuses an integer that float32 cannot hold exactly, naming the tensor and the element", () => {
    // i32 holds 2^31 - 1, i64 holds 2^53: neither fits float32's 24-bit significand.
    expect(() => decodeSafetensors(bytes, { dtype: "float32" })).toThrow(/tensor "(i64|i32)": I(64|32) element \d is \d+, which float32 cannot hold exactly/);
    const small = encodeSafetensors({ ids: { shape: [2], data: new Float64Array([2 ** 24 + 1, 3]) } }, { dtype: "I64" });
    expect(() => decodeSafetensors(small, { dtype: "float32" })).toThrow('tensor "ids": I64 element 0 is 16777217, which float32 cannot hold exactly');
    expect([...decodeSafetensors(small, { dtype: "float64" }).tensors.ids.data]).toEqual([2 ** 24 + 1, 3]);
  });

  it("refuses an I64 beyond float64's exact integers", () => {
    const big = encodeSafetensors({ ids: { shape: [1], data: new Float64Array([0]) } }, { dtype: "I64" });
    new BigInt64Array(big.buffer, big.length - 8, 1)[0] = 2n ** 53n + 1n;
    expect(() => decodeSafetensors(big, { dtype: "float64" })).toThrow('tensor "ids": I64 element 0 is 9007199254740993, which float64 cannot hold exactly');
    new BigInt64Array(big.buffer, big.length - 8, 1)[0] = -(2n ** 60n); // a power of two is exact
    expect(decodeSafetensors(big, { dtype: "float64" }).tensors.ids.data[0]).toBe(-(2 ** 60));
  });

  it("refuses a BOOL byte other than 0 or 1", () => {
    const b = fixtureBytes("every-dtype.safetensors");
    const header = decodeHeaderOffsets(b, "bool");
    b[header] = 2;
    expect(() => decodeSafetensors(b, { dtype: "float64" })).toThrow('tensor "bool": BOOL element 0 is the byte 2; a boolean is 0 or 1');
  });

  it("reads a view into a larger buffer at an odd offset", () => {
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const { tensors } = decodeSafetensors(padded.subarray(3), { dtype: "float64" });
    expect([...tensors.f64.data]).toEqual(expected.f64.values);
  });

  it("throws SafetensorsError", () => {
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(SafetensorsError);
  });
});

/** Where a tensor's bytes start in a file (read from its header, independently of the decoder). */
function decodeHeaderOffsets(bytes: Uint8Array, name: string): number {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }>;
  return 8 + n + header[name].data_offsets[0];
}

describe("decodeSafetensors with copy: false", () => {
  it("views the file's bytes where the dtype matches and the data is aligned, and copies otherwise", () => {
    const bytes = encodeSafetensors({ a: { shape: [2], data: new Float32Array([1.5, -2]) }, b: { shape: [1], data: new Float64Array([0.25]) } });
    const viewed = decodeSafetensors(bytes, { dtype: "float32", copy: false }).tensors;
    expect([...viewed.a.data]).toEqual([1.5, -2]);
    expect(viewed.a.data.buffer).toBe(bytes.buffer);
    // F64 read as float32 is converted: a copy
    expect(viewed.b.data.buffer).not.toBe(bytes.buffer);
    expect(decodeSafetensors(bytes, { dtype: "float32" }).tensors.a.data.buffer).not.toBe(bytes.buffer);
    // misaligned in memory: copied, same values
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const copied = decodeSafetensors(shifted.subarray(1), { dtype: "float32", copy: false }).tensors;
    expect(copied.a.data.buffer).not.toBe(shifted.buffer);
    expect([...copied.a.data]).toEqual([1.5, -2]);
  });
});
