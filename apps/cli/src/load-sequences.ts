import { extname } from "node:path";
import { toNested, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";
import {
  batchMajorSuspicion,
  buildVocabulary,
  csvSequences,
  textSequences,
  vocabularyFromJson,
  vocabularyToJson,
  type CharEncoding,
  type CharVocabulary,
  type HeaderMode,
  type SequenceSet,
} from "@unroll/data";
import { dataFromJson } from "./data-file.js";
import { dataDocumentFromSafetensors } from "./data-safetensors.js";
import { checkWritable, readBytes, readJson, readText, writeJsonAtomic } from "./files.js";
import { blameFile, UserError } from "./user-error.js";

/** The data formats `--data-format` takes. */
export const dataFormats = ["json", "csv", "text", "safetensors"] as const;

/** A data format. */
export type DataFormat = (typeof dataFormats)[number];

/** The command-line options that say where the data is and how to read it (as commander gives them: text). */
export interface DataOptions {
  /** DATA path (JSON, CSV or safetensors). */
  readonly data?: string;
  /** `--data-format`: json, csv, text or safetensors (default: from the file's extension). */
  readonly dataFormat?: string;
  /** CSV: input columns, comma-separated names or 0-based indices. */
  readonly inputCols?: string;
  /** CSV: target columns. */
  readonly targetCols?: string;
  /** CSV: the target is the target (or input) columns k steps later. */
  readonly targetShift?: string;
  /** CSV: the column whose value names each row's sequence. */
  readonly sequenceCol?: string;
  /** CSV: cut one long series into windows of this many steps. */
  readonly window?: string;
  /** CSV: steps between window starts. */
  readonly stride?: string;
  /** CSV: whether the first row is a header: auto, yes or no. */
  readonly header?: string;
  /** Plain text for a character-level model. */
  readonly text?: string;
  /** Text: steps per sequence. */
  readonly seqLen?: string;
  /** Text: a vocabulary file to use instead of the text's own characters. */
  readonly vocab?: string;
  /** Text: where to save the vocabulary. */
  readonly saveVocab?: string;
}

/** What loading data needs to know besides the options. */
export interface LoadContext {
  /** The model the data is for. */
  readonly program: CheckedProgram;
  /** Precision of the tensors. */
  readonly dtype: Dtype;
  /** Fill missing targets with zeros instead of refusing (run). */
  readonly optionalTargets: boolean;
  /** The memory budget in bytes: no file above it is read, no tensors above it are built. */
  readonly memoryBudget: number;
  /** Prints a warning line (the batch-major warning). */
  readonly warn: (line: string) => void;
  /** Text: the vocabulary to use (validation text takes the training text's), before `--vocab` and the text's own. */
  readonly vocabulary?: CharVocabulary;
}

/** The data, loaded and checked against the model. */
export interface LoadedSequences {
  /** The sequences. */
  readonly data: SequenceData;
  /** False when the data had no targets and zeros stood in for them. */
  readonly hasTargets: boolean;
  /** What the data was made from (the JSON document, or the text and the options that read it), for a digest. */
  readonly source: unknown;
  /** Text: the vocabulary the characters were numbered by. */
  readonly vocabulary?: CharVocabulary;
}

const CSV_OPTIONS = ["inputCols", "targetCols", "targetShift", "sequenceCol", "window", "stride", "header"] as const;
const TEXT_OPTIONS = ["seqLen", "vocab", "saveVocab"] as const;
const FLAG: Record<(typeof CSV_OPTIONS)[number] | (typeof TEXT_OPTIONS)[number], string> = {
  inputCols: "--input-cols",
  targetCols: "--target-cols",
  targetShift: "--target-shift",
  sequenceCol: "--sequence-col",
  window: "--window",
  stride: "--stride",
  header: "--header",
  seqLen: "--seq-len",
  vocab: "--vocab",
  saveVocab: "--save-vocab",
};

/**
 * Loads the data of `run`, `grad` and `train` (and anything else that reads
 * sequences, such as validation data): a DATA JSON document, a CSV time
 * series, plain text for a character-level model, or a safetensors file of
 * DATA's tensors, told apart by `--data-format` or else by the extension
 * (`.csv`, `.txt`, `.safetensors`; JSON otherwise). CSV, text and safetensors
 * become the same time-major DATA document a JSON file holds, then go through
 * the same checks against the model. Errors name the file,
 * and in it the line and column.
 */
export function loadSequences(options: DataOptions, ctx: LoadContext): LoadedSequences {
  const format = dataFormatOf(options);
  const misplaced = (names: readonly (keyof typeof FLAG)[], where: string): void => {
    const given = names.find((n) => options[n] !== undefined);
    if (given) throw new UserError(`${FLAG[given]} applies to ${where}, not to ${format} data`);
  };
  if (format !== "csv") misplaced(CSV_OPTIONS, "CSV data (--data-format csv)");
  if (format !== "text") misplaced(TEXT_OPTIONS, "text data (--text FILE)");
  const path = (options.text ?? options.data)!;
  if (format === "json") {
    return blameFile(path, () => {
      const doc = readJson(path, "data", ctx.memoryBudget);
      warnIfBatchMajor(doc, path, ctx.warn);
      return { ...dataFromJson(doc, ctx.program, ctx.dtype, ctx.optionalTargets, ctx.memoryBudget), source: doc };
    });
  }
  if (format === "safetensors") {
    const bytes = readBytes(path, "data", ctx.memoryBudget);
    return blameFile(path, () => {
      const { document, source } = dataDocumentFromSafetensors(bytes, ctx.dtype, ctx.memoryBudget);
      return { ...dataFromJson(document, ctx.program, ctx.dtype, ctx.optionalTargets, ctx.memoryBudget), source };
    });
  }
  if (format === "csv") {
    const csv = csvOptions(options);
    const text = readText(path, "CSV", ctx.memoryBudget);
    return blameFile(path, () => {
      const set = csvSequences(text, { ...csv, dtype: ctx.dtype });
      if (!set.sequences.y && "y" in ctx.program.dataInputs && !ctx.optionalTargets) {
        throw new UserError(`${path}: the model needs targets: choose them with --target-cols, or --target-shift k to predict the inputs k steps ahead`);
      }
      checkWidth(set.sequences.x, "x", ctx.program, `--input-cols chose`);
      if (set.sequences.y) checkWidth(set.sequences.y, "y", ctx.program, `--target-cols chose`);
      return fromSequenceSet(set, ctx, { format, text, ...csv });
    });
  }
  const seqLen = positive(options.seqLen, "--seq-len", "text data needs --seq-len T: the steps of each sequence");
  if (options.saveVocab !== undefined) checkWritable(options.saveVocab, "--save-vocab");
  const text = readText(path, "text", ctx.memoryBudget);
  const vocabPath = options.vocab;
  const vocab =
    ctx.vocabulary ??
    (vocabPath !== undefined ? blameFile(vocabPath, () => vocabularyFromJson(readJson(vocabPath, "vocabulary", ctx.memoryBudget))) : buildVocabulary(text));
  const loaded = blameFile(path, () => {
    const input = charEncoding("x", vocab, ctx.program);
    const target = "y" in ctx.program.dataInputs ? charEncoding("y", vocab, ctx.program) : "ids";
    const set = textSequences(text, vocab, { seqLen, input, target, dtype: ctx.dtype });
    return fromSequenceSet(set, ctx, { format, text, seqLen, vocab: vocab.chars });
  });
  if (options.saveVocab !== undefined) writeJsonAtomic(options.saveVocab, vocabularyToJson(vocab));
  return { ...loaded, vocabulary: vocab };
}

/** `--data-format`, or the format the data file's extension implies. */
function dataFormatOf(options: DataOptions): DataFormat {
  if (options.text !== undefined && options.data !== undefined) throw new UserError("give the data with either --data FILE or --text FILE, not both");
  if (options.text === undefined && options.data === undefined) {
    throw new UserError("give the data with --data FILE (JSON or CSV) or --text FILE (plain text for a character-level model)");
  }
  const format = options.dataFormat;
  if (format !== undefined && !(dataFormats as readonly string[]).includes(format)) {
    throw new UserError(`--data-format must be one of ${dataFormats.join(", ")}, got "${format}"`);
  }
  if (options.text !== undefined) {
    if (format !== undefined && format !== "text") throw new UserError(`--text reads plain text; use --data FILE for --data-format ${format}`);
    return "text";
  }
  if (format !== undefined) return format as DataFormat;
  const ext = extname(options.data!).toLowerCase();
  return ext === ".csv" ? "csv" : ext === ".txt" ? "text" : ext === ".safetensors" ? "safetensors" : "json";
}

/** The CSV options, parsed; every mistake states what is valid. */
function csvOptions(o: DataOptions) {
  if (o.inputCols === undefined) throw new UserError("CSV data needs --input-cols: the input columns, comma-separated header names or 0-based indices");
  const header: HeaderMode =
    o.header === undefined || o.header === "auto" ? "auto" : o.header === "yes" ? true : o.header === "no" ? false : badHeader(o.header);
  return {
    inputCols: columnList(o.inputCols, "--input-cols"),
    ...(o.targetCols !== undefined ? { targetCols: columnList(o.targetCols, "--target-cols") } : {}),
    ...(o.targetShift !== undefined ? { targetShift: count(o.targetShift, "--target-shift", 0) } : {}),
    ...(o.sequenceCol !== undefined ? { sequenceCol: o.sequenceCol } : {}),
    ...(o.window !== undefined ? { window: count(o.window, "--window", 1) } : {}),
    ...(o.stride !== undefined ? { stride: count(o.stride, "--stride", 1) } : {}),
    header,
  };
}

function badHeader(value: string): never {
  throw new UserError(`--header must be auto, yes or no, got "${value}"`);
}

function columnList(value: string, flag: string): string[] {
  const cols = value.split(",").map((c) => c.trim());
  if (cols.some((c) => c === "")) throw new UserError(`${flag} must list columns separated by commas (header names or 0-based indices), got "${value}"`);
  return cols;
}

function count(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!(Number.isSafeInteger(n) && n >= min)) throw new UserError(`${flag} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

function positive(value: string | undefined, flag: string, missing: string): number {
  if (value === undefined) throw new UserError(missing);
  return count(value, flag, 1);
}

/** A CSV's chosen columns must be as many as the model's input (or output) is wide. */
function checkWidth(t: Tensor, name: string, program: CheckedProgram, chose: string): void {
  const perStep = program.dataInputs[name];
  if (perStep === undefined) throw new UserError(`this model reads no "${name}" (it reads: ${Object.keys(program.dataInputs).join(", ")})`);
  const width = t.shape[2];
  const expected = perStep.length === 1 ? 1 : perStep[perStep.length - 1];
  if (perStep.length > 2 || width !== expected) {
    const what = perStep.length === 1 ? "one column of class ids" : `${expected} column${expected === 1 ? "" : "s"}`;
    throw new UserError(`${chose} ${width} column${width === 1 ? "" : "s"}, but the model's "${name}" takes ${what} per step`);
  }
}

