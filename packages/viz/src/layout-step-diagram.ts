import { graphlib, layout } from "@dagrejs/dagre";
import type { DiagramBox, DiagramEdge, DiagramStage, StepDiagram } from "./step-diagram.js";
import { textWidth } from "./text-width.js";

/** A point of the drawing, px. */
export interface Point {
  /** Horizontal, rightwards. */
  readonly x: number;
  /** Vertical, downwards. */
  readonly y: number;
}

/** A rectangle by its top-left corner and size, px. */
export interface Rect {
  /** Left edge. */
  readonly x: number;
  /** Top edge. */
  readonly y: number;
  /** Width. */
  readonly width: number;
  /** Height. */
  readonly height: number;
}

/** A box with its place. */
export interface PlacedBox extends DiagramBox {
  /** Where it is drawn. */
  readonly rect: Rect;
}

/** An arrow with its route, from its source's border to its target's. */
export interface PlacedEdge extends DiagramEdge {
  /** The route's points, in the arrow's direction. */
  readonly points: readonly Point[];
}

/** A stage's cluster with its place. */
export interface PlacedStage extends DiagramStage {
  /** The cluster's outline; its label sits on the top edge. */
  readonly rect: Rect;
}

/** A step diagram laid out. */
export interface StepLayout {
  /** Width of everything drawn, px. */
  readonly width: number;
  /** Height of everything drawn, px. */
  readonly height: number;
  /** The clusters. */
  readonly stages: readonly PlacedStage[];
  /** The boxes. */
  readonly boxes: readonly PlacedBox[];
  /** The arrows. */
  readonly edges: readonly PlacedEdge[];
}

/** Height of a box, px: two lines of text. */
const BOX_HEIGHT = 34;
/** How far a cluster's outline is raised above dagre's, px: its label sits on the outline, clear of the boxes. */
const CLUSTER_LABEL = 8;
const MARGIN = 16;
/** Space between clusters stacked one above the other, px. */
const CLUSTER_GAP = 22;

/**
 * Lays a step diagram out left to right with dagre (layered drawing: ranks by
 * data flow, crossings reduced, one compound cluster per stage). A carry's
 * update edge closes a cycle through the step; it is laid out as an ordinary
 * edge from the carry to its update value, which keeps the carries at the
 * left of their stage, and drawn reversed, as the arrow back in time.
 */
export function layoutStepDiagram(diagram: StepDiagram): StepLayout {
  const g = new graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 20, ranksep: 34, edgesep: 8, marginx: MARGIN, marginy: MARGIN + 2 * CLUSTER_LABEL });
  g.setDefaultEdgeLabel(() => ({}));
  const cluster = (s: number): string => `cluster:${s}`;
  for (const st of diagram.stages) g.setNode(cluster(st.index), { width: 0, height: 0 });
  for (const b of diagram.boxes) {
    const width = Math.max(64, ...b.lines.map((l) => textWidth(l))) + 16;
    g.setNode(b.key, { width, height: BOX_HEIGHT });
    g.setParent(b.key, cluster(b.stage));
  }
  diagram.edges.forEach((e, i) => {
    const [v, w] = e.kind === "update" ? [e.to, e.from] : [e.from, e.to];
    // a weak pull for the recurrence: it should not drag the update value back towards the carry
    g.setEdge(v, w, { weight: e.kind === "update" ? 0 : 1, minlen: 1 }, String(i));
  });
  layout(g);

  const rectOf = (key: string): Rect => {
    const n = g.node(key) as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  // dagre sizes a cluster tightly around its boxes; raise its top so the label on it clears them
  const raised = diagram.stages.map((st) => {
    const r = rectOf(cluster(st.index));
    return { x: r.x, y: r.y - CLUSTER_LABEL, width: r.width, height: r.height + CLUSTER_LABEL };
  });
  const shifts = separateClusters(raised);
  const boxes = diagram.boxes.map((b): PlacedBox => {
    const r = rectOf(b.key);
    return { ...b, rect: { ...r, y: r.y + shifts[b.stage] } };
  });
  const byKey = new Map(boxes.map((b) => [b.key, b] as const));
  const edges = diagram.edges.map((e, i): PlacedEdge => {
    const [from, to] = [byKey.get(e.from)!, byKey.get(e.to)!];
    if (from.stage !== to.stage) return { ...e, points: between(from.rect, to.rect) };
    const [v, w] = e.kind === "update" ? [e.to, e.from] : [e.from, e.to];
    const laid = ((g.edge({ v, w, name: String(i) }) as { points?: Point[] }).points ?? []).map((p) => ({ x: p.x, y: p.y + shifts[from.stage] }));
    const points = laid.length >= 2 ? laid : straight(byKey.get(v)!.rect, byKey.get(w)!.rect);
    return { ...e, points: e.kind === "update" ? [...points].reverse() : points };
  });
  const stages = diagram.stages.map((st, s): PlacedStage => ({ ...st, rect: { ...raised[s], y: raised[s].y + shifts[s] } }));
  const all = [...boxes.map((b) => b.rect), ...stages.map((s) => s.rect)];
  const width = Math.max(...all.map((r) => r.x + r.width)) + MARGIN;
  const height = Math.max(...all.map((r) => r.y + r.height)) + MARGIN;
  return { width, height, stages, boxes, edges };
}

/**
 * How far to move each cluster down so that clusters stacked above one another
 * keep CLUSTER_GAP between them (dagre lets their outlines touch, leaving no
 * room for the label on the lower one's top edge). Top to bottom, each below
 * the clusters above it that share some of its width.
 */
function separateClusters(rects: readonly Rect[]): number[] {
  const shifts = rects.map(() => 0);
  const order = rects.map((_, i) => i).sort((a, b) => rects[a].y - rects[b].y);
  order.forEach((i, k) => {
    const r = rects[i];
    for (const j of order.slice(0, k)) {
      const above = rects[j];
      const sharesWidth = above.x < r.x + r.width && r.x < above.x + above.width;
      if (sharesWidth) shifts[i] = Math.max(shifts[i], above.y + shifts[j] + above.height + CLUSTER_GAP - r.y);
    }
  });
  return shifts;
}

/** A route between boxes of different clusters: out of the source's right side, into the target's left side. */
function between(a: Rect, b: Rect): Point[] {
  const start = { x: a.x + a.width, y: a.y + a.height / 2 };
  const end = { x: b.x, y: b.y + b.height / 2 };
  const mid = (start.x + end.x) / 2;
  return [start, { x: mid, y: start.y }, { x: mid, y: end.y }, end];
}

/** A straight route between two boxes' centres, cut at their borders (an edge dagre gave no route). */
function straight(a: Rect, b: Rect): Point[] {
  const ca = { x: a.x + a.width / 2, y: a.y + a.height / 2 };
  const cb = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  return [border(a, ca, cb), border(b, cb, ca)];
}

/** Where the segment from a box's centre `c` towards `to` leaves the box. */
function border(r: Rect, c: Point, to: Point): Point {
  const dx = to.x - c.x;
  const dy = to.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const s = Math.min(dx === 0 ? Infinity : r.width / 2 / Math.abs(dx), dy === 0 ? Infinity : r.height / 2 / Math.abs(dy));
  return { x: c.x + dx * s, y: c.y + dy * s };
}
