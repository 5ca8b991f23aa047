import { addInto, resolveShape, sizeOf, splitScan, zeros, type CheckedGraph, type Dtype, type ScanInterface, type ScanSplit, type Tensor } from "@unroll/ir";
import { stepView } from "@unroll/bptt";
import type { KernelTable } from "./kernels/index.js";
import { NodeRunner, type RunSite } from "./node-runner.js";
import { zeroSequence } from "./step-tensor.js";

/** One run of a scan over a span of L consecutive steps. */
export interface ScanArgs {
  /** Steps in the span. */
  readonly steps: number;
  /** Rows per step. */
  readonly batch: number;
  /** Visit the steps from the last to the first. */
  readonly reverse: boolean;
  /** Params (and anything else the same at every step), by id. */
  readonly constants: ReadonlyMap<string, Tensor>;
  /** Per-step inputs over the span, `[L, B, ...]`, by xs id. */
  readonly sequences: ReadonlyMap<string, Tensor>;
  /** The recurrent inputs entering the span, `[B, ...]`. */
  readonly initial: ReadonlyMap<string, Tensor>;
  /** Called before each step with the step's index in the span and the recurrent inputs it reads. */
  readonly beforeStep?: (t: number, recurrent: ReadonlyMap<string, Tensor>) => void;
  /** Called after each step with the recurrent values it produced. */
  readonly afterStep?: (t: number, recurrent: ReadonlyMap<string, Tensor>) => void;
  /** The per-step outputs to return: a subset of the scan's outputs (default all of them). */
  readonly outputs?: readonly string[];
  /** With a site, every value is checked for NaN/Infinity and steps are run one at a time. */
  readonly site?: (t: number) => RunSite;
}

/** What a scan over a span produced. */
export interface ScanResult {
  /** Each per-step output stacked over the span, `[L·B, ...]` (time-major). */
  readonly outputs: ReadonlyMap<string, Tensor>;
  /** Each summed output, summed over the span's steps. */
  readonly summed: ReadonlyMap<string, Tensor>;
  /** The recurrent values after the last visited step. */
  readonly final: ReadonlyMap<string, Tensor>;
}

/** A time-major `[L, B, ...]` sequence seen as one stacked batch `[L·B, ...]` (same memory). */
function stacked(seq: Tensor): Tensor {
  return { shape: [seq.shape[0] * seq.shape[1], ...seq.shape.slice(2)], data: seq.data };
}

/**
 * Runs a step graph as a scan: the part that does not depend on the recurrence
 * once over all steps stacked into the batch, the recurrence step by step, and
 * what only reads the recurrence once afterwards ({@link splitScan}). Checking
 * for non-finite values runs every node step by step so errors name the step.
 */
export class ScanRunner {
  /** How the graph was split. */
  readonly split: ScanSplit;
  private readonly whole: ScanSplit;
  private readonly runners = new Map<string, NodeRunner>();
  private readonly updates: ReadonlyMap<string, string>;

  constructor(
    private readonly checked: CheckedGraph,
    private readonly io: ScanInterface,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
    private readonly fuse = false,
  ) {
    this.split = splitScan(checked, io);
    this.whole = { ...this.split, splittable: false, pre: [], core: checked.order, post: [], stored: [...io.outputs, ...(io.summedOutputs ?? [])] };
    this.updates = new Map(io.recurrentInputs.map((id, i) => [id, io.recurrentOutputs[i]] as const));
  }

  private runner(key: string, split: ScanSplit, part: "pre" | "core" | "post"): NodeRunner {
    const k = `${key}:${part}`;
    let r = this.runners.get(k);
    if (!r) {
      let keep: Set<string> | undefined;
      if (this.fuse && split.splittable) {
        // values read outside this part must stay materialized
        const mine = new Set(split[part].map((n) => n.id));
        keep = new Set([...this.io.outputs, ...(this.io.summedOutputs ?? []), ...this.io.recurrentOutputs, ...split.stored]);
        for (const n of this.checked.order) if (!mine.has(n.id)) n.inputs.forEach((i) => keep!.add(i));
      }
      r = new NodeRunner(split[part], this.checked.shapes, this.kernels, this.dtype, keep);
      this.runners.set(k, r);
    }
    return r;
  }

  /** Runs the scan over a span. */
  run(a: ScanArgs): ScanResult {
    const split = a.site ? this.whole : this.split;
    const key = a.site ? "whole" : "split";
    const { steps: L, batch: B } = a;
    const shapes = this.checked.shapes;
    const unbatched = (id: string): boolean => shapes.get(id)?.[0] !== "B";
    const whole = new Map<string, Tensor>(a.constants);
    for (const [id, seq] of a.sequences) whole.set(id, stacked(seq));
    this.runner(key, split, "pre").run(whole, L * B);

    // per-step values that post or the wanted outputs read: core values, and recurrent inputs output as they are
    const wanted = a.outputs ?? this.io.outputs;
    const readByPost = new Set(split.post.flatMap((n) => n.inputs));
    const stored = new Map<string, Tensor>();
    for (const id of new Set([...split.stored.filter((v) => readByPost.has(v)), ...wanted])) {
      if (split.core.some((n) => n.id === id) || this.updates.has(id)) {
        stored.set(id, zeroSequence(L, resolveShape(shapes.get(id)!, B), this.dtype));
      }
    }
    const summedInCore = (this.io.summedOutputs ?? []).filter((id) => split.core.some((n) => n.id === id));
    const summed = new Map<string, Tensor>(summedInCore.map((id) => [id, zeros(resolveShape(shapes.get(id)!, B), this.dtype)] as const));
    const perStep = [...whole.keys()].filter((id) => !unbatched(id));
    const core = this.runner(key, split, "core");
    let recurrent = new Map(a.initial);
    // one environment for every step: each step overwrites its per-step inputs and its core values
    const env = new Map<string, Tensor>(whole);
    for (let k = 0; k < L; k++) {
      const t = a.reverse ? L - 1 - k : k;
      a.beforeStep?.(t, recurrent);
      for (const id of perStep) env.set(id, stepRows(whole.get(id)!, t, B));
      for (const [id, v] of recurrent) env.set(id, v);
      core.run(env, B, a.site?.(t), a.site ? undefined : k % 2);
      for (const [id, buf] of stored) stepView(buf, t).data.set(env.get(id)!.data);
      for (const id of summedInCore) addInto(summed.get(id)!, env.get(id)!);
      const next = new Map<string, Tensor>();
      for (const [id, out] of this.updates) next.set(id, env.get(out) ?? zeros(recurrent.get(id)!.shape, this.dtype));
      recurrent = next;
      a.afterStep?.(t, recurrent);
    }

    for (const [id, buf] of stored) whole.set(id, stacked(buf));
    this.runner(key, split, "post").run(whole, L * B);
    const outputs = new Map<string, Tensor>();
    for (const id of wanted) outputs.set(id, whole.get(id)!);
    for (const id of this.io.summedOutputs ?? []) {
      if (!summed.has(id)) summed.set(id, whole.get(id)!);
    }
    // the loop's buffers are reused by the next run: hand out copies of what leaves it
    const final = new Map<string, Tensor>();
    for (const [id, v] of recurrent) final.set(id, { shape: v.shape, data: v.data.slice() });
    return { outputs, summed, final };
  }
}

/** The B rows of step t of a stacked `[L·B, ...]` tensor, as a view. */
function stepRows(t: Tensor, step: number, batch: number): Tensor {
  const n = batch * sizeOf(t.shape.slice(1));
  return { shape: [batch, ...t.shape.slice(1)], data: t.data.subarray(step * n, (step + 1) * n) };
}
