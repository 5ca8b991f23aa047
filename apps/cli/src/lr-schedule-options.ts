import type { LrDecay, LrSchedule } from "@unroll/bptt";
import { positiveInteger } from "./positive-integer.js";
import { UserError } from "./user-error.js";

/** The learning-rate options of train. */
export interface LrScheduleOptions {
  /** `step:EVERY:GAMMA`, `exp:GAMMA` or `cosine:PERIOD[:MIN_LR]`. */
  readonly lrSchedule?: string;
  /** Linear warm-up over this many optimizer steps. */
  readonly warmup?: string;
}

/** What `--lr-schedule` accepts, for its errors and its help. */
export const LR_SCHEDULE_SYNTAX =
  "step:EVERY:GAMMA (×GAMMA every EVERY epochs), exp:GAMMA (×GAMMA every epoch) or cosine:PERIOD[:MIN_LR] (cosine to MIN_LR, default 0, over PERIOD epochs)";

/** `--lr-schedule` and `--warmup` as an {@link LrSchedule}, or undefined when neither is given. */
export function parseLrSchedule(o: LrScheduleOptions): LrSchedule | undefined {
  const decay = o.lrSchedule === undefined ? undefined : parseDecay(o.lrSchedule);
  const warmup = o.warmup === undefined ? undefined : positiveInteger("--warmup", o.warmup);
  if (!decay && warmup === undefined) return undefined;
  return { ...(decay ? { decay } : {}), ...(warmup !== undefined ? { warmup } : {}) };
}

/** One `--lr-schedule` value. */
function parseDecay(value: string): LrDecay {
  const [kind, ...args] = value.split(":");
  const bad = (why: string): UserError => new UserError(`--lr-schedule ${why}, got "${value}"; give ${LR_SCHEDULE_SYNTAX}`);
  const gamma = (v: string | undefined): number => {
    const n = v === undefined || v.trim() === "" ? NaN : Number(v);
    if (!(n > 0 && n <= 1)) throw bad("GAMMA must be a number in (0, 1]");
    return n;
  };
  const count = (v: string | undefined, name: string): number => {
    const n = v === undefined || v.trim() === "" ? NaN : Number(v);
    if (!(Number.isSafeInteger(n) && n >= 1)) throw bad(`${name} must be a positive integer of epochs`);
    return n;
  };
  if (kind === "step" && args.length === 2) return { kind: "step", every: count(args[0], "EVERY"), gamma: gamma(args[1]) };
  if (kind === "exp" && args.length === 1) return { kind: "exponential", gamma: gamma(args[0]) };
  if (kind === "cosine" && (args.length === 1 || args.length === 2)) {
    const period = count(args[0], "PERIOD");
    if (args.length === 1) return { kind: "cosine", period };
    const minLr = args[1].trim() === "" ? NaN : Number(args[1]);
    if (!(Number.isFinite(minLr) && minLr >= 0)) throw bad("MIN_LR must be a number ≥ 0");
    return { kind: "cosine", period, minLr };
  }
  throw bad("is not a schedule");
}
