import type { Tensor } from "@unroll/ir";
import { gradNormsByParam } from "./optim/clip.js";
import type { WindowResult } from "./window.js";

/** What one window says of gradient flow through time: the norms of its state deltas and of its parameter gradients. */
export interface GradientFlow {
  /**
   * By state, `‖∂L_w/∂h_t‖` over the batch for each step t of the window
   * (index 0 is its first step), `L_w` being the window's loss. Backpropagation
   * does not reach before the window.
   */
  readonly deltaNorms: Readonly<Record<string, readonly number[]>>;
  /** The norm of each parameter's gradient in the window, before any clipping. */
  readonly gradNorms: Readonly<Record<string, number>>;
}

/** The gradient flow of a window run with `deltaNorms` and gradients (read before anything clips its gradients). */
export function gradientFlowOf(r: WindowResult): GradientFlow {
  return { deltaNorms: r.deltaNorms ?? {}, gradNorms: gradNormsByParam(r.grads!) };
}

/** The Euclidean norm of each step `[B, ...]` of a sequence `[L, B, ...]`: how a delta buffer becomes `deltaNorms`. */
export function stepNorms(t: Tensor): number[] {
  const L = t.shape[0];
  const step = L === 0 ? 0 : t.data.length / L;
  const norms = new Array<number>(L).fill(0);
  for (let k = 0; k < L; k++) {
    let sum = 0;
    for (let i = k * step; i < (k + 1) * step; i++) sum += t.data[i] * t.data[i];
    norms[k] = Math.sqrt(sum);
  }
  return norms;
}
