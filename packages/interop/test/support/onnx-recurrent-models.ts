// ONNX models written in the tests from the ONNX operator specification (RNN, LSTM and GRU of opset 14+), random
// weights from a seeded generator, and the two runs compared: ONNX Runtime on the model, unroll on its import.
import { createCpuBackend } from "@unroll/backend-cpu";
import { runForward, type WindowResult } from "@unroll/bptt";
import { loadProgram } from "@unroll/ir";
import * as ort from "onnxruntime-node";
import { expect } from "vitest";
import {
  encodeOnnxModel,
  importOnnxRecurrent,
  onnxFeedsToData,
  onnxOutputsOf,
  OnnxDataType,
  type OnnxAttribute,
  type OnnxImport,
  type OnnxImportData,
  type OnnxModel,
  type OnnxNode,
  type OnnxOutputTensor,
  type OnnxTensor,
  type OnnxValueInfo,
} from "../../src/index.js";
import { attr } from "../../src/onnx/onnx-attributes.js";
import { onnxTensor } from "../../src/onnx/onnx-tensor.js";
import { forEachElement } from "../../src/onnx-import/part-layout.js";

/** Agreement of unroll and ONNX Runtime in float32 (the bar). */
export const TOLERANCE = 1e-5;

/** A seeded generator of uniform numbers in [-1, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** `n` numbers from `next`, scaled. */
export const draw = (n: number, next: () => number, scale = 1): number[] => Array.from({ length: n }, () => scale * next());

/** A float32 initializer of random values. */
export const randomInit = (name: string, dims: number[], next: () => number, scale = 0.6): OnnxTensor =>
  onnxTensor(
    name,
    dims,
    draw(
      dims.reduce((a, b) => a * b, 1),
      next,
      scale,
    ),
    "float32",
  );

/** A graph input or output declaration; a string dim is symbolic. */
export function valueInfo(name: string, dims: (number | string)[] | undefined, elemType: number = OnnxDataType.FLOAT): OnnxValueInfo {
  const shape = dims ? { shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } : {};
  return { name, type: { tensorType: { elemType, ...shape } } };
}

/** A model of one graph, opset 17 by default. */
export function onnxModel(graph: { nodes: OnnxNode[]; initializers?: OnnxTensor[]; inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] }, opset = 17): OnnxModel {
  return {
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    producerName: "unroll-test",
    graph: { name: "g", node: graph.nodes, initializer: graph.initializers ?? [], input: graph.inputs, output: graph.outputs },
  };
}

/** Gates per ONNX operator. */
export const GATES = { RNN: 1, LSTM: 4, GRU: 3 } as const;

/** What a test says about one recurrent node; everything else is drawn at random. */
export interface RecurrentCase {
  readonly op: "RNN" | "LSTM" | "GRU";
  readonly name: string;
  /** The node's X. */
  readonly x: string;
  readonly inputSize: number;
  readonly hidden: number;
  readonly direction?: "forward" | "reverse" | "bidirectional";
  readonly layout?: 0 | 1;
  /** Leave out B (zeros). */
  readonly noBias?: boolean;
  /** The graph input that gives sequence_lens. */
  readonly lengths?: string;
  /** Graph inputs (or initializers, when `constantState`) that give initial_h and initial_c. */
  readonly initialH?: string;
  readonly initialC?: string;
  readonly attributes?: OnnxAttribute[];
  /** Write `hidden_size` (ONNX infers it from R otherwise). */
  readonly writeHiddenSize?: boolean;
}

