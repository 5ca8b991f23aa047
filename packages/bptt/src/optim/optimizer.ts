import type { Tensor } from "@unroll/ir";

/** Optimizer state that can be saved in a checkpoint and restored: plain numbers only. */
export interface OptimizerState {
  /** Which optimizer wrote it. */
  readonly kind: string;
  /** Updates done so far. */
  step: number;
  /** Per-parameter buffers (momentum, moments), by buffer name then parameter name. */
  readonly buffers: Record<string, Record<string, number[]>>;
}

/**
 * Updates parameters in place from their gradients, PyTorch-style. Its state is
 * plain data, so training can stop and resume exactly.
 */
export interface Optimizer {
  /** Learning rate of the next {@link Optimizer.step}; a schedule sets it before each step. */
  lr: number;
  /** Applies one update to `params` from `grads` (same names and shapes). */
  step(params: Record<string, Tensor>, grads: Readonly<Record<string, Tensor>>): void;
  /** The state to save. */
  state(): OptimizerState;
  /** Restores a saved state. */
  load(state: OptimizerState): void;
}

/** Per-parameter float64 buffers, created at zero on first use. */
export class Buffers {
  private readonly map = new Map<string, Float64Array>();
  /** The buffer for a parameter, zero-filled on first use. */
  get(name: string, length: number): Float64Array {
    let b = this.map.get(name);
    if (!b) {
      b = new Float64Array(length);
      this.map.set(name, b);
    }
    return b;
  }
  /** True when the parameter has a buffer. */
  has(name: string): boolean {
    return this.map.has(name);
  }
  /** Buffers as plain arrays. */
  toJSON(): Record<string, number[]> {
    return Object.fromEntries([...this.map].map(([k, v]) => [k, Array.from(v)]));
  }
  /** Replaces the contents from plain arrays. */
  load(data: Record<string, number[]> | undefined): void {
    this.map.clear();
    for (const [k, v] of Object.entries(data ?? {})) this.map.set(k, Float64Array.from(v));
  }
}
