import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeGradients, maskOfLengths, runForward, type Backend, type GradientResult, type LoadedProgram, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "../src/index.js";
import { collectLog, expectAllClose, expectSameResult, lstmProgram, randomData, randomParams } from "./support.js";

// The workers backend against the CPU backend, float64: forward, full BPTT and
// truncated gradients agree to 1e-12 (only the order of batch sums differs),
// and a pool of a given size gives bitwise the same numbers every run.
const program = lstmProgram();
const params = randomParams(program, 11);
const T = 7;
const truncations: readonly (readonly [string, Truncation])[] = [
  ["full BPTT", { kind: "full" }],
  ["chunked(3)", { kind: "chunked", window: 3 }],
  ["BPTT(2, 4)", { kind: "k1k2", k1: 2, k2: 4 }],
];

function expectSameGradients(label: string, a: GradientResult, b: GradientResult, tol: number): void {
  expectSameResult(`${label} forward`, a.forward, b.forward, tol);
  expect(Math.abs(a.loss - b.loss), `${label} loss`).toBeLessThanOrEqual(tol);
  expectAllClose(`${label} grads`, a.grads, b.grads, tol);
  expectAllClose(`${label} inputGrads`, a.inputGrads, b.inputGrads, tol);
  expectAllClose(`${label} initialStateGrads`, a.initialStateGrads, b.initialStateGrads, tol);
  a.windows.forEach((w, i) => expectAllClose(`${label} window ${i} grads`, w.grads, b.windows[i].grads, tol));
}

describe("workers backend equals the CPU backend (lstm, float64, 2 workers)", () => {
  const { messages, log } = collectLog();
  let workers: Backend;
  let copies: Backend;
  let onWorkers: LoadedProgram;
  let onCopies: LoadedProgram;
  let onCpu: LoadedProgram;

  beforeAll(async () => {
    workers = createWorkerBackend({ workers: 2, log });
    copies = createWorkerBackend({ workers: 2, sharedMemory: false });
    [onWorkers, onCopies, onCpu] = await Promise.all([
      workers.load(program, { dtype: "float64" }),
      copies.load(program, { dtype: "float64" }),
      createCpuBackend().load(program, { dtype: "float64" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([workers?.dispose(), copies?.dispose()]);
  });

  for (const [B, lengths] of [
    [5, undefined],
    [5, [7, 3, 0, 5, 7]],
    [1, undefined],
  ] as const) {
    const what = `B=${B}${lengths ? " with lengths" : ""}`;
    const data = randomData(program, T, B, 100 + B, lengths);

    it(`${what}: forward`, async () => {
      const cpu = await runForward(onCpu, params, data, program);
      const a = await runForward(onWorkers, params, data, program);
      expectSameResult(what, a, cpu, 1e-12);
      expectSameResult(`${what} again`, await runForward(onWorkers, params, data, program), a, 0);
      expectSameResult(`${what} copies`, await runForward(onCopies, params, data, program), a, 0);
    });

    for (const [name, truncation] of truncations) {
      it(`${what}: ${name} gradients, bitwise the same on a second run`, async () => {
        const cpu = await computeGradients(onCpu, program, params, data, truncation);
        const first = await computeGradients(onWorkers, program, params, data, truncation);
        expectSameGradients(what, first, cpu, 1e-12);
        expectSameGradients(`${what} second run`, await computeGradients(onWorkers, program, params, data, truncation), first, 0);
        expectSameGradients(`${what} copies`, await computeGradients(onCopies, program, params, data, truncation), first, 0);
      });
    }
  }

  it("splits 5 rows as 0–2 and 3–4, and runs a batch of 1 on one worker, saying so", () => {
    expect(messages).toContain("window of 7 steps from step 0, batch 5, with gradients: worker 0 rows 0–2, worker 1 rows 3–4");
    expect(messages).toContain("batch 1 < 2 workers: running on 1 worker");
    expect(messages).toContain("window of 7 steps from step 0, batch 1: worker 0 row 0");
  });

  it("masked rows count nothing: lossRows is the sum of the lengths, and a row of length 0 gets no gradient", async () => {
    const lengths = [7, 3, 0, 5, 7];
    const data = randomData(program, T, 5, 9, lengths);
    const r = await onWorkers.runWindow({
      params,
      sequences: data.sequences,
      initialState: data.initialState!,
      mask: maskOfLengths(lengths, T, "float64"),
      gradients: true,
    });
    expect(r.lossRows).toBe(22);
    for (const [name, g] of Object.entries(r.initialStateGrads!)) {
      const width = g.shape[1];
      expect([...g.data.subarray(2 * width, 3 * width)], `initialStateGrads.${name} row 2`).toEqual(new Array(width).fill(0));
    }
  });

  it("accepts tensors already in shared memory without copying them, and leaves the inputs untouched", async () => {
    const data = randomData(program, T, 5, 21);
    const x = data.sequences.x;
    const shared = new Float64Array(new SharedArrayBuffer(x.data.byteLength));
    shared.set(x.data);
    const before = shared.slice();
    const sequences = { ...data.sequences, x: { shape: x.shape, data: shared } };
    const a = await onWorkers.runWindow({ params, sequences, initialState: data.initialState!, gradients: true });
    const b = await onCpu.runWindow({ params, sequences: data.sequences, initialState: data.initialState!, gradients: true });
    expectSameResult("shared input", a, b, 1e-12);
    expect(shared).toEqual(before);
  });

  it("float32 matches the CPU backend to float32 rounding", async () => {
    const [w32, c32] = await Promise.all([workers.load(program, { dtype: "float32" }), createCpuBackend().load(program, { dtype: "float32" })]);
    const to32 = (ts: Readonly<Record<string, { shape: readonly number[]; data: Float32Array | Float64Array }>>) =>
      Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data) }]));
    const data = randomData(program, T, 5, 31);
    const req = { params: to32(params), sequences: to32(data.sequences), initialState: to32(data.initialState!), gradients: true };
    const a = await w32.runWindow(req);
    expect(a.outputs.data).toBeInstanceOf(Float32Array);
    expectSameResult("float32", a, await c32.runWindow(req), 1e-5);
    await w32.dispose();
  });
});
