import type { Truncation } from "@unroll/bptt";
import { legend, legendHeight, type LegendEntry } from "./legend.js";
import { arrowRef, svgDocument, type DrawOptions } from "./svg-document.js";
import { element, text, tooltip } from "./svg-element.js";
import { textWidth } from "./text-width.js";
import type { DiagramWindow, ScanPass, WindowDiagram, WindowDiagramStage } from "./window-diagram.js";

/** Width of one time step's column, px. */
const COL = 52;
const CELL_W = 38;
const CELL_H = 22;
const BAR_H = 18;
const ROW_GAP = 8;
/** Room under a row of backward cells for the captions of its passes, px. */
const CAPTION_H = 18;
const MARGIN = 16;

const LEGEND: readonly LegendEntry[] = [
  { swatch: "rect", kind: "forward", label: "forward step" },
  { swatch: "line", kind: "carry-edge", label: "carries to the next step" },
  { swatch: "rect", kind: "backward", label: "backward step" },
  { swatch: "line", kind: "grad", label: "gradient back in time" },
  { swatch: "rect", kind: "loss-step", label: "its loss counts" },
  { swatch: "rect", kind: "recompute", label: "recompute pass" },
  { swatch: "diamond", kind: "checkpoint", label: "checkpoint: carries kept" },
  { swatch: "line", kind: "cut", label: "gradient cut" },
];

/** One pass of a scan as an SVG group: its classes, data attributes and tooltip, around its drawing (a bar or a bracket). */
function passGroup(p: ScanPass, stage: WindowDiagramStage, ...drawing: string[]): string {
  const steps = p.reverse ? `${p.to - 1} down to ${p.from}` : `${p.from} to ${p.to - 1}`;
  return element(
    "g",
    { class: `pass pass-${p.pass}`, "data-stage": stage.index, "data-from": p.from, "data-to": p.to, "data-order": p.order },
    tooltip(`instruction ${p.order}: ${stage.name} ${p.pass} scan over steps ${steps}`),
    ...drawing,
  );
}

/** A truncation in words, for the title. */
function describeTruncation(t: Truncation): string {
  switch (t.kind) {
    case "full":
      return "full BPTT";
    case "chunked":
      return `truncated BPTT, windows of ${t.window}`;
    case "k1k2":
      return `BPTT(k1=${t.k1}, k2=${t.k2})`;
  }
}

const arrowOf = (reverse: boolean): string => (reverse ? "◂" : "▸");

/** Draws the picture top to bottom, keeping the y cursor. */
class WindowPicture {
  readonly parts: string[] = [];
  y: number;
  constructor(
    readonly d: WindowDiagram,
    readonly left: number,
    readonly prefix: string,
    top: number,
  ) {
    this.y = top;
  }

  /** Left edge of step t's column. */
  col(t: number): number {
    return this.left + t * COL;
  }

  get right(): number {
    return this.col(this.d.steps);
  }

  /** The steps a stage's passes of one kind cover, in the order they are visited. */
  stepsOf(passes: readonly ScanPass[], stage: number, kind: ScanPass["pass"]): number[] {
    return passes
      .filter((p) => p.stage === stage && p.pass === kind)
      .flatMap((p) => {
        const ts = Array.from({ length: p.to - p.from }, (_, i) => p.from + i);
        return p.reverse ? ts.reverse() : ts;
      });
  }

  rowLabel(label: string, y: number, h: number): void {
    this.parts.push(element("text", { class: "row-label", x: MARGIN, y: y + h / 2 + 4 }, text(label)));
  }

