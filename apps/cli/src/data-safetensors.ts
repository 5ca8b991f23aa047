import { createHash } from "node:crypto";
import { sizeOf, type Dtype, type Tensor } from "@unroll/ir";
import { bytesPerNumber, checkMemory } from "@unroll/bptt";
import { decodeSafetensors, readSafetensorsHeader } from "@unroll/interop";

/** The prefix of the tensors that hold initial states: `initialState.<state name>`, each `[B, ...]`. */
export const INITIAL_STATE_PREFIX = "initialState.";

/**
 * A DATA document from a safetensors file, with tensors where a JSON document has
 * nested arrays, for `dataFromJson` to check as it checks JSON: the tensors `x`
 * (`[T, B, I]`, or `[T, B]` token ids), `y` (`[T, B, O]`, or `[T, B]` class ids), any
 * other data sequence of the model by its name, `lengths` (`[B]`, integers) and
 * `initialState.<state>` (`[B, ...]`). Integer dtypes (I64, I32, ...) are read exactly.
 * The tensors the header declares are refused above `memoryBudget` bytes before any is
 * read. `source` identifies the content (the file's sha256) for a snapshot's digest.
 */
export function dataDocumentFromSafetensors(bytes: Uint8Array, dtype: Dtype, memoryBudget?: number): { document: Record<string, unknown>; source: unknown } {
  if (memoryBudget !== undefined) {
    const { entries } = readSafetensorsHeader(bytes);
    let numbers = 0;
    let largest = { name: "", size: -1 };
    for (const e of entries) {
      numbers += sizeOf(e.shape);
      if (sizeOf(e.shape) > largest.size) largest = { name: e.name, size: sizeOf(e.shape) };
    }
    const figures = `${numbers.toLocaleString("en-US")} numbers in ${dtype}`;
    checkMemory(numbers * bytesPerNumber(dtype), memoryBudget, "the data need", figures, `tensor "${largest.name}"`);
  }
  const { tensors } = decodeSafetensors(bytes, { dtype });
  const document: Record<string, unknown> = {};
  const initialState: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith(INITIAL_STATE_PREFIX)) initialState[name.slice(INITIAL_STATE_PREFIX.length)] = t;
    else if (name === "initialState") throw new Error(`tensor "initialState": give each initial state as its own tensor "${INITIAL_STATE_PREFIX}<state name>"`);
    else if (name === "lengths") {
      if (t.shape.length !== 1) throw new Error(`tensor "lengths" has shape [${t.shape.join(", ")}]; lengths is [B], one per row`);
      document.lengths = Array.from(t.data);
    } else document[name] = t;
  }
  if (Object.keys(initialState).length > 0) document.initialState = initialState;
  return { document, source: { format: "safetensors", sha256: createHash("sha256").update(bytes).digest("hex") } };
}
