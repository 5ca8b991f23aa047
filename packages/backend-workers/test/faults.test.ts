import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { NonFiniteError, type Backend, type LoadedProgram, type WindowRequest } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { defaultTimeout, loadNodeWorkerSpawner, createWorkerBackend, sliceWork, WorkerError, WorkerService, type PoolCall } from "../src/index.js";
import { CRASH_STEP, EXIT_STEP, faultStep } from "./fixtures/faulty-steps.js";
import { cloneAll, collectLog, expectAllClose, expectSameResult, lstmProgram, randomData, randomParams, tensor, uniform } from "./support.js";

const program = lstmProgram();
const params = randomParams(program, 5);
const data = randomData(program, 6, 5, 6);
const request: WindowRequest = { params, sequences: data.sequences, initialState: data.initialState!, gradients: true };

/** What a rejected promise rejected with. */
async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail");
}

describe("a worker that dies mid-call (2 workers, test-only faulty worker)", () => {
  const { messages, log } = collectLog();
  let backend: Backend;
  let loaded: LoadedProgram;
  let expected: Awaited<ReturnType<LoadedProgram["runWindow"]>>;

  beforeAll(async () => {
    backend = createWorkerBackend({ workers: 2, log, spawner: await loadNodeWorkerSpawner({ url: new URL("./fixtures/faulty-worker.ts", import.meta.url) }) });
    loaded = await backend.load(program, { dtype: "float64" });
    expected = await (await createCpuBackend().load(program, { dtype: "float64" })).runWindow(request);
  });
  afterAll(() => backend?.dispose());

  it("process.exit(1): the call rejects naming the worker and the exit, the pool replaces it, the next run is right", async () => {
    const t0 = performance.now();
    const e = await failureOf(loaded.runWindow({ ...request, firstStep: EXIT_STEP }));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(e).toBeInstanceOf(WorkerError);
    expect((e as WorkerError).worker).toBe(1);
    expect((e as WorkerError).failure).toBe("died");
    expect(e.message).toBe("worker 1 exited with code 1 during runWindow (rows 3–4); the pool replaces it");
    expect(messages).toContain("worker 1 exited with code 1; replacing it");
    expectSameResult("after the exit", await loaded.runWindow(request), expected, 1e-12);
  });

  it("an uncaught error: the call rejects naming the worker and the error, and the pool recovers", async () => {
    const e = await failureOf(loaded.runWindow({ ...request, firstStep: CRASH_STEP }));
    expect(e).toBeInstanceOf(WorkerError);
    expect(e.message).toMatch(/^worker 1 crashed: kaboom during runWindow \(rows 3–4\); the pool replaces it$/);
    expectSameResult("after the crash", await loaded.runWindow(request), expected, 1e-12);
  });
});

describe("a worker that throws inside a call", () => {
  const ceSpec = {
    input: 2,
    layers: [{ cell: "gru" as const, hidden: 3 }],
    head: { units: 3, activation: "softmax" as const },
    loss: "cross_entropy" as const,
  };
  const ce = loadProgram(ceSpec);
  const ceParams = randomParams(ce, 2);
  let backend: Backend;
  let loaded: LoadedProgram;

  beforeAll(async () => {
    backend = createWorkerBackend({ workers: 2 });
    loaded = await backend.load(ce, { dtype: "float64" });
  });
  afterAll(() => backend?.dispose());

  it("a class id out of range in row 4: the error names worker 1, its rows and the kernel's message; the pool still works", async () => {
    const y = tensor([4, 5], () => 1);
    y.data[2 * 5 + 4] = 7; // step 2, row 4
    const sequences = { x: tensor([4, 5, 2], uniform(3)), y };
    const e = await failureOf(loaded.runWindow({ params: ceParams, sequences, initialState: {}, gradients: false }));
    expect(e).toBeInstanceOf(WorkerError);
    expect((e as WorkerError).failure).toBe("threw");
    expect(e.message).toMatch(/^worker 1 \(rows 3–4\) failed: softmaxCrossEntropy: row \d+ has class id 7, which is not an integer in \[0, 3\)$/);
    y.data[2 * 5 + 4] = 2;
    const ok = await loaded.runWindow({ params: ceParams, sequences, initialState: {}, gradients: true });
    expect(ok.lossRows).toBe(20);
  });

  it("a non-finite loss stays a NonFiniteError with the CPU backend's site, naming the worker", async () => {
    const [onWorkers, onCpu] = await Promise.all([backend.load(program, { dtype: "float64" }), createCpuBackend().load(program, { dtype: "float64" })]);
    const y = tensor([6, 5, 2], () => 0);
    y.data[(2 * 5 + 4) * 2] = 1e200; // step 2, row 4: its squared error overflows
    const req: WindowRequest = { ...request, sequences: { ...request.sequences, y } };
    const cpu = await failureOf(onCpu.runWindow(req));
    const e = await failureOf(onWorkers.runWindow(req));
    expect(cpu).toBeInstanceOf(NonFiniteError);
    expect(e).toBeInstanceOf(NonFiniteError);
    expect((e as NonFiniteError).site).toEqual((cpu as NonFiniteError).site);
    expect((e as NonFiniteError).site.step).toBe(2);
    expect(e.message).toBe(`worker 1 (rows 3–4): ${cpu.message}`);
  });

  it("an unknown program id is reported by the worker service, not thrown at it", async () => {
    const reply = await new WorkerService().run({
      ...request,
      programId: 42,
      rows: { from: 0, to: 5 },
      lossFrom: 0,
      lossRowsTotal: 30,
      firstStep: 0,
      method: "bptt",
      deltaNorms: false,
      collectStates: true,
      checkpointEvery: 1,
    });
    expect(reply).toMatchObject({ ok: false, error: { name: "Error", message: "program 42 is not loaded in this worker (loaded: none)" } });
  });
});

