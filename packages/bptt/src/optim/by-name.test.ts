import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { adam } from "./adam.js";
import { createOptimizer, isOptimizerName, optimizerNames, type OptimizerConfig } from "./by-name.js";
import type { Optimizer } from "./optimizer.js";
import { rmsprop } from "./rmsprop.js";
import { sgd } from "./sgd.js";

/** The parameter after three updates with the same gradient. */
function afterThreeSteps(optimizer: Optimizer): number[] {
  const params: Record<string, Tensor> = { w: { shape: [2], data: new Float64Array([1, -2]) } };
  const grads: Record<string, Tensor> = { w: { shape: [2], data: new Float64Array([0.5, 0.25]) } };
  for (let i = 0; i < 3; i++) optimizer.step(params, grads);
  return Array.from(params.w.data);
}

describe("createOptimizer", () => {
  it.each<[string, OptimizerConfig, Optimizer]>([
    ["sgd", { name: "sgd", lr: 0.1 }, sgd({ lr: 0.1 })],
    ["momentum, default 0.9", { name: "momentum", lr: 0.1 }, sgd({ lr: 0.1, momentum: 0.9 })],
    ["momentum with its factor", { name: "momentum", lr: 0.1, momentum: 0.5, weightDecay: 0.01 }, sgd({ lr: 0.1, momentum: 0.5, weightDecay: 0.01 })],
    ["adam", { name: "adam", lr: 0.01 }, adam({ lr: 0.01 })],
    ["adam with betas", { name: "adam", lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6 }, adam({ lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6 })],
    ["rmsprop", { name: "rmsprop", lr: 0.003, alpha: 0.9 }, rmsprop({ lr: 0.003, alpha: 0.9 })],
  ])("makes %s as the optimizer's own function does", (_, config, reference) => {
    const made = createOptimizer(config);
    expect(afterThreeSteps(made)).toEqual(afterThreeSteps(reference));
    expect(made.state()).toEqual(reference.state());
  });

  it("names every optimizer, and rejects unknown names and options the optimizer does not take", () => {
    expect(optimizerNames.map((n) => createOptimizer({ name: n, lr: 0.1 }).state().kind)).toEqual(["sgd", "momentum", "adam", "rmsprop"]);
    expect(isOptimizerName("adam")).toBe(true);
    expect(isOptimizerName("adagrad")).toBe(false);
    expect(() => createOptimizer({ name: "adagrad" as never, lr: 0.1 })).toThrow('unknown optimizer "adagrad"; available: sgd, momentum, adam, rmsprop');
    expect(() => createOptimizer({ name: "sgd", lr: 0.1, beta1: 0.9 })).toThrow("the sgd optimizer takes no beta1");
    expect(() => createOptimizer({ name: "sgd", lr: 0.1, momentum: 0.9 })).toThrow("the sgd optimizer takes no momentum");
  });
});
