/** What one timed step reports besides its time. */
export interface StepOutcome {
  /** Loss of the step's first window, at the parameters entering the step. */
  readonly loss: number;
  /** Global L2 norm of that window's gradients (training, and only when asked). */
  readonly gradNorm?: number;
  /**
   * The same for the step's last window, when it has several: only this one
   * sees what is carried across updates (state, RTRL's sensitivities), so a
   * system that drops it differs here while its first window still agrees.
   */
  readonly lastGradNorm?: number;
  /** Milliseconds of each window of the step (truncated BPTT), in order. */
  readonly windowMs?: readonly number[];
}

/** One system set up on one workload: runs a step (a sequence) per call. */
export interface Runner {
  /** Runs one step: a training step (forward, backward, SGD updates) or a forward pass. */
  step(): Promise<StepOutcome>;
  /** Frees what the runner holds (workers, tensors). */
  dispose(): Promise<void>;
}

/** A computation a system has no counterpart for (TF.js: time checkpointing, RTRL): the pair is reported "n/a". */
export class UnsupportedError extends Error {}
