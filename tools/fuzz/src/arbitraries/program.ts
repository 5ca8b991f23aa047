import fc from "fast-check";
import { compileModel, PROGRAM_FORMAT, type Program } from "@unroll/ir";
import { validModelSpec, type ModelBounds } from "./model-spec.js";
import { mutated, type Mutation } from "./mutation.js";
import { randomStepGraph } from "./step-graph.js";
import { wrongValue } from "./hostile-values.js";

/** Valid programs: compiled model specs (several stages with bidirectional layers) and one-stage programs of random graphs. */
export function validProgram(bounds?: ModelBounds): fc.Arbitrary<Program> {
  return fc.oneof(
    validModelSpec(bounds).map((spec) => compileModel(spec)),
    randomStepGraph().map((graph): Program => ({ format: PROGRAM_FORMAT, stages: [{ graph }], output: graph.ys[0].id })),
  );
}

/** A program document: valid, mutated (stage graphs, wiring, output) or garbage with the program format tag. */
export function programDocument(bounds?: ModelBounds): fc.Arbitrary<{ doc: unknown; mutation?: Mutation }> {
  return fc.oneof(
    validProgram(bounds).map((doc) => ({ doc })),
    mutated(validProgram(bounds)).map((mutation) => ({ doc: mutation.doc, mutation })),
    fc
      .record({ stages: fc.oneof(wrongValue, fc.array(wrongValue, { maxLength: 3 })), output: wrongValue }, { requiredKeys: [] })
      .map((p) => ({ doc: { format: PROGRAM_FORMAT, ...p } })),
  );
}