/** An RNN, LSTM or GRU node with random W, R and B initializers, outputs `${name}.Y`, `.Y_h` (and `.Y_c`). */
export function recurrentNode(c: RecurrentCase, next: () => number): { node: OnnxNode; initializers: OnnxTensor[] } {
  const dirs = c.direction === "bidirectional" ? 2 : 1;
  const G = GATES[c.op];
  const initializers = [randomInit(`${c.name}.W`, [dirs, G * c.hidden, c.inputSize], next), randomInit(`${c.name}.R`, [dirs, G * c.hidden, c.hidden], next)];
  if (!c.noBias) initializers.push(randomInit(`${c.name}.B`, [dirs, 2 * G * c.hidden], next));
  const inputs = [c.x, `${c.name}.W`, `${c.name}.R`, c.noBias ? "" : `${c.name}.B`, c.lengths ?? "", c.initialH ?? ""];
  if (c.op === "LSTM") inputs.push(c.initialC ?? "");
  while (inputs[inputs.length - 1] === "") inputs.pop();
  const attributes = [
    ...(c.writeHiddenSize === false ? [] : [attr.int("hidden_size", c.hidden)]),
    ...(c.direction ? [attr.string("direction", c.direction)] : []),
    ...(c.layout !== undefined ? [attr.int("layout", c.layout)] : []),
    ...(c.attributes ?? []),
  ];
  const outputs = [`${c.name}.Y`, `${c.name}.Y_h`, ...(c.op === "LSTM" ? [`${c.name}.Y_c`] : [])];
  return { node: { opType: c.op, name: c.name, input: inputs, output: outputs, attribute: attributes }, initializers };
}

/**
 * The model with every layout-1 recurrent node rewritten as the operator specification defines layout 1: the same
 * node in layout 0 between Transposes (X and the initial states in, Y, Y_h and Y_c out). ONNX Runtime's CPU provider
 * refuses layout 1, so this is what it runs in place of a layout-1 model.
 */
export function layoutZeroEquivalent(model: OnnxModel): OnnxModel {
  const nodes: OnnxNode[] = [];
  for (const node of model.graph!.node!) {
    const layout = node.attribute?.find((a) => a.name === "layout")?.i ?? 0;
    if (!(node.opType! in GATES) || layout === 0) {
      nodes.push(node);
      continue;
    }
    const t = (input: string, output: string, perm: number[]): OnnxNode => ({
      opType: "Transpose",
      input: [input],
      output: [output],
      attribute: [attr.ints("perm", perm)],
    });
    const input = [...node.input!];
    // X [B, T, I] → [T, B, I]; initial_h/c [B, dirs, H] → [dirs, B, H]
    for (const i of [0, 5, 6]) {
      if (!input[i]) continue;
      nodes.push(t(input[i], `${input[i]}.${node.name}.l0`, [1, 0, 2]));
      input[i] = `${input[i]}.${node.name}.l0`;
    }
    const output = node.output!.map((o) => (o ? `${o}.l0` : o));
    nodes.push({ ...node, input, output, attribute: node.attribute!.filter((a) => a.name !== "layout") });
    // Y [T, dirs, B, H] → [B, T, dirs, H]; Y_h, Y_c [dirs, B, H] → [B, dirs, H]
    node.output!.forEach((o, i) => o && nodes.push(t(`${o}.l0`, o, i === 0 ? [2, 0, 1, 3] : [1, 0, 2])));
  }
  return { ...model, graph: { ...model.graph, node: nodes } };
}

/** An ONNX Runtime float32 tensor. */
export const ortFloat = (dims: number[], data: number[]) => new ort.Tensor("float32", Float32Array.from(data), dims);

