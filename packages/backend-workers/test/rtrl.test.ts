import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchCoupling, checkProgram, GraphBuilder, programOfGraph, type CheckedProgram, type Tensor } from "@unroll/ir";
import {
  computeGradients,
  maskOfLengths,
  selectRows,
  sliceSteps,
  type Backend,
  type ForwardMethod,
  type LoadedProgram,
  type SequenceData,
  type WindowRequest,
  type WindowResult,
} from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "../src/index.js";
import { collectLog, expectAllClose, expectSameResult, lstmProgram, randomData, randomParams } from "./support.js";

// RTRL (and SnAp-1, whose sensitivities have another shape) on the pool,
// float64: each worker carries its rows' sensitivities; the whole-batch
// results equal the CPU backend's (1e-12, only the order of the batch sums
// differs), RTRL's its full BPTT too, in shared memory and with transferred
// copies, and a carried window continues the sequence.
const program = lstmProgram();
const params = randomParams(program, 21);
const T = 7;
const B = 5;

/** The request of one window by `method` (RTRL unless given) over steps [from, to) of `data`. */
function rtrlRequest(data: SequenceData, from: number, to: number, extra: Partial<WindowRequest> = {}): WindowRequest {
  return {
    params,
    sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, from, to)])),
    initialState: data.initialState ?? {},
    ...(data.lengths ? { mask: sliceSteps(maskOfLengths(data.lengths, T, "float64"), from, to) } : {}),
    gradients: true,
    method: "rtrl",
    ...extra,
  };
}

/** Expects two sensitivity records to have the same params, states, shapes and elements within `tol` (0: bitwise). */
function expectSameSensitivities(label: string, a: WindowResult["sensitivities"], b: WindowResult["sensitivities"], tol: number): void {
  expect(a, `${label}: sensitivities`).toBeDefined();
  expect(Object.keys(a!).sort(), `${label}: params`).toEqual(Object.keys(b!).sort());
  for (const [param, byState] of Object.entries(b!)) expectAllClose(`${label} sensitivities of ${param}`, a![param], byState, tol);
}

/** Expects an RTRL or SnAp-1 result: grads and sensitivities, no input or initial-state gradients (not even as keys). */
function expectRtrlShape(label: string, r: WindowResult): void {
  expect(r.grads, `${label}: grads`).toBeDefined();
  expect(r.sensitivities, `${label}: sensitivities`).toBeDefined();
  expect("inputGrads" in r, `${label}: inputGrads key`).toBe(false);
  expect("initialStateGrads" in r, `${label}: initialStateGrads key`).toBe(false);
}

describe("RTRL on the workers backend (lstm, float64, 2 workers)", () => {
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

  for (const [batch, lengths] of [
    [B, undefined],
    [B, [7, 3, 0, 5, 7]],
    [1, undefined],
  ] as const) {
    const what = `B=${batch}${lengths ? " with lengths" : ""}`;
    const data = randomData(program, T, batch, 200 + batch, lengths);

    it(`${what}: one window equals the CPU backend's RTRL and full BPTT, shared and copied, bitwise the same on a second run`, async () => {
      const cpu = await onCpu.runWindow(rtrlRequest(data, 0, T));
      const a = await onWorkers.runWindow(rtrlRequest(data, 0, T));
      expectRtrlShape(what, a);
      expectSameResult(what, a, cpu, 1e-12);
      expectSameSensitivities(what, a.sensitivities, cpu.sensitivities, 1e-12);
      const again = await onWorkers.runWindow(rtrlRequest(data, 0, T));
      expectSameResult(`${what} again`, again, a, 0);
      expectSameSensitivities(`${what} again`, again.sensitivities, a.sensitivities, 0);
      const copied = await onCopies.runWindow(rtrlRequest(data, 0, T));
      expectRtrlShape(`${what} copies`, copied);
      expectSameResult(`${what} copies`, copied, a, 0);
      expectSameSensitivities(`${what} copies`, copied.sensitivities, a.sensitivities, 0);
      const bptt = await computeGradients(onCpu, program, params, data, { kind: "full" });
      expectAllClose(`${what} grads against full BPTT`, a.grads, bptt.grads, 1e-12);
    });

    it(`${what}: two windows carrying the final state and sensitivities equal one (shared and copied)`, async () => {
      const whole = await onCpu.runWindow(rtrlRequest(data, 0, T));
      for (const [label, loaded] of [
        ["shared", onWorkers],
        ["copies", onCopies],
      ] as const) {
        const first = await loaded.runWindow(rtrlRequest(data, 0, 3, { lossRowsTotal: whole.lossRows }));
        const second = await loaded.runWindow(
          rtrlRequest(data, 3, T, {
            initialState: first.finalState,
            sensitivities: first.sensitivities!,
            lossRowsTotal: whole.lossRows,
            firstStep: 3,
          }),
        );
        expectRtrlShape(`${what} ${label} second window`, second);
        const sum = Object.fromEntries(
          Object.entries(first.grads!).map(([k, g]) => [k, { shape: g.shape, data: g.data.map((v, i) => v + second.grads![k].data[i]) } satisfies Tensor]),
        );
        expectAllClose(`${what} ${label} grads`, sum, whole.grads, 1e-12);
        expectAllClose(`${what} ${label} finalState`, second.finalState, whole.finalState, 1e-12);
        expectSameSensitivities(`${what} ${label}`, second.sensitivities, whole.sensitivities, 1e-12);
        expect(Math.abs(first.loss! + second.loss! - whole.loss!), `${what} ${label} loss`).toBeLessThanOrEqual(1e-12);
      }
    });
  }

  it("a sensitivity with the wrong rows is rejected on the main thread, naming it", async () => {
    const data = randomData(program, T, B, 9);
    const first = await onWorkers.runWindow(rtrlRequest(data, 0, 3));
    const [param, byState] = Object.entries(first.sensitivities!)[0];
    const [state, t] = Object.entries(byState)[0];
    const request = rtrlRequest(data, 3, T, { initialState: first.finalState, sensitivities: { [param]: { [state]: selectRows(t, 0, B - 1, 0) } } });
    await expect(onWorkers.runWindow(request)).rejects.toThrow(`sensitivity of "${state}" to "${param}" has shape`);
  });

  it("logs the split of an RTRL window as for BPTT", () => {
    expect(messages).toContain("window of 7 steps from step 0, batch 5, with gradients by RTRL: worker 0 rows 0–2, worker 1 rows 3–4");
    expect(messages).toContain("window of 4 steps from step 3, batch 5, with gradients by RTRL: worker 0 rows 0–2, worker 1 rows 3–4");
  });
});

