import { describe, expect, it } from "vitest";
import { loadProgram, type Tensor } from "@unroll/ir";
import {
  checkMemory,
  checkParamsMemory,
  computeGradients,
  defaultMemoryBudget,
  deviceBackend,
  DEFAULT_MEMORY_BUDGET,
  estimateWindowMemory,
  initParams,
  InputError,
  materializedBy,
  MemoryBudgetError,
  paramsMemory,
  Trainer,
  sgd,
  WindowExecutor,
  type Device,
} from "@unroll/bptt";
import { cpuDevice, cpuKernels } from "../src/index.js";
import { randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

// The memory budget: its arithmetic by hand, and each check refusing before anything is allocated.
const spec = { input: 2, layers: [{ cell: "rnn", hidden: 3 }], head: { units: 1, activation: "linear" }, loss: "mse" } as const;
// W_in 2·3, W_re 3·3, b 3, head W 3·1, head b 1
const NUMBERS = 6 + 9 + 3 + 3 + 1;

describe("the budget's arithmetic", () => {
  it("counts a model's parameters as by hand, and names the largest", () => {
    const program = loadProgram(spec);
    expect(paramsMemory(program.params, "float32")).toEqual({ numbers: NUMBERS, bytes: 4 * NUMBERS, largest: "layers.0.W_re" });
    expect(paramsMemory(program.params, "float64").bytes).toBe(8 * NUMBERS);
  });

  it("refuses one byte above the budget with the hand count in the message, and accepts the budget itself", () => {
    const program = loadProgram(spec);
    expect(() => checkParamsMemory(program.params, "float32", 4 * NUMBERS)).not.toThrow();
    const refuse = (): unknown => checkParamsMemory(program.params, "float32", 4 * NUMBERS - 1, "layers[0].hidden");
    expect(refuse).toThrow(MemoryBudgetError);
    expect(refuse).toThrow("layers[0].hidden: the parameters need 88 B (22 numbers in float32), above the memory budget of 87 B");
    const e = (() => {
      try {
        refuse();
      } catch (err) {
        return err as MemoryBudgetError;
      }
    })()!;
    expect([e.field, e.bytes, e.budget]).toEqual(["layers[0].hidden", 88, 87]);
    // a budget error is an input error: the CLI prints it as one line, exit 2
    expect(e).toBeInstanceOf(InputError);
  });

  it("formats large figures in binary units: 20,000,000,400 float32 numbers are 74.5 GiB", () => {
    expect(() => checkMemory(20_000_000_400 * 4, 7.6 * 2 ** 30, "the parameters need", "20,000,000,400 numbers in float32", "layers[0].hidden")).toThrow(
      "layers[0].hidden: the parameters need 74.5 GiB (20,000,000,400 numbers in float32), above the memory budget of 7.60 GiB",
    );
  });

  it("refuses a budget that is not a positive number", () => {
    for (const budget of [0, -1, NaN]) expect(() => checkMemory(1, budget, "x needs")).toThrow(/the memory budget must be a positive number of bytes/);
  });

  it("defaults to half of what the host says it can give, else 1 GiB", () => {
    expect(defaultMemoryBudget({ process: { availableMemory: () => 8 * 2 ** 30 } })).toBe(4 * 2 ** 30);
    expect(defaultMemoryBudget({ navigator: { deviceMemory: 4 } })).toBe(2 * 2 ** 30);
    expect(defaultMemoryBudget({ process: { availableMemory: () => 0 } })).toBe(DEFAULT_MEMORY_BUDGET);
    expect(defaultMemoryBudget({})).toBe(2 ** 30);
    // this Node tells its available memory
    expect(defaultMemoryBudget()).toBe(Math.floor(process.availableMemory() / 2));
  });
});

/** A CPU device that counts what it allocates and uploads. */
function countingDevice(): { device: Device<Tensor>; made: () => number } {
  const inner = cpuDevice({ kernels: cpuKernels, fuse: true });
  let made = 0;
  const device: Device<Tensor> = {
    ...inner,
    alloc: (shape, dtype) => {
      made++;
      return inner.alloc(shape, dtype);
    },
    upload: (t) => {
      made++;
      return inner.upload(t);
    },
  };
  return { device, made: () => made };
}

describe("each allocating path refuses before allocating", () => {
  const T = 5;
  const B = 3;
  const program = loadProgram(spec);
  const next = uniform(7);
  const data = { sequences: { x: tensor([T, B, 2], next), y: tensor([T, B, 1], next) } };
  const request = { params: randomParams(program, 1), sequences: data.sequences, initialState: {}, gradients: true };

  it("initParams: above the budget nothing is made; at it, every parameter", () => {
    expect(() => initParams(program, 1, "float64", 8 * NUMBERS - 1)).toThrow("layers.0.W_re: the parameters need 176 B (22 numbers in float64)");
    expect(Object.keys(initParams(program, 1, "float64", 8 * NUMBERS)).length).toBe(5);
  });

  it("the shared executor: a window above the budget is refused with no buffer allocated; at its estimate it runs", async () => {
    const probe = countingDevice();
    // the peak the executor computes, with the device's fusion
    const executor = new WindowExecutor(probe.device, program, "float64");
    const peak = estimateWindowMemory(executor.compile(request), materializedBy(probe.device, "float64")).peak;
    expect(peak).toBeGreaterThan(0);
    const tight = countingDevice();
    const refused = await deviceBackend(tight.device).load(program, { dtype: "float64", memoryBudget: peak - 1 });
    await expect(refused.runWindow(request)).rejects.toThrow(
      new RegExp(`^a window of ${T} steps × batch ${B} with gradients needs [\\d.]+ KiB \\(inputs .*\\), above the memory budget of [\\d.]+ KiB$`),
    );
    expect(tight.made()).toBe(0);
    const enough = countingDevice();
    const loaded = await deviceBackend(enough.device).load(program, { dtype: "float64", memoryBudget: peak });
    expect((await loaded.runWindow(request)).loss).toBeGreaterThan(0);
    expect(enough.made()).toBeGreaterThan(0);
  });

  it("computeGradients (BPTT) and the Trainer refuse above their memoryBudget before any window runs", async () => {
    const probe = countingDevice();
    const loaded = await deviceBackend(probe.device).load(program, { dtype: "float64" });
    const params = randomParams(program, 1);
    await expect(computeGradients(loaded, program, params, data, { kind: "chunked", window: 2 }, { memoryBudget: 64 })).rejects.toThrow(
      /^truncated BPTT in 3 windows of 5 steps × batch 3 needs [\d.]+ KiB \(estimated peak\), above the memory budget of 64 B$/,
    );
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }), memoryBudget: 64 });
    await expect(trainer.fit(data)).rejects.toThrow(MemoryBudgetError);
    expect(() => trainer.checkMemory(data)).toThrow(/^a window of 5 steps × batch 3 with gradients needs/);
    expect(probe.made()).toBe(0);
  });
});
