import { checkProgram, PROGRAM_FORMAT, type CheckedProgram, type Dtype, type Stage, type Tensor } from "@unroll/ir";
import { attributesOf, describeNode } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxModel, type OnnxNode, type OnnxTensor } from "../onnx/onnx-messages.js";
import { onnxTensorValues } from "../onnx/onnx-tensor.js";
import { importScanBody, type ImportedCarry } from "./import-scan-body.js";

/** Options of {@link importOnnxScan}. */
export interface ImportOnnxScanOptions {
  /** The weights' dtype; by default float64 when the initializers are DOUBLE, else float32. */
  readonly dtype?: Dtype;
}

/** A model imported from ONNX: a program and its weights. */
export interface ImportedOnnxModel {
  /** The model, checked; its `program` is the `unroll.program/1` document (what `--model` reads). */
  readonly program: CheckedProgram;
  /** Its parameters, from the initializers. */
  readonly weights: Record<string, Tensor>;
}

/** The nodes the export writes around its Scans, to size the initial states and compute the step mask. */
const GLUE = new Set(["Shape", "Gather", "Concat", "Expand", "Constant", "Range", "Unsqueeze", "Cast", "Less"]);

/** Every element equal, read from a `Constant` node or an initializer: the fill of an initial state. */
function scalarOf(name: string, producers: ReadonlyMap<string, OnnxNode>, initializers: ReadonlyMap<string, OnnxTensor>): number | undefined {
  const t = initializers.get(name) ?? (producers.get(name)?.opType === "Constant" ? attributesOf(producers.get(name)!).tensor("value") : undefined);
  if (!t) return undefined;
  const values = onnxTensorValues(t);
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : undefined;
}

/**
 * Reads an ONNX model whose recurrence is `Scan` nodes, as {@link exportOnnx} writes them for any program, back
 * into a program and its weights: one stage per Scan (reverse when it scans with direction 1), its body's ONNX
 * operators mapped back to our ops, the initializers its bodies read as params. A state's init comes from the
 * constant the graph expands for it; a `sequence_lens` input becomes the data's `lengths` (unroll masks the steps
 * itself). An ONNX operator or attribute without an unroll equivalent is refused with a message naming the node.
 *
 * The program's output is the graph's first output that a Scan writes; the loss is not in an ONNX export, so the
 * program has none.
 */
export function importOnnxScan(model: OnnxModel, options: ImportOnnxScanOptions = {}): ImportedOnnxModel {
  const graph = model.graph ?? {};
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", t] as const));
  const producers = new Map<string, OnnxNode>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out) producers.set(out, node);
  const graphInputs = new Set((graph.input ?? []).map((i) => i.name ?? ""));
  const sequences = new Set<string>();
  const usedParams = new Set<string>();
  const stages: Stage[] = [];

  (graph.node ?? []).forEach((node, index) => {
    const who = describeNode(node, index);
    if (node.domain && node.domain !== "ai.onnx") throw new Error(`${who}: the domain "${node.domain}" is not ONNX's`);
    if (node.opType !== "Scan") {
      if (!GLUE.has(node.opType ?? "")) {
        throw new Error(
          `${who}: outside its Scans the import reads only the nodes that size the initial states and compute the step mask (${[...GLUE].join(", ")}); ONNX op ${node.opType} there has no place in an unroll program`,
        );
      }
      return;
    }
    const attrs = attributesOf(node, index);
    const body = attrs.graph("body") ?? fail(who, `attribute "body" is missing`);
    const scanInputs = attrs.int("num_scan_inputs") ?? fail(who, `attribute "num_scan_inputs" is missing`);
    for (const a of ["scan_input_axes", "scan_output_axes"]) {
      if ((attrs.ints(a) ?? []).some((axis) => axis !== 0)) fail(who, `attribute "${a}": unroll scans the leading (time) axis only`);
    }
    const directions = [...(attrs.ints("scan_input_directions") ?? []), ...(attrs.ints("scan_output_directions") ?? [])];
    if (directions.some((d) => d !== directions[0]))
      fail(who, `attributes "scan_input_directions" and "scan_output_directions" mix directions; a stage of unroll scans one way`);
    const ins = node.input ?? [];
    const outs = node.output ?? [];
    const states = ins.length - scanInputs;
    const bodyInputs = body.input ?? [];
    const carries: ImportedCarry[] = ins.slice(0, states).map((initial, i) => {
      const id = bodyInputs[i]?.name?.startsWith(`${node.name}/`) ? bodyInputs[i].name!.slice(`${node.name}/`.length) : (bodyInputs[i]?.name ?? initial);
      if (graphInputs.has(initial)) return { id };
      const expand = producers.get(initial);
      const init = expand?.opType === "Expand" ? scalarOf(expand.input?.[0] ?? "", producers, initializers) : undefined;
      if (init === undefined) fail(who, `its initial state "${initial}" is neither a graph input nor one value expanded to [B, ...]`);
      return init === 0 ? { id } : { id, init };
    });
    const xs = ins.slice(states).map((name, k) => {
      const info = bodyInputs[states + k];
      if (info?.type?.tensorType?.elemType === OnnxDataType.BOOL) return { mask: true } as const;
      if (!graphInputs.has(name) && !sequences.has(name)) fail(who, `its scan input "${name}" is neither a graph input nor a sequence an earlier Scan writes`);
      return name;
    });
    const ys = outs.slice(states);
    const stepGraph = importScanBody({
      scan: node,
      body,
      carries,
      xs,
      ys,
      initializerDims: (name) => {
        const t = initializers.get(name);
        if (t) usedParams.add(name);
        return t ? (t.dims ?? []) : undefined;
      },
    });
    ys.forEach((y) => sequences.add(y));
    stages.push(directions[0] === 1 ? { graph: stepGraph, reverse: true } : { graph: stepGraph });
  });

  if (stages.length === 0) throw new Error("the model has no Scan node; the Scan import reads models whose recurrence is Scan");
  const output = (graph.output ?? []).map((o) => o.name ?? "").find((name) => sequences.has(name));
  if (output === undefined) throw new Error("no graph output is a sequence a Scan writes; the program needs one as its output");
  const program = checkProgram({ format: PROGRAM_FORMAT, stages, output });

  const dtype = options.dtype ?? ([...initializers.values()].some((t) => t.dataType === OnnxDataType.DOUBLE) ? "float64" : "float32");
  const weights: Record<string, Tensor> = {};
  for (const name of usedParams) {
    const t = initializers.get(name)!;
    const values = onnxTensorValues(t, `initializer "${name}"`);
    weights[name] = { shape: [...(t.dims ?? [])], data: dtype === "float64" ? values : Float32Array.from(values) };
  }
  return { program, weights };
}

function fail(who: string, message: string): never {
  throw new Error(`${who}: ${message}`);
}
