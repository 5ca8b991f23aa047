import { allocate, dtypeOf, type FloatArray, type Tensor } from "@unroll/ir";
import type { OnnxImport, OnnxOutputRole } from "./onnx-import-types.js";
import { dimsOf, forEachElement } from "./part-layout.js";

/** What `runForward` of `@unroll/bptt` returns (its `WindowResult`), as far as the ONNX outputs need. */
export interface UnrollRunResult {
  /** `[T, B, O]`. */
  readonly outputs: Tensor;
  /** `[T, B, H]` by state name. */
  readonly states: Readonly<Record<string, Tensor>>;
  /** `[B, H]` by state name. */
  readonly finalState: Readonly<Record<string, Tensor>>;
}

/** One ONNX output as unroll computed it: ONNX's dims, row-major. */
export interface OnnxOutputTensor {
  /** The dims. */
  readonly dims: number[];
  /** The elements. */
  readonly data: FloatArray;
}

/**
 * Each ONNX graph output of an imported model, assembled from unroll's results in ONNX's layout. A layer's output
 * sequence `Y` is read from its states and is 0 past a row's length, as ONNX's is; the head's output is unroll's
 * `outputs` (0 past a row's length, where ONNX gives the head of a zero state). A row of length 0 has no last step:
 * its `finalOutput` is 0.
 */
export function onnxOutputsOf(imported: OnnxImport, result: UnrollRunResult, lengths?: readonly number[]): Record<string, OnnxOutputTensor> {
  const [T, B, F] = result.outputs.shape;
  const dtype = dtypeOf(result.outputs.data);
  const len = (b: number) => lengths?.[b] ?? T;
  const out: Record<string, OnnxOutputTensor> = {};
  const at3 = (t: Tensor, i: number, j: number, k: number) => t.data[(i * t.shape[1] + j) * t.shape[2] + k];
  for (const role of imported.outputs) {
    const names = "states" in role ? role.states : [];
    const states = names.map((n) => {
      const s = role.role === "sequence" ? result.states[n] : result.finalState[n];
      if (!s) throw new Error(`ONNX output "${role.name}": the result has no state "${n}"`);
      return s;
    });
    const H = states[0]?.shape[states[0].shape.length - 1];
    const sizes = { time: T, batch: B, features: F, direction: states.length, hidden: H };
    const dims = dimsOf(role.axes, sizes, `ONNX output "${role.name}"`);
    const data = allocate(
      dtype,
      dims.reduce((a, b) => a * b, 1),
    );
    const read = reader(role, result, states, len, at3);
    forEachElement(role.axes, sizes, required(role), `ONNX output "${role.name}"`, (i, at) => (data[i] = read(at)));
    out[role.name] = { dims, data };
  }
  return out;
}

/** The parts an output's axes must hold. */
function required(role: OnnxOutputRole): OnnxOutputRole["axes"][number] {
  switch (role.role) {
    case "output":
      return ["time", "batch", "features"];
    case "finalOutput":
      return ["batch", "features"];
    case "sequence":
      return ["time", "direction", "batch", "hidden"];
    case "finalStates":
      return ["direction", "batch", "hidden"];
  }
}

/** How to read one element of an output from unroll's results. */
function reader(
  role: OnnxOutputRole,
  result: UnrollRunResult,
  states: readonly Tensor[],
  len: (b: number) => number,
  at3: (t: Tensor, i: number, j: number, k: number) => number,
): (at: Readonly<Record<string, number>>) => number {
  switch (role.role) {
    case "output":
      return (at) => at3(result.outputs, at.time, at.batch, at.features);
    case "finalOutput":
      return (at) => {
        const t = role.step === "first" ? 0 : len(at.batch) - 1;
        return len(at.batch) === 0 ? 0 : at3(result.outputs, t, at.batch, at.features);
      };
    case "sequence":
      return (at) => (at.time < len(at.batch) ? at3(states[at.direction], at.time, at.batch, at.hidden) : 0);
    case "finalStates":
      return (at) => states[at.direction].data[at.batch * states[at.direction].shape[1] + at.hidden];
  }
}
