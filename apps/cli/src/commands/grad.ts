import { computeGradients } from "@unroll/bptt";
import { dtypeOf, toNested, zeros, type Tensor } from "@unroll/ir";
import { createBackend } from "../backends.js";
import { warnOn, type CliIo } from "../io.js";
import { checkOut, printSummary, writeOut } from "../json-out.js";
import { loadInputs, type CommonOptions } from "../load-inputs.js";
import { recordToJson } from "../to-json.js";
import { parseMethod, type MethodOptions } from "../method-options.js";
import { positiveInteger } from "../positive-integer.js";
import { parseTruncation } from "../truncation-options.js";
import { elapsedText, lossPhrase, shapesText } from "../summary-line.js";

/** Options of `unroll grad`. */
export interface GradCommandOptions extends CommonOptions, MethodOptions {
  /** OUT.json path, or `-` for standard output. */
  readonly out: string;
  /** No summary line. */
  readonly quiet?: boolean;
}

/** `unroll grad`: loss, forward results and gradients, without updating anything; prints a summary. */
export async function gradCommand(opts: GradCommandOptions, io: CliIo): Promise<void> {
  const start = performance.now();
  checkOut(opts.out);
  const truncation = parseTruncation(opts);
  const { method } = parseMethod(opts);
  const every = opts.checkpoint === undefined ? undefined : positiveInteger("--checkpoint", opts.checkpoint);
  const { program, params, data, dtype, memoryBudget } = loadInputs(opts, false, "compute gradients", { warn: warnOn(io) });
  const backend = createBackend(opts.backend);
  try {
    const loaded = await backend.load(program, { dtype, memoryBudget });
    const r = await computeGradients(loaded, program, params, data, truncation, {
      ...(every ? { checkpointEvery: every } : {}),
      memoryBudget,
      ...(method !== "bptt" ? { method } : { deltaNorms: true }),
    });
    writeOut(
      opts.out,
      {
        loss: r.loss,
        outputs: toNested(r.forward.outputs),
        states: recordToJson(r.forward.states),
        finalState: recordToJson(r.forward.finalState),
        grads: recordToJson(r.grads),
        // the gradient with respect to every input sequence but the targets, and each initial state; RTRL carries only the params'
        ...(method !== "bptt"
          ? { method }
          : {
              inputGrads: {
                ...recordToJson(Object.fromEntries(Object.entries(r.inputGrads).filter(([name]) => name !== "y"))),
                ...recordToJson(fullInitialGrads(r.initialStateGrads, r.forward.finalState)),
              },
            }),
        ...(truncation.kind === "full"
          ? {}
          : { windows: r.windows.map((w) => ({ start: w.start, end: w.end, lossStart: w.lossStart, loss: w.loss, grads: recordToJson(w.grads) })) }),
        // gradient flow, by BPTT: per window, ‖∂L/∂h_t‖ at each step of its span by state, and each parameter's gradient norm
        ...(method !== "bptt"
          ? {}
          : {
              deltaNorms: r.windows.map((w) => ({ start: w.start, end: w.end, lossStart: w.lossStart, states: w.deltaNorms, gradNorms: w.gradNorms })),
            }),
      },
      io,
    );
    const windows = r.windows.length > 1 ? `; ${r.windows.length} windows, grads summed` : "";
    printSummary(`grad: ${lossPhrase(r.loss, r.lossRows)}; grads ${shapesText(r.grads)}${windows}; ${elapsedText(start)}`, opts.out, opts.quiet, io);
  } finally {
    await backend.dispose();
  }
}

/** Initial-state gradients for every state; zero for states no window starting at step 0 reached. */
function fullInitialGrads(grads: Readonly<Record<string, Tensor>>, like: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(like).map(([name, t]) => [name, grads[name] ?? zeros(t.shape, dtypeOf(t.data))]));
}
