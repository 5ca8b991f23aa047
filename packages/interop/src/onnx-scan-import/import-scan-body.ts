import { GraphBuilder, GraphError, type AttrsOf, type Dim, type OpKind, type StepGraph } from "@unroll/ir";
import { attributesOf, describeNode } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from "../onnx/onnx-messages.js";
import { describeImported, type ImportedValue } from "./imported-value.js";
import { onnxOpRules, type ImportContext } from "./onnx-op-rules.js";

/** A carry of the stage: its id and its initial value (undefined: 0, or given by the data's initial state). */
export interface ImportedCarry {
  /** The state's name. */
  readonly id: string;
  /** Every element's initial value, when the graph sets one other than 0. */
  readonly init?: number;
}

/** What the main graph tells about one Scan: its node, and what its inputs and outputs are in the program. */
export interface ScanStageSource {
  /** The Scan node (its name is the prefix of its body's values). */
  readonly scan: OnnxNode;
  /** Its body. */
  readonly body: OnnxGraph;
  /** One per state input. */
  readonly carries: readonly ImportedCarry[];
  /** One per scan input: the sequence it reads, or `"mask"` for the step mask. */
  readonly xs: readonly (string | { readonly mask: true })[];
  /** One per scan output: the sequence it writes. */
  readonly ys: readonly string[];
  /** The dims of an initializer of the main graph (a param), or undefined when there is none of that name. */
  readonly initializerDims: (name: string) => readonly number[] | undefined;
}

/** A body value's per-step shape `["B", ...]`: the first dimension is the batch, whatever its symbolic name. */
function stepShape(info: OnnxValueInfo, who: string): Dim[] {
  const dims = info.type?.tensorType?.shape?.dim;
  if (!dims || dims.length === 0) throw new Error(`${who}: the body input "${info.name}" has no shape; the import needs [B, ...]`);
  return dims.map((d, i) => {
    if (i === 0) return "B";
    if (d.dimValue === undefined || d.dimValue < 1) throw new Error(`${who}: the body input "${info.name}" has a dimension ${i} of no fixed size`);
    return d.dimValue;
  });
}

/**
 * A Scan body as one of our step graphs: node by node through {@link onnxOpRules}. Ids are the ONNX names without
 * the prefix `<Scan name>/` the export gives them; the main graph's initializers the body reads become params; a
 * body output chosen by the step mask (`Where(mask, value, carry)`, `Where(mask, value, 0)`) is the value itself, as
 * unroll applies the lengths. Anything else is an error that names the node.
 */
