import { formatShape, fromNested, toNested, type CheckedProgram, type Dtype, type Nested, type Tensor } from "@unroll/ir";

/**
 * Parameters from a WEIGHTS document `{ "<param>": nested arrays }`: every
 * parameter of the program must be there with its exact shape; a missing, extra
 * or misshapen one is an error naming it and both shapes.
 */
export function weightsFromJson(json: unknown, program: CheckedProgram, dtype: Dtype): Record<string, Tensor> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`weights must be an object of parameter arrays, e.g. { "${Object.keys(program.params)[0]}": [[...]] }`);
  }
  const given = json as Record<string, unknown>;
  const out: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(program.params)) {
    if (!(name in given)) throw new Error(`parameter "${name}" is missing; expected shape ${formatShape(shape)}`);
    const t = fromNested(given[name], dtype, name);
    if (formatShape(t.shape) !== formatShape(shape)) {
      throw new Error(`parameter "${name}" has shape ${formatShape(t.shape)} but the model expects ${formatShape(shape)}`);
    }
    out[name] = t;
  }
  for (const name of Object.keys(given)) {
    if (!program.params[name]) {
      throw new Error(`"${name}" is not a parameter of this model (its parameters: ${Object.keys(program.params).join(", ")})`);
    }
  }
  return out;
}

/** Parameters as a WEIGHTS document. */
export function weightsToJson(params: Readonly<Record<string, Tensor>>): Record<string, Nested> {
  return Object.fromEntries(
    Object.keys(params)
      .sort()
      .map((k) => [k, toNested(params[k])]),
  );
}
