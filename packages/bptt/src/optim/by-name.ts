import { adam } from "./adam.js";
import type { Optimizer } from "./optimizer.js";
import { rmsprop } from "./rmsprop.js";
import { sgd } from "./sgd.js";

/** The optimizers {@link createOptimizer} makes by name; `momentum` is SGD with momentum. */
export type OptimizerName = "sgd" | "momentum" | "adam" | "rmsprop";

/** Every {@link OptimizerName}, e.g. for a command line's choices. */
export const optimizerNames: readonly OptimizerName[] = ["sgd", "momentum", "adam", "rmsprop"];

/** True when `name` is an {@link OptimizerName}. */
export function isOptimizerName(name: string): name is OptimizerName {
  return (optimizerNames as readonly string[]).includes(name);
}

/**
 * An optimizer chosen by name, as a config file or a command line gives it:
 * the learning rate, and those options of the named optimizer that are set
 * (unset ones take that optimizer's defaults).
 */
export interface OptimizerConfig {
  /** Which optimizer. */
  readonly name: OptimizerName;
  /** Learning rate. */
  readonly lr: number;
  /** `momentum` only: the momentum factor (default 0.9). */
  readonly momentum?: number;
  /** `adam` only: first-moment decay (default 0.9). */
  readonly beta1?: number;
  /** `adam` only: second-moment decay (default 0.999). */
  readonly beta2?: number;
  /** `rmsprop` only: smoothing constant (default 0.99). */
  readonly alpha?: number;
  /** `adam` and `rmsprop`: added to the denominator (default 1e-8). */
  readonly eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  readonly weightDecay?: number;
}

/** The options of {@link OptimizerConfig} each optimizer takes besides `lr` and `weightDecay`. */
const takes: { readonly [K in OptimizerName]: readonly (keyof OptimizerConfig)[] } = {
  sgd: [],
  momentum: ["momentum"],
  adam: ["beta1", "beta2", "eps"],
  rmsprop: ["alpha", "eps"],
};

/**
 * A fresh optimizer from its name and options. An option the named optimizer
 * does not take is an error rather than silently ignored (a `beta1` given to
 * `sgd` is a mistake in the config).
 *
 * ```ts
 * createOptimizer({ name: "adam", lr: 0.01 });               // adam({ lr: 0.01 })
 * createOptimizer({ name: "momentum", lr: 0.1 });            // sgd({ lr: 0.1, momentum: 0.9 })
 * ```
 */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const { name, lr, weightDecay = 0 } = config;
  if (!isOptimizerName(name)) throw new Error(`unknown optimizer "${String(name)}"; available: ${optimizerNames.join(", ")}`);
  for (const key of ["momentum", "beta1", "beta2", "alpha", "eps"] as const) {
    if (config[key] !== undefined && !takes[name].includes(key)) {
      throw new Error(`the ${name} optimizer takes no ${key}; it takes ${["lr", ...takes[name], "weightDecay"].join(", ")}`);
    }
  }
  switch (name) {
    case "sgd":
      return sgd({ lr, weightDecay });
    case "momentum":
      return sgd({ lr, momentum: config.momentum ?? 0.9, weightDecay });
    case "adam":
      return adam({ lr, weightDecay, ...pick(config, "beta1", "beta2", "eps") });
    case "rmsprop":
      return rmsprop({ lr, weightDecay, ...pick(config, "alpha", "eps") });
  }
}

/** The given keys of `config` that are set (so that the optimizer's own defaults apply to the rest). */
function pick<K extends keyof OptimizerConfig>(config: OptimizerConfig, ...keys: K[]): Partial<Pick<OptimizerConfig, K>> {
  return Object.fromEntries(keys.filter((k) => config[k] !== undefined).map((k) => [k, config[k]])) as Partial<Pick<OptimizerConfig, K>>;
}
