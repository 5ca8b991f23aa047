import { MASK_ID, resolveShape, type CheckedProgram, type Dtype } from "@unroll/ir";
import { isForwardMethod, type ForwardMethod, type GradientMethod } from "../window.js";
import { compileRtrlWindow } from "./compile-rtrl.js";
import { rtrlScan, stageGraphs, type RtrlScan, type ScanGraph, type StageGraphs } from "./stage-graphs.js";
import type { BufferSpec, Instruction, ScanInstruction, StepsRef, ValueTo, WindowProgram } from "./window-program.js";

/** The facts of one window that its program depends on (not the numbers in it). */
export interface WindowShape {
  /** Steps in the window (L). */
  readonly steps: number;
  /** Rows in the batch (B). */
  readonly batch: number;
  /** Precision. */
  readonly dtype: Dtype;
  /** Run backward too. */
  readonly gradients: boolean;
  /** The data has lengths: run the masked step graphs. */
  readonly masked: boolean;
  /** First step whose loss counts. Default 0. */
  readonly lossFrom?: number;
  /** Keep every step's state. Default true. */
  readonly collectStates?: boolean;
  /** Keep the carries only every this many steps and recompute the rest in backward. Default 1 (keep all). */
  readonly checkpointEvery?: number;
  /** States the request gives a value for; the others start from their `init`. Default: none. */
  readonly givenStates?: readonly string[];
  /** How gradients are computed; default `"bptt"`. */
  readonly method?: GradientMethod;
  /** RTRL: the (param, state) sensitivities the request gives; the others start at zero. Default: none. */
  readonly givenSensitivities?: readonly (readonly [string, string])[];
  /** BPTT: also keep every state's delta `∂L/∂h_t` at every step. Default false. */
  readonly deltas?: boolean;
}

/**
 * Compiles windows of one program into {@link WindowProgram}s. The step graphs
 * of each stage (masked or not, their VJP and residuals) are built once and
 * shared by every window; a window program itself is cheap to make.
 *
 * The window it describes, as a reference loop (forward stages in order, then
 * backward stages in reverse order, each backward scan against its forward's
 * direction):
 *
 * ```
 * for s in stages:            carry = initial; for t in steps(s):      carry, y_t, loss_t = step_s(carry, x_t)
 * seed[t] = 1/rows for t >= lossFrom
 * for s in reversed(stages):  dcarry = 0;      for t in reversed(steps(s)): dcarry, dθ += step_s^T(dcarry, dy_t, seed_t)
 * ```
 */
export class WindowCompiler {
  private readonly graphs = new Map<string, StageGraphs>();
  private readonly rtrlGraphs = new Map<string, RtrlScan>();

  constructor(
    /** The program whose windows this compiles. */
    readonly program: CheckedProgram,
  ) {}

  /** The step graphs of stage `s`, built on first use. */
  stage(s: number, masked: boolean, deltas = false): StageGraphs {
    const key = `${s}:${masked}:${deltas}`;
    let g = this.graphs.get(key);
    if (!g) {
      g = stageGraphs(this.program, s, masked, deltas);
      this.graphs.set(key, g);
    }
    return g;
  }

  /** The step graph of RTRL or SnAp-1 (every stage in lockstep, carrying sensitivities), built on first use. */
  rtrl(masked: boolean, method: ForwardMethod = "rtrl"): RtrlScan {
    const key = `${method}:${masked}`;
    let g = this.rtrlGraphs.get(key);
    if (!g) {
      g = rtrlScan(this.program, masked, method);
      this.rtrlGraphs.set(key, g);
    }
    return g;
  }

