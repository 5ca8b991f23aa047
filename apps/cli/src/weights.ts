import { formatShape, fromNested, toNested, type CheckedProgram, type Dtype, type Nested, type Tensor } from "@unroll/ir";
import { checkFinite } from "./first-non-finite.js";

/**
 * Parameters from a WEIGHTS document `{ "<param>": nested arrays }`: every
 * parameter of the program must be there with its exact shape; a missing, extra
 * or misshapen one is an error naming it and both shapes.
 */
export function weightsFromJson(json: unknown, program: CheckedProgram, dtype: Dtype): Record<string, Tensor> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`weights must be an object of parameter arrays, e.g. { "${Object.keys(program.params)[0]}": [[...]] }`);
  }
  return checkedParams(json as Record<string, unknown>, program, (value, name) => fromNested(value, dtype, name));
}

/**
 * Parameters from tensors by name (a WEIGHTS safetensors file), checked as
 * {@link weightsFromJson} checks a document: every parameter there with its
 * exact shape, none extra, every element finite.
 */
export function weightsFromTensors(tensors: Readonly<Record<string, Tensor>>, program: CheckedProgram): Record<string, Tensor> {
  return checkedParams(tensors, program, checkFinite);
}

/** The program's parameters from `given` (each made a tensor by `toTensor`): none missing, none extra, each of its exact shape. */
function checkedParams<V>(given: Readonly<Record<string, V>>, program: CheckedProgram, toTensor: (value: V, name: string) => Tensor): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(program.params)) {
    if (!Object.hasOwn(given, name)) throw new Error(`parameter "${name}" is missing; expected shape ${formatShape(shape)}`);
    const t = toTensor(given[name], name);
    if (formatShape(t.shape) !== formatShape(shape)) {
      throw new Error(`parameter "${name}" has shape ${formatShape(t.shape)} but the model expects ${formatShape(shape)}`);
    }
    out[name] = t;
  }
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(program.params, name)) {
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
