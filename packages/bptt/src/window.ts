import type { Tensor } from "@unroll/ir";

/**
 * One window of time steps to run: the unit of work of a {@link Backend}.
 * Sequences are time-major, `[L, B, ...]` for a window of L steps.
 */
export interface WindowRequest {
  /** Every parameter of the program, by name. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** The data sequences (the program's data inputs, e.g. `x` and `y`) over the window's steps. */
  readonly sequences: Readonly<Record<string, Tensor>>;
  /**
   * State entering the window, `[B, ...]` per state name. A forward stage starts
   * from it at the window's first step, a reverse stage at its last.
   */
  readonly initialState: Readonly<Record<string, Tensor>>;
  /** `[L, B]`: 1 where a step is part of its sequence, 0 past its length. Absent: all steps count. */
  readonly mask?: Tensor;
  /** First step (relative to the window) whose loss counts; earlier steps only warm up the state. Default 0. */
  readonly lossFrom?: number;
  /**
   * Divide the loss (and so the gradients) by this many counted rows instead of
   * the window's own count. A backend that splits the batch across workers passes
   * the whole batch's count to each part, so the parts' results simply add up.
   */
  readonly lossRowsTotal?: number;
  /** Time of the window's first step within the whole sequence, for error messages. Default 0. */
  readonly firstStep?: number;
  /** Also compute gradients: by running backward (BPTT), or forward alongside the outputs (RTRL, see `method`). */
  readonly gradients: boolean;
  /**
   * How gradients are computed: `"bptt"` (default) runs a backward scan over
   * the window; `"rtrl"` (real-time recurrent learning) carries each state's
   * sensitivity to every parameter forward through the window instead, which
   * gives the same parameter gradients with no backward pass and memory that
   * does not grow with the window's length, but no `inputGrads` or
   * `initialStateGrads`. `"snap1"` carries only the entries of the
   * sensitivities that one step fills (SnAp-1: `O(P)` memory, about a forward
   * step's work), an approximation that is exact for diagonal recurrences.
   * Both need a causal program (no reverse stage) and no checkpointing.
   */
  readonly method?: GradientMethod;
  /**
   * RTRL and SnAp-1: the sensitivities entering the window, `∂state/∂param` of shape
   * `[B, size(param), ...state]` (SnAp-1: `[B, size(param) / n, n]` for states
   * of width n), by param and then by state (as a previous window's `sensitivities` returned them). Absent: zero, as at the start of
   * a sequence. Only params that reach a state have one.
   */
  readonly sensitivities?: Readonly<Record<string, Readonly<Record<string, Tensor>>>>;
  /** Return every step's state (`states`); off for long streams that need only the final state. Default true. */
  readonly collectStates?: boolean;
  /**
   * BPTT: return `inputGrads`, the gradients of the data sequences. Off when
   * only the parameters' gradients are needed (the trainer): a backend may then
   * leave them out and skip reading `[L, B, ...]` tensors back. Default true.
   */
  readonly inputGradients?: boolean;
  /**
   * BPTT: also measure gradient flow, returning `deltaNorms`: the norm of each
   * state's delta `∂L/∂h_t` at every step. Costs one `[L, B, ...]` buffer per
   * state; without it nothing more is computed or kept. Default false.
   */
  readonly deltaNorms?: boolean;
  /**
   * Time checkpointing: during the forward pass keep the state only every this
   * many steps and recompute the rest during backward. Default 1 (keep all).
   */
  readonly checkpointEvery?: number;
  /**
   * Cancels the window. A backend that runs elsewhere (e.g. in workers) stops
   * it and rejects with an error named `"AbortError"`; one that runs
   * synchronously in the caller's thread may ignore it.
   */
  readonly signal?: AbortSignal;
}

/** What a window computed. */
export interface WindowResult {
  /** The program's output sequence, `[L, B, ...]`; zero past each sequence's length. */
  readonly outputs: Tensor;
  /** Each state after each step, `[L, B, ...]`, indexed by time (when `collectStates`). */
  readonly states: Readonly<Record<string, Tensor>>;
  /** The state leaving the window: after its last step (forward) or its first (reverse). */
  readonly finalState: Readonly<Record<string, Tensor>>;
  /** Mean per-row loss over the counted rows, when the program has a loss. */
  readonly loss?: number;
  /** Number of (step, row) pairs whose loss counted. */
  readonly lossRows: number;
  /** Gradient of `loss` with respect to every parameter (when `gradients`). */
  readonly grads?: Readonly<Record<string, Tensor>>;
  /** Gradient of `loss` with respect to each data sequence, `[L, B, ...]` (when `gradients`, by BPTT). */
  readonly inputGrads?: Readonly<Record<string, Tensor>>;
  /** Gradient of `loss` with respect to the state entering the window (when `gradients`, by BPTT). */
  readonly initialStateGrads?: Readonly<Record<string, Tensor>>;
  /** RTRL: the sensitivities leaving the window, by param and then by state; pass them to the next window to continue the sequence. */
  readonly sensitivities?: Readonly<Record<string, Readonly<Record<string, Tensor>>>>;
  /**
   * With `deltaNorms`: by state, the Euclidean norm over the batch of the delta
   * `∂L/∂h_t` at each step of the window (index 0 is the window's first step),
   * `h_t` being the state after step t. Zero past a row's end, and before the
   * window for what truncation cuts off. A state that does not reach the loss has none.
   */
  readonly deltaNorms?: Readonly<Record<string, readonly number[]>>;
}

/**
 * How gradients are computed through time: backpropagation (`"bptt"`), or
 * carried forward with the states' sensitivities, exactly (`"rtrl"`, real-time
 * recurrent learning) or with SnAp-1's sparse approximation (`"snap1"`).
 */
export type GradientMethod = "bptt" | ForwardMethod;

/** The methods that carry sensitivities forward in time instead of running backward. */
export type ForwardMethod = "rtrl" | "snap1";

/** True for a method that carries sensitivities forward ({@link ForwardMethod}). */
export function isForwardMethod(method: GradientMethod | undefined): method is ForwardMethod {
  return method === "rtrl" || method === "snap1";
}
