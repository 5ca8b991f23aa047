import { escapeXml } from "./escape-xml.js";

/** One line of a chart. */
export interface Series {
  /** Legend label. */
  readonly name: string;
  /** `[x, y]` points, in drawing order. */
  readonly points: readonly (readonly [number, number])[];
  /** Stroke color (CSS). */
  readonly color: string;
  /** Stroke width in pixels (default 2). */
  readonly width?: number;
  /** Draw dashed. */
  readonly dashed?: boolean;
  /** Stroke opacity (default 1). */
  readonly opacity?: number;
}

/** Options of {@link lineChart}. */
export interface ChartOptions {
  /** Label under the x axis. */
  readonly xLabel: string;
  /** Label beside the y axis. */
  readonly yLabel: string;
  /** Width in pixels (default 760). */
  readonly width?: number;
  /** Height in pixels (default 320). */
  readonly height?: number;
}

/** About `count` round tick values (steps of 1, 2 or 5 × 10^k) covering `[min, max]`. */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // integer multiples of the step, rounded, so that 3 × 0.2 prints as 0.6
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** A tick label: no more decimals than the tick spacing needs. */
function formatTick(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(v) || 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

/**
 * A self-contained SVG line chart: axes with round ticks, a light grid, one
 * polyline per series and a legend. No script, no external styles, so it can
 * be inlined in an HTML page or saved as an `.svg` file.
 */
export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const W = options.width ?? 760;
  const H = options.height ?? 320;
  const m = { left: 64, right: 16, top: 16 + 18 * series.length, bottom: 44 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  if (all.length === 0) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number): number => H - m.bottom - ((y - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const f = (v: number): string => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  const xt = niceTicks(x0, x1);
  const yt = niceTicks(y0, y1);
  for (const v of xt) {
    out.push(`<line x1="${f(px(v))}" y1="${m.top}" x2="${f(px(v))}" y2="${H - m.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${f(px(v))}" y="${H - m.bottom + 16}" text-anchor="middle" fill="#555">${formatTick(v, xt)}</text>`);
  }
  for (const v of yt) {
    out.push(`<line x1="${m.left}" y1="${f(py(v))}" x2="${W - m.right}" y2="${f(py(v))}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${f(py(v) + 4)}" text-anchor="end" fill="#555">${formatTick(v, yt)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${f((m.left + W - m.right) / 2)}" y="${H - 8}" text-anchor="middle" fill="#333">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${f((m.top + H - m.bottom) / 2)}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(options.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${f(px(x))},${f(py(y))}`);
    const style = `fill="none" stroke="${escapeXml(s.color)}" stroke-width="${s.width ?? 2}" stroke-opacity="${s.opacity ?? 1}" stroke-linejoin="round"${s.dashed ? ` stroke-dasharray="6 4"` : ""}`;
    out.push(`<polyline ${style} points="${pts.join(" ")}"/>`);
    const ly = 14 + 18 * i;
    out.push(`<line x1="${m.left}" y1="${ly}" x2="${m.left + 24}" y2="${ly}" ${style}/>`);
    out.push(`<text x="${m.left + 30}" y="${ly + 4}" fill="#333">${escapeXml(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}
