import { describe, expect, it } from "vitest";
import type { WindowRequest, WindowResult } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend, defaultTimeout, loadNodeWorkerSpawner, sliceWork, WorkerError, type PoolCall } from "../src/index.js";
import { COLLECT_STEP, faultStep } from "./fixtures/faulty-steps.js";
import { faultyWorkerBundle } from "./fixtures/faulty-worker-bundle.js";
import { isWorkerFault, loadPrograms, planWindows, requestOf, type LoadFault, type PlannedWindow } from "./load-plan.js";
import { megabytes, sampleMemory, type MemorySample } from "./memory-sample.js";
import { resultDifferences, windowBytes } from "./result-difference.js";
import { watchThreads } from "./thread-census.js";

// Hundreds of windows (mixed programs, batch sizes, forward, BPTT, RTRL and
// SnAp-1, masks, checkpointing) on a pool of 3 test-only faulty workers, two
// windows in flight, while a seeded plan makes workers throw, crash, exit,
// hang, spin, scribble over the shared results and die, kills them from
// outside the pool and aborts calls, at random points. Every result that comes
// back is compared with the CPU backend's (float64, 1e-12); every failure must
// be a WorkerError (or an AbortError for an aborted call) within the bound;
// memory and threads must not grow. `npm run soak` runs the long form
// (SOAK=1); SEED=<n> runs another plan, FAULT_RATE=<p> another share of
// faulty windows (0: a control run).
const SOAK = process.env.SOAK === "1";
const SEED = Number(process.env.SEED ?? 20261204);
const WORKERS = 3;
const WINDOWS = SOAK ? 3000 : 120;
const ROUND = SOAK ? 250 : 40;
const FAULT_RATE = Number(process.env.FAULT_RATE ?? 0.2);
/**
 * The timeout of a window slice here, shaped like the default but 30 times
 * shorter in its fixed part and 5 times in its work part, so that a hang
 * costs seconds: 2 s plus a millisecond per 2,000 estimated multiply-adds.
 * The slices take tens of milliseconds, but a second or more on a 2-core
 * machine running five test suites at once (load average 11 was seen).
 */
const sliceTimeout = (call: PoolCall): number => (call.kind === "runWindow" ? Math.round(2000 + call.work / 2000) : defaultTimeout(call));
/** What a failing call may take beyond the timeouts of its own slice and of a slice it queued behind: the start-up of a replacement worker it waited for. */
const STARTUP_SLACK_MS = 5000;
/** How long after its window has ended a fault may still hit (its delay, on a loaded machine). */
const AFTERMATH_MS = 500;
/** Faults that can fail other windows in flight: all but a throw kill a worker. */
const killsWorker = (kind: LoadFault): boolean => kind !== "throw";

/** What became of one planned window. */
interface Outcome {
  readonly w: PlannedWindow;
  readonly start: number;
  readonly end: number;
  /** When the window's abort fired or its killed thread had exited (it may be after the window ended). */
  readonly faultAt: number | undefined;
  readonly error: unknown;
  /** How the returned result differs from the CPU backend's (empty when it failed or agrees). */
  readonly problems: readonly string[];
  /** Bytes of the window's request and result tensors. */
  readonly bytes: number;
}

/** The rows a WorkerError's message names, `runWindow (rows a–b)` or `(row a)`. */
function rowsNamed(message: string): [number, number] | undefined {
  const m = /runWindow \((?:row (\d+)|rows (\d+)–(\d+))\)/.exec(message);
  if (!m) return undefined;
  return m[1] !== undefined ? [Number(m[1]), Number(m[1])] : [Number(m[2]), Number(m[3])];
}

