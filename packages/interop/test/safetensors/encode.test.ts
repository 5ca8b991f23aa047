import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { encodeSafetensors, SafetensorsError } from "../../src/index.js";
import { fixtureBytes } from "./fixtures.js";

const f32 = (shape: number[], values: number[]): Tensor => ({ shape, data: new Float32Array(values) });
const f64 = (shape: number[], values: number[]): Tensor => ({ shape, data: new Float64Array(values) });

describe("encodeSafetensors", () => {
  it("writes the bytes of the reference writer's own test (one F32 tensor, no padding needed)", () => {
    // safetensors' Rust test_serialization: "attn.0", F32, shape [1, 2, 3], values 0..5.
    const out = encodeSafetensors({ "attn.0": f32([1, 2, 3], [0, 1, 2, 3, 4, 5]) });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    const expected = new Uint8Array(8 + 64 + 24);
    expected[0] = 64;
    expected.set(new TextEncoder().encode(header), 8);
    expected.set(new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer), 72);
    expect(out).toEqual(expected);
  });

  it("pads the header with spaces to a multiple of 8 and writes empty files as the reference does", () => {
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMetadata = encodeSafetensors({}, { metadata: { framework: "pt" } });
    expect(withMetadata[0]).toBe(40);
    expect(new TextDecoder().decode(withMetadata.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it("reproduces byte for byte a file Python laid out (dtype order, names, integer-like names, metadata)", () => {
    // writer-layout.safetensors: make-safetensors-fixtures.py, from torch tensors.
    const out = encodeSafetensors(
      {
        "layers.0.W_in": f32([2, 3], [0.5, -1.25, 3.0, 2.0, 0.0, -0.125]),
        b: f64([2], [0.1, 0.2]),
        "10": f32([1], [1.5]),
        x: f64([2, 2], [3, 1, 4, 1]),
        a: f64([2], [-1.0, 1.0 / 3.0]),
      },
      { dtype: { x: "I64" }, metadata: { framework: "unroll", b: "2" } },
    );
    expect(out).toEqual(fixtureBytes("writer-layout.safetensors"));
  });

  it("writes float64 data as F32 (rounded) and float32 data as F64 when asked", () => {
    const out = encodeSafetensors({ w: f64([2], [0.1, 1 / 3]) }, { dtype: "F32" });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect([...new Float32Array(out.buffer, 8 + n, 2)]).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
    const wide = encodeSafetensors({ w: f32([1], [0.1]) }, { dtype: "F64" });
    const m = Number(new DataView(wide.buffer).getBigUint64(0, true));
    expect(new Float64Array(wide.buffer, 8 + m, 1)[0]).toBe(Math.fround(0.1));
  });

  it("refuses data that does not fit the shape, non-integers as I64, and unknown names in options.dtype", () => {
    expect(() => encodeSafetensors({ w: f32([2, 2], [1, 2, 3]) })).toThrow('safetensors: tensor "w": shape [2, 2] has 4 elements but its data has 3');
    expect(() => encodeSafetensors({ w: f32([-1], []) })).toThrow('tensor "w": shape [-1] is not a list of non-negative integers');
    expect(() => encodeSafetensors({ ids: f64([2], [1, 2.5]) }, { dtype: "I64" })).toThrow(
      'tensor "ids": element 1 is 2.5, not an integer I64 can hold exactly',
    );
    expect(() => encodeSafetensors({ w: f32([1], [1]) }, { dtype: { v: "F64" } })).toThrow(
      'tensor "v": options.dtype names a tensor that is not among those written',
    );
    expect(() => encodeSafetensors({ __metadata__: f32([1], [1]) })).toThrow(SafetensorsError);
    expect(() => encodeSafetensors({}, { metadata: { a: 1 as unknown as string } })).toThrow("metadata.a is 1; metadata values must be strings");
  });
});
