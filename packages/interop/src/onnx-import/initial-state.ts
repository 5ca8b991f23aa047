import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { ImportContext } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ImportedLayer } from "./import-values.js";
import { valueText } from "./value-reads.js";

/**
 * Reads `initial_h` or `initial_c` (`[dirs, B, H]`, or `[B, dirs, H]` with layout 1): absent or zeros is unroll's
 * default; a graph input, or graph inputs stacked along the direction axis (a Slice of PyTorch's `h0`, unroll's
 * export's `[B, H]` per direction), become DATA's initialState; other constants are kept as constant initial states.
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
  if (v.kind !== "feed" && v.kind !== "stateFeeds") {
    throw new OnnxImportError(
      `${where}: input "${label}" is ${valueText(v)}; unroll reads an initial state from a graph input (DATA's initialState) or a constant`,
    );
  }
  if (v.kind === "feed" && v.rank !== undefined && v.rank !== 3) {
    throw new OnnxImportError(`${where}: input "${label}" is the graph input "${v.name}" with ${v.rank} axes; layout ${layout} needs ${expect}`);
  }
  const stacked = v.kind === "feed" ? { dirAxis, ranges: [{ feed: v.name, start: 0, end: Infinity, whole: false }] } : v;
  if (stacked.dirAxis !== dirAxis) {
    throw new OnnxImportError(
      `${where}: input "${label}" stacks initial states along axis ${stacked.dirAxis}; layout ${layout} needs ${expect} (directions along axis ${dirAxis})`,
    );
  }
  // the entries along the direction axis, one per direction
  const entries = stacked.ranges.flatMap((r) => Array.from({ length: Math.min(r.end - r.start, dirs + 1) }, (_, i) => ({ ...r, index: r.start + i })));
  if (entries.length < dirs || (entries.length > dirs && stacked.ranges.some((r) => Number.isFinite(r.end)))) {
    throw new OnnxImportError(
      `${where}: input "${label}" stacks ${entries.length} initial states; a ${dirs === 2 ? "bidirectional" : "one-direction"} layer reads ${dirs}`,
    );
  }
  states.forEach((name, d) => {
    const { feed, index, whole } = entries[d];
    const draft = ctx.inputs.get(feed);
    if (draft && draft.role !== "initialState")
      throw new OnnxImportError(`${where}: input "${label}" reads the graph input "${feed}", which is also the ${draft.role}`);
    const shape = whole ? null : layout;
    if (draft && (draft.layout !== shape || draft.hidden !== hidden)) {
      throw new OnnxImportError(`${where}: input "${label}" reads the graph input "${feed}", which ${draft.by} reads with another layout or hidden size`);
    }
    const entry = draft ?? { role: "initialState" as const, layout: shape, hidden, states: [], by: where };
    const at = whole ? 0 : index;
    while (entry.states.length <= at) entry.states.push([]);
    entry.states[at].push(name);
    ctx.inputs.set(feed, entry);
  });
}
