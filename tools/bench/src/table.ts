import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";
import { isSoftwareAdapter } from "@unroll/backend-webgpu";
import { adapterName } from "./adapter.js";
import type { ComparisonRecord, SideSummary } from "./compare.js";
import { stepFlops } from "./flops.js";
import type { BenchRecord } from "./record.js";
import type { Workload } from "./workloads.js";

/** A column: header, cell text, and alignment. */
interface Column<R = BenchRecord> {
  readonly header: string;
  readonly cell: (r: R) => string;
  readonly left?: boolean;
}

const fixed = (v: number | null, digits: number): string => (v === null ? "" : v.toFixed(digits));
// the JSON keeps the whole reason (an error's stack); the table its start
const NOTE_WIDTH = 72;
const clip = (text: string): string => (text.length > NOTE_WIDTH ? `${text.slice(0, NOTE_WIDTH - 1)}…` : text);
const note = (r: Pick<BenchRecord, "status" | "reason">): string => (r.status === "ok" ? "" : clip(`${r.status}: ${r.reason ?? ""}`));
/** What the bench prints beside every time measured on a software WebGPU adapter. */
export const SOFTWARE_ADAPTER_NOTE = "software adapter: times say nothing about GPUs";
const rowNote = (r: BenchRecord): string => note(r) || (r.software_adapter ? SOFTWARE_ADAPTER_NOTE : "");
const ms = (v: number | null): string => (v === null ? "" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
// per sequence step, times go far below 0.01 ms: keep two significant digits there
const fine = (v: number | null): string => (v === null ? "" : v >= 1 ? ms(v) : v.toPrecision(2));

/** The case as a reader names it: `W3-lstm`, `W6-trunc64`, `W1`. */
export function caseName(r: Pick<BenchRecord, "workload" | "variant">): string {
  return r.variant ? `${r.workload}-${r.variant}` : r.workload;
}

/** The system as a reader names it: `unroll/workers×2`, `tfjs-wasm`. */
export function systemName(r: Pick<BenchRecord, "system" | "backend" | "workers">): string {
  if (r.system !== "unroll") return r.system;
  return r.workers === null ? `unroll/${r.backend}` : `unroll/${r.backend}×${r.workers}`;
}

/** The columns, with the memory column of a process (peak RSS) or of the browser page. */
const columnsWith = (memory: Column): readonly Column[] => [
  { header: "case", cell: caseName, left: true },
  { header: "system", cell: systemName, left: true },
  { header: "ms/step", cell: (r) => ms(r.median_ms) },
  { header: "ms/window", cell: (r) => ms(r.window_median_ms) },
  { header: "ms/seq step", cell: (r) => fine(r.seq_step_ms) },
  { header: "GFLOP/s", cell: (r) => fixed(r.gflops, 2) },
  memory,
  { header: "× unroll/cpu", cell: (r) => fixed(r.ratio_to_unroll_cpu, 2) },
  { header: "n", cell: (r) => (r.repeats ? String(r.repeats) : "") },
  { header: "note", cell: rowNote, left: true },
];
const columns = columnsWith({ header: "peak RSS MB", cell: (r) => fixed(r.peak_rss_mb, 0) });
// a page has no RSS: what it can measure is its memory after the steps (absent: not measured)
const browserColumns = columnsWith({
  header: "page MB",
  cell: (r) => (r.status !== "ok" ? "" : r.page_memory_mb == null ? "not measured" : r.page_memory_mb.toFixed(0)),
});

/**
 * The rows as an aligned text table, a rule between cases. Times are medians;
 * `× unroll/cpu` is the row's time over unroll/cpu's on the same case. Rows
 * from the browser (`--browser`) show the page's memory instead of peak RSS,
 * and a row on a software WebGPU adapter says that its times say nothing about GPUs.
 */
export function formatTable(records: readonly BenchRecord[]): string {
  return layout(records.some((r) => r.browser !== undefined) ? browserColumns : columns, records);
}

function layout<R extends Pick<BenchRecord, "workload" | "variant">>(cols: readonly Column<R>[], records: readonly R[]): string {
  const cells = records.map((r) => cols.map((c) => c.cell(r)));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (row: readonly string[]): string =>
    row
      .map((text, i) => (cols[i].left ? text.padEnd(widths[i]) : text.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [line(cols.map((c) => c.header)), rule];
  records.forEach((r, i) => {
    if (i > 0 && caseName(records[i - 1]) !== caseName(r)) out.push("");
    out.push(line(cells[i]));
  });
  return out.join("\n");
}

const percent = (v: number | null): string => (v === null ? "" : `${(100 * v).toFixed(v < 0.1 ? 1 : 0)}%`);
const sideNote = (name: string, s: SideSummary): string => (s.status === "ok" ? "" : `${name} ${note(s)}`);

const comparisonColumns: readonly Column<ComparisonRecord>[] = [
  { header: "case", cell: caseName, left: true },
  { header: "system", cell: systemName, left: true },
  { header: "base ms", cell: (r) => ms(r.baseline.median_ms) },
  { header: "cur ms", cell: (r) => ms(r.current.median_ms) },
  { header: "cur/base", cell: (r) => fixed(r.ratio, 3) },
  { header: "± noise", cell: (r) => (r.noise === null ? "" : `±${fixed(r.noise, 3)}`) },
  { header: "verdict", cell: (r) => r.verdict ?? "", left: true },
  { header: "round ratios", cell: (r) => r.round_ratios.map((x) => x.toFixed(2)).join(" "), left: true },
  { header: "min c/b", cell: (r) => fixed(r.min_ratio, 3) },
  {
    header: "IQR base/cur",
    cell: (r) => (r.baseline.iqr_rel === null && r.current.iqr_rel === null ? "" : `${percent(r.baseline.iqr_rel)}/${percent(r.current.iqr_rel)}`),
  },
  { header: "RSS MB base/cur", cell: (r) => `${fixed(r.baseline.peak_rss_mb, 0)}/${fixed(r.current.peak_rss_mb, 0)}` },
  { header: "n base/cur", cell: (r) => `${r.baseline.repeats}/${r.current.repeats}` },
  { header: "note", cell: (r) => clip([sideNote("baseline", r.baseline), sideNote("current", r.current)].filter(Boolean).join("; ")), left: true },
];

/**
 * The comparison rows as an aligned text table: each build's median ms/step
 * (all rounds' steps pooled), their ratio with its noise and verdict, each
 * round's ratio, each side's step jitter (IQR over median), peak RSS and step
 * count, and the ratio of the fastest steps (`min c/b`).
 */
export function formatComparisonTable(records: readonly ComparisonRecord[]): string {
  return layout(comparisonColumns, records);
}

/** One line per case: what it runs, its sizes and its FLOPs per step. */
export function formatLegend(cases: readonly Workload[]): string {
  const width = Math.max(11, ...cases.map((w) => w.id.length));
  return cases
    .map((w) => {
      const sizes = `B=${w.batch} T=${w.steps} I=${w.input} H=${w.hidden} O=${w.output}`;
      return `${w.id.padEnd(width)} ${w.description}; ${sizes}; ${(stepFlops(w) / 1e9).toPrecision(3)} GFLOP/step`;
    })
    .join("\n");
}

/**
 * The lines under a `--browser` table: what each system is in the page, the
 * WebGPU adapters the rows ran on (a software one flagged: its times say
 * nothing about GPUs), and what the page's memory column is.
 */
export function browserNotes(records: readonly BenchRecord[]): string[] {
  const adapters = new Map<string, WebGpuAdapterInfo>();
  for (const r of records) if (r.adapter) adapters.set(JSON.stringify(r.adapter), r.adapter);
  return [
    `× unroll/cpu: time over unroll/cpu's in this run (> 1 is slower)`,
    `in the page: unroll/cpu on its main thread (float32 products on the WebAssembly SIMD GEMM), unroll/workers×2 on two module Web Workers, unroll/wasm×1 on the WebAssembly device on the main thread, unroll/wasm×2 on it and one Web Worker sharing its memory, unroll/webgpu on WebGPU`,
    ...[...adapters.values()].map((a) => `webgpu adapter: ${adapterName(a)}${isSoftwareAdapter(a) ? `; ${SOFTWARE_ADAPTER_NOTE}` : ""}`),
    `page MB: performance.measureUserAgentSpecificMemory() after the timed steps (JS heaps and array buffers of the page and its workers; GPU buffers not counted; not a peak); not measured on unroll/wasm×2, whose worker never returns to its event loop, which the measurement waits for`,
  ];
}
