import { ModelSpecSchema, formatShape, type CheckedProgram, type ModelSpec, type Shape } from "@unroll/ir";

/** One parameter of a {@link ModelSummary}. */
export interface ParamSummary {
  /** Its full name, as in a weights file. */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly count: number;
}

/** Bytes of some parameters in each precision. */
export interface ParamBytes {
  /** 4 bytes an element. */
  readonly float32: number;
  /** 8 bytes an element. */
  readonly float64: number;
}

/** One layer: the parameters that share a name prefix (`layers.0.`, `head.`), with what the spec says of it. */
export interface LayerSummary {
  /** The prefix: `layers.0`, `head`, or `(graph)` for names without one. */
  readonly name: string;
  /** What it is: `gru 16`, `lstm 8 bidirectional`, `rnn 4 reverse`, `dense 1 linear`; `params` for a graph's own parameters. */
  readonly type: string;
  /** Per-step output shape (`[B, 16]`) for a spec's layers, else the shapes of its states, or `-`. */
  readonly output: string;
  /** Its parameters. */
  readonly params: readonly ParamSummary[];
  /** Their total element count. */
  readonly count: number;
  /** Their total size. */
  readonly bytes: ParamBytes;
}

/** What `unroll summary` reports: like Keras' `model.summary()`. */
export interface ModelSummary {
  /** The layers, in the order of their parameters. */
  readonly layers: readonly LayerSummary[];
  /** The model's per-step data inputs and their shapes (`x`, and the targets). */
  readonly inputs: Readonly<Record<string, string>>;
  /** The model's output sequence and its per-step shape. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The per-step loss of a spec (`mse`, `cross_entropy`), `graph` for a graph's own loss, or null. */
  readonly loss: string | null;
  /** Parameters in all. */
  readonly count: number;
  /** Their size in all. */
  readonly bytes: ParamBytes;
}

const bytesOf = (count: number): ParamBytes => ({ float32: 4 * count, float64: 8 * count });

/** The layer a parameter belongs to: its name up to the last dot. */
function layerOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : "(graph)";
}

/** Type and per-step output of a spec's layer (`layers.i` or `head`). */
function fromSpec(spec: ModelSpec | undefined, layer: string): { type: string; output: string } | undefined {
  if (!spec) return undefined;
  if (layer === "head" && spec.head) return { type: `dense ${spec.head.units} ${spec.head.activation}`, output: `[B, ${spec.head.units}]` };
  const i = /^layers\.(\d+)$/.exec(layer);
  const l = i ? spec.layers[Number(i[1])] : undefined;
  if (!l) return undefined;
  const width = l.hidden * (l.bidirectional ? 2 : 1);
  return { type: `${l.cell} ${l.hidden}${l.bidirectional ? " bidirectional" : l.direction === "reverse" ? " reverse" : ""}`, output: `[B, ${width}]` };
}

/**
 * Summarizes a checked model: its parameters grouped into layers by name
 * prefix, with their shapes, counts and bytes in float32 and float64. `doc`
 * is the document it was loaded from: a model spec's layers get their cell,
 * width and output shape from it.
 */
export function summarizeModel(program: CheckedProgram, doc: unknown): ModelSummary {
  const parsed = ModelSpecSchema.safeParse(doc);
  const spec = parsed.success ? parsed.data : undefined;
  const groups = new Map<string, ParamSummary[]>();
  for (const [name, shape] of Object.entries(program.params)) {
    const count = shape.reduce((a, d) => a * d, 1);
    const layer = layerOf(name);
    groups.set(layer, [...(groups.get(layer) ?? []), { name, shape, count }]);
  }
  const layers = [...groups].map(([name, params]): LayerSummary => {
    const count = params.reduce((a, p) => a + p.count, 0);
    const states = Object.entries(program.states).filter(([s]) => layerOf(s) === name);
    const known = fromSpec(spec, name);
    return {
      name,
      type: known?.type ?? "params",
      output: known?.output ?? (states.length > 0 ? states.map(([s, info]) => `${s} ${formatShape(info.shape)}`).join(", ") : "-"),
      params,
      count,
      bytes: bytesOf(count),
    };
  });
  const count = layers.reduce((a, l) => a + l.count, 0);
  const shapes = (r: Readonly<Record<string, Shape>>) => Object.fromEntries(Object.entries(r).map(([k, s]) => [k, formatShape(s)]));
  return {
    layers,
    // what the data gives: dropout masks are the scheduler's
    inputs: shapes(Object.fromEntries(Object.entries(program.dataInputs).filter(([name]) => !program.dropout[name]))),
    outputs: { [program.program.output]: formatShape(program.sequences[program.program.output]) },
    loss: spec ? (spec.loss ?? null) : program.hasLoss ? "graph" : null,
    count,
    bytes: bytesOf(count),
  };
}

/** A byte count as `10,244 B (10.0 KiB)`. */
function bytesText(bytes: number): string {
  const units = ["KiB", "MiB", "GiB"];
  let v = bytes;
  let unit = "";
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${bytes.toLocaleString("en-US")} B${unit ? ` (${v.toFixed(1)} ${unit})` : ""}`;
}

/** A {@link ModelSummary} as a table, one row per layer and one indented row per parameter, then the totals. */
export function formatModelSummary(s: ModelSummary): string {
  const rows: string[][] = [["Layer", "Type", "Output (per step)", "Params", "float32", "float64"]];
  for (const l of s.layers) {
    rows.push([l.name, l.type, l.output, l.count.toLocaleString("en-US"), bytesText(l.bytes.float32), bytesText(l.bytes.float64)]);
    for (const p of l.params) rows.push([`  ${p.name}`, "", formatShape(p.shape), p.count.toLocaleString("en-US"), "", ""]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = "-".repeat(line(rows[0]).length);
  const pairs = (r: Readonly<Record<string, string>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  return [
    line(rows[0]),
    rule,
    ...rows.slice(1).map(line),
    rule,
    `Total params: ${s.count.toLocaleString("en-US")}`,
    `  float32: ${bytesText(s.bytes.float32)}`,
    `  float64: ${bytesText(s.bytes.float64)}`,
    `Inputs (per step): ${pairs(s.inputs)}`,
    `Output (per step): ${pairs(s.outputs)}`,
    `Loss: ${s.loss ?? "none"}`,
  ].join("\n");
}