/** How the model takes characters as `name`: one-hot when its per-step shape is `[B, V]`, ids when it is `[B]` (class ids, or a token-id input). */
function charEncoding(name: string, vocab: CharVocabulary, program: CheckedProgram): CharEncoding {
  const perStep = program.dataInputs[name];
  if (perStep.length === 1) return "ids";
  const width = perStep[perStep.length - 1];
  if (perStep.length !== 2 || width !== vocab.chars.length) {
    const role = name === "x" ? `"input": ${vocab.chars.length}` : `a head of ${vocab.chars.length} units`;
    throw new UserError(
      `the model's "${name}" is [${perStep.join(", ")}] per step but the vocabulary has ${vocab.chars.length} characters: one-hot characters need ${role} in the model spec`,
    );
  }
  return "one-hot";
}

/** The DATA document of a sequence set (class-id targets `[T, B, 1]` as `[T, B]`), checked as a JSON file's would be. */
function fromSequenceSet(set: SequenceSet, ctx: LoadContext, source: unknown): LoadedSequences {
  const doc: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(set.sequences)) {
    const perStep = ctx.program.dataInputs[name];
    doc[name] = toNested(perStep?.length === 1 && t.shape.length === 3 ? { shape: t.shape.slice(0, 2), data: t.data } : t);
  }
  if (set.lengths) doc.lengths = set.lengths;
  return { ...dataFromJson(doc, ctx.program, ctx.dtype, ctx.optionalTargets, ctx.memoryBudget), source };
}

/** Warns (once per load) when a JSON document's `x` looks batch-major; the batch is known from `lengths` or an initial state when the document has one. */
function warnIfBatchMajor(doc: unknown, path: string, warn: (line: string) => void): void {
  if (typeof doc !== "object" || doc === null) return;
  const { x, lengths, initialState } = doc as { x?: unknown; lengths?: unknown; initialState?: unknown };
  const firstState = typeof initialState === "object" && initialState !== null ? Object.values(initialState)[0] : undefined;
  const batch = Array.isArray(lengths) ? lengths.length : Array.isArray(firstState) ? firstState.length : undefined;
  const s = batchMajorSuspicion(x, batch !== undefined ? { batch } : {});
  if (!s) return;
  warn(
    `${path}: "x" may be batch-major: read time-major, as unroll does, it is ${s.first} steps × ${s.second} rows; ` +
      `read batch-major it would be ${s.second} steps × ${s.first} rows (${s.reason}). DATA must be time-major [T][B][...]: transpose the first two dimensions if so`,
  );
}
