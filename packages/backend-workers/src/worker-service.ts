import { checkProgram, type Dtype, type Program, type Tensor } from "@unroll/ir";
import { NonFiniteError, WindowExecutor, type Device, type WindowResult } from "@unroll/bptt";
import { cpuDevice, fastKernels } from "@unroll/backend-cpu";
import type { SliceJob, SliceOutputs, SliceReply, SliceTensors, WireError, WorkerApi } from "./protocol.js";
import { rowsOf, writeRows } from "./row-copy.js";
import { mapSensitivities } from "./sensitivities.js";

/**
 * The worker side of the pool: one shared-executor `WindowExecutor` per loaded
 * program on the CPU device, with the CPU backend's fast kernels (WebAssembly GEMM, fused elementwise loops),
 * run on the worker's rows of each window. It touches no worker API itself, so
 * the Node and browser worker entries only differ in how they expose it.
 */
export class WorkerService implements WorkerApi {
  private readonly runners = new Map<number, WindowExecutor<Tensor>>();
  // one WebAssembly GEMM (and its memory) per worker, shared by its programs
  private readonly device: Device<Tensor> = cpuDevice({ kernels: fastKernels(), fuse: true });

  /** Answers once the worker has started. */
  ping(): string {
    return "ready";
  }

  /** Re-checks the program here (it crossed the thread as plain JSON) and keeps a runner for it. */
  load(id: number, program: Program, dtype: Dtype, memoryBudget: number): void {
    this.runners.set(id, new WindowExecutor(this.device, checkProgram(program), dtype, { memoryBudget }));
  }

  /** Forgets a program. */
  unload(id: number): void {
    this.runners.get(id)?.dispose();
    this.runners.delete(id);
  }

  /** Runs the job's rows through the shared executor on the CPU device and writes the results where the job says. */
  async run(job: SliceJob): Promise<SliceReply> {
    try {
      const runner = this.runners.get(job.programId);
      if (!runner) throw new Error(`program ${job.programId} is not loaded in this worker (loaded: ${[...this.runners.keys()].join(", ") || "none"})`);
      const rows = job.rows;
      const pick = (ts: Readonly<Record<string, Tensor>>, axis: number): Record<string, Tensor> =>
        Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, rowsOf(t, rows, axis)]));
      const r = await runner.run({
        params: job.params,
        sequences: pick(job.sequences, 1),
        initialState: pick(job.initialState, 0),
        ...(job.mask ? { mask: rowsOf(job.mask, rows, 1) } : {}),
        ...(job.sensitivities ? { sensitivities: mapSensitivities(job.sensitivities, (t) => rowsOf(t, rows, 0)) } : {}),
        lossFrom: job.lossFrom,
        lossRowsTotal: job.lossRowsTotal,
        firstStep: job.firstStep,
        gradients: job.gradients,
        method: job.method,
        collectStates: job.collectStates,
        checkpointEvery: job.checkpointEvery,
        deltaNorms: job.deltaNorms,
      });
      const head = {
        ok: true as const,
        lossRows: r.lossRows,
        ...(r.loss !== undefined ? { loss: r.loss } : {}),
        ...(r.deltaNorms ? { deltaNorms: r.deltaNorms } : {}),
      };
      if (!job.out) return { ...head, results: sliceTensors(r) };
      writeResults(job.out, r, rows.from);
      return head;
    } catch (e) {
      return { ok: false, error: toWireError(e) };
    }
  }
}

/** A slice's results to return by value: only the fields the run produced (RTRL and SnAp-1 have sensitivities, no input or state gradients). */
function sliceTensors(r: WindowResult): SliceTensors {
  return {
    outputs: r.outputs,
    states: r.states,
    finalState: r.finalState,
    ...(r.grads ? { grads: r.grads } : {}),
    ...(r.inputGrads ? { inputGrads: r.inputGrads } : {}),
    ...(r.initialStateGrads ? { initialStateGrads: r.initialStateGrads } : {}),
    ...(r.sensitivities ? { sensitivities: r.sensitivities } : {}),
  };
}

/** Writes a slice's results into the shared whole-batch buffers at row `at`. */
function writeResults(out: SliceOutputs, r: WindowResult, at: number): void {
  const put = (
    what: string,
    dst: Readonly<Record<string, Tensor>> | undefined,
    src: Readonly<Record<string, Tensor>> | undefined,
    axis: number | "all",
  ): void => {
    for (const [name, t] of Object.entries(src ?? {})) {
      const target = dst?.[name];
      if (!target) throw new Error(`no shared result buffer for ${what} "${name}"`);
      if (axis === "all") target.data.set(t.data);
      else writeRows(target, t, at, axis);
    }
  };
  writeRows(out.outputs, r.outputs, at, 1);
  put("states", out.states, r.states, 1);
  put("finalState", out.finalState, r.finalState, 0);
  put("grads", out.grads, r.grads, "all");
  put("inputGrads", out.inputGrads, r.inputGrads, 1);
  put("initialStateGrads", out.initialStateGrads, r.initialStateGrads, 0);
  for (const [param, byState] of Object.entries(r.sensitivities ?? {})) put(`sensitivity to "${param}" of state`, out.sensitivities?.[param], byState, 0);
}

/** An error as plain data, keeping a {@link NonFiniteError}'s site. */
function toWireError(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  return {
    name: e.name,
    message: e.message,
    ...(e.stack !== undefined ? { stack: e.stack } : {}),
    ...(e instanceof NonFiniteError ? { site: e.site } : {}),
  };
}

/** Every array buffer behind a slice's results, for comlink's transfer list. */
export function transferables(t: SliceTensors | undefined): ArrayBuffer[] {
  if (!t) return [];
  const buffers = new Set<ArrayBuffer>();
  const add = (r: Readonly<Record<string, Tensor>> | undefined): void => {
    for (const v of Object.values(r ?? {})) if (v.data.buffer instanceof ArrayBuffer) buffers.add(v.data.buffer);
  };
  add({ outputs: t.outputs });
  for (const r of [t.states, t.finalState, t.grads, t.inputGrads, t.initialStateGrads, ...Object.values(t.sensitivities ?? {})]) add(r);
  return [...buffers];
}
