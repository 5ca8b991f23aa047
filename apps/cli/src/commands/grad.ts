import { computeGradients } from "@unroll/bptt";
import { toNested } from "@unroll/ir";
import { createBackend } from "../backends.js";
import { writeJsonAtomic } from "../files.js";
import { loadInputs, type CommonOptions } from "../load-inputs.js";
import { recordToJson } from "../to-json.js";
import { parseTruncation, type TruncationOptions } from "../truncation-options.js";
import { UserError } from "../user-error.js";

/** Options of `unroll grad`. */
export interface GradCommandOptions extends CommonOptions, TruncationOptions {
  /** OUT.json path. */
  readonly out: string;
  /** Time checkpointing interval. */
  readonly checkpoint?: string;
}

/** `unroll grad`: loss, forward results and gradients, without updating anything. */
export async function gradCommand(opts: GradCommandOptions): Promise<void> {
  const truncation = parseTruncation(opts);
  const { program, params, data, dtype } = loadInputs(opts, false);
  if (!program.hasLoss) throw new UserError(`${opts.model}: the model has no loss; add "loss" to the model spec to compute gradients`);
  const backend = createBackend(opts.backend);
  try {
    const loaded = await backend.load(program, { dtype });
    const every = opts.checkpoint === undefined ? undefined : Number(opts.checkpoint);
    const r = await computeGradients(loaded, program, params, data, truncation, every ? { checkpointEvery: every } : {});
    writeJsonAtomic(opts.out, {
      loss: r.loss,
      outputs: toNested(r.forward.outputs),
      states: recordToJson(r.forward.states),
      finalState: recordToJson(r.forward.finalState),
      grads: recordToJson(r.grads),
      // the gradient with respect to every input sequence but the targets, and each initial state
      inputGrads: {
        ...recordToJson(Object.fromEntries(Object.entries(r.inputGrads).filter(([name]) => name !== "y"))),
        ...recordToJson(fullInitialGrads(r.initialStateGrads, r.forward.finalState)),
      },
      ...(truncation.kind === "full" ? {} : { windows: r.windows.map((w) => ({ start: w.start, end: w.end, lossStart: w.lossStart, loss: w.loss, grads: recordToJson(w.grads) })) }),
    });
  } finally {
    await backend.dispose();
  }
}

/** Initial-state gradients for every state; zero for states no window starting at step 0 reached. */
function fullInitialGrads<T extends { shape: readonly number[]; data: Float32Array | Float64Array }>(
  grads: Readonly<Record<string, T>>,
  like: Readonly<Record<string, T>>,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, t] of Object.entries(like)) {
    out[name] = grads[name] ?? ({ shape: t.shape, data: new (t.data.constructor as Float64ArrayConstructor)(t.data.length) } as T);
  }
  return out;
}
