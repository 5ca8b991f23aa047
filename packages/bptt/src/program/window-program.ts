import type { Dtype } from "@unroll/ir";
import type { GradientMethod } from "../window.js";
import type { ScanGraph } from "./stage-graphs.js";

/** What a buffer of a window program holds. */
export type BufferRole =
  | "param" // a parameter, from the request
  | "sequence" // a data sequence `[L, B, ...]`, from the request
  | "mask" // the `[L, B]` step mask, from the request
  | "initial" // the state entering the window `[B, ...]`: from the request, or its init value
  | "output" // a stage's output sequence `[L, B, ...]`
  | "loss" // a stage's per-row loss at every step `[L, B]`
  | "state" // a carry after every step `[L, B, ...]` (collectStates)
  | "final" // a carry after the window's last step (first, for a reverse stage) `[B, ...]`
  | "checkpoint" // a carry entering a checkpoint segment `[B, ...]`
  | "tape" // the carries entering each step, kept for the backward scan `[n, B, ...]`
  | "residual" // a forward value the backward scan reads, kept instead of recomputed `[n, B, ...]`
  | "seed" // the gradient seeded at the per-row loss `[L, B]`
  | "carry-grad" // the gradient flowing back through a carry `[B, ...]`
  | "grad" // a parameter gradient, summed over steps
  | "delta" // a state's delta ∂L/∂h_t at every step, to measure gradient flow `[L, B, ...]`
  | "sensitivity" // RTRL: a state's sensitivity to a param, entering or leaving the window `[B, size(param), ...]`
  | "sequence-grad"; // the gradient of a sequence (data or a stage's output) `[L, B, ...]`

/** A buffer filled from the request: a param, a data sequence or a given initial state, by name. */
export interface RequestInit {
  /** Which field of the request. */
  readonly from: "params" | "sequences" | "initialState" | "sensitivities";
  /** The tensor's name in it (for sensitivities, the param's). */
  readonly name: string;
  /** For sensitivities, the state's name. */
  readonly state?: string;
}

/** A buffer filled with the request's step mask. */
export interface MaskInit {
  /** Discriminant. */
  readonly from: "mask";
}

/** A buffer filled with one value (0: zeros). */
export interface FillInit {
  /** The value. */
  readonly fill: number;
}

/** A buffer a scan writes (zeros until then), or whose memory a scan's output becomes. */
export interface ProducedInit {
  /** Discriminant. */
  readonly produced: true;
}

/** How a buffer gets its contents before the window's instructions run. */
export type BufferInit = RequestInit | MaskInit | FillInit | ProducedInit;

/** One buffer of a window program, with a concrete shape. */
export interface BufferSpec {
  /** Unique id, e.g. `"tape:0:h"`. */
  readonly id: string;
  /** What it holds. */
  readonly role: BufferRole;
  /** Concrete shape. */
  readonly shape: readonly number[];
  /** Its contents before the instructions run: from the request, a fill value, or produced by a scan (zero until then). */
  readonly init: BufferInit;
}

/** A span of steps of a sequence buffer: buffer step `offset` is the scan's first step (`from`). */
export interface StepsRef {
  /** Buffer id. */
  readonly buffer: string;
  /** Index along the buffer's step axis of the scan's step `from`. */
  readonly offset: number;
}

/** A value of a scan and where it goes. */
export interface ValueTo<Where> {
  /** Value id in the scan's step graph. */
  readonly value: string;
  /** Its destination. */
  readonly to: Where;
}

