/**
 * How the learning rate decays over epochs, as PyTorch's schedulers stepped once per epoch:
 * - `step`: `lr · gamma^⌊epoch / every⌋` (`StepLR`);
 * - `exponential`: `lr · gamma^epoch` (`ExponentialLR`);
 * - `cosine`: `minLr + (lr − minLr) · (1 + cos(π · min(epoch, period) / period)) / 2`
 *   (`CosineAnnealingLR` over one half period, then held at `minLr`).
 *
 * `epoch` counts the epochs completed before the current one (0 during the first).
 */
export type LrDecay =
  | {
      /** `StepLR`. */
      readonly kind: "step";
      /** Epochs between decays. */
      readonly every: number;
      /** Factor of each decay, in (0, 1]. */
      readonly gamma: number;
    }
  | {
      /** `ExponentialLR`. */
      readonly kind: "exponential";
      /** Factor per epoch, in (0, 1]. */
      readonly gamma: number;
    }
  | {
      /** `CosineAnnealingLR` over one half period. */
      readonly kind: "cosine";
      /** Epochs from the base rate down to `minLr`. */
      readonly period: number;
      /** The rate at the end of the period and after it (default 0). */
      readonly minLr?: number;
    };

/**
 * A learning-rate schedule: an optional decay over epochs and an optional
 * linear warm-up over the first optimizer steps, multiplied together.
 */
export interface LrSchedule {
  /** Decay over epochs; none keeps the base rate. */
  readonly decay?: LrDecay;
  /**
   * Linear warm-up over this many optimizer steps: update `s` (1-based) uses
   * `min(1, s / warmup)` of the decayed rate, so update `warmup` is the first at full rate.
   */
  readonly warmup?: number;
}

/** Where training stands when an update is taken: the counters `Trainer` keeps (and snapshots). */
export interface LrPosition {
  /** Epochs completed before the current one. */
  readonly epoch: number;
  /** Optimizer steps completed before this update. */
  readonly step: number;
}

/**
 * The learning rate of the update taken at `at`, a pure function of the base rate
 * and the counters (so a resumed run gets the same rates). Reference loop:
 *
 * ```ts
 * let lr = baseLr * decayFactor(epoch);          // see LrDecay
 * if (warmup) lr *= Math.min(1, (step + 1) / warmup);
 * ```
 */
export function scheduledLr(baseLr: number, schedule: LrSchedule, at: LrPosition): number {
  const { decay, warmup } = schedule;
  let lr = baseLr;
  if (decay?.kind === "step") lr = baseLr * decay.gamma ** Math.floor(at.epoch / decay.every);
  else if (decay?.kind === "exponential") lr = baseLr * decay.gamma ** at.epoch;
  else if (decay?.kind === "cosine") {
    const min = decay.minLr ?? 0;
    lr = min + ((baseLr - min) * (1 + Math.cos((Math.PI * Math.min(at.epoch, decay.period)) / decay.period))) / 2;
  }
  if (warmup !== undefined) lr *= Math.min(1, (at.step + 1) / warmup);
  return lr;
}

/** Throws, saying what is valid, when a schedule's numbers cannot work (a zero period, a negative gamma). */
export function checkLrSchedule(schedule: LrSchedule): void {
  const { decay, warmup } = schedule;
  const positiveInt = (n: number): boolean => Number.isSafeInteger(n) && n >= 1;
  if (warmup !== undefined && !positiveInt(warmup)) throw new Error(`warmup must be a positive integer of steps, got ${warmup}`);
  if (!decay) return;
  if (decay.kind === "step" && !positiveInt(decay.every)) throw new Error(`step decay: every must be a positive integer of epochs, got ${decay.every}`);
  if ((decay.kind === "step" || decay.kind === "exponential") && !(decay.gamma > 0 && decay.gamma <= 1)) {
    throw new Error(`${decay.kind} decay: gamma must be in (0, 1], got ${decay.gamma}`);
  }
  if (decay.kind === "cosine") {
    if (!positiveInt(decay.period)) throw new Error(`cosine decay: period must be a positive integer of epochs, got ${decay.period}`);
    if (decay.minLr !== undefined && !(Number.isFinite(decay.minLr) && decay.minLr >= 0)) {
      throw new Error(`cosine decay: minLr must be a number ≥ 0, got ${decay.minLr}`);
    }
  }
}
