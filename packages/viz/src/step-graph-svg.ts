import type { CheckedProgram } from "@unroll/ir";
import { smoothPath } from "./edge-path.js";
import { layoutStepDiagram, type PlacedBox, type PlacedEdge, type PlacedStage } from "./layout-step-diagram.js";
import { legend, legendHeight, type LegendEntry } from "./legend.js";
import { stepDiagram, type DiagramEdgeKind } from "./step-diagram.js";
import { arrowRef, svgDocument, type ArrowClass, type DrawOptions } from "./svg-document.js";
import { element, text, tooltip } from "./svg-element.js";
import { textWidth } from "./text-width.js";

const LEGEND: readonly LegendEntry[] = [
  { swatch: "rect", kind: "xs", label: "data input" },
  { swatch: "rect", kind: "sequence", label: "earlier stage's output" },
  { swatch: "rect", kind: "param", label: "parameter" },
  { swatch: "rect", kind: "carry", label: "carry (state)" },
  { swatch: "rect", kind: "op", label: "op: value" },
  { swatch: "rect", kind: "update", label: "carry's next value" },
  { swatch: "rect", kind: "output", label: "output sequence" },
  { swatch: "rect", kind: "loss", label: "loss" },
  { swatch: "line", kind: "recurrence", label: "recurrence: to the next step" },
  { swatch: "line", kind: "sequence-edge", label: "sequence between stages" },
];

const ARROWS: { readonly [K in DiagramEdgeKind]: ArrowClass } = { input: "arrow", output: "arrow-output", sequence: "arrow-data", update: "arrow-carry" };

function edgeSvg(e: PlacedEdge, prefix: string): string {
  const what =
    e.kind === "update"
      ? `${idOf(e.from)} becomes ${idOf(e.to)} at the next step`
      : e.kind === "sequence"
        ? `the sequence ${idOf(e.to)}, from an earlier stage`
        : `${idOf(e.from)} → ${idOf(e.to)}`;
  return element(
    "path",
    { class: `edge edge-${e.kind}`, d: smoothPath(e.points), "marker-end": arrowRef(prefix, ARROWS[e.kind]), "data-from": e.from, "data-to": e.to },
    tooltip(what),
  );
}

/** The value id inside a box key (`s0:layers.0.h` → `layers.0.h`). */
const idOf = (key: string): string => key.replace(/^s\d+:(ys:)?/, "");

function boxSvg(b: PlacedBox): string {
  const { x, y, width, height } = b.rect;
  const cls = ["box", `box-${b.kind}`, ...b.roles.map((r) => `role-${r}`)].join(" ");
  const tip = [b.id, b.op ? `op ${b.op}` : b.kind, b.shape, ...b.roles].join(" · ");
  const cx = x + width / 2;
  const lines = b.lines.filter((l) => l !== "");
  const texts = lines.map((l, i) =>
    element("text", { class: i === 0 ? "center" : "center sub", x: cx, y: y + height / 2 + (lines.length === 1 ? 4 : i === 0 ? -3 : 11) }, text(l)),
  );
  return element(
    "g",
    { class: cls, "data-key": b.key, "data-id": b.id, "data-stage": b.stage, ...(b.op ? { "data-op": b.op } : {}) },
    tooltip(tip),
    element("rect", { class: "shape", x, y, width, height, rx: b.kind === "op" ? 6 : 3 }),
    ...texts,
  );
}

function clusterSvg(st: PlacedStage): string {
  const { x, y, width, height } = st.rect;
  return element(
    "g",
    { class: "cluster stage", "data-stage": st.index },
    element("rect", { x, y, width, height, rx: 8 }),
    // on the top edge, over a patch of background, as a fieldset's legend
    element("rect", { class: "label-patch", x: x + 8, y: y - 7, width: textWidth(st.label) + 8, height: 14 }),
    element("text", { x: x + 12, y: y + 4 }, text(st.label)),
  );
}

/**
 * Draws the step graph of every stage of a program as one SVG document (a
 * string; no DOM, so it runs in Node and in the browser): each stage a
 * labelled cluster holding its data inputs, params, carries, op nodes
 * (labelled with op, name and shape) and output sequences; an arrow per node
 * input; a dashed arrow from each carry's update value back to the carry (the
 * recurrence, taken at the next step); arrows carrying an output sequence to
 * the later stages that read it; and a legend. Laid out with dagre.
 *
 * Structure for scripts and tests: boxes are `g.box.box-{xs|sequence|param|carry|op|output}`
 * (op boxes also `role-{output|loss|update}`) with `data-id`, `data-stage` and
 * `data-op`; arrows are `path.edge.edge-{input|output|sequence|update}`;
 * stages are `g.cluster`.
 */
export function stepGraphSvg(program: CheckedProgram, options: DrawOptions = {}): string {
  const laid = layoutStepDiagram(stepDiagram(program));
  const present = new Set([
    ...laid.boxes.flatMap((b) => [b.kind, ...b.roles]),
    ...laid.edges.map((e) => (e.kind === "update" ? "recurrence" : `${e.kind}-edge`)),
  ]);
  const entries = LEGEND.filter((e) => present.has(e.kind));
  const prefix = options.idPrefix ?? "unroll-viz";
  const showLegend = options.legend ?? true;
  const width = Math.max(laid.width, showLegend ? 360 : 0);
  const legendTop = laid.height + 4;
  const height = showLegend ? legendTop + legendHeight(entries, width - 32) : laid.height;
  const ops = laid.boxes.filter((b) => b.kind === "op").length;
  const carries = laid.boxes.filter((b) => b.kind === "carry").map((b) => b.id);
  const title = options.title ?? `Step graph: ${program.stages.length} stage${program.stages.length === 1 ? "" : "s"}, ${ops} ops`;
  const description =
    options.description ??
    `One time step of the model, per stage: ${ops} op nodes, ${laid.boxes.filter((b) => b.kind === "param").length} parameters, carries ${carries.join(", ") || "none"}; ` +
      `each carry's update value feeds the carry at the next step.`;
  return svgDocument({
    width: Math.max(width, textWidth(title) + 32),
    height,
    title,
    description,
    className: options.className,
    idPrefix: prefix,
    kind: "step-graph",
    body: [
      element("g", { class: "clusters" }, ...laid.stages.map(clusterSvg)),
      element("g", { class: "edges" }, ...laid.edges.map((e) => edgeSvg(e, prefix))),
      element("g", { class: "boxes" }, ...laid.boxes.map(boxSvg)),
      showLegend ? legend(entries, 16, legendTop, width - 32) : "",
    ],
  });
}
