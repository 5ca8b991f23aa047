import { afterAll, describe, expect, it } from "vitest";
import { MemoryBudgetError, WindowCompiler, estimateWindowMemory, windowShapeOf, type WindowRequest } from "@unroll/bptt";
import { createWorkerBackend } from "../src/index.js";
import { collectLog, lstmProgram, randomData, randomParams } from "./support.js";

// The pool holds a window to the memory budget of `load`: the whole window is checked on the main
// thread before it is split (a MemoryBudgetError, as on the CPU backend, not a worker's error), and
// nothing is sent to a worker.
const program = lstmProgram();
const T = 4;
const B = 4;
const data = randomData(program, T, B, 3);
const request: WindowRequest = { params: randomParams(program, 1), sequences: data.sequences, initialState: data.initialState!, gradients: true };
const log = collectLog();
const backend = createWorkerBackend({ workers: 2, log: log.log });
afterAll(() => backend.dispose());

describe("the worker pool's memory budget", () => {
  // the whole window's estimate, every value counted as materialized (what the pool checks)
  const peak = estimateWindowMemory(new WindowCompiler(program).compile(windowShapeOf(program, request, "float64"))).peak;

  it("refuses a whole window above the budget before splitting it, and runs it within", async () => {
    const tight = await backend.load(program, { dtype: "float64", memoryBudget: peak - 1 });
    const before = log.messages.filter((l) => l.startsWith("window of")).length;
    const refused = tight.runWindow(request);
    await expect(refused).rejects.toBeInstanceOf(MemoryBudgetError);
    await expect(tight.runWindow(request)).rejects.toThrow(
      new RegExp(`^a window of ${T} steps × batch ${B} with gradients needs .*, above the memory budget of`),
    );
    // the window was never split over the workers
    expect(log.messages.filter((l) => l.startsWith("window of")).length).toBe(before);
    await tight.dispose();
    const enough = await backend.load(program, { dtype: "float64", memoryBudget: peak });
    expect((await enough.runWindow(request)).loss).toBeGreaterThan(0);
    await enough.dispose();
  });
});
