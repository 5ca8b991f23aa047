import { describeNode } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from "../onnx/onnx-messages.js";
import { OnnxImportError } from "./import-error.js";
import type { ImportedHead, ImportedLayer, ImportValue } from "./import-values.js";
import { constantOfTensor } from "./onnx-constants.js";
import type { Axis, PartBinding } from "./symbolic-axes.js";

/** A node's outputs from what the import knows of its inputs; the rule reads the inputs it needs through the context. */
export type OpRule = (ctx: ImportContext, node: OnnxNode, where: string) => ImportValue[];

/** A weight as it will be written: shape and row-major values. */
export interface WeightDraft {
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

/** The role a graph input has taken, as the import collects it. */
export type InputDraft =
  | { role: "x"; axes: readonly Axis[]; tokenIds: boolean }
  | { role: "lengths" }
  /** `layout` null: a `[B, H]` input that is one state. */
  | { role: "initialState"; layout: number | null; hidden: number; states: string[][]; by: string };

/**
 * The state of one import: the graph's values read on demand from the outputs back (so nodes no output needs are
 * never read), memoized, and what the recurrent nodes, the head and the graph inputs have contributed so far.
 */
export class ImportContext {
  /** The default domain's opset (Squeeze's axes and Softmax's axis changed meaning at 13). */
  readonly opset: number;
  /** What `x0` and `x1` of the data input are. */
  readonly binding: PartBinding = {};
  /** The layers, bottom first. */
  readonly layers: ImportedLayer[] = [];
  /** The weights by our parameter names. */
  readonly weights: Record<string, WeightDraft> = {};
  /** Constant initial states by state name, `[B, H]`. */
  readonly initialState: Record<string, WeightDraft> = {};
  /** The roles of the graph inputs the model reads. */
  readonly inputs = new Map<string, InputDraft>();
  /** The embedding, once a Gather has read one. */
  embedding?: { vocab: number; units: number };
  /** The head, once one is an output. */
  head?: ImportedHead;
  /** The `sequence_lens` the first layer reads (a graph input's name, or null for none), and that layer. */
  lengths?: { feed: string | null; where: string };
  /** True once a DOUBLE weight is read. */
  double = false;

  private readonly graph: OnnxGraph;
  private readonly initializers = new Map<string, OnnxTensor>();
  private readonly producers = new Map<string, { node: OnnxNode; index: number; output: number }>();
  private readonly graphInputs = new Map<string, OnnxValueInfo>();
  private readonly memo = new Map<string, ImportValue>();
  private readonly busy = new Set<number>();

  constructor(
    model: OnnxModel,
    private readonly rules: Readonly<Record<string, OpRule>>,
  ) {
    if (!model.graph) throw new OnnxImportError("the ONNX model has no graph");
    this.graph = model.graph;
    const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
    this.opset = opset?.version ?? 1;
    for (const t of this.graph.initializer ?? []) this.initializers.set(t.name ?? "", t);
    for (const i of this.graph.input ?? []) if (!this.initializers.has(i.name ?? "")) this.graphInputs.set(i.name ?? "", i);
    (this.graph.node ?? []).forEach((node, index) =>
      (node.output ?? []).forEach((name, output) => {
        if (name) this.producers.set(name, { node, index, output });
      }),
    );
  }

  /** The graph outputs. */
  outputs(): OnnxValueInfo[] {
    return this.graph.output ?? [];
  }

  /** What the import knows of a value, reading the node that makes it (and what that needs) the first time. */
  value(name: string, user: string): ImportValue {
    const known = this.memo.get(name);
    if (known) return known;
    const init = this.initializers.get(name);
    if (init) return this.remember(name, { kind: "constant", tensor: constantOfTensor(init, `initializer "${name}"`) });
    const input = this.graphInputs.get(name);
    if (input) {
      const type = input.type?.tensorType;
      const rank = type?.shape?.dim?.length;
      const ids = type?.elemType === OnnxDataType.INT64 || type?.elemType === OnnxDataType.INT32;
      return this.remember(name, { kind: "feed", name, ...(rank === undefined ? {} : { rank }), ids });
    }
    const producer = this.producers.get(name);
    if (!producer) throw new OnnxImportError(`${user} reads "${name}", which no node, initializer or graph input gives`);
    const { node, index } = producer;
    const where = describeNode(node, index);
    if (this.busy.has(index)) throw new OnnxImportError(`${where}: its inputs depend on its own outputs (the graph has a cycle)`);
    if (node.domain && node.domain !== "ai.onnx") throw new OnnxImportError(`${where}: operator domain "${node.domain}" is not ONNX's own`);
    const rule = this.rules[node.opType ?? ""];
    if (!rule) {
      throw new OnnxImportError(
        `${where}: unroll's import does not read this operator (it reads RNN, LSTM, GRU, the glue between them, a MatMul + Add or Gemm head with Softmax, Sigmoid or Tanh, and a Gather embedding)`,
      );
    }
    this.busy.add(index);
    const values = rule(this, node, where);
    this.busy.delete(index);
    (node.output ?? []).forEach((out, i) => {
      if (out && values[i]) this.memo.set(out, values[i]);
    });
    const v = this.memo.get(name);
    if (!v) throw new OnnxImportError(`${where}: unroll's import does not read its output ${producer.output} ("${name}")`);
    return v;
  }

  /** Input `i` of a node, or undefined when it is absent or `""`. */
  input(node: OnnxNode, i: number, where: string): ImportValue | undefined {
    const name = node.input?.[i];
    return name ? this.value(name, where) : undefined;
  }

  /** The declared dims of a graph input (undefined where a dim is symbolic or unknown). */
  declaredDims(name: string): (number | undefined)[] | undefined {
    return this.graphInputs.get(name)?.type?.tensorType?.shape?.dim?.map((d) => (d.dimValue ? d.dimValue : undefined));
  }

  private remember(name: string, v: ImportValue): ImportValue {
    this.memo.set(name, v);
    return v;
  }
}
