import type { Kernel } from "./kernel.js";

/** Rows `table[ids[i]]` of a table `[V, ...s]`; throws when an id is not an integer in `[0, V)`, naming its row. */
export const gather: Kernel<"gather"> = (_node, [table, ids], out) => {
  const vocab = table.shape[0];
  const width = table.data.length / vocab;
  for (let r = 0; r < ids.data.length; r++) {
    const id = ids.data[r];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new Error(`gather: row ${r} has id ${id}, which is not an integer in [0, ${vocab})`);
    }
    out.data.set(table.data.subarray(id * width, (id + 1) * width), r * width);
  }
};