/** ONNX Runtime's outputs of a model. */
export async function runOrt(model: OnnxModel, feeds: Record<string, ort.Tensor>): Promise<Record<string, OnnxOutputTensor>> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(model));
  try {
    const result = await session.run(feeds);
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, { dims: [...v.dims], data: v.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

/** unroll's run of an imported model on the data of the same feeds: its results, and the ONNX outputs assembled from them. */
export async function runImported(
  imported: OnnxImport,
  feeds: Record<string, ort.Tensor>,
): Promise<{ result: WindowResult; data: OnnxImportData; outputs: Record<string, OnnxOutputTensor> }> {
  // the spec goes through JSON, as a file would
  const program = loadProgram(JSON.parse(JSON.stringify(imported.model)));
  // ONNX Runtime's tensors hold numbers (or bigint for int64) here, never strings
  const numeric = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { dims: t.dims, data: t.data as ArrayLike<number | bigint> }]));
  const data = onnxFeedsToData(imported, numeric, "float32");
  const backend = createCpuBackend();
  try {
    const loaded = await backend.load(program, { dtype: "float32" });
    const result = await runForward(loaded, imported.weights, data, program);
    return { result, data, outputs: onnxOutputsOf(imported, result, data.lengths) };
  } finally {
    await backend.dispose();
  }
}

/** Every element within `tol`, with the first one that is not named. */
export function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol = TOLERANCE): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  expect(worst, `${what}: element ${at} is ${actual[at]}, ONNX Runtime's ${expected[at]}`).toBeLessThanOrEqual(tol);
}

/** The head's activation of its bias alone: what ONNX Runtime's head gives past a row's length, where Y is 0. */
function activatedBias(imported: OnnxImport): number[] {
  const b = Array.from(imported.weights["head.b"].data);
  switch (imported.model.head?.activation) {
    case "softmax": {
      const m = Math.max(...b);
      const e = b.map((v) => Math.exp(v - m));
      return e.map((v) => v / e.reduce((s, w) => s + w, 0));
    }
    case "sigmoid":
      return b.map((v) => 1 / (1 + Math.exp(-v)));
    case "tanh":
      return b.map(Math.tanh);
    default:
      return b;
  }
}

/**
 * Imports the model, runs it with unroll and with ONNX Runtime (on `ortModel`, by default the model itself) and
 * expects every graph output to agree to {@link TOLERANCE}, at the same dims. Past a row's length the head's outputs
 * differ by design unless the graph masks them (`zeroPastLengths`): ONNX Runtime's head reads Y = 0 there and gives
 * activation(b); unroll's output there is 0. Both are checked to be exactly that.
 */
export async function expectImportAgrees(
  model: OnnxModel,
  feeds: Record<string, ort.Tensor>,
  ortModel: OnnxModel = model,
): Promise<{ imported: OnnxImport; ortOut: Record<string, OnnxOutputTensor>; ours: Awaited<ReturnType<typeof runImported>> }> {
  const imported = importOnnxRecurrent(model);
  const ortOut = await runOrt(ortModel, feeds);
  const ours = await runImported(imported, feeds);
  const lengths = ours.data.lengths;
  const [T, B, F] = ours.result.outputs.shape;
  for (const o of model.graph!.output!) {
    const name = o.name!;
    const role = imported.outputs.find((r) => r.name === name)!;
    const [mine, theirs] = [ours.outputs[name], ortOut[name]];
    expect(mine.dims, `${name}: dims`).toEqual(theirs.dims);
    if (role.role !== "output" || !lengths || role.zeroPastLengths) {
      expectClose(name, mine.data, theirs.data);
      continue;
    }
    const inside: [number[], number[]] = [[], []];
    const past: [number[], number[]] = [[], []];
    const bias = activatedBias(imported);
    forEachElement(role.axes, { time: T, batch: B, features: F }, ["time", "batch", "features"], name, (i, at) => {
      if (at.time < lengths[at.batch]) {
        inside[0].push(mine.data[i]);
        inside[1].push(theirs.data[i]);
      } else {
        expect(Math.abs(mine.data[i]), `${name}: unroll's output past the length`).toBe(0);
        past[0].push(theirs.data[i]);
        past[1].push(bias[at.features]);
      }
    });
    expectClose(name, inside[0], inside[1]);
    expectClose(`${name} past the lengths: ONNX Runtime's activation(b)`, past[0], past[1]);
  }
  return { imported, ortOut, ours };
}
