import type { CheckedProgram, Tensor } from "@unroll/ir";
import { attr } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxGraph, type OnnxValueInfo } from "../onnx/onnx-messages.js";
import { finalStateName, initialStateName, type ResolvedExportOptions } from "./export-options.js";
import { OnnxGraphWriter, OnnxNames, tensorValueInfo } from "./graph-writer.js";
import { writeScanBody } from "./scan-body.js";
import { idSequences, prepareStages } from "./scan-stages.js";
import { SEQUENCE_LENS, SEQUENCE_MASK, writeSequenceMask } from "./sequence-mask.js";

/**
 * The main graph of any program: one `Scan` node per stage, named after it, whose body is the stage's step graph
 * (reverse stages scan and collect with direction 1, so every sequence is in time order). Inputs: the data sequences
 * the output needs, time-major `[T, B, ...]` (int64 when only read as ids), `sequence_lens` and `initialState.<state>`
 * as the options ask; the params are initializers the bodies read from the outer scope. Outputs: the program's
 * output sequence and `finalState.<state>` for every state.
 */
export function scanGraph(program: CheckedProgram, weights: Readonly<Record<string, Tensor>>, opts: ResolvedExportOptions): OnnxGraph {
  const stages = prepareStages(program);
  const names = new OnnxNames();
  const w = new OnnxGraphWriter(names, opts.dtype);
  const inputs: OnnxValueInfo[] = [];

  const data = [...new Set(stages.flatMap((s) => s.xs.map((x) => x.id)))].filter((id) => program.dataInputs[id] !== undefined);
  if (data.length === 0) {
    throw new Error(
      `the program's output "${program.program.output}" reads no data sequence, so an ONNX graph could not tell the number of steps T and rows B`,
    );
  }
  const int64Xs = idSequences(stages, data);
  for (const id of data) {
    names.take(id);
    inputs.push(tensorValueInfo(id, int64Xs.has(id) ? OnnxDataType.INT64 : w.floatType, ["T", ...program.dataInputs[id]]));
  }
  if (opts.sequenceLengths) inputs.push(tensorValueInfo(names.take(SEQUENCE_LENS), OnnxDataType.INT32, ["B"]));
  for (const id of Object.keys(program.params)) {
    if (stages.some((s) => s.params.includes(id))) w.initializer(names.take(id), weights[id].shape, weights[id].data);
  }

  // each state's initial value: a graph input, or its init expanded to [B, ...] with B read from the first data input
  let batch: string | undefined;
  const initial = new Map<string, string>();
  for (const [state, info] of Object.entries(program.states)) {
    const name = names.take(initialStateName(state));
    initial.set(state, name);
    if (opts.initialStates) {
      inputs.push(tensorValueInfo(name, w.floatType, info.shape));
      continue;
    }
    batch ??= w.temp("Shape", [data[0]], "batch_size", [attr.int("start", 1), attr.int("end", 2)]);
    const rest = info.shape.slice(1) as number[];
    const shape = rest.length === 0 ? batch : w.temp("Concat", [batch, w.int64s(`${name}.dims`, rest)], `${name}.shape`, [attr.int("axis", 0)]);
    w.node("Expand", [w.scalar(`${name}.init`, info.init), shape], name);
  }
  const mask = opts.sequenceLengths ? writeSequenceMask(w, data[0]) : undefined;

  for (const stage of stages) {
    const g = stage.checked.graph;
    const pacer = stage.xs.length === 0 ? { id: data[0], shape: [...program.dataInputs[data[0]]] } : undefined;
    const body = writeScanBody(stage, names, opts, int64Xs, pacer);
    const scanInputs = [...(pacer ? [pacer.id] : stage.xs.map((x) => x.id)), ...(mask ? [SEQUENCE_MASK] : [])];
    const direction = stage.reverse ? 1 : 0;
    w.multi(
      "Scan",
      [...g.carry.map((c) => initial.get(c.id)!), ...scanInputs],
      [...g.carry.map((c) => names.take(finalStateName(c.id))), ...stage.ys.map((y) => names.take(y.id))],
      [
        attr.graph("body", body),
        attr.int("num_scan_inputs", scanInputs.length),
        attr.ints(
          "scan_input_directions",
          scanInputs.map(() => direction),
        ),
        attr.ints(
          "scan_output_directions",
          stage.ys.map(() => direction),
        ),
      ],
      stage.key,
    );
  }

  const output = program.program.output;
  const outputs = [tensorValueInfo(output, w.floatType, ["T", ...program.sequences[output]])];
  for (const [state, info] of Object.entries(program.states)) outputs.push(tensorValueInfo(finalStateName(state), w.floatType, info.shape));
  return w.graph("unroll", inputs, outputs);
}
