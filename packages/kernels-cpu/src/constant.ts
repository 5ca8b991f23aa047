import type { Kernel } from "./kernel.js";

/** Fills the output with `value`, or with the row-major `values`. */
export const constant: Kernel<"constant"> = (node, _inputs, out) => {
  const { value, values } = node.attrs;
  if (values !== undefined) out.data.set(values);
  else out.data.fill(value ?? 0);
};
