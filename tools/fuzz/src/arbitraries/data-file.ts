import fc from "fast-check";
import { resolveShape, type CheckedProgram, type Nested } from "@unroll/ir";
import { hostileTree, prototypeKeyedObject, wrongValue } from "./hostile-values.js";
import { mutated, type Mutation } from "./mutation.js";
import { nestedOf } from "./tensors.js";

/** Size bounds of generated valid data. */
export interface DataBounds {
  /** Most time steps. */
  readonly steps: number;
  /** Most rows. */
  readonly batch: number;
}

const smallData: DataBounds = { steps: 4, batch: 3 };

/** The number of classes of a program whose targets are class ids: the width of its output. */
function classesOf(program: CheckedProgram): number {
  const out = program.sequences[program.program.output];
  const last = out[out.length - 1];
  return typeof last === "number" ? last : 1;
}

/**
 * A valid DATA document for a program: every data sequence time-major
 * `[T][B]...` (class ids for `[B]` targets), and sometimes an initial state
 * and per-row lengths.
 */
export function validData(program: CheckedProgram, bounds: DataBounds = smallData): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({ steps: fc.integer({ min: 1, max: bounds.steps }), batch: fc.integer({ min: 1, max: bounds.batch }) }).chain(({ steps, batch }) => {
    const sequences = Object.entries(program.dataInputs).map(([name, perStep]) => {
      const shape = [steps, ...resolveShape(perStep, batch)];
      const leaf = perStep.length === 1 ? fc.integer({ min: 0, max: classesOf(program) - 1 }) : undefined;
      return [name, nestedOf(shape, leaf)] as const;
    });
    const states = Object.entries(program.states).map(([name, info]) => [name, nestedOf(resolveShape(info.shape, batch))] as const);
    return fc.record(
      {
        ...Object.fromEntries(sequences),
        initialState: fc.record(Object.fromEntries(states), { requiredKeys: [] }),
        lengths: fc.array(fc.integer({ min: 0, max: steps }), { minLength: batch, maxLength: batch }),
      } as Record<string, fc.Arbitrary<Nested | Record<string, Nested> | number[]>>,
      { requiredKeys: sequences.map(([name]) => name) },
    );
  });
}

/** A DATA document for a program: valid, mutated (ragged, misshapen, bad lengths and class ids, prototype keys) or garbage. */
export function dataDocument(program: CheckedProgram, bounds?: DataBounds): fc.Arbitrary<{ doc: unknown; mutation?: Mutation }> {
  return fc.oneof(
    validData(program, bounds).map((doc) => ({ doc })),
    mutated(validData(program, bounds)).map((mutation) => ({ doc: mutation.doc, mutation })),
    fc.oneof(wrongValue, prototypeKeyedObject, hostileTree).map((doc) => ({ doc })),
  );
}
