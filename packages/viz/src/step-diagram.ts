import { formatShape, type CheckedProgram, type Node } from "@unroll/ir";

/**
 * What a box of a step graph drawing stands for: a data input (`xs`), a
 * sequence an earlier stage outputs (`sequence`), a parameter, a carry, an
 * op's value, or an output sequence the stage reports (`output`).
 */
export type BoxKind = "xs" | "sequence" | "param" | "carry" | "op" | "output";

/** Roles an op's value can play besides being computed: a ys value, the loss, or a carry's next value. */
export type BoxRole = "output" | "loss" | "update";

/** One box of a step graph drawing. */
export interface DiagramBox {
  /** Unique key in the drawing: `s{stage}:{id}` for values, `s{stage}:ys:{id}` for output sequences. */
  readonly key: string;
  /** The stage it belongs to. */
  readonly stage: number;
  /** The value's id in the step graph (the ys id for an output box). */
  readonly id: string;
  /** What it is. */
  readonly kind: BoxKind;
  /** The op computing it (kind `op` only). */
  readonly op?: string;
  /** Its per-step shape, e.g. `[B, 4]`. */
  readonly shape: string;
  /** The label's lines: the op (or the name), then the name and shape. */
  readonly lines: readonly string[];
  /** Roles it plays (op boxes). */
  readonly roles: readonly BoxRole[];
}

/**
 * What an arrow of a step graph drawing means: a node's input, a value
 * reported as an output sequence, an output sequence read by a later stage,
 * or a carry's update, the value that becomes the carry at the next step (the
 * recurrence).
 */
export type DiagramEdgeKind = "input" | "output" | "sequence" | "update";

/** One arrow of a step graph drawing. */
export interface DiagramEdge {
  /** Key of the box it leaves. */
  readonly from: string;
  /** Key of the box it enters. */
  readonly to: string;
  /** What it means. */
  readonly kind: DiagramEdgeKind;
}

/** One stage of the program: a cluster of the drawing. */
export interface DiagramStage {
  /** Its index in the program. */
  readonly index: number;
  /** The cluster's label, e.g. `stage 1: layers.0.reverse (reverse scan)`. */
  readonly label: string;
  /** True when the stage scans from the last step to the first. */
  readonly reverse: boolean;
}

/** The step graphs of a program as boxes and arrows, before layout. */
export interface StepDiagram {
  /** The stages, each a cluster. */
  readonly stages: readonly DiagramStage[];
  /** Every box. */
  readonly boxes: readonly DiagramBox[];
  /** Every arrow. */
  readonly edges: readonly DiagramEdge[];
}

/** The last part of a dotted id (`layers.0.h_next` → `h_next`): the cluster already says which layer. */
function shortName(id: string): string {
  return id.split(".").at(-1) || id;
}

/** The attributes that tell nodes of one op apart, in short. */
function detailOf(n: Node): string | undefined {
  if (n.op === "slice") return `[${n.attrs.start}:${n.attrs.end}]`;
  if (n.op === "constant" && n.attrs.value !== undefined) return String(n.attrs.value);
  return undefined;
}

/** True for the ids the graph builder invents (`n12`), which say nothing to a reader. */
const generatedId = (id: string): boolean => /^n\d+$/.test(id);

/**
 * The boxes and arrows of every stage of a program: per stage its data
 * inputs, params, carries, op nodes (labelled with op and shape) and output
 * sequences; an arrow per node input, from each ys value to its output box,
 * from an output sequence to the later stages that read it, and from each
 * carry's update value back to the carry.
 */
export function stepDiagram(program: CheckedProgram): StepDiagram {
  const boxes: DiagramBox[] = [];
  const edges: DiagramEdge[] = [];
  const producer = new Map<string, string>(); // sequence id → key of the output box of the stage that writes it
  program.stages.forEach((stage, s) => {
    const { graph: g, order, shapes } = stage.checked;
    const key = (id: string): string => `s${s}:${id}`;
    const shapeOf = (id: string): string => formatShape(shapes.get(id) ?? []);
    const named = (id: string, kind: BoxKind, shape: string): DiagramBox => ({
      key: key(id),
      stage: s,
      id,
      kind,
      shape,
      lines: [shortName(id), shape],
      roles: [],
    });
    for (const x of g.xs) {
      const from = producer.get(x.id);
      boxes.push(named(x.id, from ? "sequence" : "xs", formatShape(x.shape)));
      if (from) edges.push({ from, to: key(x.id), kind: "sequence" });
    }
    for (const p of g.params) boxes.push(named(p.id, "param", formatShape(p.shape)));
    for (const c of g.carry) boxes.push(named(c.id, "carry", formatShape(c.shape)));
    const outputs = new Set(g.ys.map((y) => y.value));
    const updates = new Set(Object.values(g.update));
    for (const n of order) {
      const shape = shapeOf(n.id);
      const name = generatedId(n.id) ? (detailOf(n) ?? "") : shortName(n.id);
      const roles: BoxRole[] = [
        ...(outputs.has(n.id) ? ["output" as const] : []),
        ...(g.loss === n.id ? ["loss" as const] : []),
        ...(updates.has(n.id) ? ["update" as const] : []),
      ];
      boxes.push({ key: key(n.id), stage: s, id: n.id, kind: "op", op: n.op, shape, lines: [n.op, name ? `${name} ${shape}` : shape], roles });
      for (const i of n.inputs) edges.push({ from: key(i), to: key(n.id), kind: "input" });
    }
    for (const y of g.ys) {
      const k = `s${s}:ys:${y.id}`;
      boxes.push({ key: k, stage: s, id: y.id, kind: "output", shape: shapeOf(y.value), lines: [y.id, shapeOf(y.value)], roles: [] });
      edges.push({ from: key(y.value), to: k, kind: "output" });
      producer.set(y.id, k);
    }
    for (const c of g.carry) edges.push({ from: key(g.update[c.id]), to: key(c.id), kind: "update" });
  });
  const stages = program.stages.map((stage, s): DiagramStage => {
    const name = stage.checked.graph.name;
    return { index: s, label: `stage ${s}${name ? `: ${name}` : ""}${stage.reverse ? " (reverse scan)" : ""}`, reverse: stage.reverse };
  });
  return { stages, boxes, edges };
}
