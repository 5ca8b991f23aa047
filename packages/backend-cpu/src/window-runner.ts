import {
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
import { checkWindowRequest, type WindowRequest, type WindowResult } from "@unroll/bptt";
import { GraphRunner } from "./graph-runner.js";
import type { KernelTable } from "./kernels/index.js";
import { addInto, stepView, zeroSequence } from "./step-tensor.js";

/** The forward and backward runners of one stage, for masked or unmasked data. */
interface StageRunners {
  readonly forward: GraphRunner;
  readonly backward: GraphRunner;
  readonly vjp: VjpGraph;
}

/** Carries of one stage, by state name. */
type Carries = Map<string, Tensor>;

/**
 * Runs windows of a program with a kernel table: forward over the window's
 * steps stage by stage, keeping the carries that backward needs, then backward
 * from the last step to the first passing the carry gradient back
 * (`delta_t = local_t + delta_{t+1} · ∂carry_{t+1}/∂carry_t`), generalized to any
 * step graph by the IR's autodiff.
 */
export class WindowRunner {
  private readonly runners = new Map<string, StageRunners>();

  constructor(
    private readonly program: CheckedProgram,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
  ) {}

  private stage(s: number, masked: boolean): StageRunners {
    const key = `${s}:${masked}`;
    let r = this.runners.get(key);
    if (!r) {
      const base = this.program.stages[s].checked;
      const graph: CheckedGraph = masked ? maskGraph(base) : base;
      const later = new Set(this.program.stages.slice(s + 1).flatMap((st) => st.checked.graph.xs.map((x) => x.id)));
      const vjp = vjpGraph(graph, { ysSeeds: graph.graph.ys.filter((y) => later.has(y.id)).map((y) => y.id) });
      r = {
        forward: new GraphRunner(graph, this.kernels, this.dtype),
        backward: new GraphRunner(vjp.checked, this.kernels, this.dtype),
        vjp,
      };
      this.runners.set(key, r);
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
    const every = req.checkpointEvery ?? 1;
    const collect = req.collectStates ?? true;
    const maskAt = (t: number): Tensor => stepView(req.mask!, t);
    const seqs = new Map<string, Tensor>(Object.entries(req.sequences));
    const states: Record<string, Tensor> = {};
    const finalState: Record<string, Tensor> = {};
    const tapes: Map<number, Carries>[] = [];
    let lossSum = 0;
    let lossRows = 0;
    for (let t = lossFrom; t < L; t++) {
      if (!masked) lossRows += B;
      else for (const v of maskAt(t).data) lossRows += v;
    }

    // Steps of a stage in scan order: k = 0..L-1 visits t = k (forward) or L-1-k (reverse).
    const timeOf = (s: number, k: number): number => (this.program.stages[s].reverse ? L - 1 - k : k);
    const stepEnv = (s: number, t: number, carries: Carries): Map<string, Tensor> => {
      const env = new Map<string, Tensor>(Object.entries(req.params));
      for (const x of this.stage(s, masked).forward.checked.graph.xs) {
        env.set(x.id, x.id === MASK_ID ? maskAt(t) : stepView(seqs.get(x.id)!, t));
      }
      for (const [id, v] of carries) env.set(id, v);
      return env;
    };
    const nextCarries = (s: number, env: Map<string, Tensor>): Carries => {
      const g = this.stage(s, masked).forward.checked.graph;
      return new Map(g.carry.map((c) => [c.id, env.get(g.update[c.id])!] as const));
    };

    for (let s = 0; s < this.program.stages.length; s++) {
      const { forward } = this.stage(s, masked);
      const g = forward.checked.graph;
      let carries: Carries = new Map(
        g.carry.map((c) => [c.id, req.initialState[c.id] ?? full(resolveShape(c.shape, B), c.init ?? 0, dtype)] as const),
      );
      for (const y of g.ys) seqs.set(y.id, zeroSequence(L, resolveShape(forward.checked.shapes.get(y.value)!, B), dtype));
      if (collect) for (const c of g.carry) states[c.id] = zeroSequence(L, resolveShape(c.shape, B), dtype);
      const tape = new Map<number, Carries>();
      tapes.push(tape);
      for (let k = 0; k < L; k++) {
        const t = timeOf(s, k);
        if (req.gradients && k % every === 0) tape.set(k, carries);
        const env = forward.run(stepEnv(s, t, carries), B, check ? { step: firstStep + t, stage: s, pass: "forward" } : undefined);
        for (const y of g.ys) stepView(seqs.get(y.id)!, t).data.set(env.get(y.value)!.data);
        carries = nextCarries(s, env);
        if (collect) for (const [id, v] of carries) stepView(states[id], t).data.set(v.data);
        if (g.loss !== undefined && t >= lossFrom) for (const v of env.get(g.loss)!.data) lossSum += v;
      }
      for (const [id, v] of carries) finalState[id] = v;
    }
    const outputs = seqs.get(this.program.program.output)!;
    const hasLoss = this.program.hasLoss;
    const divisor = req.lossRowsTotal ?? lossRows;
    const base = { outputs, states, finalState, lossRows, ...(hasLoss ? { loss: divisor > 0 ? lossSum / divisor : 0 } : {}) };
    if (!req.gradients) return base;

    const grads: Record<string, Tensor> = {};
    for (const [name, shape] of Object.entries(this.program.params)) grads[name] = zeros(shape, dtype);
    const seqGrads = new Map<string, Tensor>();
    const seqGrad = (id: string): Tensor => {
      let gsum = seqGrads.get(id);
      if (!gsum) {
        const seq = seqs.get(id)!;
        gsum = zeroSequence(L, seq.shape.slice(1), dtype);
        seqGrads.set(id, gsum);
      }
      return gsum;
    };
    const lossSeed = full([B], divisor > 0 ? 1 / divisor : 0, dtype);
    const noLossSeed = zeros([B], dtype);
    const initialStateGrads: Record<string, Tensor> = {};

    for (let s = this.program.stages.length - 1; s >= 0; s--) {
      const { forward, backward, vjp } = this.stage(s, masked);
      const g = forward.checked.graph;
      let carryGrads: Carries = new Map(g.carry.map((c) => [c.id, zeros(resolveShape(c.shape, B), dtype)] as const));
      const tape = tapes[s];
      for (let k0 = Math.floor((L - 1) / every) * every; k0 >= 0; k0 -= every) {
        // carries entering each step of this segment, recomputed from its checkpoint
        const prev: Carries[] = [tape.get(k0)!];
        const end = Math.min(k0 + every, L);
        for (let k = k0; k < end - 1; k++) prev.push(nextCarries(s, forward.run(stepEnv(s, timeOf(s, k), prev[prev.length - 1]), B)));
        for (let k = end - 1; k >= k0; k--) {
          const t = timeOf(s, k);
          const env = stepEnv(s, t, prev[k - k0]);
          for (const [id, seed] of Object.entries(vjp.seeds.carry)) env.set(seed, carryGrads.get(id)!);
          for (const [id, seed] of Object.entries(vjp.seeds.ys)) env.set(seed, stepView(seqGrad(id), t));
          if (vjp.seeds.loss) env.set(vjp.seeds.loss, t >= lossFrom ? lossSeed : noLossSeed);
          backward.run(env, B, check ? { step: firstStep + t, stage: s, pass: "backward" } : undefined);
          for (const [id, gid] of Object.entries(vjp.grads.params)) addInto(grads[id], env.get(gid)!);
          for (const [id, gid] of Object.entries(vjp.grads.xs)) {
            if (id !== MASK_ID) addInto(stepView(seqGrad(id), t), env.get(gid)!);
          }
          carryGrads = new Map(
            g.carry.map((c) => [c.id, env.get(vjp.grads.carry[c.id] ?? "") ?? zeros(resolveShape(c.shape, B), dtype)] as const),
          );
        }
      }
      for (const [id, v] of carryGrads) initialStateGrads[id] = v;
    }
    const inputGrads: Record<string, Tensor> = {};
    for (const name of Object.keys(this.program.dataInputs)) inputGrads[name] = seqGrads.get(name) ?? zeros(seqs.get(name)!.shape, dtype);
    return { ...base, grads, inputGrads, initialStateGrads };
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
