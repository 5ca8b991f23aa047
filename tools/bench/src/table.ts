import { stepFlops } from "./flops.js";
import type { BenchRecord } from "./record.js";
import type { Workload } from "./workloads.js";

/** A column: header, cell text, and alignment. */
interface Column {
  readonly header: string;
  readonly cell: (r: BenchRecord) => string;
  readonly left?: boolean;
}

const fixed = (v: number | null, digits: number): string => (v === null ? "" : v.toFixed(digits));
// the JSON keeps the whole reason (an error's stack); the table its start
const NOTE_WIDTH = 72;
const note = (r: BenchRecord): string => {
  if (r.status === "ok") return "";
  const text = `${r.status}: ${r.reason ?? ""}`;
  return text.length > NOTE_WIDTH ? `${text.slice(0, NOTE_WIDTH - 1)}…` : text;
};
const ms = (v: number | null): string => (v === null ? "" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The case as a reader names it: `W3-lstm`, `W6-trunc64`, `W1`. */
export function caseName(r: Pick<BenchRecord, "workload" | "variant">): string {
  return r.variant ? `${r.workload}-${r.variant}` : r.workload;
}

/** The system as a reader names it: `unroll/workers×2`, `tfjs-wasm`. */
export function systemName(r: Pick<BenchRecord, "system" | "backend" | "workers">): string {
  if (r.system !== "unroll") return r.system;
  return r.workers === null ? `unroll/${r.backend}` : `unroll/${r.backend}×${r.workers}`;
}

const columns: readonly Column[] = [
  { header: "case", cell: caseName, left: true },
  { header: "system", cell: systemName, left: true },
  { header: "ms/step", cell: (r) => ms(r.median_ms) },
  { header: "ms/window", cell: (r) => ms(r.window_median_ms) },
  { header: "GFLOP/s", cell: (r) => fixed(r.gflops, 2) },
  { header: "peak RSS MB", cell: (r) => fixed(r.peak_rss_mb, 0) },
  { header: "× unroll/cpu", cell: (r) => fixed(r.ratio_to_unroll_cpu, 2) },
  { header: "n", cell: (r) => (r.repeats ? String(r.repeats) : "") },
  { header: "note", cell: note, left: true },
];

/**
 * The rows as an aligned text table, a rule between cases. Times are medians;
 * `× unroll/cpu` is the row's time over unroll/cpu's on the same case.
 */
export function formatTable(records: readonly BenchRecord[]): string {
  const cells = records.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (row: readonly string[]): string =>
    row
      .map((text, i) => (columns[i].left ? text.padEnd(widths[i]) : text.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [line(columns.map((c) => c.header)), rule];
  records.forEach((r, i) => {
    if (i > 0 && caseName(records[i - 1]) !== caseName(r)) out.push("");
    out.push(line(cells[i]));
  });
  return out.join("\n");
}

/** One line per case: what it runs, its sizes and its FLOPs per step. */
export function formatLegend(cases: readonly Workload[]): string {
  return cases
    .map((w) => {
      const sizes = `B=${w.batch} T=${w.steps} I=${w.input} H=${w.hidden} O=${w.output}`;
      return `${w.id.padEnd(11)} ${w.description}; ${sizes}; ${(stepFlops(w) / 1e9).toPrecision(3)} GFLOP/step`;
    })
    .join("\n");
}