describe("cancellation and disposal", () => {
  // a window long enough to be still running when it is cancelled
  const long = randomData(program, 20_000, 2, 8);
  const longRequest = (signal?: AbortSignal): WindowRequest => ({
    params,
    sequences: long.sequences,
    initialState: long.initialState!,
    gradients: true,
    ...(signal ? { signal } : {}),
  });

  const { messages, log } = collectLog();
  const shared = createWorkerBackend({ workers: 2, log });
  afterAll(() => shared.dispose());

  it("an AbortSignal cancels promptly with an AbortError; the busy workers are replaced and the next run is right", async () => {
    const loaded = await shared.load(program, { dtype: "float64" });
    const controller = new AbortController();
    const pending = failureOf(loaded.runWindow(longRequest(controller.signal)));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    controller.abort();
    const e = await pending;
    expect(performance.now() - t0).toBeLessThan(100);
    expect(e.name).toBe("AbortError");
    expect(messages).toContain("worker 0 was terminated: runWindow (row 0) was cancelled; replacing it");
    expect(messages).toContain("worker 1 was terminated: runWindow (row 1) was cancelled; replacing it");
    const cpu = await (await createCpuBackend().load(program, { dtype: "float64" })).runWindow(request);
    expectSameResult("after the abort", await loaded.runWindow(request), cpu, 1e-12);
    expect((await failureOf(loaded.runWindow({ ...request, signal: AbortSignal.abort() }))).name).toBe("AbortError");
  });

  it("dispose terminates the workers: a running call rejects, later calls are refused", async () => {
    const backend = createWorkerBackend({ workers: 2 });
    const loaded = await backend.load(program, { dtype: "float64" });
    const pending = failureOf(loaded.runWindow(longRequest()));
    await new Promise((r) => setTimeout(r, 50));
    await backend.dispose();
    const e = await pending;
    expect(e.message).toMatch(/^worker \d was terminated: the backend was disposed during runWindow \(row \d\)$/);
    await expect(loaded.runWindow(request)).rejects.toThrow("the workers backend has been disposed");
    await expect(backend.load(program, { dtype: "float64" })).rejects.toThrow("the workers backend has been disposed");
  });

  it("a program's dispose unloads it; the backend keeps working for others", async () => {
    const [a, b] = await Promise.all([shared.load(program, { dtype: "float64" }), shared.load(program, { dtype: "float64" })]);
    await a.dispose();
    await expect(a.runWindow(request)).rejects.toThrow("this program has been disposed");
    expect((await b.runWindow(request)).lossRows).toBe(30);
  });
});

