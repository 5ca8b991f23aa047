import { allocate, type Dtype, type Tensor } from "@unroll/ir";
import type { OnnxImport, OnnxInputRole } from "./onnx-import-types.js";
import { forEachElement, type PartSizeTable } from "./part-layout.js";

/** A tensor fed to an ONNX model: dims and row-major elements (an `ort.Tensor` of numbers has these fields). */
export interface OnnxFeed {
  /** The dims. */
  readonly dims: readonly number[];
  /** The elements, row-major (int64 ones as bigint). */
  readonly data: ArrayLike<number | bigint>;
}

/** DATA for unroll, as `runForward` takes it (`SequenceData` of `@unroll/bptt`): time-major `x`, initial states, lengths. */
export interface OnnxImportData {
  /** `x`: `[T, B, I]`, or token ids `[T, B]`. */
  readonly sequences: Readonly<Record<string, Tensor>>;
  /** Initial states `[B, H]` by state name: from the graph inputs, and the import's constant initial states. */
  readonly initialState?: Readonly<Record<string, Tensor>>;
  /** Per-row lengths, from `sequence_lens`. */
  readonly lengths?: readonly number[];
}

/** The sizes of the parts of a feed's axes, read from its dims (one part per axis). */
function sizesOf(role: Extract<OnnxInputRole, { axes: unknown }>, feed: OnnxFeed): Record<string, number> {
  if (feed.dims.length !== role.axes.length) {
    throw new Error(
      `ONNX input "${role.name}" has dims [${feed.dims.join(", ")}], but the model reads it as [${role.axes.map((a) => a.join("×")).join(", ")}]`,
    );
  }
  return Object.fromEntries(role.axes.map((ax, i) => [ax[0], feed.dims[i]]));
}

/**
 * The DATA that gives unroll's imported model what the ONNX feeds give the ONNX model: `x` rearranged time-major
 * (token ids as numbers), `sequence_lens` as `lengths`, initial-state inputs split into our states (plus the import's
 * constant initial states). Every graph input the import reads must be given.
 */
export function onnxFeedsToData(imported: OnnxImport, feeds: Readonly<Record<string, OnnxFeed>>, dtype: Dtype = "float32"): OnnxImportData {
  const sequences: Record<string, Tensor> = {};
  const initialState: Record<string, Tensor> = {};
  let lengths: number[] | undefined;
  for (const role of imported.inputs) {
    const feed = feeds[role.name];
    if (!feed) throw new Error(`ONNX input "${role.name}" (the model's ${role.role}) is not given`);
    const value = (i: number) => Number(feed.data[i]);
    if (role.role === "lengths") {
      lengths = Array.from({ length: feed.data.length }, (_, i) => value(i));
      continue;
    }
    const sizes = sizesOf(role, feed);
    const { time: T = 1, batch: B = 1, features: F = 1, hidden: H = 1 } = sizes;
    if (role.role === "x") {
      const data = allocate(dtype, T * B * F);
      const parts = role.tokenIds ? (["time", "batch"] as const) : (["time", "batch", "features"] as const);
      forEachElement(role.axes, sizes as PartSizeTable, parts, `ONNX input "${role.name}"`, (i, at) => {
        data[(at.time * B + at.batch) * F + (at.features ?? 0)] = value(i);
      });
      sequences.x = { shape: role.tokenIds ? [T, B] : [T, B, F], data };
      continue;
    }
    const byState = new Map(role.states.flatMap((names, d) => names.map((n) => [n, { d, data: allocate(dtype, B * H) }] as const)));
    forEachElement(role.axes, sizes as PartSizeTable, ["direction", "batch", "hidden"], `ONNX input "${role.name}"`, (i, at) => {
      for (const name of role.states[at.direction] ?? []) byState.get(name)!.data[at.batch * H + at.hidden] = value(i);
    });
    for (const [name, s] of byState) initialState[name] = { shape: [B, H], data: s.data };
  }
  for (const [name, t] of Object.entries(imported.initialState)) {
    initialState[name] = { shape: t.shape, data: dtype === "float64" ? Float64Array.from(t.data) : Float32Array.from(t.data) };
  }
  return {
    sequences,
    ...(Object.keys(initialState).length > 0 ? { initialState } : {}),
    ...(lengths ? { lengths } : {}),
  };
}
