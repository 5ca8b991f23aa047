import type { OptimizerName } from "@unroll/bptt";

/** A learning rate that trains the demo's models well with each optimizer. */
export const defaultLr: { readonly [K in OptimizerName]: number } = {
  sgd: 0.3,
  momentum: 0.1,
  adam: 0.01,
  rmsprop: 0.003,
};
