import { addInto, allocate, resolveShape, sizeOf, type CheckedProgram, type Dtype, type Shape, type Tensor } from "@unroll/ir";
import {
  checkWindowMemory,
  checkWindowRequest,
  countedRows,
  isForwardMethod,
  selectRows,
  windowShapeOf,
  type GradientMethod,
  type WindowCompiler,
  type WindowRequest,
  type WindowResult,
} from "@unroll/bptt";
import { transfer } from "comlink";
import { sliceWork, type PoolCall } from "./call-timeout.js";
import { abortError, reviveWorkerError, WorkerError } from "./errors.js";
import type { WorkerPool } from "./pool.js";
import type { RowRange, SliceJob, SliceReply, SliceTensors } from "./protocol.js";
import { mapSensitivities, sensitivityShapes } from "./sensitivities.js";
import { recordToShared, sharedZeros, toShared, zerosIn } from "./shared-memory.js";
import { describeRows, splitRows } from "./split.js";
import { writeRows } from "./row-copy.js";

/** A program loaded on a pool, and how to run it. */
export interface PoolProgram {
  /** The workers. */
  readonly pool: WorkerPool;
  /** The program's id in every worker. */
  readonly id: number;
  /** The program, checked on the main thread. */
  readonly program: CheckedProgram;
  /** Its window compiler on the main thread, which knows which sensitivities an RTRL or SnAp-1 window returns (built on first use). */
  readonly compiler: WindowCompiler;
  /** Precision of the results. */
  readonly dtype: Dtype;
  /** Why the program's batch rows depend on each other (then each window runs on one worker), if they do. */
  readonly coupling: string | undefined;
  /** Share tensors through `SharedArrayBuffer` (else transfer copies). */
  readonly shared: boolean;
  /** Debug log. */
  readonly log: (message: string) => void;
  /** Bytes one whole window may use, checked before it is split over the workers. */
  readonly memoryBudget: number;
  /** The window shapes (as JSON) already found within the budget. */
  readonly withinBudget: Set<string>;
}

/** Whole-batch result tensors of one window (the per-worker parameter gradients are apart). */
interface BatchResults {
  readonly outputs: Tensor;
  readonly states: Record<string, Tensor>;
  readonly finalState: Record<string, Tensor>;
  /** BPTT only. */
  readonly inputGrads?: Record<string, Tensor>;
  /** BPTT only. */
  readonly initialStateGrads?: Record<string, Tensor>;
  /** RTRL and SnAp-1 only: by param and then by state, rows leading. */
  readonly sensitivities?: Record<string, Record<string, Tensor>>;
}

/**
 * Runs one window data-parallel over the batch: rows split into contiguous
 * slices, one call per busy worker, each running the CPU window runner on its
 * rows with the whole window's counted rows as the loss divisor (a program
 * whose rows depend on each other runs whole on worker 0). Outputs,
 * states, input/state gradients (BPTT) and sensitivities (RTRL and SnAp-1,
 * whose rows lead: each slice gets and returns its rows of axis 0) land in the
 * whole-batch buffers at the slice's rows; parameter gradients and losses are
 * summed in worker order, so a pool of a given size gives bitwise the same
 * result every run.
 */
