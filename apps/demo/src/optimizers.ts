import { adam, rmsprop, sgd, type Optimizer } from "@unroll/bptt";

/** The optimizers the demo offers. */
export type OptimizerKind = "sgd" | "momentum" | "adam" | "rmsprop";

/** Every {@link OptimizerKind}, for option choices. */
export const optimizerKinds: readonly OptimizerKind[] = ["sgd", "momentum", "adam", "rmsprop"];

/** A learning rate that trains the demo's models well with each optimizer. */
export const defaultLr: { readonly [K in OptimizerKind]: number } = {
  sgd: 0.3,
  momentum: 0.1,
  adam: 0.01,
  rmsprop: 0.003,
};

/** A fresh optimizer; `momentum` is SGD with momentum 0.9. */
export function createOptimizer(kind: OptimizerKind, lr: number): Optimizer {
  switch (kind) {
    case "sgd":
      return sgd({ lr });
    case "momentum":
      return sgd({ lr, momentum: 0.9 });
    case "adam":
      return adam({ lr });
    case "rmsprop":
      return rmsprop({ lr });
  }
}
