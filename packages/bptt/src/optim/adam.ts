import type { Tensor } from "@unroll/ir";
import { Buffers, type Optimizer, type OptimizerState } from "./optimizer.js";

/** Options of {@link adam}. */
export interface AdamOptions {
  /** Learning rate. */
  readonly lr: number;
  /** First-moment decay (default 0.9). */
  readonly beta1?: number;
  /** Second-moment decay (default 0.999). */
  readonly beta2?: number;
  /** Added to the denominator (default 1e-8). */
  readonly eps?: number;
  /** L2 penalty added to the gradient, as torch.optim.Adam (not decoupled AdamW). */
  readonly weightDecay?: number;
}

/**
 * Adam as `torch.optim.Adam`, bias-corrected:
 * `m = β1 m + (1-β1) g`, `v = β2 v + (1-β2) g²`,
 * `p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps)`.
 */
export function adam(options: AdamOptions): Optimizer {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = options;
  const m = new Buffers();
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
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name].data;
        const mb = m.get(name, g.length);
        const vb = v.get(name, g.length);
        for (let i = 0; i < g.length; i++) {
          const d = g[i] + weightDecay * p.data[i];
          mb[i] = beta1 * mb[i] + (1 - beta1) * d;
          vb[i] = beta2 * vb[i] + (1 - beta2) * d * d;
          p.data[i] -= (lr * (mb[i] / c1)) / (Math.sqrt(vb[i] / c2) + eps);
        }
      }
    },
    state: (): OptimizerState => ({ kind: "adam", step: t, buffers: { m: m.toJSON(), v: v.toJSON() } }),
    load(state: OptimizerState) {
      if (state.kind !== "adam") throw new Error(`cannot load ${state.kind} optimizer state into adam`);
      t = state.step;
      m.load(state.buffers.m);
      v.load(state.buffers.v);
    },
  };
}
