import type { Dtype } from "@unroll/ir";
import { attr } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from "../onnx/onnx-messages.js";
import { onnxTensor, type OnnxTensorType } from "../onnx/onnx-tensor.js";

/** A dimension of a value's declared type: a size or a symbolic name (`"T"`, `"B"`). */
export type OnnxDim = number | string;

/** The ONNX element type of an unroll dtype. */
export function elemTypeOf(dtype: Dtype): number {
  return dtype === "float64" ? OnnxDataType.DOUBLE : OnnxDataType.FLOAT;
}

/** A graph input or output: a tensor of an element type and a shape whose symbolic dims are named. */
export function tensorValueInfo(name: string, elemType: number, dims: readonly OnnxDim[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } };
}

/**
 * The value names of a whole model, main graph and Scan bodies together: ONNX values are SSA and a body may not
 * shadow a name of the scope around it, so every name is taken once.
 */
export class OnnxNames {
  private readonly taken = new Set<string>();

  /** Takes `name`; throws when something already took it (two of unroll's ids that meet under one ONNX name). */
  take(name: string): string {
    if (this.taken.has(name)) throw new Error(`ONNX value name "${name}" is used twice; rename one of the ids that produce it`);
    this.taken.add(name);
    return name;
  }

  /** A name not taken yet: `base`, or `base:k` for the first free k. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}:${k}`;
    this.taken.add(name);
    return name;
  }
}

/** Writes the nodes of one ONNX graph (the main graph or a Scan body), with constants as `Constant` nodes. */
export class OnnxGraphWriter {
  /** The nodes, in the order written (a topological order). */
  readonly nodes: OnnxNode[] = [];
  /** The graph's initializers. */
  readonly initializers: OnnxTensor[] = [];

  /**
   * @param names the model's names, shared with every other graph of the model
   * @param dtype the element type of float values
   */
  constructor(
    readonly names: OnnxNames,
    readonly dtype: Dtype,
  ) {}

  /** The ONNX element type of float values. */
  get floatType(): number {
    return elemTypeOf(this.dtype);
  }

  /** Adds a node with one output named `output` (taken by the caller) and returns that name. */
  node(opType: string, inputs: readonly string[], output: string, attributes: OnnxAttribute[] = [], name = output): string {
    this.nodes.push({ opType, name, input: [...inputs], output: [output], ...(attributes.length > 0 ? { attribute: attributes } : {}) });
    return output;
  }

  /** Adds a node with one output under a fresh name derived from `base`. */
  temp(opType: string, inputs: readonly string[], base: string, attributes: OnnxAttribute[] = []): string {
    return this.node(opType, inputs, this.names.fresh(base), attributes);
  }

  /** Adds a node with several outputs, named as given (`""` for an optional output left out). */
  multi(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: OnnxAttribute[], name: string): void {
    // trailing optional inputs left out are dropped: ONNX reads a shorter list as "not given"
    const given = [...inputs];
    while (given.length > 0 && given[given.length - 1] === "") given.pop();
    this.nodes.push({ opType, name, input: given, output: [...outputs], ...(attributes.length > 0 ? { attribute: attributes } : {}) });
  }

  /** A `Constant` node holding a tensor of the given type, under a fresh name derived from `base`. */
  constant(base: string, dims: readonly number[], values: ArrayLike<number>, type: OnnxTensorType): string {
    const name = this.names.fresh(base);
    return this.node("Constant", [], name, [attr.tensor("value", onnxTensor(name, dims, values, type))]);
  }

  /** A 1-D int64 constant (axes, shapes, slice bounds). */
  int64s(base: string, values: readonly number[]): string {
    return this.constant(base, [values.length], values, "int64");
  }

  /** A scalar of the float element type. */
  scalar(base: string, value: number): string {
    return this.constant(base, [], [value], this.dtype);
  }

  /** Adds an initializer (a weight) named `name`, which the caller took. */
  initializer(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    this.initializers.push(onnxTensor(name, dims, values, this.dtype));
    return name;
  }

  /** The graph message. */
  graph(name: string, input: OnnxValueInfo[], output: OnnxValueInfo[], docString?: string): OnnxGraph {
    return {
      name,
      node: this.nodes,
      initializer: this.initializers,
      input,
      output,
      ...(docString ? { docString } : {}),
    };
  }
}
