import type { CheckedProgram, Dtype, Tensor } from "@unroll/ir";
import { checkWindowRequest } from "../check-request.js";
import { countedRows } from "../data.js";
import { stepNorms } from "../gradient-flow.js";
import type { Device } from "../device.js";
import { checkBudget, checkWindowMemory, defaultMemoryBudget } from "../memory-budget.js";
import { WindowCompiler, type WindowShape } from "../program/compile-window.js";
import { materializedBy, type MaterializedValues } from "../program/memory-estimate.js";
import type { BufferSpec, ScanInstruction, StepsRef, WindowProgram } from "../program/window-program.js";
import { isForwardMethod, type WindowRequest, type WindowResult } from "../window.js";
import { ScanExecutor, type ScanRun } from "./scan-executor.js";

/** Options of a {@link WindowExecutor}. */
export interface WindowExecutorOptions {
  /** Bytes one window may use, checked before its buffers are allocated. Default `defaultMemoryBudget()`. */
  readonly memoryBudget?: number;
}

/** Window programs kept per executor: a run has a few window shapes (its windows, the last one shorter, a forward pass). */
const PROGRAM_CACHE_SIZE = 16;

/** The buffers of one window on a device, made on first use. */
class WindowBuffers<Buf> {
  private readonly bufs = new Map<string, Buf>();
  /** Buffers this window made or uploaded, released at its end. */
  readonly owned: Buf[] = [];

  constructor(
    private readonly device: Device<Buf>,
    private readonly specs: ReadonlyMap<string, BufferSpec>,
    private readonly request: WindowRequest,
    private readonly dtype: Dtype,
  ) {}

  spec(id: string): BufferSpec {
    return this.specs.get(id)!;
  }

  has(id: string): boolean {
    return this.bufs.has(id);
  }

  /** Makes `id` refer to `buf` (a scan's output adopted without a copy). */
  bind(id: string, buf: Buf): void {
    this.bufs.set(id, this.device.view(buf, 0, this.spec(id).shape));
  }

  get(id: string): Buf {
    let b = this.bufs.get(id);
    if (b === undefined) {
      const spec = this.spec(id);
      const { device, request } = this;
      const init = spec.init;
      if ("from" in init) {
        const t =
          init.from === "mask" ? request.mask! : init.from === "sensitivities" ? request.sensitivities![init.name][init.state!] : request[init.from][init.name];
        b = device.upload(t);
      } else {
        b = device.alloc(spec.shape, this.dtype);
        if ("fill" in init && init.fill !== 0) device.fill(b, init.fill);
      }
      this.owned.push(b);
      this.bufs.set(id, b);
    }
    return b;
  }

  /** Steps `[offset, offset + n)` of a sequence buffer, as `[n, ...]`. */
  steps(ref: StepsRef, n: number): Buf {
    const shape = this.spec(ref.buffer).shape;
    const step = shape.slice(1).reduce((a, d) => a * d, 1);
    return this.device.view(this.get(ref.buffer), ref.offset * step, [n, ...shape.slice(1)]);
  }
}

/** The shape of the window program that serves a request (after checking the request against the program). */
export function windowShapeOf(program: CheckedProgram, req: WindowRequest, dtype: Dtype): WindowShape {
  const { steps, batch } = checkWindowRequest(program, req);
  return {
    steps,
    batch,
    dtype,
    gradients: req.gradients,
    masked: req.mask !== undefined,
    lossFrom: req.lossFrom ?? 0,
    collectStates: req.collectStates ?? true,
    checkpointEvery: req.checkpointEvery ?? 1,
    givenStates: Object.keys(req.initialState).sort(),
    ...(req.deltaNorms ? { deltas: true } : {}),
    ...(req.gradients && isForwardMethod(req.method)
      ? {
          method: req.method,
          givenSensitivities: Object.entries(req.sensitivities ?? {})
            .flatMap(([p, byState]) => Object.keys(byState).map((s) => [p, s] as const))
            .sort(),
        }
      : {}),
  };
}