  /** One cell per step with an arrow from each visited step to the next visited one. */
  cells(kind: "forward" | "backward", stage: WindowDiagramStage, visited: readonly number[], lossFrom: number): void {
    const y = this.y;
    const cx = (t: number): number => this.col(t) + (COL - CELL_W) / 2;
    const edgeClass = kind === "forward" ? "edge edge-carry" : "edge edge-grad";
    const carries = stage.carries.join(", ");
    for (let i = 0; i + 1 < visited.length; i++) {
      const [a, b] = [visited[i], visited[i + 1]];
      if (Math.abs(a - b) !== 1) continue; // a new pass (another segment or window) starts: no step-to-step edge
      const [x1, x2] = b > a ? [cx(a) + CELL_W, cx(b)] : [cx(a), cx(b) + CELL_W];
      const boundary = kind === "forward" && this.d.windows.some((w) => w.index > 0 && w.window.lossStart === Math.max(a, b));
      const what =
        kind === "forward"
          ? `${carries || "no carries"}: after step ${a}, into step ${b}${boundary ? ", carried into the next window" : ""}`
          : `gradient of ${carries || "no carries"}: from step ${a} back to step ${b}`;
      this.parts.push(
        element(
          "path",
          {
            class: `${edgeClass}${boundary ? " between-windows" : ""}`,
            d: `M${x1},${y + CELL_H / 2} L${x2 + (b > a ? -2 : 2)},${y + CELL_H / 2}`,
            "marker-end": arrowRef(this.prefix, kind === "forward" ? "arrow-carry" : "arrow-grad"),
            "data-stage": stage.index,
            "data-from": a,
            "data-to": b,
          },
          tooltip(what),
        ),
      );
    }
    for (const t of visited) {
      const loss = kind === "backward" && t >= lossFrom;
      const what = `${stage.name}, ${kind} step ${t}${loss ? ": its loss counts, the gradient is seeded here" : ""}`;
      this.parts.push(
        element(
          "g",
          { class: `cell cell-${kind}${loss ? " loss-step" : ""}`, "data-stage": stage.index, "data-step": t },
          tooltip(what),
          element("rect", { x: cx(t), y, width: CELL_W, height: CELL_H, rx: 4 }),
          element("text", { class: "center", x: cx(t) + CELL_W / 2, y: y + CELL_H / 2 + 4 }, text(String(t))),
        ),
      );
    }
  }

  /** One bar per pass, labelled with its order and direction. */
  bars(passes: readonly ScanPass[], stage: WindowDiagramStage): void {
    for (const p of passes) {
      const [x1, x2] = [this.col(p.from) + 2, this.col(p.to) - 2];
      const label = `#${p.order} ${p.pass} ${arrowOf(p.reverse)}`;
      const fits = textWidth(label, 10) + 8 <= x2 - x1;
      this.parts.push(
        passGroup(
          p,
          stage,
          element("rect", { x: x1, y: this.y, width: x2 - x1, height: BAR_H, rx: 3 }),
          element("text", { class: "sub", x: x1 + 4, y: this.y + BAR_H / 2 + 4 }, text(fits ? label : `#${p.order}`)),
        ),
      );
    }
  }

  /** Under a row of backward cells: which instruction each backward pass is, a bracket over its steps. */
  captions(passes: readonly ScanPass[], stage: WindowDiagramStage): void {
    const y = this.y + CELL_H + 3;
    for (const p of passes) {
      const [x1, x2] = [this.col(p.from) + 4, this.col(p.to) - 4];
      this.parts.push(
        passGroup(
          p,
          stage,
          element("path", { class: "bracket", d: `M${x1},${y} v3 H${x2} v-3` }),
          element("text", { class: "center sub", x: (x1 + x2) / 2, y: y + 13 }, text(`#${p.order} ${p.pass} ${arrowOf(p.reverse)}`)),
        ),
      );
    }
  }

  /** The diamonds marking where a window's forward pass keeps the carries for the backward pass to recompute from. */
  checkpoints(w: DiagramWindow, stage: WindowDiagramStage): void {
    if (w.segments.length < 2) return;
    for (const [from] of w.segments.slice(1)) {
      const x = this.col(from);
      const y = this.y + BAR_H / 2;
      this.parts.push(
        element(
          "g",
          { class: "checkpoint", "data-stage": stage.index, "data-step": from },
          tooltip(`checkpoint: ${stage.carries.join(", ") || "the carries"} between steps ${from - 1} and ${from}, kept for the recompute pass`),
          element("path", { d: `M${x},${y - 7} l6,7 l-6,7 l-6,-7 z` }),
        ),
      );
    }
  }
}

