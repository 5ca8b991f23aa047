import type { StepNode } from "../device.js";
import {
  causalStepGraph,
  checkGraph,
  maskGraph,
  MASK_ID,
  splitScan,
  stepByStep,
  vjpGraph,
  type CheckedGraph,
  rtrlGraph,
  snapGraph,
  type CheckedProgram,
  type RtrlGraph,
  type ScanInterface,
  type ScanSplit,
  type VjpGraph,
} from "@unroll/ir";

/** A step graph run as a scan, with what it feeds back and reports, and how it splits around the recurrence. */
export interface ScanGraph {
  /** A label for listings, e.g. `"stage 0 backward (masked)"`. */
  readonly label: string;
  /** The step graph. */
  readonly graph: CheckedGraph;
  /** Recurrent inputs and outputs, per-step and summed outputs. */
  readonly io: ScanInterface;
  /** What runs before the loop (all steps stacked), per step, and after it ({@link splitScan}). */
  readonly split: ScanSplit;
}

/** The step graphs of one stage: its forward scan, its backward scan and the residuals between them. */
export interface StageGraphs {
  /** The forward step graph (masked when the data has lengths). */
  readonly forward: ScanGraph;
  /** The backward step graph: the VJP of the forward one, reading residuals instead of recomputing them. */
  readonly backward: ScanGraph;
  /** The autodiff result: seed and gradient ids. */
  readonly vjp: VjpGraph;
  /** Forward values the backward scan reads (batched, per step), kept by the forward scan. */
  readonly residuals: readonly string[];
  /** The forward scan's outputs without residuals: its ys values and its loss. */
  readonly forwardOutputs: readonly string[];
  /** The backward scan's per-step output of each state's delta `∂L/∂h_t`, by state (only when built with `deltas`). */
  readonly deltas: Readonly<Record<string, string>>;
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

/**
 * The values a part of a scan (its pre, core or post nodes) must materialize
 * because something outside the part reads them: the scan's outputs and
 * recurrent outputs, the per-step values stored for after the loop, and every
 * input of a node of another part. Inside a part a device may fuse the rest.
 */
export function liveValues(scan: ScanGraph, nodes: readonly StepNode[]): Set<string> {
  const { io, split, graph } = scan;
  const mine = new Set(nodes.map((n) => n.id));
  const live = new Set([...io.outputs, ...(io.summedOutputs ?? []), ...io.recurrentOutputs, ...split.stored]);
  for (const n of graph.order) if (!mine.has(n.id)) n.inputs.forEach((i) => live.add(i));
  return live;
}

/**
 * The per-step values a scan keeps over all its steps (`[n, B, ...]`): those
 * of `wanted` and, when its post part runs, those post reads, if computed
 * per step (by a node of `perStep`) or fed back as a recurrent input. The
 * executor allocates exactly these; the memory estimate counts them.
 */
export function storedValues(scan: ScanGraph, perStep: ReadonlySet<string>, wanted: readonly string[], withPost: boolean): string[] {
  const { split, io } = scan;
  const readByPost = new Set(withPost ? split.post.flatMap((n) => n.inputs) : []);
  const recurrent = new Set(io.recurrentInputs);
  const ids = new Set([...split.stored.filter((v) => readByPost.has(v)), ...wanted]);
  return [...ids].filter((id) => perStep.has(id) || recurrent.has(id));
}

function scanGraph(label: string, graph: CheckedGraph, io: ScanInterface): ScanGraph {
  return { label, graph, io, split: splitScan(graph, io) };
}

/**
 * Builds the forward and backward step graphs of stage `s` of a program: the
 * masked variant when `masked`, its VJP (seeding the outputs a later stage
 * reads, with the mask a constant), and the residuals the backward graph reads.
 * With `deltas` the backward scan also outputs every state's delta `∂L/∂h_t`
 * at each step (a separate graph: without it nothing more is kept).
 * Pure and deterministic: a scheduler caches it per (stage, masked, deltas).
 */
export function stageGraphs(program: CheckedProgram, s: number, masked: boolean, deltas = false): StageGraphs {
  const base = program.stages[s].checked;
  const graph = masked ? maskGraph(base) : base;
  const g = graph.graph;
  const later = new Set(program.stages.slice(s + 1).flatMap((st) => st.checked.graph.xs.map((x) => x.id)));
  // the unmasked update: the state a step leaves inside its row's sequence, with zero gradient past its end
  const stateDeltas = deltas ? base.graph.update : undefined;
  const vjp = vjpGraph(graph, { ysSeeds: g.ys.filter((y) => later.has(y.id)).map((y) => y.id), constants: [MASK_ID], ...(stateDeltas ? { stateDeltas } : {}) });
  const { graph: backwardGraph, residuals } = withResiduals(graph, vjp);
  const forwardOutputs = [...new Set([...g.ys.map((y) => y.value), ...(g.loss === undefined ? [] : [g.loss])])];
  const suffix = masked ? " (masked)" : "";
  const forward = scanGraph(`stage ${s} forward${suffix}`, graph, {
    recurrentInputs: g.carry.map((c) => c.id),
    recurrentOutputs: g.carry.map((c) => g.update[c.id]),
    outputs: [...new Set([...forwardOutputs, ...residuals])],
  });
  const backward = scanGraph(`stage ${s} backward${suffix}`, backwardGraph, {
    recurrentInputs: g.carry.map((c) => vjp.seeds.carry[c.id]),
    recurrentOutputs: g.carry.map((c) => vjp.grads.carry[c.id] ?? ""),
    outputs: Object.entries(vjp.grads.xs)
      .filter(([id]) => id !== MASK_ID)
      .map(([, v]) => v)
      .concat(Object.values(vjp.grads.updates)),
    summedOutputs: Object.values(vjp.grads.params),
  });
  return { forward, backward, vjp, residuals, forwardOutputs, deltas: vjp.grads.updates };
}

/** The one scan of an RTRL or SnAp-1 window: the program's stages in lockstep, carrying sensitivities; see `rtrlGraph` and `snapGraph`. */
export interface RtrlScan {
  /** The step graph and its scan interface. */
  readonly scan: ScanGraph;
  /** The transform's result: seed, sensitivity and gradient ids. */
  readonly rtrl: Pick<RtrlGraph, "checked" | "seed" | "sensitivities" | "grads">;
  /** The forward values the scan reports at every step: the ys and the loss. */
  readonly forwardOutputs: readonly string[];
}

/**
 * Builds RTRL's step graph for a causal program: its stages as one step
 * (`causalStepGraph`), masked when the data has lengths, with every state's
 * sensitivity to every param carried (`rtrlGraph`). Pure: a scheduler caches it.
 */
export function rtrlScan(program: CheckedProgram, masked: boolean, method: "rtrl" | "snap1" = "rtrl"): RtrlScan {
  const base = causalStepGraph(program);
  const graph = masked ? maskGraph(base) : base;
  const rtrl = method === "snap1" ? snapGraph(graph) : rtrlGraph(graph);
  const g = rtrl.checked.graph;
  const forwardOutputs = [...new Set([...graph.graph.ys.map((y) => y.value), graph.graph.loss!])];
  const io: ScanInterface = {
    recurrentInputs: g.carry.map((c) => c.id),
    recurrentOutputs: g.carry.map((c) => g.update[c.id]),
    outputs: forwardOutputs,
    summedOutputs: Object.values(rtrl.grads).map((y) => g.ys.find((e) => e.id === y)!.value),
  };
  // hoisting would stack every step's tangents ([L, B, D, ...]): step by step, memory stays independent of L
  const label = `${method === "snap1" ? "SnAp-1" : "RTRL"}${masked ? " (masked)" : ""}`;
  const scan: ScanGraph = { label, graph: rtrl.checked, io, split: stepByStep(rtrl.checked, io, `${label} keeps no per-step history`) };
  return { scan, rtrl, forwardOutputs };
}
