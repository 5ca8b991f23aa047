import type { Tensor } from "@unroll/ir";
import { Buffers, type Optimizer, type OptimizerState } from "./optimizer.js";

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Learning rate. */
  readonly lr: number;
  /** Momentum factor; 0 for plain SGD. */
  readonly momentum?: number;
  /** L2 penalty added to the gradient (`g + wd·p`). */
  readonly weightDecay?: number;
}

/**
 * SGD with optional momentum, as `torch.optim.SGD` (dampening 0, no Nesterov):
 * `buf = momentum·buf + g` (buf = g at the first step), `p -= lr·buf`.
 */
export function sgd(options: SgdOptions): Optimizer {
  const { momentum = 0, weightDecay = 0 } = options;
  const bufs = new Buffers();
  let steps = 0;
  const kind = momentum ? "momentum" : "sgd";
  let lr = options.lr;
  return {
    get lr() {
      return lr;
    },
    set lr(value: number) {
      lr = value;
    },
    step(params: Record<string, Tensor>, grads: Readonly<Record<string, Tensor>>) {
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name].data;
        const first = !bufs.has(name);
        const buf = momentum ? bufs.get(name, g.length) : undefined;
        for (let i = 0; i < g.length; i++) {
          let d = g[i] + weightDecay * p.data[i];
          if (buf) d = buf[i] = first ? d : momentum * buf[i] + d;
          p.data[i] -= lr * d;
        }
      }
      steps++;
    },
    state: (): OptimizerState => ({ kind, step: steps, buffers: momentum ? { momentum: bufs.toJSON() } : {} }),
    load(state: OptimizerState) {
      if (state.kind !== kind) throw new Error(`cannot load ${state.kind} optimizer state into ${kind}`);
      steps = state.step;
      bufs.load(state.buffers.momentum);
    },
  };
}
