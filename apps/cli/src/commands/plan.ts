import {
  checkTruncatable,
  dataSize,
  estimateRunMemory,
  formatBytes,
  formatPlan,
  formatWindowProgram,
  planWindows,
  windowProgramToJson,
  WindowCompiler,
  materializedBy,
  checkRtrlProgram,
  estimateWindowMemory,
  rtrlMemory,
} from "@unroll/bptt";
import { cpuDevice, cpuKernels } from "@unroll/backend-cpu";
import { loadProgram } from "@unroll/ir";
import { loadSequences, type DataOptions } from "../load-sequences.js";
import { parseMaxMemory } from "../memory-options.js";
import { readJson } from "../files.js";
import { parseDtype } from "../load-inputs.js";
import { parseTruncation, type TruncationOptions } from "../truncation-options.js";
import { blameFile, UserError } from "../user-error.js";
import { processIo, warnOn, type CliIo } from "../io.js";

/** Options of `unroll plan`. */
export interface PlanCommandOptions extends TruncationOptions, DataOptions {
  /** MODEL.json path. */
  readonly model: string;
  /** Precision. */
  readonly dtype: string;
  /** Time checkpointing interval. */
  readonly checkpoint?: string;
  /** Print JSON instead of text. */
  readonly json?: boolean;
  /** bptt or rtrl. */
  readonly method?: string;
  /** RTRL: steps between updates. */
  readonly online?: string;
  /** Memory budget in MiB (default: the machine's). */
  readonly maxMemory?: string;
}

/**
 * `unroll plan`: what `grad` and `train` would run, before anything runs: the
 * windows of the truncation plan, each distinct window program (scans,
 * buffers, instructions) and the estimated peak memory in bytes. A model
 * without a loss is planned as `run` runs it, forward only. Sizes are those of
 * the CPU backend, whose fusion decides which values are materialized. The
 * estimate is compared with the memory budget, and a plan above it is said
 * to be one that grad and train would refuse.
 */
export function planCommand(opts: PlanCommandOptions, io: CliIo = processIo): void {
  const dtype = parseDtype(opts.dtype);
  const truncation = parseTruncation(opts);
  const budget = parseMaxMemory(opts.maxMemory);
  const program = blameFile(opts.model, () => loadProgram(readJson(opts.model, "model", budget)));
  const warn = warnOn(io);
  const { data } = loadSequences(opts, { program, dtype, optionalTargets: true, memoryBudget: budget, warn });
  const { steps, batch } = dataSize(program, data);
  let checkpointEvery = 1;
  if (opts.checkpoint !== undefined) {
    checkpointEvery = Number(opts.checkpoint);
    if (!(Number.isInteger(checkpointEvery) && checkpointEvery >= 1)) throw new UserError(`--checkpoint must be a positive integer, got "${opts.checkpoint}"`);
  }
  const compiler = new WindowCompiler(program);
  // sizes as the CPU backend runs them: the values its fusion materializes (the reference kernels suffice to ask)
  const materialized = materializedBy(cpuDevice({ kernels: cpuKernels, fuse: true }), dtype);
  const shape = { batch, dtype, masked: data.lengths !== undefined, checkpointEvery, givenStates: Object.keys(data.initialState ?? {}) };
  if (!program.hasLoss) {
    // no loss: what `run` does, one forward window over the whole sequence
    const p = compiler.compile({ ...shape, steps, gradients: false });
    const text = formatWindowProgram(p, materialized);
    const peak = estimateWindowMemory(p, materialized).peak;
    io.stdout(
      opts.json
        ? `${JSON.stringify({ steps, batch, forwardOnly: true, program: windowProgramToJson(p), memory: { peak, ...budgetJson(peak, budget) } })}\n`
        : `${steps} steps × batch ${batch}, forward only (the model has no loss)\n\n${text}\n${budgetLine(peak, budget, "run")}\n`,
    );
    return;
  }
  if (opts.method === "rtrl" || opts.method === "snap1") return planRtrl(opts, opts.method, compiler, { ...shape, steps }, materialized, budget, io);
  if (opts.online !== undefined) throw new UserError("--online N plans RTRL's updates: give --method rtrl or snap1");
  const plan = planWindows(steps, truncation);
  checkTruncatable(program, plan);
  const run = estimateRunMemory(compiler, plan, shape, materialized);
  if (opts.json) {
    const json = {
      steps,
      batch,
      truncation,
      checkpointEvery,
      windows: plan.windows,
      ...(run.forward ? { forward: { program: windowProgramToJson(run.forward.program), memory: run.forward.memory } } : {}),
      programs: run.windows.map((w) => ({ planWindows: w.planWindows, program: windowProgramToJson(w.program), memory: w.memory })),
      memory: { accumulators: run.accumulators, peak: run.peak, ...budgetJson(run.peak, budget) },
    };
    io.stdout(`${JSON.stringify(json)}\n`);
    return;
  }
  const shown = 8;
  const windowLines = formatPlan(plan).split("\n");
  const out = [
    `${steps} steps × batch ${batch}, ${dtype}, ${truncation.kind === "full" ? "full BPTT" : `${plan.windows.length} windows`}${checkpointEvery > 1 ? `, checkpoints every ${checkpointEvery} steps` : ""}`,
    "",
    ...windowLines.slice(0, shown),
    ...(windowLines.length > shown ? [`... ${windowLines.length - shown} more windows`] : []),
  ];
  if (run.forward) {
    out.push("", "the forward pass over the whole sequence, whose states the windows start from:", formatWindowProgram(run.forward.program, materialized));
  }
  for (const w of run.windows) {
    const which =
      w.planWindows.length === plan.windows.length
        ? "every window"
        : `window${w.planWindows.length > 1 ? "s" : ""} ${w.planWindows.slice(0, shown).join(", ")}${w.planWindows.length > shown ? ", ..." : ""}`;
    out.push("", `the program of ${which}:`, formatWindowProgram(w.program, materialized));
  }
  out.push("", `estimated peak memory of the run: ${formatBytes(run.peak)} (${run.peak} bytes)`, budgetLine(run.peak, budget, "grad and train"));
  io.stdout(`${out.join("\n")}\n`);
}