  /** The program of one window. */
  compile(shape: WindowShape): WindowProgram {
    const { program } = this;
    if (shape.gradients && isForwardMethod(shape.method)) return compileRtrlWindow(program, shape, this.rtrl(shape.masked, shape.method));
    const { steps: L, batch: B, dtype, gradients, masked } = shape;
    const lossFrom = shape.lossFrom ?? 0;
    const collect = shape.collectStates ?? true;
    const given = new Set(shape.givenStates ?? []);
    const every = gradients && shape.checkpointEvery !== undefined && shape.checkpointEvery > 1 ? Math.min(shape.checkpointEvery, L) : L;
    const segments: [number, number][] = [];
    for (let t0 = 0; t0 < L; t0 += every) segments.push([t0, Math.min(L, t0 + every)]);
    const checkpointed = segments.length > 1;

    const buffers = new Map<string, BufferSpec>();
    const buffer = (spec: BufferSpec): string => {
      if (!buffers.has(spec.id)) buffers.set(spec.id, spec);
      return spec.id;
    };
    const produced = { produced: true } as const;
    const seqShape = (id: string): number[] => resolveShape(program.dataInputs[id] ?? program.sequences[id], B);
    const seqBuffer = (id: string): string =>
      id === MASK_ID
        ? buffer({ id: "mask", role: "mask", shape: [L, B], init: { from: "mask" } })
        : program.dataInputs[id]
          ? buffer({ id: `seq:${id}`, role: "sequence", shape: [L, ...seqShape(id)], init: { from: "sequences", name: id } })
          : buffer({ id: `seq:${id}`, role: "output", shape: [L, ...seqShape(id)], init: produced });
    for (const name of Object.keys(program.params)) buffer({ id: `param:${name}`, role: "param", shape: program.params[name], init: { from: "params", name } });
    for (const name of Object.keys(program.dataInputs)) seqBuffer(name);
    const at = (id: string, offset: number): StepsRef => ({ buffer: id, offset });

    const scans: ScanGraph[] = [];
    const scanIndex = (g: ScanGraph): number => {
      const k = scans.indexOf(g);
      return k >= 0 ? k : scans.push(g) - 1;
    };
    const instructions: Instruction[] = [];
    const constants = (g: ScanGraph): Record<string, string> => Object.fromEntries(g.graph.graph.params.map((p) => [p.id, `param:${p.id}`]));
    const dataRefs = (g: ScanGraph, t0: number): Record<string, StepsRef> =>
      Object.fromEntries(
        g.graph.graph.xs.filter((x) => x.id === MASK_ID || program.dataInputs[x.id] || program.sequences[x.id]).map((x) => [x.id, at(seqBuffer(x.id), t0)]),
      );
    const scan = (g: ScanGraph, fields: Omit<ScanInstruction, "op" | "scan" | "constants">): void => {
      instructions.push({ op: "scan", scan: scanIndex(g), constants: constants(g), ...fields });
    };

    // Forward, stage by stage; segments in the scan's direction, each starting from the carries the previous one left.
    const states: Record<string, string> = {};
    const finalState: Record<string, string> = {};
    const lossBuffers: string[] = [];
    const carryAt = (c: string, boundary: number, first: boolean): string => {
      const info = program.states[c];
      const shape = resolveShape(info.shape, B);
      if (first) {
        return buffer({ id: `initial:${c}`, role: "initial", shape, init: given.has(c) ? { from: "initialState", name: c } : { fill: info.init } });
      }
      return buffer({ id: `checkpoint:${c}@${boundary}`, role: "checkpoint", shape, init: produced });
    };
    for (let s = 0; s < program.stages.length; s++) {
      const graphs = this.stage(s, masked);
      const g = graphs.forward.graph.graph;
      const reverse = program.stages[s].reverse;
      const order = reverse ? [...segments].reverse() : segments;
      for (const y of g.ys) seqBuffer(y.id);
      if (g.loss !== undefined) lossBuffers.push(buffer({ id: `loss:${s}`, role: "loss", shape: [L, B], init: produced }));
      for (const c of g.carry) {
        if (collect) states[c.id] = buffer({ id: `state:${c.id}`, role: "state", shape: [L, ...resolveShape(c.shape, B)], init: produced });
        finalState[c.id] = buffer({ id: `final:${c.id}`, role: "final", shape: resolveShape(c.shape, B), init: produced });
      }
      order.forEach(([t0, t1], k) => {
        const last = k === order.length - 1;
        const outputs: ValueTo<StepsRef>[] = g.ys.map((y) => ({ value: y.value, to: at(seqBuffer(y.id), t0) }));
        if (g.loss !== undefined) outputs.push({ value: g.loss, to: at(`loss:${s}`, t0) });
        // one whole-window segment keeps the tape and residuals; checkpointed segments recompute them
        const keep = gradients && !checkpointed;
        if (keep) {
          for (const id of graphs.residuals) {
            const shapeOf = resolveShape(graphs.forward.graph.shapes.get(id)!, B);
            outputs.push({ value: id, to: at(buffer({ id: `residual:${s}:${id}`, role: "residual", shape: [L, ...shapeOf], init: produced }), t0) });
          }
        }
        scan(graphs.forward, {
          stage: s,
          pass: "forward",
          from: t0,
          to: t1,
          reverse,
          sequences: dataRefs(graphs.forward, t0),
          initial: Object.fromEntries(g.carry.map((c) => [c.id, carryAt(c.id, reverse ? t1 : t0, k === 0)])),
          final: Object.fromEntries(g.carry.map((c) => [c.id, last ? finalState[c.id] : carryAt(c.id, reverse ? t0 : t1, false)])),
          outputs,
          accumulate: [],
          summed: [],
          entering: keep
            ? Object.fromEntries(
                g.carry.map((c) => [c.id, at(buffer({ id: `tape:${s}:${c.id}`, role: "tape", shape: [L, ...resolveShape(c.shape, B)], init: produced }), t0)]),
              )
            : {},
          after: collect ? Object.fromEntries(g.carry.map((c) => [c.id, at(states[c.id], t0)])) : {},
        });
      });
    }

    const grads: Record<string, string> = {};
    const inputGrads: Record<string, string> = {};
    const initialStateGrads: Record<string, string> = {};
    const deltas: Record<string, string> = {};
    if (gradients) {
      for (const [name, shapeOf] of Object.entries(program.params))
        grads[name] = buffer({ id: `grad:${name}`, role: "grad", shape: shapeOf, init: { fill: 0 } });
      const seqGrad = (id: string): string => buffer({ id: `grad:seq:${id}`, role: "sequence-grad", shape: [L, ...seqShape(id)], init: { fill: 0 } });
      for (const name of Object.keys(program.dataInputs)) inputGrads[name] = seqGrad(name);
      const seed = buffer({ id: "seed:loss", role: "seed", shape: [L, B], init: { fill: 0 } });
      instructions.push({ op: "seedLoss", buffer: seed, from: lossFrom });
      for (let s = program.stages.length - 1; s >= 0; s--) {
        const graphs = this.stage(s, masked, shape.deltas ?? false);
        const { vjp } = graphs;
        const g = graphs.forward.graph.graph;
        const reverse = program.stages[s].reverse;
        const carryGrads = Object.fromEntries(
          g.carry.map((c) => [
            vjp.seeds.carry[c.id],
            buffer({ id: `carry-grad:${c.id}`, role: "carry-grad", shape: resolveShape(c.shape, B), init: { fill: 0 } }),
          ]),
        );
        for (const c of Object.keys(graphs.deltas)) {
          deltas[c] = buffer({ id: `delta:${c}`, role: "delta", shape: [L, ...resolveShape(program.states[c].shape, B)], init: produced });
        }
        // against the forward's direction: the forward's last visited segment first
        const order = reverse ? segments : [...segments].reverse();
        for (const [t0, t1] of order) {
          let tape: Record<string, StepsRef>;
          let residuals: Record<string, StepsRef>;
          if (checkpointed) {
            // recompute this segment's tape and residuals from the carries entering it
            const local = (role: "tape" | "residual", id: string, shapeOf: number[]): string =>
              buffer({ id: `${role}:${s}:${id}`, role, shape: [every, ...shapeOf], init: produced });
            tape = Object.fromEntries(g.carry.map((c) => [c.id, at(local("tape", c.id, resolveShape(c.shape, B)), 0)]));
            residuals = Object.fromEntries(
              graphs.residuals.map((id) => [id, at(local("residual", id, resolveShape(graphs.forward.graph.shapes.get(id)!, B)), 0)]),
            );
            const first = reverse ? t1 === L : t0 === 0;
            scan(graphs.forward, {
              stage: s,
              pass: "recompute",
              from: t0,
              to: t1,
              reverse,
              sequences: dataRefs(graphs.forward, t0),
              initial: Object.fromEntries(g.carry.map((c) => [c.id, carryAt(c.id, reverse ? t1 : t0, first)])),
              final: {},
              outputs: Object.entries(residuals).map(([value, to]) => ({ value, to })),
              accumulate: [],
              summed: [],
              entering: tape,
              after: {},
            });
          } else {
            tape = Object.fromEntries(g.carry.map((c) => [c.id, at(`tape:${s}:${c.id}`, t0)]));
            residuals = Object.fromEntries(graphs.residuals.map((id) => [id, at(`residual:${s}:${id}`, t0)]));
          }
          const sequences: Record<string, StepsRef> = { ...dataRefs(graphs.forward, t0), ...tape, ...residuals };
          for (const [y, seedId] of Object.entries(vjp.seeds.ys)) sequences[seedId] = at(seqGrad(y), t0);
          if (vjp.seeds.loss) sequences[vjp.seeds.loss] = at(seed, t0);
          scan(graphs.backward, {
            stage: s,
            pass: "backward",
            from: t0,
            to: t1,
            reverse: !reverse,
            sequences,
            initial: carryGrads,
            final: carryGrads,
            outputs: Object.entries(graphs.deltas).map(([c, value]) => ({ value, to: at(deltas[c], t0) })),
            accumulate: Object.entries(vjp.grads.xs)
              .filter(([id]) => id !== MASK_ID)
              .map(([id, value]) => ({ value, to: at(seqGrad(id), t0) })),
            summed: Object.entries(vjp.grads.params).map(([name, value]) => ({ value, to: grads[name] })),
            entering: {},
            after: {},
          });
        }
        for (const c of g.carry) initialStateGrads[c.id] = carryGrads[vjp.seeds.carry[c.id]];
      }
    }
    return {
      steps: L,
      batch: B,
      dtype,
      gradients,
      method: "bptt",
      masked,
      lossFrom,
      segments,
      scans,
      buffers: [...buffers.values()],
      instructions,
      results: {
        outputs: `seq:${program.program.output}`,
        states,
        finalState,
        loss: lossBuffers,
        grads,
        inputGrads,
        initialStateGrads,
        sensitivities: {},
        deltas,
      },
    };
  }
}
