import type { CheckedProgram, Dtype, OpKind } from "@unroll/ir";
import type { WindowRequest, WindowResult } from "./window.js";

/** What a backend can run. Anything missing is declared here up front, never skipped silently. */
export interface BackendCapabilities {
  /** Supported precisions. */
  readonly dtypes: readonly Dtype[];
  /** Ops with a kernel. */
  readonly ops: readonly OpKind[];
  /**
   * Whether `runWindow` can run backward, i.e. serve `gradients: true`. Default
   * true. A forward-only backend (inference only, or a new device before its
   * backward pass) declares false and rejects any request with `gradients: true`;
   * the conformance kit then reports every gradient check as skipped.
   */
  readonly gradients?: boolean;
}

/** Options for loading a program onto a backend. */
export interface LoadOptions {
  /** Precision of every buffer. */
  readonly dtype: Dtype;
  /**
   * Bytes one window may use: a window whose estimated peak is above it is
   * refused with a `MemoryBudgetError` before its buffers are allocated.
   * Default `defaultMemoryBudget()`, half of what the machine can give.
   */
  readonly memoryBudget?: number;
}

/** A program loaded onto a backend, ready to run windows many times. */
export interface LoadedProgram {
  /** Runs one window: forward over its steps and, if asked, backward through them. */
  runWindow(request: WindowRequest): Promise<WindowResult>;
  /** Frees what the backend holds for this program. */
  dispose(): Promise<void>;
}

/**
 * The contract between the scheduler and a backend: coarse-grained and async,
 * load a program once, then run it window by window. A window is one call, so a
 * backend in another thread never sees per-op or per-step round trips.
 */
export interface Backend {
  /** Short name, e.g. `"cpu"`. */
  readonly name: string;
  /** Dtypes and ops this backend supports. */
  readonly capabilities: BackendCapabilities;
  /** Prepares a program (its forward and backward step graphs) to run. */
  load(program: CheckedProgram, options: LoadOptions): Promise<LoadedProgram>;
  /** Ends everything the backend started; it can no longer be used. */
  dispose(): Promise<void>;
}
