import fc from "fast-check";
import type { ModelSpec } from "@unroll/ir";
import { badSize, hostileTree, prototypeKeyedObject, wrongValue } from "./hostile-values.js";
import { mutated, type Mutation } from "./mutation.js";

/** Size bounds of generated valid models: small, so that a forward and backward pass takes milliseconds. */
export interface ModelBounds {
  /** Largest input width and hidden size. */
  readonly width: number;
  /** Most layers. */
  readonly layers: number;
}

const smallModels: ModelBounds = { width: 4, layers: 3 };

/** One valid layer, with only the options its cell takes. */
function layerSpec(width: number): fc.Arbitrary<ModelSpec["layers"][number]> {
  const hidden = fc.integer({ min: 1, max: width });
  const bidirectional = fc.option(fc.boolean(), { nil: undefined });
  return fc.oneof(
    fc.record(
      { cell: fc.constant("rnn" as const), hidden, activation: fc.constantFrom("tanh" as const, "relu" as const, "sigmoid" as const), bidirectional },
      { requiredKeys: ["cell", "hidden"] },
    ),
    fc.record({ cell: fc.constant("lstm" as const), hidden, bidirectional }, { requiredKeys: ["cell", "hidden"] }),
    fc.record({ cell: fc.constant("gru" as const), hidden, bidirectional, resetAfter: fc.boolean() }, { requiredKeys: ["cell", "hidden"] }),
  );
}

/** Drops the keys whose value is undefined, as a JSON document would not have them. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Valid model specs within `bounds`: any cells, bidirectional layers, heads and losses that fit together. */
export function validModelSpec(bounds: ModelBounds = smallModels): fc.Arbitrary<ModelSpec> {
  const head = fc.record({
    units: fc.integer({ min: 1, max: bounds.width }),
    activation: fc.constantFrom("linear" as const, "sigmoid" as const, "tanh" as const),
  });
  const softmaxHead = fc.record({ units: fc.integer({ min: 1, max: bounds.width }), activation: fc.constant("softmax" as const) });
  const top = fc.oneof(
    fc.record({ head: fc.option(head, { nil: undefined }), loss: fc.constantFrom("mse" as const, undefined) }),
    fc.record({ head: softmaxHead, loss: fc.constantFrom("cross_entropy" as const, "mse" as const, undefined) }),
  );
  return fc
    .record({
      format: fc.constantFrom("unroll.model/1" as const, undefined),
      input: fc.integer({ min: 1, max: bounds.width }),
      layers: fc.array(layerSpec(bounds.width).map(defined), { minLength: 1, maxLength: bounds.layers }),
      top,
    })
    .map(({ top: t, ...rest }) => defined({ ...rest, ...t }) as ModelSpec);
}

/** Specs that are wrong throughout, not one field off a valid one: wrong types, absurd sizes, empty or missing layers. */
export const garbageModelSpec: fc.Arbitrary<unknown> = fc.oneof(
  wrongValue,
  hostileTree,
  prototypeKeyedObject,
  fc.record({ input: badSize, layers: fc.constant([{ cell: "rnn", hidden: 2 }]) }),
  fc.record({
    input: fc.constant(2),
    layers: fc.array(fc.record({ cell: fc.constantFrom("rnn", "lstm", "gru"), hidden: badSize }), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ input: fc.constant(2), layers: fc.array(wrongValue, { maxLength: 3 }) }),
  fc.record({ input: wrongValue, layers: wrongValue, head: wrongValue, loss: wrongValue }, { requiredKeys: [] }),
);

/** A model spec document: valid, one to three mutations off a valid one, or garbage; with the mutation when there is one. */
export function modelSpecDocument(bounds: ModelBounds = smallModels): fc.Arbitrary<{ doc: unknown; mutation?: Mutation }> {
  return fc.oneof(
    validModelSpec(bounds).map((doc) => ({ doc })),
    mutated(validModelSpec(bounds)).map((mutation) => ({ doc: mutation.doc, mutation })),
    garbageModelSpec.map((doc) => ({ doc })),
  );
}
