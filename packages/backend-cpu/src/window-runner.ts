import {
  addInto,
  checkGraph,
  full,
  maskGraph,
  MASK_ID,
  resolveShape,

  vjpGraph,
  zeros,
  type CheckedGraph,
  type CheckedProgram,
  type Dtype,
  type Tensor,
  type VjpGraph,
} from "@unroll/ir";
import { checkWindowRequest, sliceSteps, stepView, type WindowRequest, type WindowResult } from "@unroll/bptt";
import type { KernelTable } from "./kernels/index.js";
import type { RunSite } from "./node-runner.js";
import { ScanRunner } from "./scan-runner.js";
import { zeroSequence } from "./step-tensor.js";

/** The forward and backward scans of one stage, for masked or unmasked data. */
interface StageScans {
  readonly graph: CheckedGraph;
  readonly forward: ScanRunner;
  readonly backward: ScanRunner;
  readonly vjp: VjpGraph;
  /** Forward values the backward scan reads, kept by the forward scan instead of recomputed. */
  readonly residuals: readonly string[];
}

/**
 * The backward graph without the forward nodes it would recompute: the batched
 * forward values it reads (residuals) become inputs, kept from the forward pass.
 */
function withResiduals(forward: CheckedGraph, vjp: VjpGraph): { graph: CheckedGraph; residuals: string[] } {
  const batched = new Set(forward.order.filter((n) => forward.shapes.get(n.id)![0] === "B").map((n) => n.id));
  const kept = vjp.checked.order.filter((n) => !batched.has(n.id));
  const residuals = [...new Set(kept.flatMap((n) => n.inputs.filter((i) => batched.has(i))))];
  for (const y of vjp.checked.graph.ys) if (batched.has(y.value) && !residuals.includes(y.value)) residuals.push(y.value);
  const g = vjp.checked.graph;
  const graph = checkGraph({
    ...g,
    xs: [...g.xs, ...residuals.map((id) => ({ id, shape: [...forward.shapes.get(id)!] }))],
    nodes: kept,
  });
  return { graph, residuals };
}

/** A `[L, B, ...]` buffer of the recurrent values entering each step, by id. */
type Tape = Map<string, Tensor>;

/**
 * Runs windows of a program with a kernel table: forward over the window's
 * steps stage by stage, keeping the carries that backward needs, then backward
 * from the last step to the first passing the carry gradient back
 * (`delta_t = local_t + delta_{t+1} · ∂carry_{t+1}/∂carry_t`), generalized to any
 * step graph by the IR's autodiff. Each scan runs what does not depend on the
 * recurrence once over all steps ({@link ScanRunner}).
 */
export class WindowRunner {
  private readonly stages = new Map<string, StageScans>();

  constructor(
    private readonly program: CheckedProgram,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
    private readonly log?: (message: string) => void,
    /** Fuse chains of elementwise nodes into single loops (only with the built-in kernels, which fusion replaces). */
    private readonly fuse = false,
  ) {}

  private stage(s: number, masked: boolean): StageScans {
    const key = `${s}:${masked}`;
    let r = this.stages.get(key);
    if (!r) {
      const base = this.program.stages[s].checked;
      const graph = masked ? maskGraph(base) : base;
      const g = graph.graph;
      const later = new Set(this.program.stages.slice(s + 1).flatMap((st) => st.checked.graph.xs.map((x) => x.id)));
      const vjp = vjpGraph(graph, { ysSeeds: g.ys.filter((y) => later.has(y.id)).map((y) => y.id), constants: [MASK_ID] });
      const { graph: backwardGraph, residuals } = withResiduals(graph, vjp);
      const forward = new ScanRunner(
        graph,
        {
          recurrentInputs: g.carry.map((c) => c.id),
          recurrentOutputs: g.carry.map((c) => g.update[c.id]),
          outputs: [...new Set([...forwardOutputs(g), ...residuals])],
        },
        this.kernels,
        this.dtype,
        this.fuse,
      );
      const backward = new ScanRunner(
        backwardGraph,
        {
          recurrentInputs: g.carry.map((c) => vjp.seeds.carry[c.id]),
          recurrentOutputs: g.carry.map((c) => vjp.grads.carry[c.id] ?? ""),
          outputs: Object.entries(vjp.grads.xs).filter(([id]) => id !== MASK_ID).map(([, v]) => v),
          summedOutputs: Object.values(vjp.grads.params),
        },
        this.kernels,
        this.dtype,
        this.fuse,
      );
      for (const [pass, scan] of [["forward", forward], ["backward", backward]] as const) {
        const sp = scan.split;
        this.log?.(
          sp.splittable
            ? `stage ${s} ${pass}: ${sp.pre.length} nodes hoisted before the loop, ${sp.core.length} per step, ${sp.post.length} after`
            : `stage ${s} ${pass}: every node runs per step (${sp.reason})`,
        );
      }
      r = { graph, forward, backward, vjp, residuals };
      this.stages.set(key, r);
    }
    return r;
  }

