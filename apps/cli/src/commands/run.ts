import { runForward } from "@unroll/bptt";
import { toNested } from "@unroll/ir";
import { createBackend } from "../backends.js";
import { checkWritable, writeJsonAtomic } from "../files.js";
import { loadInputs, type CommonOptions } from "../load-inputs.js";
import { recordToJson } from "../to-json.js";

/** Options of `unroll run`. */
export interface RunCommandOptions extends CommonOptions {
  /** OUT.json path. */
  readonly out: string;
}

/** `unroll run`: forward over the sequence; writes outputs, states, final state and (with targets) the loss. */
export async function runCommand(opts: RunCommandOptions): Promise<void> {
  checkWritable(opts.out, "--out");
  const { program, params, data, hasTargets, dtype, memoryBudget } = loadInputs(opts, true);
  const backend = createBackend(opts.backend);
  try {
    const loaded = await backend.load(program, { dtype, memoryBudget });
    const r = await runForward(loaded, params, data, program);
    writeJsonAtomic(opts.out, {
      outputs: toNested(r.outputs),
      states: recordToJson(r.states),
      finalState: recordToJson(r.finalState),
      ...(r.loss !== undefined && hasTargets ? { loss: r.loss } : {}),
    });
  } finally {
    await backend.dispose();
  }
}