export function importScanBody(source: ScanStageSource): StepGraph {
  const { scan, body } = source;
  const who = `Scan "${scan.name ?? ""}"`;
  const prefix = `${scan.name ?? ""}/`;
  const b = new GraphBuilder("onnx");
  const values = new Map<string, ImportedValue>();
  const ourId = (name: string): string => {
    const stripped = name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
    return b.has(stripped) ? name : stripped;
  };
  const inputs = body.input ?? [];
  const outputs = body.output ?? [];
  const carries = source.carries.length;
  if (inputs.length !== carries + source.xs.length || outputs.length !== carries + source.ys.length) {
    throw new Error(
      `${who}: its body has ${inputs.length} inputs and ${outputs.length} outputs for ${carries} states, ${source.xs.length} scan inputs and ${source.ys.length} scan outputs`,
    );
  }
  source.carries.forEach((c, i) => values.set(inputs[i].name ?? "", { kind: "value", id: b.carry(c.id, stepShape(inputs[i], who), c.init) }));
  source.xs.forEach((x, k) => {
    const info = inputs[carries + k];
    if (typeof x !== "string") {
      if (info.type?.tensorType?.elemType !== OnnxDataType.BOOL) throw new Error(`${who}: the step mask's body input "${info.name}" must be bool`);
      values.set(info.name ?? "", { kind: "mask" });
    } else values.set(info.name ?? "", { kind: "value", id: b.input(x, stepShape(info, who)) });
  });

  const lookup = (name: string, reader: string): ImportedValue => {
    const known = values.get(name);
    if (known) return known;
    const dims = source.initializerDims(name);
    if (!dims) throw new Error(`${reader}: reads "${name}", which is neither a value of the body nor an initializer of the main graph`);
    const param: ImportedValue = { kind: "value", id: b.param(name, [...dims]) };
    values.set(name, param);
    return param;
  };
  const constantIds = new Map<string, string>();
  const asValue = (v: ImportedValue, reader: string): string => {
    if (v.kind === "value") return v.id;
    if (v.kind !== "constant") throw new Error(`${reader}: reads ${describeImported(v)} where unroll's op takes a value`);
    if (!constantIds.has(v.name)) {
      const values = Array.from(v.values);
      const attrs: AttrsOf<"constant"> = v.dims.length === 0 ? { value: values[0] } : { values, shape: [...v.dims] };
      constantIds.set(v.name, b.node("constant", [], attrs, ourId(v.name)));
    }
    return constantIds.get(v.name)!;
  };

  (body.node ?? []).forEach((node, index) => {
    const reader = `${who} body ${describeNode(node, index)}`;
    const fail = (message: string): never => {
      throw new Error(`${reader}: ${message}`);
    };
    if (node.domain && node.domain !== "ai.onnx") fail(`the domain "${node.domain}" is not ONNX's`);
    const rule = Object.hasOwn(onnxOpRules, node.opType ?? "") ? onnxOpRules[node.opType!] : undefined;
    if (!rule) fail(`ONNX op ${node.opType} has no unroll op; the import maps ${Object.keys(onnxOpRules).join(", ")}`);
    const outs = (node.output ?? []).filter((o) => o !== "");
    if (outs.length !== 1) fail(`it has ${outs.length} outputs; the import reads nodes of one output`);
    const given = node.input ?? [];
    const input = (k: number): ImportedValue | undefined => (given[k] ? lookup(given[k], reader) : undefined);
    const ctx: ImportContext = {
      b,
      node,
      attrs: attributesOf(node, index),
      input,
      value: (k) => asValue(input(k) ?? fail(`input ${k} is missing`), reader),
      constant: (k) => {
        const v = input(k) ?? fail(`input ${k} is missing`);
        if (v.kind !== "constant") return fail(`input ${k} is ${describeImported(v)}; the import needs a constant there`);
        return Array.from(v.values);
      },
      emit: <K extends OpKind>(op: K, ins: string[], attrs?: AttrsOf<K>): ImportedValue => ({ kind: "value", id: b.node(op, ins, attrs, ourId(outs[0])) }),
      fail,
    };
    let out: ImportedValue;
    try {
      out = rule!(ctx);
    } catch (e) {
      if (e instanceof GraphError) fail(`as unroll's op: ${e.message}`);
      throw e;
    }
    values.set(outs[0], out);
  });

  const outputValue = (k: number): ImportedValue => lookup(outputs[k].name ?? "", `${who} body output "${outputs[k].name}"`);
  source.carries.forEach((c, i) => {
    const v = outputValue(i);
    const passed = v.kind === "masked" && v.otherwise.kind === "value" && v.otherwise.id === c.id ? v.value : undefined;
    if (v.kind === "masked" && passed === undefined) throw new Error(`${who}: on a padding step the state "${c.id}" must keep its value`);
    b.update(c.id, passed ?? asValue(v, `${who} body output "${outputs[i].name}"`));
  });
  source.ys.forEach((seq, k) => {
    const v = outputValue(carries + k);
    const zero = v.kind === "masked" && v.otherwise.kind === "constant" && v.otherwise.values.every((x) => x === 0);
    if (v.kind === "masked" && !zero) throw new Error(`${who}: on a padding step the output "${seq}" must be 0`);
    b.output(seq, v.kind === "masked" ? v.value : asValue(v, `${who} body output "${outputs[carries + k].name}"`));
  });
  return b.toGraph(scan.name || undefined);
}
