import type { Tensor } from "@unroll/ir";
import { Buffers, type Optimizer, type OptimizerState } from "./optimizer.js";

/** Options of {@link rmsprop}. */
export interface RmspropOptions {
  /** Learning rate. */
  readonly lr: number;
  /** Smoothing constant (default 0.99, as PyTorch). */
  readonly alpha?: number;
  /** Added to the denominator (default 1e-8). */
  readonly eps?: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay?: number;
}

/** RMSprop as `torch.optim.RMSprop` (not centered, no momentum): `v = α v + (1-α) g²`, `p -= lr · g / (sqrt(v) + eps)`. */
export function rmsprop(options: RmspropOptions): Optimizer {
  const { alpha = 0.99, eps = 1e-8, weightDecay = 0 } = options;
  const v = new Buffers();
  let t = 0;
  let lr = options.lr;
  return {
    get lr() {
      return lr;
    },
    set lr(value: number) {
      lr = value;
    },
    step(params: Record<string, Tensor>, grads: Readonly<Record<string, Tensor>>) {
      t++;
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name].data;
        const vb = v.get(name, g.length);
        for (let i = 0; i < g.length; i++) {
          const d = g[i] + weightDecay * p.data[i];
          vb[i] = alpha * vb[i] + (1 - alpha) * d * d;
          p.data[i] -= (lr * d) / (Math.sqrt(vb[i]) + eps);
        }
      }
    },
    state: (): OptimizerState => ({ kind: "rmsprop", step: t, buffers: { v: v.toJSON() } }),
    load(state: OptimizerState) {
      if (state.kind !== "rmsprop") throw new Error(`cannot load ${state.kind} optimizer state into rmsprop`);
      t = state.step;
      v.load(state.buffers.v);
    },
  };
}
