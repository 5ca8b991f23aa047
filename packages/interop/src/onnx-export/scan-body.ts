import { MASK_ID, type Node, type Shape, type XsDecl } from "@unroll/ir";
import { attr } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxGraph, type OnnxValueInfo } from "../onnx/onnx-messages.js";
import type { ResolvedExportOptions } from "./export-options.js";
import { OnnxGraphWriter, tensorValueInfo, type OnnxNames } from "./graph-writer.js";
import { describeStepNode, resolveAlias, type PreparedStage } from "./scan-stages.js";
import { stepOps, type StepOpContext, type StepOpRule } from "./step-ops.js";

/** The body value that becomes a carry at the next step. */
export function bodyUpdateName(key: string, carry: string): string {
  return `${key}/update:${carry}`;
}

/** The body value that a Scan collects into the sequence `ys`. */
export function bodyYsName(key: string, ys: string): string {
  return `${key}/ys:${ys}`;
}

/**
 * The body of a stage's Scan: inputs the carries then the xs of one step (or, for a stage that reads none, the
 * `pacer` sequence, unread) and the step mask, bool `[B]`, with sequence lengths; outputs the carries' updates then the ys. Every value is named `<stage key>/<our id>`; params
 * are read from the outer scope under their own names (the main graph's initializers). With the mask, a carry keeps
 * its value and a ys is 0 on a padding step (`Where`), as unroll's masked step graph.
 */
export function writeScanBody(stage: PreparedStage, names: OnnxNames, opts: ResolvedExportOptions, int64Xs: ReadonlySet<string>, pacer?: XsDecl): OnnxGraph {
  const { key, checked } = stage;
  const g = checked.graph;
  const w = new OnnxGraphWriter(names, opts.dtype);
  const onnx = new Map<string, string>(stage.params.map((p) => [p, p]));
  const int64 = new Set<string>();
  const local = (id: string) => names.take(`${key}/${id}`);
  const inputs: OnnxValueInfo[] = [];
  for (const c of g.carry) {
    onnx.set(c.id, local(c.id));
    inputs.push(tensorValueInfo(onnx.get(c.id)!, w.floatType, c.shape));
  }
  for (const x of stage.xs) {
    onnx.set(x.id, local(x.id));
    if (int64Xs.has(x.id)) int64.add(onnx.get(x.id)!);
    inputs.push(tensorValueInfo(onnx.get(x.id)!, int64Xs.has(x.id) ? OnnxDataType.INT64 : w.floatType, x.shape));
  }
  // a stage that reads no sequence still scans one: it only sets the number of steps
  if (pacer) inputs.push(tensorValueInfo(local(pacer.id), int64Xs.has(pacer.id) ? OnnxDataType.INT64 : w.floatType, pacer.shape));
  const mask = opts.sequenceLengths ? local(MASK_ID) : undefined;
  if (mask) inputs.push(tensorValueInfo(mask, OnnxDataType.BOOL, ["B"]));
  // every node's own name first, so that no intermediate value takes it
  for (const node of stage.nodes) onnx.set(node.id, local(node.id));
  const value = (id: string): string => onnx.get(resolveAlias(stage, id))!;
  const shape = (id: string): Shape => checked.shapes.get(id)!;

  for (const node of stage.nodes) {
    const out = onnx.get(node.id)!;
    let emitted = false;
    const ctx: StepOpContext = {
      w,
      input: (k) => value(node.inputs[k]),
      shape: (k) => shape(resolveAlias(stage, node.inputs[k])),
      ids: (k) =>
        int64.has(value(node.inputs[k])) ? value(node.inputs[k]) : w.temp("Cast", [value(node.inputs[k])], `${out}.ids`, [attr.int("to", OnnxDataType.INT64)]),
      emit: (opType, ins, attributes = []) => {
        emitted = true;
        return w.node(opType, ins, out, attributes);
      },
      temp: (opType, ins, attributes = []) => w.temp(opType, ins, out, attributes),
      constant: (dims, values, type) => w.constant(out, dims, values, type),
      int64s: (values) => w.int64s(out, values),
      int64: (v) => w.constant(out, [], [v], "int64"),
      scalar: (v) => w.scalar(out, v),
    };
    try {
      (stepOps[node.op] as StepOpRule<Node>)(ctx, node);
    } catch (e) {
      throw new Error(`${describeStepNode(key, node)}: ${(e as Error).message}`, { cause: e });
    }
    if (!emitted) throw new Error(`${describeStepNode(key, node)}: the export's rule for ${node.op} wrote no node for its value (a bug)`);
  }

  // the mask as [B, 1, ...] of each rank it is applied at
  const rowMasks = new Map<number, string>();
  const rowMask = (rank: number): string => {
    if (rank === 1) return mask!;
    if (!rowMasks.has(rank)) {
      const axes = Array.from({ length: rank - 1 }, (_, i) => i + 1);
      rowMasks.set(rank, w.temp("Unsqueeze", [mask!, w.int64s(`${mask}.axes`, axes)], `${mask}.rank${rank}`));
    }
    return rowMasks.get(rank)!;
  };
  let zero: string | undefined;
  const outputs: OnnxValueInfo[] = [];
  const emitOutput = (name: string, v: string, rank: number, otherwise: () => string, outShape: Shape) => {
    if (mask) w.node("Where", [rowMask(rank), v, otherwise()], name);
    else w.node("Identity", [v], name);
    outputs.push(tensorValueInfo(name, w.floatType, outShape));
  };
  for (const c of g.carry) {
    emitOutput(names.take(bodyUpdateName(key, c.id)), value(g.update[c.id]), c.shape.length, () => onnx.get(c.id)!, c.shape);
  }
  for (const y of stage.ys) {
    const s = shape(resolveAlias(stage, y.value));
    emitOutput(names.take(bodyYsName(key, y.id)), value(y.value), s.length, () => (zero ??= w.scalar(`${key}/zero`, 0)), s);
  }
  return w.graph(key, inputs, outputs);
}
