import fc from "fast-check";
import type { Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";
import { badSize, nonFinite } from "./hostile-values.js";

/** One change to valid in-memory data, and the name the engine's error should mention. */
export interface DataMutation {
  /** The data after the change. */
  readonly data: SequenceData;
  /** The sequence, state or field the change touched. */
  readonly name: string;
}

/** A tensor whose shape says one thing and whose data another, or whose shape is off by one somewhere. */
function misshapen(t: Tensor): fc.Arbitrary<Tensor> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, t.shape.length - 1) }).map((axis) => ({ shape: t.shape.map((d, i) => (i === axis ? d + 1 : d)), data: t.data })),
    fc.constant({ shape: t.shape, data: t.data.subarray(0, Math.max(0, t.data.length - 1)) }),
    fc.constant({ shape: [...t.shape, 1], data: t.data }),
    fc.constant({ shape: t.shape.slice(1), data: t.data }),
  );
}

/**
 * Valid in-memory data with one change: a sequence dropped or misshapen, an
 * extra sequence, an initial state misshapen or unknown, lengths out of range
 * (negative, fractional, past the end, NaN) or of the wrong count.
 */
export function mutatedSequenceData(data: SequenceData): fc.Arbitrary<DataMutation> {
  const names = Object.keys(data.sequences);
  const states = Object.keys(data.initialState ?? {});
  const steps = data.sequences[names[0]].shape[0];
  const batch = data.sequences[names[0]].shape[1];
  const without = (o: Readonly<Record<string, Tensor>>, k: string) => Object.fromEntries(Object.entries(o).filter(([n]) => n !== k));
  const options: fc.Arbitrary<DataMutation>[] = [
    fc.constantFrom(...names).map((name) => ({ data: { ...data, sequences: without(data.sequences, name) }, name })),
    fc
      .constantFrom(...names)
      .chain((name) => misshapen(data.sequences[name]).map((t) => ({ data: { ...data, sequences: { ...data.sequences, [name]: t } }, name }))),
    fc.constant({ data: { ...data, initialState: { ...data.initialState, not_a_state: data.sequences[names[0]] } }, name: "not_a_state" }),
    fc
      .oneof(
        fc.array(fc.integer({ min: 0, max: steps }), { minLength: batch + 1, maxLength: batch + 1 }),
        fc
          .tuple(
            fc.oneof(badSize, nonFinite, fc.constant(steps + 1)),
            fc.array(fc.integer({ min: 0, max: steps }), { minLength: batch - 1, maxLength: batch - 1 }),
          )
          .map(([bad, rest]) => [bad, ...rest]),
      )
      .map((lengths) => ({ data: { ...data, lengths }, name: "lengths" })),
  ];
  if (states.length > 0) {
    options.push(
      fc
        .constantFrom(...states)
        .chain((name) => misshapen(data.initialState![name]).map((t) => ({ data: { ...data, initialState: { ...data.initialState, [name]: t } }, name }))),
    );
  }
  return fc.oneof(...options);
}
