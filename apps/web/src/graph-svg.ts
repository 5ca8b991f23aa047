import type { GraphLayout, LayoutBox } from "./graph-layout.js";

const BOX_W = 92;
const BOX_H = 34;
const COL_W = 118;
const ROW_H = 46;
const PAD = 12;
/** Spacing of the lanes that the update edges take back to the carries. */
const LANE = 10;
/** Labels longer than this many characters are squeezed to fit their box. */
const FIT_CHARS = 13;

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A short label of a value: the last part of a dotted id (`layers.0.h_next` → `h_next`). */
function shortName(id: string): string {
  return id.split(".").at(-1) ?? id;
}

function boxLines(b: LayoutBox): [string, string] {
  if (b.kind === "node") return [b.op ?? "?", /^n\d+$/.test(b.id) ? (b.detail ?? "") : shortName(b.id)];
  return [shortName(b.id), b.kind === "param" ? "param" : b.kind === "carry" ? "carry" : "xs"];
}

/**
 * Draws a laid-out step graph as an SVG document (a string): a box per value
 * (xs, params, carries, nodes with their op), an arrow per node input, and for
 * every carry a dashed arrow from the value that updates it back to the carry
 * (the edge to the next time step). Styling comes from CSS classes:
 * `box-xs`, `box-param`, `box-carry`, `box-node`, `role-output`, `role-loss`,
 * `role-update`, `edge`, `edge-update`.
 */
export function renderGraphSvg(layout: GraphLayout, title: string, description: string): string {
  const lanes = layout.edges.filter((e) => e.update).length;
  const left = PAD + LANE * Math.max(0, lanes - 1) + 18; // room left of column 0 for the update edges' way back
  const pos = new Map(layout.boxes.map((b) => [b.id, { x: left + b.column * COL_W, y: PAD + b.row * ROW_H }] as const));
  const width = left + PAD + (layout.columns - 1) * COL_W + BOX_W;
  const boxesBottom = PAD + (layout.rows - 1) * ROW_H + BOX_H;
  const height = boxesBottom + LANE * (lanes + 1) + PAD;
  // inner lanes for the producers furthest left, so that the lanes nest
  const laneOf = new Map(
    layout.edges
      .filter((e) => e.update)
      .sort((p, q) => pos.get(p.from)!.x - pos.get(q.from)!.x)
      .map((e, i) => [e, i] as const),
  );
  const edges = layout.edges.map((e) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    if (e.update) {
      // out of the producer's right side, down the gap between columns, under every box,
      // left past column 0 and up into the carry's left side: one lane per carry
      const i = laneOf.get(e)!;
      const gx = a.x + BOX_W + (COL_W - BOX_W) / 2 - 2 * i;
      const low = boxesBottom + LANE * (i + 1);
      const lx = PAD + LANE * (lanes - 1 - i);
      const [y1, y2] = [a.y + BOX_H / 2, b.y + BOX_H / 2];
      const r = 5;
      const d = `M${a.x + BOX_W},${y1} H${gx - r} Q${gx},${y1} ${gx},${y1 + r} V${low - r} Q${gx},${low} ${gx - r},${low} H${lx + r} Q${lx},${low} ${lx},${low - r} V${y2 + r} Q${lx},${y2} ${lx + r},${y2} H${b.x - 3}`;
      return `<path class="edge-update" d="${d}" marker-end="url(#arrow-update)"><title>${escapeXml(`${e.from} becomes ${e.to} at the next step`)}</title></path>`;
    }
    const [x1, y1, x2, y2] = [a.x + BOX_W, a.y + BOX_H / 2, b.x, b.y + BOX_H / 2];
    const dx = Math.max(20, (x2 - x1) / 2);
    return `<path class="edge" d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2 - 3},${y2}" marker-end="url(#arrow)"/>`;
  });
  const boxes = layout.boxes.map((b) => {
    const { x, y } = pos.get(b.id)!;
    const [top, bottom] = boxLines(b);
    const cls = [`box box-${b.kind}`, ...b.roles.map((r) => `role-${r}`)].join(" ");
    const tip = [b.id, b.op ? `op ${b.op}` : b.kind, ...b.roles].join(" · ");
    const fit = top.length > FIT_CHARS ? ` textLength="${BOX_W - 8}" lengthAdjust="spacingAndGlyphs"` : "";
    const text = bottom
      ? `<text x="${x + BOX_W / 2}" y="${y + 14}"${fit}>${escapeXml(top)}</text><text class="sub" x="${x + BOX_W / 2}" y="${y + 27}">${escapeXml(bottom)}</text>`
      : `<text x="${x + BOX_W / 2}" y="${y + 21}"${fit}>${escapeXml(top)}</text>`;
    return `<g class="${cls}"><title>${escapeXml(tip)}</title><rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6"/>${text}</g>`;
  });
  const marker = (id: string, cls: string): string =>
    `<marker id="${id}" class="${cls}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="graph-svg-title graph-svg-desc">`,
    `<title id="graph-svg-title">${escapeXml(title)}</title><desc id="graph-svg-desc">${escapeXml(description)}</desc>`,
    `<defs>${marker("arrow", "arrow")}${marker("arrow-update", "arrow-update")}</defs>`,
    ...edges,
    ...boxes,
    `</svg>`,
  ].join("");
}
