import { z } from "zod";
import { ShapeError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { defineOp, nodeSchema } from "./define.js";
import { SizeSchema } from "../size.js";

/**
 * A constant: one number filling `shape` (a scalar by default), or `values`,
 * a flat row-major list of `shape`'s size.
 */
export const constant = defineOp(
  nodeSchema(
    "constant",
    0,
    z
      .object({
        /** One number for every element. */
        value: z.number().optional(),
        /** Flat row-major elements. */
        values: z.array(z.number()).optional(),
        /** Shape; a scalar by default. */
        shape: z.array(SizeSchema).optional(),
      })
      .strict(),
  ),
  {
    shape: (_inputs, n) => {
      const shape = n.attrs.shape ?? [];
      if ((n.attrs.value === undefined) === (n.attrs.values === undefined)) {
        throw new ShapeError("constant: give exactly one of `value` and `values`");
      }
      if (n.attrs.values && n.attrs.values.length !== sizeOf(shape)) {
        throw new ShapeError(`constant: ${n.attrs.values.length} values do not fill shape [${shape.join(", ")}]`);
      }
      return shape;
    },
    vjp: () => [],
    jvp: () => null,
    elementwise: undefined,
    // the same value at every step, so its sum over L steps is L times it
    timeLinear: false,
    batch: "rowwise",
    doc: {
      group: "sources and plumbing",
      inputs: "none",
      attrs: "exactly one of `value`, `values` (flat, row-major); `shape?` (default scalar)",
      output: "`shape`",
      gradient: "(no inputs)",
      tangent: "none",
    },
  },
);