  /** Runs a window; if its loss or gradients are not finite, runs it again checking every op to say where. */
  run(req: WindowRequest): WindowResult {
    const result = this.runOnce(req, false);
    if (!isFiniteResult(result)) {
      this.runOnce(req, true);
      throw new Error("the loss or a gradient is not finite, but no single op produced a non-finite value");
    }
    return result;
  }

  private runOnce(req: WindowRequest, check: boolean): WindowResult {
    const { steps: L, batch: B } = checkWindowRequest(this.program, req);
    const dtype = this.dtype;
    const masked = req.mask !== undefined;
    const lossFrom = req.lossFrom ?? 0;
    const firstStep = req.firstStep ?? 0;
    // checkpoint segments: 1 (the default) keeps every state, which is one segment of the whole window
    const every = req.checkpointEvery === undefined || req.checkpointEvery === 1 ? L : Math.min(req.checkpointEvery, L);
    const collect = req.collectStates ?? true;
    const params = new Map(Object.entries(req.params));
    const seqs = new Map<string, Tensor>(Object.entries(req.sequences));
    if (req.mask) seqs.set(MASK_ID, req.mask);
    const states: Record<string, Tensor> = {};
    const finalState: Record<string, Tensor> = {};
    let lossRows = 0;
    for (let t = lossFrom; t < L; t++) {
      if (!masked) lossRows += B;
      else for (const v of stepView(req.mask!, t).data) lossRows += v;
    }
    const divisor = req.lossRowsTotal ?? lossRows;
    // with checking on, where step t of a segment starting at t0 sits in the whole sequence
    const site = (s: number, pass: "forward" | "backward", t0: number) =>
      check ? (t: number): RunSite => ({ step: firstStep + t0 + t, stage: s, pass }) : undefined;
    // Segments of steps [t0, t1) scanned together: the whole window, or checkpoint-sized pieces.
    const segments: [number, number][] = [];
    for (let t0 = 0; t0 < L; t0 += every) segments.push([t0, Math.min(L, t0 + every)]);
    const sequencesOf = (g: CheckedGraph, t0: number, t1: number): Map<string, Tensor> =>
      new Map(g.graph.xs.map((x) => [x.id, sliceSteps(seqs.get(x.id)!, t0, t1)] as const));

    // Forward, stage by stage. Tapes hold the carries entering each step (all steps, or segment starts).
    const tapes: Tape[] = [];
    const kept: Map<string, Tensor>[] = [];
    const checkpoints: Map<number, Map<string, Tensor>>[] = [];
    let lossSum = 0;
    for (let s = 0; s < this.program.stages.length; s++) {
      const { graph, forward } = this.stage(s, masked);
      const g = graph.graph;
      const reverse = this.program.stages[s].reverse;
      let carries = new Map(g.carry.map((c) => [c.id, req.initialState[c.id] ?? full(resolveShape(c.shape, B), c.init ?? 0, dtype)] as const));
      for (const y of g.ys) seqs.set(y.id, zeroSequence(L, resolveShape(graph.shapes.get(y.value)!, B), dtype));
      if (collect) for (const c of g.carry) states[c.id] = zeroSequence(L, resolveShape(c.shape, B), dtype);
      const tape: Tape = new Map();
      if (req.gradients && every === L) for (const c of g.carry) tape.set(c.id, zeroSequence(L, resolveShape(c.shape, B), dtype));
      tapes.push(tape);
      const marks = new Map<number, Map<string, Tensor>>();
      checkpoints.push(marks);
      const residualValues = new Map<string, Tensor>();
      kept.push(residualValues);
      const lossValues = zeroSequence(L, [B], dtype);
      for (const [t0, t1] of reverse ? [...segments].reverse() : segments) {
        if (req.gradients && every < L) marks.set(reverse ? t1 : t0, carries);
        const r = forward.run({
          steps: t1 - t0,
          batch: B,
          reverse,
          constants: params,
          sequences: sequencesOf(graph, t0, t1),
          initial: carries,
          beforeStep: tape.size ? (t, rec) => rec.forEach((v, id) => stepView(tape.get(id)!, t0 + t).data.set(v.data)) : undefined,
          afterStep: collect ? (t, rec) => rec.forEach((v, id) => stepView(states[id], t0 + t).data.set(v.data)) : undefined,
          site: site(s, "forward", t0),
          // the backward pass keeps residuals only from one whole-window segment; checkpointed ones are recomputed
          ...(req.gradients && every === L ? {} : { outputs: forwardOutputs(g) }),
        });
        for (const y of g.ys) sliceSteps(seqs.get(y.id)!, t0, t1).data.set(r.outputs.get(y.value)!.data);
        if (g.loss !== undefined) sliceSteps(lossValues, t0, t1).data.set(r.outputs.get(g.loss)!.data);
        if (req.gradients && every === L) for (const id of this.stage(s, masked).residuals) residualValues.set(id, unstack(r.outputs.get(id)!, B));
        carries = new Map(r.final);
      }
      if (g.loss !== undefined) for (let i = lossFrom * B; i < L * B; i++) lossSum += lossValues.data[i];
      for (const [id, v] of carries) finalState[id] = v;
    }
    const outputs = seqs.get(this.program.program.output)!;
    const base = { outputs, states, finalState, lossRows, ...(this.program.hasLoss ? { loss: divisor > 0 ? lossSum / divisor : 0 } : {}) };
    if (!req.gradients) return base;

    // Backward, stages in reverse order, each a scan of the carry gradient against the forward's direction.
    const grads: Record<string, Tensor> = {};
    for (const [name, shape] of Object.entries(this.program.params)) grads[name] = zeros(shape, dtype);
    const seqGrads = new Map<string, Tensor>();
    const seqGrad = (id: string): Tensor => {
      let gsum = seqGrads.get(id);
      if (!gsum) {
        gsum = zeroSequence(L, seqs.get(id)!.shape.slice(1), dtype);
        seqGrads.set(id, gsum);
      }
      return gsum;
    };
    const lossSeed = zeroSequence(L, [B], dtype);
    lossSeed.data.fill(divisor > 0 ? 1 / divisor : 0, lossFrom * B);
    const initialStateGrads: Record<string, Tensor> = {};
    for (let s = this.program.stages.length - 1; s >= 0; s--) {
      const { graph, forward, backward, vjp, residuals } = this.stage(s, masked);
      const g = graph.graph;
      const reverse = this.program.stages[s].reverse;
      let carryGrads = new Map(g.carry.map((c) => [vjp.seeds.carry[c.id], zeros(resolveShape(c.shape, B), dtype)] as const));
      for (const [t0, t1] of reverse ? segments : [...segments].reverse()) {
        let tape = tapes[s];
        let residualValues = new Map([...kept[s]].map(([id, v]) => [id, sliceSteps(v, t0, t1)] as const));
        if (!tape.size && g.carry.length) {
          // recompute this segment's carries and residuals from its checkpoint
          tape = new Map(g.carry.map((c) => [c.id, zeroSequence(t1 - t0, resolveShape(c.shape, B), dtype)] as const));
          const local = tape;
          const again = forward.run({
            steps: t1 - t0,
            batch: B,
            reverse,
            constants: params,
            sequences: sequencesOf(graph, t0, t1),
            initial: checkpoints[s].get(reverse ? t1 : t0)!,
            beforeStep: (t, rec) => rec.forEach((v, id) => stepView(local.get(id)!, t).data.set(v.data)),
          });
          residualValues = new Map(residuals.map((id) => [id, unstack(again.outputs.get(id)!, B)] as const));
        } else {
          tape = new Map([...tape].map(([id, v]) => [id, sliceSteps(v, t0, t1)] as const));
        }
        const sequences = sequencesOf(graph, t0, t1);
        for (const [id, v] of tape) sequences.set(id, v);
        for (const [id, v] of residualValues) sequences.set(id, v);
        for (const [id, seed] of Object.entries(vjp.seeds.ys)) sequences.set(seed, sliceSteps(seqGrad(id), t0, t1));
        if (vjp.seeds.loss) sequences.set(vjp.seeds.loss, sliceSteps(lossSeed, t0, t1));
        const r = backward.run({
          steps: t1 - t0,
          batch: B,
          reverse: !reverse,
          constants: params,
          sequences,
          initial: carryGrads,
          site: site(s, "backward", t0),
        });
        for (const [id, gid] of Object.entries(vjp.grads.params)) addInto(grads[id], r.summed.get(gid)!);
        for (const [id, gid] of Object.entries(vjp.grads.xs)) {
          if (id !== MASK_ID) addInto(sliceSteps(seqGrad(id), t0, t1), r.outputs.get(gid)!);
        }
        carryGrads = new Map(r.final);
      }
      for (const c of g.carry) initialStateGrads[c.id] = carryGrads.get(vjp.seeds.carry[c.id])!;
    }
    const inputGrads: Record<string, Tensor> = {};
    for (const name of Object.keys(this.program.dataInputs)) {
      const seq = seqs.get(name)!;
      inputGrads[name] = seqGrads.get(name) ?? zeros(seq.shape, dtype);
    }
    return { ...base, grads, inputGrads, initialStateGrads };
  }
}

/** The forward scan's outputs without its residuals: the ys values and the loss. */
function forwardOutputs(g: CheckedGraph["graph"]): string[] {
  return [...new Set([...g.ys.map((y) => y.value), ...(g.loss === undefined ? [] : [g.loss])])];
}

/** A stacked `[L·B, ...]` tensor as the time-major sequence `[L, B, ...]` it is (same memory). */
function unstack(t: Tensor, batch: number): Tensor {
  return { shape: [t.shape[0] / batch, batch, ...t.shape.slice(1)], data: t.data };
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

