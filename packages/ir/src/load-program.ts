import { checkProgram, isProgramJson, parseProgram, programOfGraph, type CheckedProgram } from "./check-program.js";
import { GraphError } from "./errors.js";
import { GRAPH_FORMAT } from "./graph.js";
import { compileModel, parseModelSpec } from "./model/compile-model.js";
import { MODEL_FORMAT } from "./model/model-spec.js";
import { PROGRAM_FORMAT } from "./program.js";
import { isGraphJson, parseGraph } from "./validate.js";

/**
 * A format field that is not a known tag, as an error message quotes it: a string clipped to a line, a number or
 * boolean as written, anything else by its kind (it may be nested too deeply for `JSON.stringify`).
 */
function describeFormat(format: unknown): string {
  if (typeof format === "string") return JSON.stringify(format.length > 60 ? `${format.slice(0, 60)}...` : format);
  if (typeof format === "number" || typeof format === "boolean") return String(format);
  return format === null ? "null" : Array.isArray(format) ? "(an array)" : `(${typeof format === "object" ? "an object" : typeof format})`;
}

/**
 * True for a document that {@link loadProgram} reads as a model spec: one whose `format` is `"unroll.model/1"` or
 * absent (it may still fail the spec's checks). Converters use it to choose between a spec's layers and its program.
 */
export function isModelSpecDocument(json: unknown): boolean {
  const format = (json as { format?: unknown } | null)?.format;
  return format === undefined || format === MODEL_FORMAT;
}

/**
 * Loads any model document, told apart by its `format` field: a step graph
 * (`unroll.graph/1`), a program (`unroll.program/1`), or a layer-level model spec
 * (`unroll.model/1`, or no format at all). Returns the checked program.
 *
 * Guide: [interop](../../../docs/guides/interop.md) (every file format unroll reads and writes).
 */
export function loadProgram(json: unknown): CheckedProgram {
  if (isGraphJson(json)) return checkProgram(programOfGraph(parseGraph(json)));
  if (isProgramJson(json)) return checkProgram(parseProgram(json));
  if (!isModelSpecDocument(json)) {
    throw new GraphError(
      "format",
      `unknown format ${describeFormat((json as { format?: unknown }).format)}; expected "${GRAPH_FORMAT}", "${PROGRAM_FORMAT}" or a model spec ("${MODEL_FORMAT}" or no format)`,
    );
  }
  return checkProgram(compileModel(parseModelSpec(json)));
}
