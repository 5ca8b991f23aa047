import { coordinate } from "./svg-element.js";
import type { Point } from "./layout-step-diagram.js";

/**
 * An SVG path through a route's points, smoothed: straight from the first
 * point, a quadratic curve around each inner point (through the midpoints of
 * the segments), straight into the last. Two points give a straight line.
 */
export function smoothPath(points: readonly Point[]): string {
  const p = (q: Point): string => `${coordinate(q.x)},${coordinate(q.y)}`;
  if (points.length < 3) return `M${points.map(p).join(" L")}`;
  const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  let d = `M${p(points[0])} L${p(mid(points[0], points[1]))}`;
  for (let i = 1; i < points.length - 1; i++) {
    const end = i === points.length - 2 ? points[i + 1] : mid(points[i], points[i + 1]);
    d += ` Q${p(points[i])} ${p(end)}`;
  }
  return d;
}