describe("a worker that hangs (2 workers, test-only faulty worker, timeout 800 ms for short windows)", () => {
  const HANG_MS = 800;
  const { messages, log } = collectLog();
  let backend: Backend;
  let loaded: LoadedProgram;
  let expected: Awaited<ReturnType<LoadedProgram["runWindow"]>>;
  // long windows (the abandoned slice below) get a minute; start-up and loads the default
  const timeout = (call: PoolCall): number => (call.kind !== "runWindow" ? defaultTimeout(call) : call.steps >= 1000 ? 60_000 : HANG_MS);

  beforeAll(async () => {
    const spawner = await loadNodeWorkerSpawner({ url: new URL("./fixtures/faulty-worker.ts", import.meta.url) });
    backend = createWorkerBackend({ workers: 2, log, spawner, timeout });
    loaded = await backend.load(program, { dtype: "float64" });
    expected = await (await createCpuBackend().load(program, { dtype: "float64" })).runWindow(request);
  });
  afterAll(() => backend?.dispose());

  for (const fault of ["hang", "spin"] as const) {
    it(`${fault === "hang" ? "never answers" : "spins in a busy loop"}: the call rejects after the timeout naming the worker, the call and the timeout; the worker is replaced`, async () => {
      const t0 = performance.now();
      const e = await failureOf(loaded.runWindow({ ...request, firstStep: faultStep({ fault, row: 4, delayMs: 0 }) }));
      const elapsed = performance.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(HANG_MS - 5);
      expect(elapsed).toBeLessThan(HANG_MS + 1000);
      expect(e).toBeInstanceOf(WorkerError);
      expect((e as WorkerError).failure).toBe("hung");
      expect((e as WorkerError).worker).toBe(1);
      expect(e.message).toBe(`worker 1 did not answer within ${HANG_MS} ms during runWindow (rows 3–4); it was terminated; the pool replaces it`);
      expect(messages).toContain(`worker 1 was terminated: runWindow (rows 3–4) got no answer within ${HANG_MS} ms; replacing it`);
      expectSameResult(`after the ${fault}`, await loaded.runWindow(request), expected, 1e-12);
    });
  }

  it("a failed window writes nothing the caller sees: garbage a dying worker scribbled over the shared results is not returned, and shared inputs are untouched", async () => {
    const first = await loaded.runWindow(request);
    // results are in shared memory: the next request reads them in place instead of copying
    const carried: WindowRequest = { ...request, initialState: first.finalState };
    const before = cloneAll(carried.initialState);
    const e = await failureOf(loaded.runWindow({ ...carried, firstStep: faultStep({ fault: "scribble", row: 4, delayMs: 0 }) }));
    expect(e).toBeInstanceOf(WorkerError);
    expect(e.message).toMatch(/^worker 1 crashed: injected crash after scribbling \(rows 3–4\) during runWindow \(rows 3–4\); the pool replaces it$/);
    expectAllClose("the carried state after the failed window", carried.initialState, before, 0);
    const cpu = await (await createCpuBackend().load(program, { dtype: "float64" })).runWindow({ ...carried, initialState: before });
    expectSameResult("after the scribble", await loaded.runWindow(carried), cpu, 1e-12);
  });

  it("the next call waits for a worker still running a failed window's slice, and its timeout counts from when it is sent", async () => {
    const long = randomData(program, 20_000, 3, 8);
    const longRequest: WindowRequest = { params, sequences: long.sequences, initialState: long.initialState!, gradients: true };
    // worker 1 exits at once; worker 0 runs on through rows 0–1 of 20,000 steps
    const e = await failureOf(loaded.runWindow({ ...longRequest, firstStep: faultStep({ fault: "exit", row: 2, delayMs: 0 }) }));
    expect(e.message).toBe("worker 1 exited with code 3 during runWindow (row 2); the pool replaces it");
    const t0 = performance.now();
    const next = await loaded.runWindow(request);
    // the wait behind the abandoned slice was longer than the short windows' timeout, and the call still succeeded
    expect(performance.now() - t0).toBeGreaterThan(HANG_MS);
    expectSameResult("after the abandoned slice", next, expected, 1e-12);
  });
});

describe("the timeout option", () => {
  it("is checked: a positive number of milliseconds, Infinity or a function", () => {
    for (const bad of [0, -1, NaN, "5" as unknown as number])
      expect(() => createWorkerBackend({ timeout: bad })).toThrow(
        `timeout must be a positive number of milliseconds (or Infinity, or a function of the call), got ${String(bad)}`,
      );
    expect(() => createWorkerBackend({ timeout: Infinity })).not.toThrow();
  });

  it("defaults to a minute plus one millisecond per 10,000 estimated multiply-adds of a window slice", () => {
    expect(defaultTimeout({ kind: "startup" })).toBe(60_000);
    // lstm 2 → 3 with a 3 → 2 head: 4·3·(2 + 3 + 1) + 3·2 + 2 = 80 params; 2 states of 3
    expect(sliceWork(program, 100, 5, false)).toBe(100 * 5 * 80);
    expect(sliceWork(program, 100, 5, "bptt")).toBe(100 * 5 * 80 * 4);
    expect(sliceWork(program, 100, 5, "rtrl")).toBe(100 * 5 * 80 * (4 + 36));
    const work = sliceWork(program, 1_000_000, 64, "bptt");
    expect(defaultTimeout({ kind: "runWindow", steps: 1_000_000, rows: 64, gradients: "bptt", work })).toBe(60_000 + work / 10_000);
  });
});