/** What an isolated window with this worker fault must fail with: the failure and the message's cause. */
const expectedFailure: Readonly<Record<Exclude<LoadFault, "abort">, [WorkerError["failure"], RegExp]>> = {
  throw: ["threw", /^worker \d failed during runWindow \(rows? [\d–]+\): injected throw/],
  crash: ["died", /^worker \d crashed: injected crash \(/],
  exit: ["died", /^worker \d exited with code 3 during runWindow/],
  hang: ["hung", /^worker \d did not answer within \d+ ms during runWindow/],
  spin: ["hung", /^worker \d did not answer within \d+ ms during runWindow/],
  scribble: ["died", /^worker \d crashed: injected crash after scribbling/],
  kill: ["died", /^worker \d exited with code 1 during runWindow/],
};

describe(`faults under load (${SOAK ? "soak" : "CI"} form: ${WINDOWS} windows, seed ${SEED})`, () => {
  it(
    "every result returned is right, every failure is a clear error within the bound, the pool recovers, and memory and threads do not grow",
    async () => {
      const census = watchThreads(await loadNodeWorkerSpawner({ url: await faultyWorkerBundle() }));
      let replaced = 0;
      const backend = createWorkerBackend({
        workers: WORKERS,
        spawner: census.spawner,
        timeout: sliceTimeout,
        log: (m) => void (m.endsWith("replacing it") && replaced++),
      });
      const programs = loadPrograms();
      const onPool = await Promise.all(programs.map((p) => backend.load(p.program, { dtype: "float64" })));
      // a fresh CPU backend per window: its device keeps a free list per buffer length, which grows with every new window shape and would hide the pool's memory
      const reference = async (w: PlannedWindow, request: WindowRequest): Promise<WindowResult> => {
        const cpu = createCpuBackend();
        try {
          return await (await cpu.load(programs[w.program].program, { dtype: "float64" })).runWindow(request);
        } finally {
          await cpu.dispose();
        }
      };

      const runOne = async (w: PlannedWindow): Promise<Outcome & { fired: Promise<void> }> => {
        const p = programs[w.program];
        const base = requestOf(w, p);
        const f = w.fault;
        const controller = f?.kind === "abort" ? new AbortController() : undefined;
        const marker = f && isWorkerFault(f.kind) ? { firstStep: faultStep({ fault: f.kind, row: f.row, delayMs: f.delayMs }) } : {};
        const request = { ...base, ...marker, ...(controller ? { signal: controller.signal } : {}) };
        const start = performance.now();
        let faultAt: number | undefined;
        const fired =
          f?.kind === "kill" || controller
            ? new Promise<void>((resolve) =>
                setTimeout(() => {
                  if (controller) controller.abort();
                  // a kill takes effect when the thread has exited: until then the pool still sends it calls
                  const done = controller ? Promise.resolve() : census.kill(f!.place);
                  void done.then(() => {
                    faultAt = performance.now();
                    resolve();
                  });
                }, f!.delayMs),
              )
            : Promise.resolve();
        let error: unknown;
        let problems: string[] = [];
        let bytes: number;
        try {
          const result = await onPool[w.program].runWindow(request);
          const expected = await reference(w, base);
          problems = resultDifferences(result, expected, 1e-12);
          bytes = windowBytes(base, expected);
        } catch (e) {
          error = e;
          bytes = windowBytes(base, await reference(w, base));
        }
        const end = performance.now();
        return {
          w,
          start,
          end,
          get faultAt() {
            return faultAt;
          },
          error,
          problems,
          bytes,
          fired,
        };
      };

      /** Runs windows two at a time; waits for their kills and aborts to fire, for the killed threads to exit, and samples memory. */
      const runRound = async (round: readonly PlannedWindow[], into: Outcome[]): Promise<void> => {
        let next = 0;
        const fired: Promise<void>[] = [];
        await Promise.all(
          [0, 1].map(async () => {
            while (next < round.length) {
              const o = await runOne(round[next++]);
              fired.push(o.fired);
              into.push(o);
            }
          }),
        );
        await Promise.all(fired);
        for (let waited = 0; census.live() > WORKERS && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      };

      /** Memory after every worker, then this thread, collected its garbage: a worker keeps the shared buffers of its past calls until it does. */
      const collectEverywhere = async (): Promise<MemorySample> => {
        const w: PlannedWindow = { ...planWindows(SEED, 1, programs, WORKERS, 0)[0], batch: WORKERS, gradients: false };
        await onPool[w.program].runWindow({ ...requestOf(w, programs[w.program]), firstStep: COLLECT_STEP });
        return sampleMemory();
      };

      const plan = planWindows(SEED, WINDOWS, programs, WORKERS, FAULT_RATE);
      const outcomes: Outcome[] = [];
      const samples: { readonly after: number; readonly memory: MemorySample; readonly threads: number }[] = [];
      const t0 = performance.now();
      try {
        for (let from = 0; from < plan.length; from += ROUND) {
          await runRound(plan.slice(from, from + ROUND), outcomes);
          samples.push({ after: outcomes.length, memory: await collectEverywhere(), threads: census.live() });
        }
        // recovery: clean windows after the storm all succeed, and are right
        const clean: Outcome[] = [];
        await runRound(
          planWindows(SEED + 1, 12, programs, WORKERS, 0).map((w) => ({ ...w, index: WINDOWS + w.index })),
          clean,
        );
        expect(
          clean.map((o) => o.error),
          "clean windows after the faults",
        ).toEqual(clean.map(() => undefined));
        expect(clean.flatMap((o) => o.problems)).toEqual([]);
        samples.push({ after: outcomes.length + clean.length, memory: await collectEverywhere(), threads: census.live() });
      } finally {
        await backend.dispose();
        census.close();
      }
      const seconds = (performance.now() - t0) / 1000;
      for (let waited = 0; census.live() > 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      const afterDispose = await sampleMemory();

      // 1. nothing wrong is returned as right
      const wrong = outcomes.filter((o) => o.problems.length > 0).map((o) => `window ${o.w.index}: ${o.problems.slice(0, 3).join("; ")}`);
      expect(wrong).toEqual([]);

      // 2. every failure is a clear error, within the bound
      const killing = outcomes.filter((o) => o.w.fault && killsWorker(o.w.fault.kind));
      // a window that failed early may have sent its faulty slice already: the fault still lands, a delay (≤ 15 ms) later
      const overlapping = (o: Outcome): Outcome[] =>
        killing.filter((v) => v !== o && v.start <= o.end && Math.max(v.end, v.faultAt ?? 0) + AFTERMATH_MS >= o.start);
      const overlapped = (o: Outcome): boolean => overlapping(o).length > 0;
      /** The timeout of a window's longest slice. */
      const timeoutOf = ({ w }: Outcome): number => {
        const rows = Math.ceil(w.batch / Math.min(w.batch, WORKERS));
        return sliceTimeout({
          kind: "runWindow",
          steps: w.steps,
          rows,
          gradients: w.gradients,
          work: sliceWork(programs[w.program].program, w.steps, rows, w.gradients),
        });
      };
      const boundOf = (o: Outcome): number =>
        timeoutOf(o) + Math.max(0, ...outcomes.filter((v) => v !== o && v.start <= o.end && v.end >= o.start).map(timeoutOf)) + STARTUP_SLACK_MS;
      const unclear: string[] = [];
      const failed = outcomes.filter((o) => o.error !== undefined);
      let maxFailMs = 0;
      let maxOverBound = 0;
      for (const o of failed) {
        const e = o.error as Error;
        const ms = o.end - o.start;
        maxFailMs = Math.max(maxFailMs, ms);
        const others = outcomes
          .filter((v) => v !== o && v.w.fault && v.start <= o.end + 2000 && Math.max(v.end, v.faultAt ?? 0) >= o.start - 2000)
          .map(
            (v) =>
              `${v.w.index} ${v.w.fault!.kind} [${(v.start - o.start).toFixed(0)}, ${(v.end - o.start).toFixed(0)}] at ${((v.faultAt ?? NaN) - o.start).toFixed(0)}`,
          );
        const label = `window ${o.w.index} (${o.w.fault?.kind ?? "no fault"}, ${ms.toFixed(0)} ms${others.length ? `; in flight with ${others.join(", ")}` : ""}): ${e.message}`;
        if (e.name === "AbortError") {
          if (o.w.fault?.kind !== "abort") unclear.push(`${label}: an AbortError, but the window was not aborted`);
        } else if (!(e instanceof WorkerError) || !e.message.startsWith(`worker ${e.worker} `) || e.worker >= WORKERS)
          unclear.push(`${label}: not a WorkerError naming its worker`);
        else if (e.failure === "hung" && ms < Number(/within (\d+) ms/.exec(e.message)?.[1]) - 5) unclear.push(`${label}: hung before its timeout`);
        if (ms > boundOf(o)) unclear.push(`${label}: took longer than its bound ${boundOf(o)} ms`);
        maxOverBound = Math.max(maxOverBound, ms / boundOf(o));
        // an isolated fault fails its own way, at the worker holding the marked row
        const kind = o.w.fault?.kind;
        if (kind && kind !== "abort" && !overlapped(o) && e instanceof WorkerError) {
          const [failure, pattern] = expectedFailure[kind];
          if (e.failure !== failure || !pattern.test(e.message)) unclear.push(`${label}: expected a "${failure}" failure matching ${pattern}`);
          const rows = rowsNamed(e.message);
          if (isWorkerFault(kind) && !(rows && rows[0] <= o.w.fault!.row && o.w.fault!.row <= rows[1]))
            unclear.push(`${label}: does not name the rows of the faulty worker`);
        }
      }
      expect(unclear).toEqual([]);

      // 3. a window with a worker fault always fails; one that no fault could reach always succeeds
      const faultedButSucceeded = outcomes.filter((o) => o.w.fault && isWorkerFault(o.w.fault.kind) && o.error === undefined).map((o) => o.w.index);
      expect(faultedButSucceeded).toEqual([]);
      const unaffectedButFailed = outcomes
        .filter((o) => !o.w.fault && !overlapped(o) && o.error !== undefined)
        .map((o) => `window ${o.w.index} (${o.w.steps} steps × ${o.w.batch} rows, ${(o.end - o.start).toFixed(0)} ms): ${(o.error as Error).message}`);
      expect(unaffectedButFailed).toEqual([]);

      // 4. memory and threads: a leak of a quarter of a failed window's buffers per failure would exceed the bound
      const baseline = samples[0];
      const last = samples.at(-1)!;
      const failedSinceBaseline = failed.filter((o) => outcomes.indexOf(o) >= baseline.after);
      const failedBytes = failedSinceBaseline.reduce((n, o) => n + o.bytes, 0);
      // a quarter: the soak form once showed a third of a window kept per failure (an error's cause holding its stack's closures)
      const leakBound = failedBytes / 4;
      const growth = (key: keyof MemorySample): number => Math.max(...samples.map((s) => s.memory[key] - baseline.memory[key]));

      const count = <T extends string>(keys: readonly (T | undefined)[]): Record<string, number> =>
        keys.reduce<Record<string, number>>((c, k) => (k === undefined ? c : { ...c, [k]: (c[k] ?? 0) + 1 }), {});
      console.log(
        [
          `faults under load, ${SOAK ? "soak" : "CI"} form, seed ${SEED}: ${outcomes.length} windows (+ 12 clean) in ${seconds.toFixed(1)} s on ${WORKERS} workers`,
          `  faults injected: ${JSON.stringify(count(outcomes.map((o) => o.w.fault?.kind)))}`,
          `  calls failed: ${failed.length} ${JSON.stringify(count(failed.map((o) => (o.error instanceof WorkerError ? o.error.failure : (o.error as Error).name))))}, max time to fail ${maxFailMs.toFixed(0)} ms, at most ${(100 * maxOverBound).toFixed(0)}% of a call's bound (its timeouts + ${STARTUP_SLACK_MS} ms)`,
          `  succeeded and equal to the CPU backend's: ${outcomes.length - failed.length}; workers started ${census.started()}, replaced ${replaced}`,
          `  memory (after GC) at the first sample → end: heap ${megabytes(baseline.memory.heapUsed)} → ${megabytes(last.memory.heapUsed)}, ` +
            `external ${megabytes(baseline.memory.external)} → ${megabytes(last.memory.external)}, array buffers ${megabytes(baseline.memory.arrayBuffers)} → ${megabytes(last.memory.arrayBuffers)}, ` +
            `rss ${megabytes(baseline.memory.rss)} → ${megabytes(last.memory.rss)}; leak bound ${megabytes(leakBound)} (a quarter of ${failedSinceBaseline.length} failed windows' buffers)`,
          `  live threads at each sample: ${samples.map((s) => s.threads).join(", ")}; array buffers at each sample: ${samples.map((s) => megabytes(s.memory.arrayBuffers)).join(", ")}, after dispose ${megabytes(afterDispose.arrayBuffers)}`,
        ].join("\n"),
      );
      expect(failedBytes, "the failed windows' buffers must be big enough for a leak to stand out").toBeGreaterThan(3 * 2 ** 20);
      expect(growth("heapUsed")).toBeLessThan(leakBound);
      expect(growth("external")).toBeLessThan(leakBound);
      expect(growth("arrayBuffers")).toBeLessThan(leakBound);
      expect(afterDispose.arrayBuffers - baseline.memory.arrayBuffers, "array buffers after dispose").toBeLessThan(leakBound);
      expect(samples.map((s) => s.threads)).toEqual(samples.map(() => WORKERS));
      for (let waited = 0; census.live() > 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(census.live(), "threads after dispose").toBe(0);

      // the measure sees a leak of that size
      const leak = Array.from({ length: failedSinceBaseline.length }, (_, i) => new SharedArrayBuffer(failedSinceBaseline[i].bytes));
      expect((await sampleMemory()).arrayBuffers - last.memory.arrayBuffers).toBeGreaterThan(leakBound);
      expect(leak.length).toBe(failedSinceBaseline.length);
    },
    SOAK ? 4 * 3600_000 : 120_000,
  );
});
