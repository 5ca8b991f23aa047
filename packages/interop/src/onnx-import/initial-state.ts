import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { ImportContext } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ImportedLayer } from "./import-values.js";
import { valueText } from "./value-reads.js";

/**
 * Reads `initial_h` or `initial_c` (`[dirs, B, H]`, or `[B, dirs, H]` with layout 1): absent or zeros is unroll's
 * default; a graph input (or a slice of one along its direction axis, as PyTorch's `h0` of a stack) becomes DATA's
 * initialState; other constants are kept as constant initial states.
 */
export function initialStateOf(
  ctx: ImportContext,
  node: OnnxNode,
  i: number,
  label: string,
  layer: ImportedLayer,
  states: readonly string[],
  where: string,
): void {
  const v = ctx.input(node, i, where);
  if (!v || v.kind === "zeros") return;
  const { dirs, hidden, layout } = layer;
  const dirAxis = layout === 0 ? 0 : 1;
  const expect = layout === 0 ? `[${dirs}, batch, ${hidden}]` : `[batch, ${dirs}, ${hidden}]`;
  if (v.kind === "constant") {
    const c = v.tensor;
    const batch = c.dims[1 - dirAxis];
    if (c.dims.length !== 3 || c.dims[dirAxis] !== dirs || c.dims[2] !== hidden) {
      throw new OnnxImportError(`${where}: input "${label}" is ${c.what} [${c.dims.join(", ")}]; layout ${layout} needs ${expect}`);
    }
    if (c.values.every((x) => x === 0)) return;
    states.forEach((name, d) => {
      const values = new Float64Array(batch * hidden);
      for (let b = 0; b < batch; b++) {
        for (let h = 0; h < hidden; h++) values[b * hidden + h] = c.values[(layout === 0 ? d * batch + b : b * dirs + d) * hidden + h];
      }
      ctx.initialState[name] = { shape: [batch, hidden], values };
    });
    ctx.double ||= c.double;
    return;
  }
  if (v.kind !== "feed" && v.kind !== "feedSlice") {
    throw new OnnxImportError(
      `${where}: input "${label}" is ${valueText(v)}; unroll reads an initial state from a graph input (DATA's initialState) or a constant`,
    );
  }
  const start = v.kind === "feedSlice" ? v.start : 0;
  if (v.kind === "feedSlice" && (v.axis !== dirAxis || v.end - v.start < dirs)) {
    throw new OnnxImportError(
      `${where}: input "${label}" slices the graph input "${v.name}" [${v.start}, ${v.end}) along axis ${v.axis}; layout ${layout} needs ${dirs} entr${dirs === 1 ? "y" : "ies"} along axis ${dirAxis} (directions)`,
    );
  }
  if (v.rank !== undefined && v.rank !== 3)
    throw new OnnxImportError(`${where}: input "${label}" is the graph input "${v.name}" with ${v.rank} axes; layout ${layout} needs ${expect}`);
  const draft = ctx.inputs.get(v.name);
  if (draft && draft.role !== "initialState")
    throw new OnnxImportError(`${where}: input "${label}" is the graph input "${v.name}", which is also the ${draft.role}`);
  if (draft && (draft.layout !== layout || draft.hidden !== hidden)) {
    throw new OnnxImportError(`${where}: input "${label}" is the graph input "${v.name}", which ${draft.by} reads with another layout or hidden size`);
  }
  const entry = draft ?? { role: "initialState" as const, layout, hidden, states: [], by: where };
  states.forEach((name, d) => {
    while (entry.states.length <= start + d) entry.states.push([]);
    entry.states[start + d].push(name);
  });
  ctx.inputs.set(v.name, entry);
}
