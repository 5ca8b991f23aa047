import { formatShape, type Tensor } from "@unroll/ir";

/**
 * Checks that `weights` holds exactly the params of a model, each with its shape; a missing, extra or misshapen one
 * is an error naming it (and both shapes).
 */
export function checkWeights(params: Readonly<Record<string, readonly number[]>>, weights: Readonly<Record<string, Tensor>>): void {
  for (const [name, shape] of Object.entries(params)) {
    const t = Object.hasOwn(weights, name) ? weights[name] : undefined;
    if (!t) throw new Error(`parameter "${name}" is missing from the weights; expected shape ${formatShape(shape)}`);
    if (formatShape(t.shape) !== formatShape(shape)) {
      throw new Error(`parameter "${name}" has shape ${formatShape(t.shape)} but the model expects ${formatShape(shape)}`);
    }
    if (t.data.length !== shape.reduce((a, b) => a * b, 1))
      throw new Error(`parameter "${name}" holds ${t.data.length} numbers, not the ${formatShape(shape)} its shape says`);
  }
  for (const name of Object.keys(weights)) {
    if (!Object.hasOwn(params, name)) throw new Error(`"${name}" is not a parameter of this model (its parameters: ${Object.keys(params).join(", ")})`);
  }
}