/** Runs a step graph over the steps `[from, to)` of the window, as a scan. */
export interface ScanInstruction {
  /** Discriminant. */
  readonly op: "scan";
  /** Index into {@link WindowProgram.scans}. */
  readonly scan: number;
  /** The program stage. */
  readonly stage: number;
  /** The forward pass, the backward pass, or a forward pass recomputing a checkpoint segment during backward. */
  readonly pass: "forward" | "backward" | "recompute";
  /** First step (inclusive). */
  readonly from: number;
  /** Last step (exclusive). */
  readonly to: number;
  /** Visit the steps from `to - 1` down to `from`. */
  readonly reverse: boolean;
  /** Inputs that are the same at every step (the graph's params), by id: buffer ids. */
  readonly constants: Readonly<Record<string, string>>;
  /** The per-step inputs (the graph's xs), by id. */
  readonly sequences: Readonly<Record<string, StepsRef>>;
  /** The recurrent inputs entering the first visited step, by id: `[B, ...]` buffers. */
  readonly initial: Readonly<Record<string, string>>;
  /** Where to write the recurrent values after the last visited step, by recurrent input id. */
  readonly final: Readonly<Record<string, string>>;
  /** Per-step outputs to write (a value may go to several buffers, e.g. an output that is also a residual). */
  readonly outputs: readonly ValueTo<StepsRef>[];
  /** Per-step outputs to add into their buffer (a sequence gradient that several stages contribute to). */
  readonly accumulate: readonly ValueTo<StepsRef>[];
  /** Outputs summed over steps, added into their buffer. */
  readonly summed: readonly ValueTo<string>[];
  /** Record the recurrent inputs entering each step (the tape), by recurrent input id. */
  readonly entering: Readonly<Record<string, StepsRef>>;
  /** Record the recurrent values after each step (the states), by recurrent input id. */
  readonly after: Readonly<Record<string, StepsRef>>;
}

/** Fills steps `[from, L)` of the loss seed with `1 / divisor`, the divisor being known only when the window runs. */
export interface SeedLossInstruction {
  /** Discriminant. */
  readonly op: "seedLoss";
  /** The `[L, B]` seed buffer. */
  readonly buffer: string;
  /** First step whose loss counts. */
  readonly from: number;
}

/** One instruction of a window program. */
export type Instruction = ScanInstruction | SeedLossInstruction;

/** Which buffers hold the window's results. */
export interface WindowResults {
  /** The program's output sequence. */
  readonly outputs: string;
  /** Each state after each step (empty without `collectStates`). */
  readonly states: Readonly<Record<string, string>>;
  /** The state leaving the window, by state name: what passes to the next window. */
  readonly finalState: Readonly<Record<string, string>>;
  /** Per-row loss buffers `[L, B]`, one per stage with a loss, summed from step `lossFrom` on. */
  readonly loss: readonly string[];
  /** Parameter gradients, by name. */
  readonly grads: Readonly<Record<string, string>>;
  /** Data sequence gradients, by name. */
  readonly inputGrads: Readonly<Record<string, string>>;
  /** Gradients of the state entering the window, by name. */
  readonly initialStateGrads: Readonly<Record<string, string>>;
  /** RTRL: the sensitivities leaving the window, by param and then by state. */
  readonly sensitivities: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** BPTT with deltas: each state's delta `∂L/∂h_t` at every step, by state name. */
  readonly deltas: Readonly<Record<string, string>>;
}

/**
 * One window as an explicit program, made by the scheduler before anything
 * runs: which scans run in which direction over which steps, with which step
 * graph, reading and writing which buffers; where checkpoint segments start and
 * are recomputed; how the loss is seeded. A backend runs it on a device with the
 * shared executor; `formatWindowProgram` prints it and `estimateWindowMemory`
 * sizes it.
 */
export interface WindowProgram {
  /** Steps in the window (L). */
  readonly steps: number;
  /** Rows in the batch (B). */
  readonly batch: number;
  /** Precision of every buffer. */
  readonly dtype: Dtype;
  /** Gradients are computed too. */
  readonly gradients: boolean;
  /** How: a backward scan (BPTT) or sensitivities carried forward (RTRL). */
  readonly method: GradientMethod;
  /** The step graphs are the masked ones (the data has lengths). */
  readonly masked: boolean;
  /** First step whose loss counts. */
  readonly lossFrom: number;
  /** Checkpoint segments `[from, to)`: one per `checkpointEvery` steps, or the whole window. */
  readonly segments: readonly (readonly [number, number])[];
  /** The step graphs the scans run. */
  readonly scans: readonly ScanGraph[];
  /** Every buffer the window uses. */
  readonly buffers: readonly BufferSpec[];
  /** The instructions, in order. */
  readonly instructions: readonly Instruction[];
  /** Where the results are. */
  readonly results: WindowResults;
}
