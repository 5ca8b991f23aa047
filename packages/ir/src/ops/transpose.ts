import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, type Dim } from "../shape.js";
import { defineOp, directionAxis, nodeSchema } from "./define.js";
import { tangentAxis } from "./tangent-layout.js";

/** The permutation that undoes `perm`. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Permutes the axes: output axis i is input axis `perm[i]` (as `numpy.transpose`). */
export const transpose = defineOp(
  nodeSchema(
    "transpose",
    1,
    z
      .object({
        /** Output axis i is input axis `perm[i]`. */
        perm: z.array(z.number().int().min(0)),
      })
      .strict(),
  ),
  {
    shape: ([x], n) => {
      const { perm } = n.attrs;
      if (perm.length !== x.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
        throw new ShapeError(`transpose: [${perm.join(", ")}] is not a permutation of the axes of ${formatShape(x)}`);
      }
      return perm.map((p) => x[p]) as Dim[];
    },
    vjp: ({ b }, n, g) => [b.transpose(g, inversePermutation(n.attrs.perm))],
    jvp: ({ b, shape, tangent }, n) => {
      const x = shape(n.inputs[0]);
      // the same permutation of the tangent's axes, with the direction axis moved where the output's tangent has it
      const perm = n.attrs.perm.map((p) => tangentAxis(p, x));
      perm.splice(directionAxis(shape(n.id)), 0, directionAxis(x));
      return b.transpose(tangent(0), perm);
    },
    elementwise: undefined,
    // linear, and the same permutation at every step
    timeLinear: true,
    batch: "rowwise",
    doc: {
      group: "last-axis layout",
      inputs: "x",
      attrs: "`perm` (a permutation of x's axes)",
      output: "axis i of the output is axis `perm[i]` of x",
      gradient: "`transpose(g, perm⁻¹)`",
      tangent: "`transpose(ẋ)`",
    },
  },
);