describe("SnAp-1 on the workers backend (lstm, float64, 2 workers)", () => {
  const { messages, log } = collectLog();
  const method: ForwardMethod = "snap1";
  let workers: Backend;
  let copies: Backend;
  let onCpu: LoadedProgram;

  beforeAll(async () => {
    workers = createWorkerBackend({ workers: 2, log });
    copies = createWorkerBackend({ workers: 2, sharedMemory: false });
    onCpu = await createCpuBackend().load(program, { dtype: "float64" });
  });
  afterAll(async () => {
    await Promise.all([workers?.dispose(), copies?.dispose()]);
  });

  it("one window and two carried windows equal the CPU backend's, shared and copied, masked batch included", async () => {
    for (const lengths of [undefined, [7, 3, 0, 5, 7]]) {
      const data = randomData(program, T, B, 300, lengths);
      const cpu = await onCpu.runWindow(rtrlRequest(data, 0, T, { method }));
      for (const [label, backend] of [
        ["shared", workers],
        ["copies", copies],
      ] as const) {
        const what = `${label}${lengths ? " with lengths" : ""}`;
        const loaded = await backend.load(program, { dtype: "float64" });
        const whole = await loaded.runWindow(rtrlRequest(data, 0, T, { method }));
        expectRtrlShape(what, whole);
        expectSameResult(what, whole, cpu, 1e-12);
        expectSameSensitivities(what, whole.sensitivities, cpu.sensitivities, 1e-12);
        const first = await loaded.runWindow(rtrlRequest(data, 0, 3, { method, lossRowsTotal: cpu.lossRows }));
        const second = await loaded.runWindow(
          rtrlRequest(data, 3, T, { method, initialState: first.finalState, sensitivities: first.sensitivities!, lossRowsTotal: cpu.lossRows, firstStep: 3 }),
        );
        const sum = Object.fromEntries(
          Object.entries(first.grads!).map(([k, g]) => [k, { shape: g.shape, data: g.data.map((v, i) => v + second.grads![k].data[i]) }]),
        );
        expectAllClose(`${what} carried grads`, sum, cpu.grads, 1e-12);
        expectSameSensitivities(`${what} carried`, second.sensitivities, cpu.sensitivities, 1e-12);
        await loaded.dispose();
      }
    }
    expect(messages).toContain("window of 7 steps from step 0, batch 5, with gradients by SnAp-1: worker 0 rows 0–2, worker 1 rows 3–4");
  });
});

/** An rnn whose step reads the batch's mean state: its rows depend on each other, so the pool runs it whole on worker 0. */
function batchMeanRnn(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 2]);
  const y = b.input("y", ["B", 3]);
  const h = b.carry("h", ["B", 3]);
  const pre = b.add(
    b.add(b.matmul(x, b.param("W", [2, 3])), b.matmul(h, b.param("U", [3, 3]))),
    b.mul(b.mean(h, { axes: [0], keepDims: true }), b.param("v", [3])),
  );
  const hn = b.tanh(pre);
  b.update(h, hn);
  b.output("output", hn);
  b.loss(b.mse(hn, y));
  return checkProgram(programOfGraph(b.toGraph()));
}

describe("RTRL of a program whose rows are coupled", () => {
  const { messages, log } = collectLog();
  const backend = createWorkerBackend({ workers: 2, log });
  afterAll(() => backend.dispose());

  it("runs whole on worker 0 and equals the CPU backend", async () => {
    const coupled = batchMeanRnn();
    expect(batchCoupling(coupled)).toBeDefined();
    const p = randomParams(coupled, 3);
    const data = randomData(coupled, 4, 5, 4, [4, 2, 4, 3, 1]);
    const loaded = await backend.load(coupled, { dtype: "float64" });
    const cpuLoaded = await createCpuBackend().load(coupled, { dtype: "float64" });
    const cpu = await computeGradients(cpuLoaded, coupled, p, data, { kind: "full" }, { method: "rtrl" });
    const r = await computeGradients(loaded, coupled, p, data, { kind: "full" }, { method: "rtrl" });
    expectSameResult("coupled", r.forward, cpu.forward, 1e-12);
    expectAllClose("coupled grads", r.grads, cpu.grads, 1e-12);
    expectAllClose("coupled grads against full BPTT", r.grads, (await computeGradients(cpuLoaded, coupled, p, data, { kind: "full" })).grads, 1e-12);
    expect(messages).toContain("window of 4 steps from step 0, batch 5, with gradients by RTRL: worker 0 rows 0–4");
    await loaded.dispose();
  });
});