/**
 * The shared executor: runs window programs of one program on a device. It
 * compiles each window ({@link WindowCompiler}), runs its instructions with
 * device calls only, and reads the results back once at the end. When the loss
 * or a gradient is not finite it runs the window again checking every value,
 * to name the op and the time step where the first non-finite value appeared.
 */
export class WindowExecutor<Buf> {
  /** The compiler of this program's windows. */
  readonly compiler: WindowCompiler;
  private readonly scans: ScanExecutor<Buf>;
  private readonly programs = new Map<string, WindowProgram>();
  /** Bytes one window may use. */
  readonly memoryBudget: number;
  private readonly materialized: MaterializedValues;
  // window programs found within the budget: the estimate is made once per program
  private readonly withinBudget = new WeakSet<WindowProgram>();

  constructor(
    private readonly device: Device<Buf>,
    private readonly program: CheckedProgram,
    private readonly dtype: Dtype,
    options: WindowExecutorOptions = {},
  ) {
    this.compiler = new WindowCompiler(program);
    this.scans = new ScanExecutor(device, dtype);
    this.memoryBudget = checkBudget(options.memoryBudget ?? defaultMemoryBudget());
    this.materialized = materializedBy(device, dtype);
  }

  /** The program of a window request; windows of the same shape (most of a run's) share one. */
  compile(req: WindowRequest): WindowProgram {
    const shape = windowShapeOf(this.program, req, this.dtype);
    const key = JSON.stringify(shape);
    let program = this.programs.get(key);
    if (!program) {
      if (this.programs.size >= PROGRAM_CACHE_SIZE) this.programs.clear();
      program = this.compiler.compile(shape);
      this.programs.set(key, program);
    }
    return program;
  }

  /**
   * Runs a window; if its loss or gradients are not finite, runs it again
   * checking every op to say where. A window whose estimated peak is above the
   * memory budget is refused before anything is allocated.
   */
  async run(req: WindowRequest): Promise<WindowResult> {
    const program = this.compile(req);
    if (!this.withinBudget.has(program)) {
      checkWindowMemory(program, this.memoryBudget, this.materialized);
      this.withinBudget.add(program);
    }
    const result = await this.execute(program, req, false);
    if (!isFiniteResult(result)) {
      await this.execute(program, req, true);
      throw new Error("the loss or a gradient is not finite, but no single op produced a non-finite value");
    }
    return result;
  }

  /** Runs the instructions of a window program on the request's tensors. */
  async execute(program: WindowProgram, req: WindowRequest, check: boolean): Promise<WindowResult> {
    const { device } = this;
    const { steps: L, batch: B, lossFrom } = program;
    const lossRows = countedRows(L, B, lossFrom, req.mask);
    const divisor = req.lossRowsTotal ?? lossRows;
    const bufs = new WindowBuffers(device, new Map(program.buffers.map((b) => [b.id, b])), req, this.dtype);
    try {
      for (const ins of program.instructions) {
        if (ins.op === "seedLoss") {
          device.fill(device.view(bufs.get(ins.buffer), ins.from * B, [(L - ins.from) * B]), divisor > 0 ? 1 / divisor : 0);
        } else {
          await this.scan(program, ins, bufs, req.firstStep ?? 0, check);
        }
      }
      const r = program.results;
      const readAll = async (ids: Readonly<Record<string, string>>): Promise<Record<string, Tensor>> => {
        const out: Record<string, Tensor> = {};
        for (const [name, id] of Object.entries(ids)) out[name] = { shape: [...bufs.spec(id).shape], data: await device.read(bufs.get(id)) };
        return out;
      };
      const outputs = (await readAll({ outputs: r.outputs })).outputs;
      let lossSum = 0;
      for (const id of r.loss) {
        const data = await device.read(bufs.get(id));
        for (let i = lossFrom * B; i < L * B; i++) lossSum += data[i];
      }
      const base = {
        outputs,
        states: await readAll(r.states),
        finalState: await readAll(r.finalState),
        lossRows,
        ...(this.program.hasLoss ? { loss: divisor > 0 ? lossSum / divisor : 0 } : {}),
      };
      if (!program.gradients) return base;
      if (program.method !== "bptt") {
        const sensitivities: Record<string, Record<string, Tensor>> = {};
        for (const [param, byState] of Object.entries(r.sensitivities)) sensitivities[param] = await readAll(byState);
        return { ...base, grads: await readAll(r.grads), sensitivities };
      }
      const grads = {
        ...base,
        grads: await readAll(r.grads),
        ...(req.inputGradients === false ? {} : { inputGrads: await readAll(r.inputGrads) }),
        initialStateGrads: await readAll(r.initialStateGrads),
      };
      if (!req.deltaNorms) return grads;
      const deltaNorms: Record<string, number[]> = {};
      for (const [state, t] of Object.entries(await readAll(r.deltas))) deltaNorms[state] = stepNorms(t);
      return { ...grads, deltaNorms };
    } finally {
      for (const b of bufs.owned) device.release(b);
    }
  }