export async function runWindowOnPool(p: PoolProgram, request: WindowRequest): Promise<WindowResult> {
  const { steps: L, batch: B } = checkWindowRequest(p.program, request);
  checkWholeWindowMemory(p, request);
  const signal = request.signal;
  if (signal?.aborted) throw abortError(signal);
  const slices = p.coupling === undefined ? splitRows(B, p.pool.size) : [{ from: 0, to: B }];
  if (p.coupling === undefined && B < p.pool.size)
    p.log(`batch ${B} < ${p.pool.size} workers: running on ${slices.length} worker${slices.length === 1 ? "" : "s"}`);
  const firstStep = request.firstStep ?? 0;
  const method = request.method ?? "bptt";
  // RTRL and SnAp-1 carry sensitivities forward and compute no input or state gradients
  const forwardMode = request.gradients && isForwardMethod(method) ? method : undefined;
  p.log(
    `window of ${L} steps from step ${firstStep}, batch ${B}${request.gradients ? `, with gradients${forwardMode === undefined ? "" : ` by ${forwardMode === "rtrl" ? "RTRL" : "SnAp-1"}`}` : ""}: ` +
      `${slices.map((s, k) => `worker ${k} ${describeRows(s)}`).join(", ")}${p.shared ? "" : " (transferred copies)"}`,
  );
  const lossFrom = request.lossFrom ?? 0;
  const settings = {
    programId: p.id,
    lossFrom,
    lossRowsTotal: request.lossRowsTotal ?? countedRows(L, B, lossFrom, request.mask),
    firstStep,
    gradients: request.gradients,
    method,
    collectStates: request.collectStates ?? true,
    checkpointEvery: request.checkpointEvery ?? 1,
    deltaNorms: request.deltaNorms ?? false,
  };
  const sensitivities = forwardMode ? sensitivityShapes(p.compiler, B, request.mask !== undefined, forwardMode) : undefined;
  const full = allocateResults(p, L, B, settings.collectStates, settings.gradients && !forwardMode, sensitivities);
  const paramShapes = Object.entries(p.program.params);
  const sliceGrads: Record<string, Tensor>[] = [];
  let run: (k: number, slice: RowRange) => SliceJob;
  if (p.shared) {
    // one copy per call into shared memory (none for tensors already there); workers read it in place
    const inputs = {
      params: recordToShared(request.params),
      sequences: recordToShared(request.sequences),
      initialState: recordToShared(request.initialState),
      ...(request.mask ? { mask: toShared(request.mask) } : {}),
      ...(request.sensitivities ? { sensitivities: mapSensitivities(request.sensitivities, toShared) } : {}),
    };
    run = (k, rows) => {
      const grads = settings.gradients ? Object.fromEntries(paramShapes.map(([name, shape]) => [name, sharedZeros(shape, p.dtype)])) : undefined;
      if (grads) sliceGrads[k] = grads;
      return { ...settings, ...inputs, rows, out: { ...full, ...(grads ? { grads } : {}) } };
    };
  } else {
    run = (_, rows) => {
      const copies: ArrayBuffer[] = [];
      const cut = (t: Tensor, axis: number): Tensor => {
        const c = selectRows(t, rows.from, rows.to, axis);
        copies.push(c.data.buffer as ArrayBuffer);
        return c;
      };
      const cutAll = (ts: Readonly<Record<string, Tensor>>, axis: number): Record<string, Tensor> =>
        Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, cut(t, axis)]));
      const job: SliceJob = {
        ...settings,
        params: request.params,
        sequences: cutAll(request.sequences, 1),
        initialState: cutAll(request.initialState, 0),
        ...(request.mask ? { mask: cut(request.mask, 1) } : {}),
        ...(request.sensitivities ? { sensitivities: mapSensitivities(request.sensitivities, (t) => cut(t, 0)) } : {}),
        rows: { from: 0, to: rows.to - rows.from },
      };
      return transfer(job, copies);
    };
  }
  // once the window has failed, its slices not yet sent are dropped: their workers stay free for the next call
  const failed = new AbortController();
  const replies = await settleInOrder(
    slices.map((rows, k) => {
      const job = run(k, rows);
      const gradients: false | GradientMethod = settings.gradients ? method : false;
      const call: PoolCall = {
        kind: "runWindow",
        steps: L,
        rows: rows.to - rows.from,
        gradients,
        work: sliceWork(p.program, L, rows.to - rows.from, gradients),
      };
      return p.pool
        .call(k, `runWindow (${describeRows(rows)})`, call, (api) => api.run(job) as Promise<SliceReply>, signal, failed.signal)
        .then((reply) => {
          if (!reply.ok) throw reviveWorkerError(k, describeRows(rows), reply.error);
          if (reply.results) gather(full, sliceGrads, k, rows, reply.results);
          return reply;
        });
    }),
    () => failed.abort(),
  );

  let loss = 0;
  let lossRows = 0;
  for (const r of replies) {
    loss += r.loss ?? 0;
    lossRows += r.lossRows;
  }
  const base = { outputs: full.outputs, states: full.states, finalState: full.finalState, lossRows, ...(p.program.hasLoss ? { loss } : {}) };
  if (!settings.gradients) return base;
  const grads: Record<string, Tensor> = {};
  for (const [name, shape] of paramShapes) {
    const sum: Tensor = { shape: [...shape], data: allocate(p.dtype, sizeOf(shape)) };
    for (const part of sliceGrads) addInto(sum, part[name]); // worker 0 + worker 1 + …, always in this order
    grads[name] = sum;
  }
  if (forwardMode) return { ...base, grads, sensitivities: full.sensitivities! };
  const backward = { ...base, grads, inputGrads: full.inputGrads!, initialStateGrads: full.initialStateGrads! };
  return settings.deltaNorms ? { ...backward, deltaNorms: combinedNorms(replies.map((r) => r.deltaNorms ?? {})) } : backward;
}