/**
 * Draws a sequence unrolled over time as the scheduler runs it (see
 * {@link windowDiagram}), as one SVG document (a string; no DOM): one column
 * per time step; the forward scan of every stage with its carries passed from
 * step to step and on into the next window; then per window of the truncation
 * plan a band with its scans in the order they run (forward, recompute,
 * backward), the backward steps with the gradient flowing back against time,
 * the steps whose loss counts, the checkpoints a recompute pass starts from,
 * and a dashed cut line where the window's gradient stops.
 *
 * Structure for scripts and tests: `g.step-column` (one per step), `g.cell.cell-{forward|backward}`
 * (`loss-step` where the loss counts) with `data-stage` and `data-step`, `path.edge-carry`
 * (`between-windows` where it crosses into the next window) and `path.edge-grad`, `g.window-band`
 * with `data-window`, `g.pass.pass-{forward|backward|recompute}`, `g.checkpoint`, `g.cut`.
 */
export function windowSvg(d: WindowDiagram, options: DrawOptions = {}): string {
  const prefix = options.idPrefix ?? "unroll-viz";
  const multi = d.stages.length > 1;
  const rowName = (s: WindowDiagramStage, what: string): string => (multi ? `${s.name} ${what}` : what);
  const labels = [
    ...d.stages.map((s) => `${s.name} ${arrowOf(s.reverse)}`),
    ...d.stages.flatMap((s) => ["forward", "recompute", "backward"].map((w) => rowName(s, w))),
  ];
  const left = MARGIN + Math.max(110, ...labels.map((l) => textWidth(l))) + 16;
  const checkpointNote = d.checkpointEvery > 1 ? `, checkpoints every ${d.checkpointEvery} steps` : "";
  const heading = `Unrolled over ${d.steps} step${d.steps === 1 ? "" : "s"}: ${d.gradients ? describeTruncation(d.plan.truncation) : "forward only (no loss)"}${checkpointNote}`;
  const pic = new WindowPicture(d, left, prefix, MARGIN);
  pic.parts.push(element("text", { class: "heading", x: MARGIN, y: pic.y + 13 }, text(heading)));
  pic.y += 30;

  // the step columns: a label per step, a faint guide down the picture
  const columnsAt = pic.y;
  const columnParts: string[] = [];
  pic.y += 16;

  // the forward scan over the whole sequence
  pic.parts.push(element("text", { class: "section", x: MARGIN, y: pic.y + 11 }, text(d.windows.length > 1 ? "forward pass, whole sequence" : "forward pass")));
  pic.y += 18;
  const forwardTop = pic.y;
  for (const s of d.stages) {
    pic.rowLabel(`${s.name} ${arrowOf(s.reverse)}`, pic.y, CELL_H);
    pic.cells("forward", s, pic.stepsOf(d.forward, s.index, "forward"), d.steps);
    pic.y += CELL_H + ROW_GAP;
  }
  const forwardBottom = pic.y - ROW_GAP;
  pic.y += 8;

  // one band per window of the plan
  for (const w of d.windows) {
    const top = pic.y;
    const body: string[] = [];
    const saved = pic.parts.splice(0);
    pic.y += 22;
    let firstBackwardRow: number | undefined;
    for (const s of d.stages) {
      const mine = w.passes.filter((p) => p.stage === s.index);
      const forward = mine.filter((p) => p.pass === "forward");
      const recompute = mine.filter((p) => p.pass === "recompute");
      pic.rowLabel(rowName(s, "forward"), pic.y, BAR_H);
      pic.bars(forward, s);
      pic.checkpoints(w, s);
      pic.y += BAR_H + ROW_GAP;
      if (recompute.length > 0) {
        pic.rowLabel(rowName(s, "recompute"), pic.y, BAR_H);
        pic.bars(recompute, s);
        pic.y += BAR_H + ROW_GAP;
      }
      firstBackwardRow ??= pic.y;
      pic.rowLabel(rowName(s, "backward"), pic.y, CELL_H);
      pic.cells("backward", s, pic.stepsOf(mine, s.index, "backward"), w.window.lossStart);
      pic.captions(
        mine.filter((p) => p.pass === "backward"),
        s,
      );
      pic.y += CELL_H + CAPTION_H + ROW_GAP;
    }
    const bottom = pic.y;
    body.push(...pic.parts.splice(0));
    pic.parts.push(...saved);
    const { start, end, lossStart } = w.window;
    const title = `window ${w.index}: backprop through steps ${start} to ${end - 1}, loss of steps ${lossStart} to ${end - 1}`;
    // left of the line, level with the first backward row: the steps before the window's span are empty in its band
    const cutTextY = (firstBackwardRow ?? top) + CELL_H / 2 + 4;
    const cut = w.cut
      ? [
          element(
            "g",
            { class: "cut", "data-step": start },
            tooltip(`the gradient stops at step ${start}: the carries entering the window are constants, nothing flows back into step ${start - 1}`),
            element("line", { x1: pic.col(start), y1: top + 20, x2: pic.col(start), y2: bottom }),
            element("text", { x: pic.col(start) - 6, y: cutTextY, "text-anchor": "end" }, text("✂ gradient cut")),
          ),
        ]
      : [];
    pic.parts.push(
      element(
        "g",
        { class: "window-band", "data-window": w.index, "data-start": start, "data-end": end, "data-loss-start": lossStart },
        element("rect", { class: "band", x: MARGIN / 2, y: top, width: pic.right + MARGIN / 2, height: bottom - top, rx: 6 }),
        element("rect", { class: "span", x: pic.col(start), y: top + 2, width: pic.col(end) - pic.col(start), height: bottom - top - 4 }),
        element("text", { class: "section", x: MARGIN, y: top + 14 }, text(title)),
        ...body,
        ...cut,
      ),
    );
    pic.y = bottom + 10;
  }
  const contentBottom = pic.y - 10;

  for (let t = 0; t < d.steps; t++) {
    const x = pic.col(t) + COL / 2;
    columnParts.push(
      element(
        "g",
        { class: "step-column", "data-step": t },
        element("text", { class: "center sub", x, y: columnsAt + 11 }, text(`t=${t}`)),
        element("line", { class: "column-guide", x1: x, y1: columnsAt + 15, x2: x, y2: contentBottom }),
      ),
    );
  }
  // where one window's updates end and the next one's begin, across the forward pass
  const boundaries = d.windows
    .filter((w) => w.index > 0)
    .map((w) =>
      element("line", {
        class: "window-boundary",
        "data-step": w.window.lossStart,
        x1: pic.col(w.window.lossStart),
        y1: forwardTop - 4,
        x2: pic.col(w.window.lossStart),
        y2: forwardBottom + 4,
      }),
    );

  const width = Math.max(pic.right + MARGIN, textWidth(heading, 13) + 2 * MARGIN, 420);
  const showLegend = options.legend ?? true;
  const legendTop = pic.y + 4;
  const legendWidth = width - 2 * MARGIN;
  const cuts = d.windows.filter((w) => w.cut).length;
  const recomputes = d.windows.flatMap((w) => w.passes).filter((p) => p.pass === "recompute").length;
  // only what this picture shows
  const shown: Readonly<Record<string, boolean>> = {
    backward: d.gradients,
    grad: d.gradients,
    "loss-step": d.gradients,
    recompute: recomputes > 0,
    checkpoint: recomputes > 0,
    cut: cuts > 0,
  };
  const entries = LEGEND.filter((e) => shown[e.kind] ?? true);
  const height = showLegend ? legendTop + legendHeight(entries, legendWidth) : pic.y;
  return svgDocument({
    width,
    height,
    title: options.title ?? heading,
    description:
      options.description ??
      `${d.stages.length} stage${d.stages.length === 1 ? "" : "s"} over ${d.steps} steps; ${d.windows.length} window${d.windows.length === 1 ? "" : "s"}, ` +
        `${cuts} gradient cut${cuts === 1 ? "" : "s"}, ${recomputes} recompute pass${recomputes === 1 ? "" : "es"}.`,
    className: options.className,
    idPrefix: prefix,
    kind: "unrolled-window",
    body: [element("g", { class: "columns" }, ...columnParts), ...boundaries, ...pic.parts, showLegend ? legend(entries, MARGIN, legendTop, legendWidth) : ""],
  });
}
