import { loadProgram } from "@unroll/ir";
import { readJson } from "../files.js";
import type { CliIo } from "../io.js";
import { formatModelSummary, summarizeModel } from "../model-summary.js";
import { blameFile } from "../user-error.js";

/** Options of `unroll summary`. */
export interface SummaryCommandOptions {
  /** MODEL.json path. */
  readonly model: string;
  /** Print the summary as one JSON document. */
  readonly json?: boolean;
}

/** `unroll summary`: the model's layers, shapes, parameter counts and bytes, like Keras' `model.summary()`. */
export function summaryCommand(opts: SummaryCommandOptions, io: CliIo): void {
  const doc = readJson(opts.model, "model");
  const program = blameFile(opts.model, () => loadProgram(doc));
  const summary = summarizeModel(program, doc);
  io.stdout(opts.json ? JSON.stringify(summary) + "\n" : formatModelSummary(summary) + "\n");
}
