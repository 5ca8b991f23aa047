import {
  CLI_FIRST_LOSS,
  CLI_FIRST_LOSS_RELATIVE_TOLERANCE,
  CLI_TRAINED_LOSS_BELOW,
  CUSTOM_CELL_FINAL_LOSS_BELOW,
  CUSTOM_CELL_FIRST_LOSS,
  CUSTOM_CELL_FIRST_LOSS_TOLERANCE,
} from "./expectations.js";

/**
 * Checks what the README's custom-cell example printed: the loss before training (the first number of the first
 * line) and the `trainer.fit` loss of epoch 100. Throws, quoting the output, when a figure is off.
 */
export function checkCustomCellOutput(stdout: string): { firstLoss: number; finalLoss: number } {
  const firstLoss = Number(/^(\S+) /.exec(stdout)?.[1]);
  const finalLoss = Number(/^epoch 100: loss (\S+)$/m.exec(stdout)?.[1]);
  if (!(Math.abs(firstLoss - CUSTOM_CELL_FIRST_LOSS) <= CUSTOM_CELL_FIRST_LOSS_TOLERANCE))
    throw new Error(`custom cell: the first loss should be ${CUSTOM_CELL_FIRST_LOSS} ± ${CUSTOM_CELL_FIRST_LOSS_TOLERANCE}; the example printed:\n${stdout}`);
  if (!(finalLoss < CUSTOM_CELL_FINAL_LOSS_BELOW))
    throw new Error(`custom cell: the loss of epoch 100 should be below ${CUSTOM_CELL_FINAL_LOSS_BELOW}; the example printed:\n${stdout}`);
  return { firstLoss, finalLoss };
}

/**
 * Checks the CLI's run: the first window's loss in `unroll train --log` (JSON lines) and the loss `unroll run` wrote
 * with the trained weights.
 */
export function checkCliRun(logJsonl: string, runOut: string): { firstLoss: number; trainedLoss: number } {
  const firstLoss = Number((JSON.parse(logJsonl.split("\n")[0]) as { loss?: unknown }).loss);
  const trainedLoss = Number((JSON.parse(runOut) as { loss?: unknown }).loss);
  if (!(Math.abs(firstLoss - CLI_FIRST_LOSS) <= CLI_FIRST_LOSS_RELATIVE_TOLERANCE * CLI_FIRST_LOSS))
    throw new Error(`unroll train: the first loss should be ${CLI_FIRST_LOSS} (relative tolerance ${CLI_FIRST_LOSS_RELATIVE_TOLERANCE}), got ${firstLoss}`);
  if (!(trainedLoss < CLI_TRAINED_LOSS_BELOW))
    throw new Error(`unroll run: the loss after training should be below ${CLI_TRAINED_LOSS_BELOW}, got ${trainedLoss}`);
  return { firstLoss, trainedLoss };
}
