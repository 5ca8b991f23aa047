import { extname } from "node:path";
import type { CheckedProgram, Dtype, Tensor } from "@unroll/ir";
import { decodeSafetensors, encodeSafetensors } from "@unroll/interop";
import { readBytes, readJson, writeBytesAtomic, writeJsonAtomic } from "./files.js";
import { blameFile } from "./user-error.js";
import { weightsFromJson, weightsFromTensors, weightsToJson } from "./weights.js";

/** True for a path the CLI reads and writes as safetensors (by its extension, `.safetensors`); anything else is JSON. */
export function isSafetensorsPath(path: string): boolean {
  return extname(path).toLowerCase() === ".safetensors";
}

/**
 * The parameters in a WEIGHTS file, JSON or safetensors by its extension, read
 * within the memory budget and checked against the program (every parameter
 * with its shape, nothing extra); errors name the file.
 */
export function readWeights(path: string, program: CheckedProgram, dtype: Dtype, memoryBudget?: number): Record<string, Tensor> {
  if (!isSafetensorsPath(path)) return blameFile(path, () => weightsFromJson(readJson(path, "weights", memoryBudget), program, dtype));
  const bytes = readBytes(path, "weights", memoryBudget);
  return blameFile(path, () => weightsFromTensors(decodeSafetensors(bytes, { dtype }).tensors, program));
}

/**
 * Writes parameters atomically as a WEIGHTS file, JSON or safetensors by its
 * extension; safetensors keeps each tensor's precision (F32 for float32, F64 for float64).
 */
export function writeWeights(path: string, params: Readonly<Record<string, Tensor>>): void {
  if (isSafetensorsPath(path)) writeBytesAtomic(path, encodeSafetensors(params));
  else writeJsonAtomic(path, weightsToJson(params));
}
