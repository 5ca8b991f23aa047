import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from "../../src/index.js";

const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const name = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("0", "10", "layers.0.W_in", "é", "😀", "__proto__")).filter((n) => n !== "__metadata__");

/** A float64 tensor of the given shape with arbitrary finite doubles (including -0 and subnormals). */
const tensor64 = shape.chain((s) =>
  fc
    .array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: s.reduce((n, d) => n * d, 1), maxLength: s.reduce((n, d) => n * d, 1) })
    .map((values): Tensor => ({ shape: s, data: new Float64Array(values) })),
);
const tensors = fc.dictionary(name, tensor64, { maxKeys: 6 });

describe("safetensors round trip (property)", () => {
  it("decode(encode(t)) gives back every F64 tensor bit for bit, and the metadata", () => {
    fc.assert(
      fc.property(tensors, fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), (t, metadata) => {
        const bytes = encodeSafetensors(t, { metadata });
        const decoded = decodeSafetensors(bytes, { dtype: "float64" });
        expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(t).sort());
        for (const [k, v] of Object.entries(t)) {
          expect(decoded.tensors[k].shape).toEqual(v.shape);
          expect(decoded.tensors[k].data).toEqual(v.data); // toEqual tells -0 from 0
        }
        expect(decoded.metadata).toEqual(metadata);
        // The layout rules: header padded to 8, every tensor starting aligned for its dtype.
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect(n % 8).toBe(0);
        for (const e of readSafetensorsHeader(bytes).entries) expect(e.begin % 8).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("F32 writes round as Math.fround, F64 reads of them are exact, I64 keeps safe integers", () => {
    fc.assert(
      fc.property(
        tensors,
        fc.array(fc.maxSafeInteger(), { maxLength: 8 }).map((v): Tensor => ({ shape: [v.length], data: new Float64Array(v) })),
        (t, ids) => {
          const all = { ...t, __ids: ids };
          const dtype = Object.fromEntries(Object.keys(all).map((k) => [k, k === "__ids" ? ("I64" as const) : ("F32" as const)]));
          const decoded = decodeSafetensors(encodeSafetensors(all, { dtype }), { dtype: "float64" });
          for (const [k, v] of Object.entries(t)) expect([...decoded.tensors[k].data]).toEqual([...v.data].map(Math.fround));
          expect(decoded.dtypes.__ids).toBe("I64");
          expect([...decoded.tensors.__ids.data]).toEqual([...ids.data]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("any single corrupted header byte is either still a valid file or a SafetensorsError, never a crash", () => {
    fc.assert(
      fc.property(tensors, fc.nat(), fc.integer({ min: 0, max: 255 }), (t, at, byte) => {
        const bytes = encodeSafetensors(t);
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        bytes[at % (8 + n)] = byte;
        try {
          decodeSafetensors(bytes, { dtype: "float64" });
        } catch (e) {
          expect((e as Error).name).toBe("SafetensorsError");
        }
      }),
      { numRuns: 300 },
    );
  });
});
