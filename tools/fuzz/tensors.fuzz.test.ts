import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { fromNested } from "@unroll/ir";
import {
  deepNesting,
  expectEngineError,
  expectFast,
  expectNoPollution,
  fuzzSettings,
  mutated,
  nestedOf,
  nonFinite,
  outcomeOf,
  snapshotPrototypes,
  wrongValue,
} from "./src/index.js";

const prototypes = snapshotPrototypes();
const settings = fuzzSettings(500);

/** Nested arrays of a small shape, then mutated (ragged, wrong types, NaN, deep nesting), or anything at all. */
const nestedValue = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }).chain((shape) => nestedOf(shape)),
  mutated(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((shape) => nestedOf(shape))).map((m) => m.doc),
  fc.array(fc.oneof(fc.double(), nonFinite), { maxLength: 4 }),
  wrongValue,
  deepNesting,
);

describe("fromNested, the reader of every tensor in a WEIGHTS or DATA file", () => {
  test.prop([nestedValue, fc.constantFrom("float32" as const, "float64" as const)], settings.parameters)(
    "gives a tensor of the nesting's shape, or an Error whose message starts with the path of the value at fault",
    async (value, dtype) => {
      const r = await outcomeOf(() => fromNested(value, dtype, "w"));
      expectNoPollution(prototypes);
      expectFast(r.ms, settings.caseTimeLimitMs, "fromNested");
      if (r.ok) expect(r.value.data.length).toBe(r.value.shape.reduce((a, b) => a * b, 1));
      else expectEngineError(r.error, [Error], (m) => /^w(\[\d+\])*( |$)/.test(m), "fromNested");
    },
    settings.testTimeoutMs,
  );
});