  private async scan(program: WindowProgram, ins: ScanInstruction, bufs: WindowBuffers<Buf>, firstStep: number, check: boolean): Promise<void> {
    const { device } = this;
    const n = ins.to - ins.from;
    const views = (refs: Readonly<Record<string, StepsRef>>): Map<string, Buf> => new Map(Object.entries(refs).map(([id, ref]) => [id, bufs.steps(ref, n)]));
    const run: ScanRun<Buf> = {
      steps: n,
      batch: program.batch,
      reverse: ins.reverse,
      constants: new Map(Object.entries(ins.constants).map(([id, b]) => [id, bufs.get(b)])),
      sequences: views(ins.sequences),
      initial: new Map(Object.entries(ins.initial).map(([id, b]) => [id, bufs.get(b)])),
      entering: views(ins.entering),
      after: views(ins.after),
      outputs: [...new Set([...ins.outputs, ...ins.accumulate].map((o) => o.value))],
      summed: ins.summed.map((o) => o.value),
      ...(check
        ? {
            site: {
              stage: ins.stage,
              pass: ins.pass === "backward" ? ("backward" as const) : ("forward" as const),
              step: (k: number) => firstStep + ins.from + k,
            },
          }
        : {}),
    };
    const r = await this.scans.run(program.scans[ins.scan], run);
    for (const [id, b] of Object.entries(ins.final)) device.copy(r.final.get(id)!, bufs.get(b));
    const kept = new Set<Buf>();
    for (const { value, to } of ins.outputs) {
      const src = r.outputs.get(value)!;
      // a scan output that fills a buffer not yet made becomes that buffer, without a copy
      if (!bufs.has(to.buffer) && to.offset === 0 && bufs.spec(to.buffer).shape[0] === n && !kept.has(src)) {
        bufs.bind(to.buffer, src);
        kept.add(src);
      } else {
        device.copy(src, bufs.steps(to, n));
      }
    }
    for (const { value, to } of ins.accumulate) device.accumulate(bufs.steps(to, n), r.outputs.get(value)!);
    for (const { value, to } of ins.summed) device.accumulate(bufs.get(to), r.summed.get(value)!);
    for (const b of r.allocated) {
      if (kept.has(b)) bufs.owned.push(b);
      else device.release(b);
    }
  }

  /** Frees what the executor keeps between windows. */
  dispose(): void {
    this.scans.dispose();
  }
}

function allFinite(t: Tensor): boolean {
  for (const v of t.data) if (!Number.isFinite(v)) return false;
  return true;
}

/** True when the loss and every gradient are finite. */
function isFiniteResult(r: WindowResult): boolean {
  if (r.loss !== undefined && !Number.isFinite(r.loss)) return false;
  return Object.values(r.grads ?? {}).every(allFinite);
}
