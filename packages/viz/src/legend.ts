import { element, text } from "./svg-element.js";
import { textWidth } from "./text-width.js";

/** One entry of a legend: a swatch drawn with class `legend-${kind}` and its meaning. */
export interface LegendEntry {
  /** The swatch's kind: a box (`rect`), a line or a diamond. */
  readonly swatch: "rect" | "line" | "diamond";
  /** Its class suffix (`legend-carry`), which the stylesheet colours like the thing it stands for. */
  readonly kind: string;
  /** What it means. */
  readonly label: string;
}

const ROW = 18;

/** Height of a legend of `entries` laid out in rows no wider than `width`. */
export function legendHeight(entries: readonly LegendEntry[], width: number): number {
  return placeLegend(entries, width).rows * ROW + 8;
}

function placeLegend(entries: readonly LegendEntry[], width: number): { at: { x: number; row: number }[]; rows: number } {
  const at: { x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  for (const e of entries) {
    const w = 30 + textWidth(e.label) + 18;
    if (x > 0 && x + w > width) {
      x = 0;
      row++;
    }
    at.push({ x, row });
    x += w;
  }
  return { at, rows: row + 1 };
}

/** A legend at (x, y): swatches with their meaning, wrapped into rows no wider than `width`. */
export function legend(entries: readonly LegendEntry[], x: number, y: number, width: number): string {
  const { at } = placeLegend(entries, width);
  const items = entries.map((e, i) => {
    const px = x + at[i].x;
    const py = y + at[i].row * ROW;
    const swatch =
      e.swatch === "rect"
        ? element("rect", { x: px, y: py + 3, width: 24, height: 12, rx: 3 })
        : e.swatch === "diamond"
          ? element("path", { d: `M${px + 12},${py + 3} l6,6 l-6,6 l-6,-6 z` })
          : element("line", { x1: px, y1: py + 9, x2: px + 24, y2: py + 9 });
    return element("g", { class: `legend-item legend-${e.kind}` }, swatch, element("text", { x: px + 30, y: py + 13 }, text(e.label)));
  });
  return element("g", { class: "legend" }, ...items);
}
