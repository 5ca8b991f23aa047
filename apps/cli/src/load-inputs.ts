import { loadProgram, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import { checkParamsMemory, initParams, paramsMemory, type SequenceData } from "@unroll/bptt";
import { readJson } from "./files.js";
import { parseMaxMemory } from "./memory-options.js";
import { paramSizeField } from "./size-field.js";
import { blameFile, UserError } from "./user-error.js";
import { readWeights } from "./weights-file.js";
import { contentDigest } from "./snapshot-file.js";
import { loadSequences, type DataOptions } from "./load-sequences.js";
import { processIo, warnOn } from "./io.js";
import type { CharVocabulary } from "@unroll/data";

/** Options shared by run, grad and train. */
export interface CommonOptions extends DataOptions {
  /** MODEL.json path. */
  readonly model: string;
  /** WEIGHTS path: JSON, or safetensors by the extension `.safetensors`. */
  readonly weights?: string;
  /** Seed for fresh weights (train only). */
  readonly seed?: string;
  /** Precision. */
  readonly dtype: string;
  /** Backend name. */
  readonly backend: string;
  /** Memory budget in MiB (default: the machine's). */
  readonly maxMemory?: string;
}

/** The model, its parameters and its data, loaded and checked. */
export interface Inputs {
  /** The checked program. */
  readonly program: CheckedProgram;
  /** Parameters. */
  readonly params: Record<string, Tensor>;
  /** Data sequences. */
  readonly data: SequenceData;
  /** False when the data had no targets and zeros stood in for them. */
  readonly hasTargets: boolean;
  /** Precision. */
  readonly dtype: Dtype;
  /** The memory budget in bytes, from `--max-memory` or the machine. */
  readonly memoryBudget: number;
  /** With the `digests` option: the {@link contentDigest} of the MODEL and DATA documents as read. */
  readonly digests?: { readonly model: string; readonly data: string };
  /** Text data: the vocabulary its characters were numbered by (validation text must use the same). */
  readonly vocabulary?: CharVocabulary;
  /** Prints a warning line, as DATA's loading did. */
  readonly warn: (line: string) => void;
}

/** Parses the dtype option. */
export function parseDtype(value: string): Dtype {
  if (value !== "float32" && value !== "float64") throw new UserError(`--dtype must be float32 or float64, got "${value}"`);
  return value;
}

/**
 * Loads MODEL, WEIGHTS (or fresh weights from a seed) and DATA, each error
 * naming its file. With `lossNeededTo` (what the command does with the loss,
 * e.g. "train it"), a model without a loss is refused before anything else
 * is read, so the user hears about the loss and not about unused targets.
 * Nothing is allocated above the memory budget: each file's size is checked
 * before it is read, the parameters' total (from the model) before they are
 * made or read, the data's declared tensors before they are built. With
 * `digests`, the documents' digests are taken from the same reading (a
 * snapshot names the model and data it belongs to by them). The data come
 * from {@link loadSequences} (JSON, CSV or text); `warn` prints its warnings
 * (by default on standard error).
 */
export function loadInputs(opts: CommonOptions, optionalTargets: boolean, lossNeededTo?: string, { digests = false, warn = warnOn(processIo) } = {}): Inputs {
  const dtype = parseDtype(opts.dtype);
  const memoryBudget = parseMaxMemory(opts.maxMemory);
  let modelDigest = "";
  const program = blameFile(opts.model, () => {
    const doc = readJson(opts.model, "model", memoryBudget);
    if (digests) modelDigest = contentDigest(doc);
    const p = loadProgram(doc);
    checkParamsMemory(p.params, dtype, memoryBudget, paramSizeField(doc, p, paramsMemory(p.params, dtype).largest));
    return p;
  });
  if (lossNeededTo !== undefined && !program.hasLoss)
    throw new UserError(`${opts.model}: the model has no loss; add "loss" to the model spec to ${lossNeededTo}`);
  let params: Record<string, Tensor>;
  if (opts.weights !== undefined) {
    params = readWeights(opts.weights, program, dtype, memoryBudget);
  } else if (opts.seed !== undefined) {
    const seed = Number(opts.seed);
    if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer, got "${opts.seed}"`);
    params = initParams(program, seed, dtype, memoryBudget);
  } else {
    throw new UserError("give the weights with --weights FILE (or, for train, --seed N for fresh ones)");
  }
  const { data, hasTargets, source, vocabulary } = loadSequences(opts, { program, dtype, optionalTargets, memoryBudget, warn });
  const dataDigest = digests ? contentDigest(source) : "";
  return {
    program,
    params,
    data,
    hasTargets,
    dtype,
    memoryBudget,
    warn,
    ...(vocabulary ? { vocabulary } : {}),
    ...(digests ? { digests: { model: modelDigest, data: dataDigest } } : {}),
  };
}

/**
 * Loads train's `--val-data` the way DATA was loaded: the same format options
 * (CSV columns, text's sequence length), text numbered by the training data's
 * vocabulary, targets required, and never a `--save-vocab`.
 */
export function loadValidationData(o: DataOptions, path: string, inputs: Inputs): SequenceData {
  const options: DataOptions = {
    ...o,
    data: path,
    text: undefined,
    saveVocab: undefined,
    // training text came by --text: the validation file is text too, whatever its extension
    ...(o.text !== undefined && o.dataFormat === undefined ? { dataFormat: "text" } : {}),
  };
  const { program, dtype, memoryBudget, warn, vocabulary } = inputs;
  return loadSequences(options, { program, dtype, optionalTargets: false, memoryBudget, warn, ...(vocabulary ? { vocabulary } : {}) }).data;
}
