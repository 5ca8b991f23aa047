import { runForward } from "@unroll/bptt";
import { toNested } from "@unroll/ir";
import { createBackend } from "../backends.js";
import { warnOn, type CliIo } from "../io.js";
import { checkOut, printSummary, writeOut } from "../json-out.js";
import { loadInputs, type CommonOptions } from "../load-inputs.js";
import { elapsedText, lossPhrase, shapeText } from "../summary-line.js";
import { recordToJson } from "../to-json.js";

/** Options of `unroll run`. */
export interface RunCommandOptions extends CommonOptions {
  /** OUT.json path, or `-` for standard output. */
  readonly out: string;
  /** No summary line. */
  readonly quiet?: boolean;
}

/** `unroll run`: forward over the sequence; writes outputs, states, final state and (with targets) the loss, and prints a summary. */
export async function runCommand(opts: RunCommandOptions, io: CliIo): Promise<void> {
  const start = performance.now();
  checkOut(opts.out);
  const { program, params, data, hasTargets, dtype, memoryBudget } = loadInputs(opts, true, undefined, { warn: warnOn(io) });
  const backend = createBackend(opts.backend);
  try {
    const loaded = await backend.load(program, { dtype, memoryBudget });
    const r = await runForward(loaded, params, data, program);
    const loss = r.loss !== undefined && hasTargets ? r.loss : undefined;
    writeOut(
      opts.out,
      {
        outputs: toNested(r.outputs),
        states: recordToJson(r.states),
        finalState: recordToJson(r.finalState),
        ...(loss !== undefined ? { loss } : {}),
      },
      io,
    );
    printSummary(`run: ${lossPhrase(loss, r.lossRows)}; outputs ${shapeText(r.outputs.shape)}; ${elapsedText(start)}`, opts.out, opts.quiet, io);
  } finally {
    await backend.dispose();
  }
}
