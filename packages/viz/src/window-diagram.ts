import {
  checkTruncatable,
  estimateRunMemory,
  InputError,
  planWindows,
  WindowCompiler,
  type Plan,
  type PlanWindow,
  type Truncation,
  type WindowProgram,
} from "@unroll/bptt";
import type { CheckedProgram } from "@unroll/ir";

/** What to unroll: how many steps, truncated how, checkpointed how often. */
export interface WindowDiagramOptions {
  /** Steps to unroll (the sequence length T the plan covers). */
  readonly steps: number;
  /** How the gradient is cut along time. Default full BPTT. */
  readonly truncation?: Truncation;
  /** Keep the carries only every this many steps and recompute the rest during backward. Default 1 (keep all). */
  readonly checkpointEvery?: number;
}

/** One scan of a window program over steps of the whole sequence. */
export interface ScanPass {
  /** Its position among its program's instructions, from 1: the order passes run in. */
  readonly order: number;
  /** The program stage it scans. */
  readonly stage: number;
  /** The forward pass, the backward pass (gradients against the scan's direction), or a forward pass recomputing a checkpoint segment. */
  readonly pass: "forward" | "backward" | "recompute";
  /** First step (inclusive), in the whole sequence. */
  readonly from: number;
  /** One past the last step. */
  readonly to: number;
  /** Visits the steps from `to - 1` down to `from`. */
  readonly reverse: boolean;
}

/** A window of the truncation plan and the passes its program runs. */
export interface DiagramWindow {
  /** Its index in the plan. */
  readonly index: number;
  /** Its span and the steps whose loss counts, from the plan. */
  readonly window: PlanWindow;
  /** The scans of its window program, in order, at their steps in the whole sequence. */
  readonly passes: readonly ScanPass[];
  /** Its program's checkpoint segments, in the whole sequence (one segment: no checkpointing). */
  readonly segments: readonly (readonly [number, number])[];
  /** True when its backward pass stops at its first step while earlier steps exist: the gradient is cut there. */
  readonly cut: boolean;
}

/** One stage of the program, a row of the drawing. */
export interface WindowDiagramStage {
  /** Its index in the program. */
  readonly index: number;
  /** Its step graph's name, or `stage {index}`. */
  readonly name: string;
  /** True when it scans from the last step to the first. */
  readonly reverse: boolean;
  /** Its carries, passed from step to step. */
  readonly carries: readonly string[];
}

/** A sequence unrolled over time as the scheduler runs it: the facts {@link windowSvg} draws. */
export interface WindowDiagram {
  /** Steps unrolled. */
  readonly steps: number;
  /** The truncation plan. */
  readonly plan: Plan;
  /** Checkpoint interval asked for (1: none). */
  readonly checkpointEvery: number;
  /** False for a model without a loss: forward only, nothing flows back. */
  readonly gradients: boolean;
  /** The program's stages. */
  readonly stages: readonly WindowDiagramStage[];
  /**
   * The forward scan over the whole sequence: the pass the windows start
   * from (truncated plans run one first), or the forward passes of the only
   * window (full BPTT, or forward only).
   */
  readonly forward: readonly ScanPass[];
  /** The plan's windows with their passes (none when forward only). */
  readonly windows: readonly DiagramWindow[];
}

/** The scans of a window program, moved to start at step `offset` of the sequence. */
function passesOf(p: WindowProgram, offset: number): ScanPass[] {
  return p.instructions.flatMap((ins, k) =>
    ins.op === "scan" ? [{ order: k + 1, stage: ins.stage, pass: ins.pass, from: ins.from + offset, to: ins.to + offset, reverse: ins.reverse }] : [],
  );
}

/**
 * Unrolls a program over `steps` as the scheduler would run a gradient
 * computation: the truncation plan from {@link planWindows}, and each
 * window's program (its forward, backward and recompute scans, its checkpoint
 * segments) from {@link WindowCompiler} through {@link estimateRunMemory}, so
 * that the drawing shows what runs rather than a second derivation of it. A
 * model without a loss is unrolled forward only, as `runForward` runs it.
 * Throws an {@link InputError} for a plan the scheduler would refuse.
 */
export function windowDiagram(program: CheckedProgram, options: WindowDiagramOptions): WindowDiagram {
  const { steps } = options;
  const truncation = options.truncation ?? { kind: "full" };
  const checkpointEvery = options.checkpointEvery ?? 1;
  if (!(Number.isInteger(checkpointEvery) && checkpointEvery >= 1)) throw new InputError(`checkpointEvery must be a positive integer, got ${checkpointEvery}`);
  const plan = planWindows(steps, truncation);
  const stages = program.stages.map((s, index): WindowDiagramStage => ({
    index,
    name: s.checked.graph.name ?? `stage ${index}`,
    reverse: s.reverse,
    carries: s.checked.graph.carry.map((c) => c.id),
  }));
  const compiler = new WindowCompiler(program);
  // batch and precision change buffer sizes, not which scans run: one row of float32 stands for any
  const shape = { batch: 1, dtype: "float32" as const, masked: false };
  if (!program.hasLoss) {
    if (truncation.kind !== "full" || checkpointEvery > 1) {
      throw new InputError("the model has no loss, so nothing flows back: truncation and checkpointing do not apply");
    }
    const p = compiler.compile({ ...shape, steps, gradients: false });
    return { steps, plan, checkpointEvery, gradients: false, stages, forward: passesOf(p, 0), windows: [] };
  }
  checkTruncatable(program, plan);
  const run = estimateRunMemory(compiler, plan, { ...shape, checkpointEvery });
  const programOf = (k: number): WindowProgram => run.windows.find((w) => w.planWindows.includes(k))!.program;
  const windows = plan.windows.map((window, index): DiagramWindow => {
    const p = programOf(index);
    return {
      index,
      window,
      passes: passesOf(p, window.start),
      segments: p.segments.map(([a, b]) => [a + window.start, b + window.start] as const),
      cut: window.start > 0,
    };
  });
  const forward = run.forward ? passesOf(run.forward.program, 0) : windows[0].passes.filter((p) => p.pass === "forward");
  return { steps, plan, checkpointEvery, gradients: true, stages, forward, windows };
}
