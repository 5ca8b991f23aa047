import fc from "fast-check";
import type { CheckedProgram, Nested } from "@unroll/ir";
import { hostileTree, prototypeKeyedObject, wrongValue } from "./hostile-values.js";
import { mutated, type Mutation } from "./mutation.js";
import { nestedOf } from "./tensors.js";

/** A valid WEIGHTS document for a program: every parameter with its exact shape. */
export function validWeights(program: CheckedProgram): fc.Arbitrary<Record<string, Nested>> {
  return fc.record(Object.fromEntries(Object.entries(program.params).map(([name, shape]) => [name, nestedOf(shape)])));
}

/** A WEIGHTS document for a program: valid, mutated (ragged, misshapen, wrong types, prototype keys) or garbage. */
export function weightsDocument(program: CheckedProgram): fc.Arbitrary<{ doc: unknown; mutation?: Mutation }> {
  return fc.oneof(
    validWeights(program).map((doc) => ({ doc })),
    mutated(validWeights(program)).map((mutation) => ({ doc: mutation.doc, mutation })),
    fc.oneof(wrongValue, prototypeKeyedObject, hostileTree).map((doc) => ({ doc })),
  );
}
