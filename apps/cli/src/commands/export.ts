import { basename, dirname, extname, join } from "node:path";
import { isModelSpecDocument, loadProgram, parseModelSpec } from "@unroll/ir";
import { encodeOnnxModel, encodeSafetensors, exportOnnx, torchModuleSource, torchStateDictFromModel } from "@unroll/interop";
import { checkWritable, readJson, writeBytesAtomic, writeTextAtomic } from "../files.js";
import type { CliIo } from "../io.js";
import { parseDtype } from "../load-inputs.js";
import { parseMaxMemory } from "../memory-options.js";
import { UserError, blameFile } from "../user-error.js";
import { torchModules } from "../torch-modules-text.js";
import { readWeights } from "../weights-file.js";

/** The formats `unroll export` writes. */
export const exportFormats = ["onnx", "torch", "safetensors"] as const;

/** Options of `unroll export`. */
export interface ExportCommandOptions {
  /** MODEL.json path. */
  readonly model: string;
  /** WEIGHTS path (JSON or safetensors). */
  readonly weights: string;
  /** What to write. */
  readonly format: (typeof exportFormats)[number];
  /** Output file. */
  readonly out: string;
  /** `torch`: where the state_dict goes (default: `--out` with `.safetensors`). */
  readonly outWeights?: string;
  /** Element type of the exported weights and values. */
  readonly dtype: string;
  /** `onnx`: a `sequence_lens` input. */
  readonly lengths?: boolean;
  /** `onnx`: an input per initial state. */
  readonly initialStates?: boolean;
  /** `onnx`: how a model spec's cells are written. */
  readonly cells?: "auto" | "native" | "scan";
  /** Memory budget in MiB. */
  readonly maxMemory?: string;
  /** No summary line. */
  readonly quiet?: boolean;
}

/**
 * `unroll export`: a model and its weights as an ONNX file (built-in cells as RNN/LSTM/GRU nodes, anything else as
 * Scan), as a self-contained PyTorch module (`.py`) with its state_dict in safetensors, or as the safetensors
 * state_dict of PyTorch's own nn.RNN/nn.LSTM/nn.GRU (+ nn.Linear).
 */
export function exportCommand(opts: ExportCommandOptions, io: CliIo): void {
  const dtype = parseDtype(opts.dtype);
  const memoryBudget = parseMaxMemory(opts.maxMemory);
  checkWritable(opts.out, "--out");
  const stateDictPath = opts.format === "torch" ? (opts.outWeights ?? withExtension(opts.out, ".safetensors")) : undefined;
  if (stateDictPath !== undefined) checkWritable(stateDictPath, "--out-weights");
  else if (opts.outWeights !== undefined) throw new UserError(`--out-weights applies to --format torch (the module's state_dict), not ${opts.format}`);
  if (opts.format !== "onnx" && (opts.lengths || opts.initialStates || opts.cells !== undefined)) {
    throw new UserError(`--lengths, --initial-states and --cells apply to --format onnx, not ${opts.format}`);
  }
  const doc = readJson(opts.model, "model", memoryBudget);
  const program = blameFile(opts.model, () => loadProgram(doc));
  const weights = readWeights(opts.weights, program, dtype, memoryBudget);
  const say = (line: string): void => {
    if (!opts.quiet) io.stderr(line + "\n");
  };

  if (opts.format === "onnx") {
    const model = blameFile(opts.model, () =>
      exportOnnx(doc, weights, { dtype, sequenceLengths: opts.lengths ?? false, initialStates: opts.initialStates ?? false, cells: opts.cells ?? "auto" }),
    );
    writeBytesAtomic(opts.out, encodeOnnxModel(model));
    const ops = [...new Set((model.graph?.node ?? []).map((n) => n.opType))].join(", ");
    const inputs = (model.graph?.input ?? []).map((i) => i.name).join(", ");
    const outputs = (model.graph?.output ?? []).map((o) => o.name).join(", ");
    say(`export: ${opts.out} (ONNX opset 17, ${dtype}): ops ${ops}; inputs ${inputs}; outputs ${outputs}`);
  } else if (opts.format === "torch") {
    const source = blameFile(opts.model, () => torchModuleSource(program, { className: className(opts.out) }));
    writeBytesAtomic(stateDictPath!, encodeSafetensors(weights));
    writeTextAtomic(opts.out, source);
    say(`export: ${opts.out} (PyTorch nn.Module ${className(opts.out)}) and its state_dict ${stateDictPath} (${dtype}, unroll's parameter names)`);
  } else {
    if (!isModelSpecDocument(doc)) {
      throw new UserError(
        `${opts.model}: --format safetensors writes the state_dict of PyTorch's nn.RNN/nn.LSTM/nn.GRU, which needs a model spec of built-in cells; for a step graph or program use --format torch`,
      );
    }
    const { stateDict, module } = blameFile(opts.model, () => torchStateDictFromModel(parseModelSpec(doc), weights));
    writeBytesAtomic(opts.out, encodeSafetensors(stateDict));
    say(`export: ${opts.out} (${dtype}), the state_dict of ${torchModules(module)}`);
  }
}

/** The Python class name for a module file: its name in CamelCase (`sine_model.py` → `SineModel`), or `UnrollModule`. */
function className(path: string): string {
  const stem = basename(path, extname(path));
  const words = stem.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : "UnrollModule";
}

/** `path` with its extension replaced. */
function withExtension(path: string, extension: string): string {
  return join(dirname(path), basename(path, extname(path)) + extension);
}
