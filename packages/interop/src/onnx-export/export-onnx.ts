import { isModelSpecDocument, loadProgram, parseModelSpec, type Tensor } from "@unroll/ir";
import type { OnnxModel } from "../onnx/onnx-messages.js";
import { checkWeights } from "./check-weights.js";
import type { ExportOnnxOptions, ResolvedExportOptions } from "./export-options.js";
import { nativeCellsGraph, nativeCellsRefusal } from "./native-cells.js";
import { scanGraph } from "./scan-graph.js";

/** The ONNX IR version unroll writes (ONNX 1.12's). */
export const ONNX_IR_VERSION = 8;

/** The version of the default operator set unroll writes. */
export const ONNX_OPSET = 17;

/** Checks the options' values, naming the one at fault, and fills in the defaults. */
function resolveOptions(options: ExportOnnxOptions): ResolvedExportOptions & { cells: "auto" | "native" | "scan" } {
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new Error(`option dtype: "float32" or "float64", got ${JSON.stringify(dtype)}`);
  const cells = options.cells ?? "auto";
  if (!["auto", "native", "scan"].includes(cells)) throw new Error(`option cells: "auto", "native" or "scan", got ${JSON.stringify(cells)}`);
  return { dtype, cells, sequenceLengths: options.sequenceLengths ?? false, initialStates: options.initialStates ?? false };
}

/**
 * Writes a model as an ONNX model (IR version 8, opset 17) that ONNX Runtime runs for inference; `encodeOnnxModel`
 * turns it into the bytes of a `.onnx` file.
 *
 * `document` is the model as the user gave it, in any form `loadProgram` reads (a model spec, a step graph or a
 * program), and `weights` its parameters, each with its exact shape (a missing, extra or misshapen one is an error
 * naming it).
 *
 * - A **model spec** whose layers ONNX's recurrent nodes express becomes one `RNN`, `LSTM` or `GRU` node per layer
 *   (named `layers.k`; gate blocks, weight layout and biases mapped to ONNX's), its embedding a `Gather`, its head
 *   `MatMul`, `Add` and the activation. In float64 it is written as Scan unless `cells` is `"native"`: ONNX Runtime's
 *   recurrent nodes run float32 only.
 * - **Any program** (a custom step graph, or a spec with `layerNorm`) becomes one `Scan` node per stage whose body is
 *   the step graph, op by op; the params are initializers of the main graph.
 *
 * Either way the graph's inputs are time-major like unroll's data: `x` `[T, B, I]` (int64 token ids `[T, B]` with
 * an embedding), then `sequence_lens` int32 `[B]` and `initialState.<state>` `[B, H]` when the options ask; its
 * outputs are `output` `[T, B, O]` and `finalState.<state>` `[B, H]`, the numbers of `runForward` on the CPU backend.
 * The loss and dropout are left out (inference). Names follow the model's (`layers.0`, `head.logits`), for Netron.
 *
 * ```ts
 * const model = exportOnnx(spec, weights, { sequenceLengths: true });
 * writeFileSync("model.onnx", encodeOnnxModel(model));
 * ```
 *
 * Guide: [interop](../../../../docs/guides/interop.md) (what maps to what, and what cannot).
 */
export function exportOnnx(document: unknown, weights: Readonly<Record<string, Tensor>>, options: ExportOnnxOptions = {}): OnnxModel {
  const opts = resolveOptions(options);
  const program = loadProgram(document);
  checkWeights(program.params, weights);
  const spec = isModelSpecDocument(document) ? parseModelSpec(document) : undefined;
  if (!spec && opts.cells === "native") throw new Error(`option cells "native" applies to model specs; a step graph or program is exported as Scan`);
  const refusal = spec && nativeCellsRefusal(spec);
  if (refusal && opts.cells === "native") throw new Error(refusal);
  // ONNX Runtime's recurrent kernels are float32 only: "auto" writes a float64 model as Scan, which it runs
  const native = spec !== undefined && !refusal && (opts.cells === "native" || (opts.cells === "auto" && opts.dtype === "float32"));
  const graph = native ? nativeCellsGraph(spec, weights, opts) : scanGraph(program, weights, opts);
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "unroll",
    docString: native ? "unroll model spec: ONNX recurrent nodes" : "unroll program: one Scan per stage",
    graph,
  };
}