/** The norms over the whole batch from the slices' norms over their rows: the root of the sum of their squares, step by step. */
function combinedNorms(parts: readonly Readonly<Record<string, readonly number[]>>[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const part of parts) {
    for (const [state, norms] of Object.entries(part)) {
      const sum = (out[state] ??= new Array<number>(norms.length).fill(0));
      norms.forEach((n, t) => (sum[t] += n * n));
    }
  }
  for (const norms of Object.values(out)) norms.forEach((sq, t) => (norms[t] = Math.sqrt(sq)));
  return out;
}

/**
 * Whole-batch result buffers, in shared memory when the workers write them
 * directly: input and initial-state gradients when BPTT runs `backward`, and
 * the sensitivities of the given shapes (RTRL, SnAp-1).
 */
function allocateResults(
  p: PoolProgram,
  L: number,
  B: number,
  collect: boolean,
  backward: boolean,
  sensitivities: Readonly<Record<string, Readonly<Record<string, number[]>>>> | undefined,
): BatchResults {
  const make = (shape: readonly number[]): Tensor => zerosIn(p.shared, shape, p.dtype);
  const each = (names: Readonly<Record<string, Shape>>, seq: boolean): Record<string, Tensor> =>
    Object.fromEntries(Object.entries(names).map(([k, shape]) => [k, make(seq ? [L, ...resolveShape(shape, B)] : resolveShape(shape, B))]));
  const stateShapes = Object.fromEntries(Object.entries(p.program.states).map(([k, info]) => [k, info.shape]));
  return {
    outputs: make([L, ...resolveShape(p.program.sequences[p.program.program.output], B)]),
    states: collect ? each(stateShapes, true) : {},
    finalState: each(stateShapes, false),
    ...(backward ? { inputGrads: each(p.program.dataInputs, true), initialStateGrads: each(stateShapes, false) } : {}),
    ...(sensitivities ? { sensitivities: mapSensitivities(sensitivities, make) } : {}),
  };
}

/** Puts a slice's returned results (no shared memory) into the whole-batch buffers at its rows. */
function gather(full: BatchResults, sliceGrads: Record<string, Tensor>[], k: number, rows: RowRange, r: SliceTensors): void {
  const put = (dst: Record<string, Tensor> | undefined, src: Readonly<Record<string, Tensor>> | undefined, axis: number): void => {
    for (const [name, t] of Object.entries(src ?? {})) if (dst?.[name]) writeRows(dst[name], t, rows.from, axis);
  };
  writeRows(full.outputs, r.outputs, rows.from, 1);
  put(full.states, r.states, 1);
  put(full.finalState, r.finalState, 0);
  put(full.inputGrads, r.inputGrads, 1);
  put(full.initialStateGrads, r.initialStateGrads, 0);
  for (const [param, byState] of Object.entries(r.sensitivities ?? {})) put(full.sensitivities?.[param], byState, 0);
  if (r.grads) sliceGrads[k] = { ...r.grads };
}

/** True for failures that end the window at once: a dead or hung worker, or a cancellation. */
function isPrompt(e: unknown): boolean {
  return (e instanceof WorkerError && e.failure !== "threw") || (e instanceof Error && e.name === "AbortError");
}

/**
 * All the slices' results in worker order. A dead or hung worker or an abort
 * rejects at once; errors thrown inside workers wait for the other slices, so
 * the one reported (the lowest worker's) does not depend on timing. After a
 * prompt failure, slices not yet sent are withdrawn (`onPromptFailure`);
 * those already running run on (their workers are not stopped) and write only
 * into this window's own result buffers, which nothing returns or reuses; a
 * worker's next call is sent when it has answered.
 */
function settleInOrder<T>(calls: readonly Promise<T>[], onPromptFailure: () => void): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const values: T[] = new Array<T>(calls.length);
    const errors = new Map<number, unknown>();
    let pending = calls.length;
    calls.forEach((call, k) => {
      call
        .then(
          (v) => void (values[k] = v),
          (e: unknown) => {
            errors.set(k, e);
            if (!isPrompt(e)) return;
            reject(e);
            onPromptFailure();
          },
        )
        .finally(() => {
          if (--pending > 0) return;
          if (errors.size === 0) resolve(values);
          else reject(errors.get(Math.min(...errors.keys())));
        });
    });
  });
}

/** Refuses a window whose whole batch would not fit in the memory budget, before any tensor is shared or sent to a worker. */
function checkWholeWindowMemory(p: PoolProgram, request: WindowRequest): void {
  const shape = windowShapeOf(p.program, request, p.dtype);
  const key = JSON.stringify(shape);
  if (p.withinBudget.has(key)) return;
  checkWindowMemory(p.compiler.compile(shape), p.memoryBudget);
  p.withinBudget.add(key);
}
