import type { Dtype, Program, Tensor } from "@unroll/ir";
import type { GradientMethod, NonFiniteSite } from "@unroll/bptt";
import type { Sensitivities } from "./sensitivities.js";

/** Rows `[from, to)` of the batch axis. */
export interface RowRange {
  /** First row. */
  readonly from: number;
  /** One past the last row. */
  readonly to: number;
}

/**
 * Where a worker writes what its slice computed (shared-memory mode): tensors
 * over the whole batch in `SharedArrayBuffer`s, each worker filling its own
 * rows, plus one parameter-gradient buffer per worker that the main thread
 * reduces in worker order.
 */
export interface SliceOutputs {
  /** `[L, B, ...]`, the program's output sequence. */
  readonly outputs: Tensor;
  /** `[L, B, ...]` per state (empty when states are not collected). */
  readonly states: Readonly<Record<string, Tensor>>;
  /** `[B, ...]` per state. */
  readonly finalState: Readonly<Record<string, Tensor>>;
  /** This worker's own parameter gradients (when gradients are asked for). */
  readonly grads?: Readonly<Record<string, Tensor>>;
  /** `[L, B, ...]` per data sequence (when gradients are asked for, by BPTT). */
  readonly inputGrads?: Readonly<Record<string, Tensor>>;
  /** `[B, ...]` per state (when gradients are asked for, by BPTT). */
  readonly initialStateGrads?: Readonly<Record<string, Tensor>>;
  /** By param and then by state, rows leading: the sensitivities leaving the window (gradients by RTRL or SnAp-1). */
  readonly sensitivities?: Sensitivities;
}

/**
 * One worker's share of a window: the message of the one call each busy
 * worker gets per window. Its tensors are `SharedArrayBuffer` views the
 * worker reads in place (or, without shared memory, transferred copies of
 * just its rows).
 */
export interface SliceJob {
  /** The loaded program to run. */
  readonly programId: number;
  /** The rows of the input tensors (`sequences`, `initialState`, `mask`, `sensitivities`) this worker runs. */
  readonly rows: RowRange;
  /** Every parameter. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** Data sequences `[L, B', ...]`. */
  readonly sequences: Readonly<Record<string, Tensor>>;
  /** State entering the window `[B', ...]`, per state given. */
  readonly initialState: Readonly<Record<string, Tensor>>;
  /** `[L, B']` mask, when the batch has lengths. */
  readonly mask?: Tensor;
  /** First step whose loss counts. */
  readonly lossFrom: number;
  /** The whole window's counted rows, so that slice losses and gradients add up. */
  readonly lossRowsTotal: number;
  /** Time of the window's first step, for error messages. */
  readonly firstStep: number;
  /** Also compute gradients. */
  readonly gradients: boolean;
  /** How gradients are computed: backward (BPTT) or carried forward (RTRL, SnAp-1). */
  readonly method: GradientMethod;
  /** RTRL and SnAp-1: the sensitivities entering the window by param and then by state, rows on axis 0 (`[B', size(param), ...state]` for RTRL). */
  readonly sensitivities?: Sensitivities;
  /** Return every step's state. */
  readonly collectStates: boolean;
  /** Time checkpointing interval. */
  readonly checkpointEvery: number;
  /** BPTT: also return the norms of the state deltas at every step, over this slice's rows. */
  readonly deltaNorms: boolean;
  /** Shared result buffers to write into at row `rows.from`; absent: return the results (transferred). */
  readonly out?: SliceOutputs;
}

/** What a slice computed, returned by value when there is no shared memory. */
export interface SliceTensors {
  /** `[L, b, ...]` outputs of the slice's rows. */
  readonly outputs: Tensor;
  /** `[L, b, ...]` states (when collected). */
  readonly states: Readonly<Record<string, Tensor>>;
  /** `[b, ...]` final states. */
  readonly finalState: Readonly<Record<string, Tensor>>;
  /** Parameter gradients of the slice. */
  readonly grads?: Readonly<Record<string, Tensor>>;
  /** `[L, b, ...]` input gradients (BPTT). */
  readonly inputGrads?: Readonly<Record<string, Tensor>>;
  /** `[b, ...]` initial-state gradients (BPTT). */
  readonly initialStateGrads?: Readonly<Record<string, Tensor>>;
  /** Sensitivities leaving the window, `b` rows leading (RTRL, SnAp-1). */
  readonly sensitivities?: Sensitivities;
}

/** An error thrown inside a worker, as plain data (comlink would keep only its message). */
export interface WireError {
  /** The error's class name, e.g. `"NonFiniteError"`. */
  readonly name: string;
  /** Its message. */
  readonly message: string;
  /** Its stack inside the worker. */
  readonly stack?: string;
  /** Where a `NonFiniteError` happened. */
  readonly site?: NonFiniteSite;
}

/** A worker's answer to a {@link SliceJob}. */
export type SliceReply =
  | {
      /** The slice ran. */
      readonly ok: true;
      /** Its loss: its rows' loss sum divided by the window's counted rows. */
      readonly loss?: number;
      /** Its counted (step, row) pairs. */
      readonly lossRows: number;
      /** With `deltaNorms`: by state, the norm of the delta at each step over this slice's rows. */
      readonly deltaNorms?: Readonly<Record<string, readonly number[]>>;
      /** The results, when the job had no shared `out` buffers. */
      readonly results?: SliceTensors;
    }
  | {
      /** The slice failed. */
      readonly ok: false;
      /** Why. */
      readonly error: WireError;
    };

/** What each worker exposes through comlink. */
export interface WorkerApi {
  /** Answers once the worker has started. */
  ping(): string;
  /** Checks `program` (plain JSON) and keeps a window runner for it under `id`, its windows held to `memoryBudget` bytes. */
  load(id: number, program: Program, dtype: Dtype, memoryBudget: number): void;
  /** Forgets program `id`. */
  unload(id: number): void;
  /** Runs one slice of a window. */
  run(job: SliceJob): Promise<SliceReply>;
}
