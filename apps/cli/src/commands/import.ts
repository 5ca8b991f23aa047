import { extname } from "node:path";
import {
  decodeOnnxModel,
  decodeSafetensors,
  importOnnxRecurrent,
  importOnnxScan,
  modelFromTorchStateDict,
  type OnnxImport,
  type TorchCell,
} from "@unroll/interop";
import type { HeadSpec, ModelSpec } from "@unroll/ir";
import { checkWritable, readBytes, writeJsonAtomic } from "../files.js";
import type { CliIo } from "../io.js";
import { parseDtype } from "../load-inputs.js";
import { parseMaxMemory } from "../memory-options.js";
import { positiveInteger } from "../positive-integer.js";
import { UserError, blameFile } from "../user-error.js";
import { writeWeights } from "../weights-file.js";
import { torchModules } from "../torch-modules-text.js";

/** Options of `unroll import`. */
export interface ImportCommandOptions {
  /** The file to read: `.onnx`, or `.safetensors` with `torch`. */
  readonly from: string;
  /** Where the model spec goes. */
  readonly outModel: string;
  /** Where the weights go (JSON, or safetensors by the extension). */
  readonly outWeights: string;
  /** A PyTorch state_dict of this module. */
  readonly torch?: TorchCell;
  /** `--torch`: `num_layers`, checked against the keys. */
  readonly layers?: string;
  /** `--torch`: `bidirectional`, checked against the keys. */
  readonly bidirectional?: boolean;
  /** `--torch rnn`: the nonlinearity. */
  readonly activation?: "tanh" | "relu";
  /** `--torch`: the activation after an nn.Linear head. */
  readonly headActivation?: HeadSpec["activation"];
  /** A loss for the model spec. */
  readonly loss?: ModelSpec["loss"];
  /** Element type of the weights read. */
  readonly dtype: string;
  /** Memory budget in MiB. */
  readonly maxMemory?: string;
  /** No summary. */
  readonly quiet?: boolean;
}

/**
 * `unroll import`: an ONNX model whose recurrent part is RNN/LSTM/GRU nodes (or a Scan that unroll exported), or the
 * safetensors state_dict of PyTorch's nn.RNN/nn.LSTM/nn.GRU (+ nn.Linear), as a model spec and weights.
 */
export function importCommand(opts: ImportCommandOptions, io: CliIo): void {
  const dtype = parseDtype(opts.dtype);
  const memoryBudget = parseMaxMemory(opts.maxMemory);
  checkWritable(opts.outModel, "--out-model");
  checkWritable(opts.outWeights, "--out-weights");
  const kind = extname(opts.from).toLowerCase();
  const torchOnly = {
    "--layers": opts.layers,
    "--bidirectional": opts.bidirectional,
    "--activation": opts.activation,
    "--head-activation": opts.headActivation,
  };
  const say = (line: string): void => {
    if (!opts.quiet) io.stderr(line + "\n");
  };

  if (opts.torch === undefined) {
    if (kind === ".safetensors") throw new UserError(`${opts.from}: a safetensors state_dict needs --torch rnn|lstm|gru (the module it belongs to)`);
    const misplaced = Object.entries(torchOnly).find(([, v]) => v !== undefined);
    if (misplaced) throw new UserError(`${misplaced[0]} applies to --torch (a PyTorch state_dict), not to an ONNX model`);
    const onnx = blameFile(opts.from, () => decodeOnnxModel(readBytes(opts.from, "ONNX model", memoryBudget)));
    // a Scan is how unroll exports any program; anything else is read as RNN/LSTM/GRU nodes and their glue
    if ((onnx.graph?.node ?? []).some((n) => n.opType === "Scan")) {
      if (opts.loss) throw new UserError(`--loss applies to a model spec; ${opts.from} holds Scan nodes, which import as a program`);
      const { program, weights } = blameFile(opts.from, () => importOnnxScan(onnx, { dtype }));
      writeWeights(opts.outWeights, weights);
      writeJsonAtomic(opts.outModel, program.program);
      say(`import: ${opts.from} → ${opts.outModel} (a program of ${program.stages.length} Scan stage(s)), ${opts.outWeights}`);
      return;
    }
    const imported = blameFile(opts.from, () => importOnnxRecurrent(onnx));
    const model = opts.loss ? { ...imported.model, loss: opts.loss } : imported.model;
    writeWeights(opts.outWeights, imported.weights);
    writeJsonAtomic(opts.outModel, model);
    say(`import: ${opts.from} → ${opts.outModel} (${describeLayers(model)}), ${opts.outWeights}`);
    for (const line of feedNotes(imported)) say(`  ${line}`);
    return;
  }

  if (kind !== ".safetensors") throw new UserError(`--torch reads a state_dict saved as safetensors (.safetensors), got ${opts.from}`);
  const layers = opts.layers === undefined ? undefined : positiveInteger("--layers", opts.layers);
  const { tensors } = blameFile(opts.from, () => decodeSafetensors(readBytes(opts.from, "state_dict", memoryBudget), { dtype }));
  const imported = blameFile(opts.from, () =>
    modelFromTorchStateDict(tensors, {
      cell: opts.torch!,
      layers,
      bidirectional: opts.bidirectional,
      activation: opts.activation,
      headActivation: opts.headActivation,
      loss: opts.loss,
    }),
  );
  writeWeights(opts.outWeights, imported.weights);
  writeJsonAtomic(opts.outModel, imported.spec);
  say(`import: ${opts.from}, the state_dict of ${torchModules(imported.module)} → ${opts.outModel}, ${opts.outWeights}`);
}

/** "2 × lstm 64 (bidirectional), head 3 softmax" */
function describeLayers(model: ModelSpec): string {
  const layers = model.layers.map((l) => `${l.cell} ${l.hidden}${l.bidirectional ? " bidirectional" : ""}${l.direction === "reverse" ? " reverse" : ""}`);
  const head = model.head ? `, head ${model.head.units} ${model.head.activation}` : "";
  return `${layers.join(", ")}${head}`;
}

/** How the ONNX model's inputs become unroll's DATA fields. */
function feedNotes(imported: OnnxImport): string[] {
  const notes = imported.inputs.map((input) => {
    if (input.role === "lengths") return `ONNX input ${input.name} is DATA's lengths`;
    const axes = input.axes.map((a) => (a.length === 0 ? "1" : a.join("×"))).join(", ");
    if (input.role === "x")
      return `ONNX input ${input.name} [${axes}] is DATA's x, time-major [T][B][${input.tokenIds ? "" : "I"}]${input.tokenIds ? " (token ids)" : ""}`;
    const states = input.states.map((s) => s.join(" + ") || "(unused)").join("; ");
    return `ONNX input ${input.name} [${axes}] is DATA's initialState: ${states}`;
  });
  const constant = Object.keys(imported.initialState);
  if (constant.length > 0) notes.push(`the ONNX graph holds constant initial states; give them in DATA's initialState: ${constant.join(", ")}`);
  return notes;
}