/** `unroll plan --method rtrl [--online N]`: the RTRL window program, its sensitivities and its memory, which do not depend on the sequence's length. */
function planRtrl(
  opts: PlanCommandOptions,
  method: "rtrl" | "snap1",
  compiler: WindowCompiler,
  shape: { steps: number; batch: number; dtype: "float32" | "float64"; masked: boolean; givenStates: string[] },
  materialized: ReturnType<typeof materializedBy>,
  budget: number,
  io: CliIo,
): void {
  const { steps, batch, dtype, masked } = shape;
  checkRtrlProgram(compiler.program);
  if (opts.truncate !== undefined || opts.k1 !== undefined || opts.k2 !== undefined)
    throw new UserError("--method rtrl does not truncate: --truncate and --k1/--k2 do not apply");
  if (opts.checkpoint !== undefined) throw new UserError("--checkpoint does not apply to --method rtrl");
  let every = steps;
  if (opts.online !== undefined) {
    every = Number(opts.online);
    if (!(Number.isInteger(every) && every >= 1)) throw new UserError(`--online must be a positive integer, got "${opts.online}"`);
  }
  const window = Math.min(every, steps);
  const updates = Math.ceil(steps / window);
  const p = compiler.compile({ ...shape, steps: window, gradients: true, method, collectStates: false, givenSensitivities: [] });
  const memory = estimateWindowMemory(p, materialized);
  const sizes = rtrlMemory(compiler, window, batch, dtype, masked, false, method);
  if (opts.json) {
    io.stdout(
      `${JSON.stringify({ steps, batch, method, updateEvery: window, updates, program: windowProgramToJson(p), memory: { ...memory, ...budgetJson(memory.peak, budget) }, sensitivities: sizes.sensitivities })}\n`,
    );
    return;
  }
  const out = [
    `${steps} steps × batch ${batch}, ${dtype}, ${method === "snap1" ? "SnAp-1" : "RTRL"}, ${updates === 1 ? "one update at the end" : `an update every ${window} steps (${updates} updates), state and sensitivities carried`}`,
    "",
    formatWindowProgram(p, materialized),
    "",
    `sensitivities: ${sizes.sensitivityNumbers.toLocaleString("en-US")} numbers (${formatBytes(sizes.sensitivities)}), whatever the sequence's length`,
    `estimated peak memory of a window: ${formatBytes(memory.peak)} (${memory.peak} bytes)`,
    budgetLine(memory.peak, budget, "grad and train"),
  ];
  io.stdout(`${out.join("\n")}\n`);
}

/** The budget and whether the estimate is above it, for `--json`. */
function budgetJson(peak: number, budget: number): { budget: number; overBudget: boolean } {
  return { budget, overBudget: peak > budget };
}

/** Says how the estimate stands against the memory budget, and who would refuse it when it is above. */
function budgetLine(peak: number, budget: number, commands: string): string {
  return peak > budget
    ? `over the memory budget of ${formatBytes(budget)}: ${commands} would refuse it; use --max-memory MiB to raise the budget`
    : `within the memory budget of ${formatBytes(budget)}`;
}
