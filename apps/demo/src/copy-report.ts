import type { ModelSpec } from "@unroll/ir";
import type { CopyMethod } from "./copy-methods.js";
import type { CopyRunOptions } from "./copy-task.js";
import { learnedText, type MethodRun } from "./method-run.js";
import { renderReport } from "./html-report.js";
import { alignPoints, type ChartLine, type LineChart } from "@unroll/demo-kit";

/** What a copy run's report shows. */
export interface CopyReportData {
  /** The paragraph describing the run. */
  readonly intro: string;
  /** Each method's run, in the order they ran. */
  readonly runs: readonly MethodRun[];
  /** The run's options. */
  readonly options: CopyRunOptions;
  /** Accuracy of a guess, 1/S. */
  readonly chance: number;
  /** Sequences in the held-out batch. */
  readonly heldOut: number;
  /** The gradient norm clip every method used. */
  readonly clipNorm: number;
  /** The model spec. */
  readonly model: ModelSpec;
}

/** Each method's line: RTRL dashed, so that full BPTT shows beneath it where the two coincide (one RTRL update per batch is BPTT's update). */
const style: { readonly [K in CopyMethod]: Pick<ChartLine, "color" | "dash"> } = {
  bptt: { color: "#1f77b4" },
  tbptt: { color: "#d62728" },
  rtrl: { color: "#2ca02c", dash: [6, 4] },
  snap1: { color: "#9467bd" },
};

/** The HTML report of a copy run: the methods' final scores, their learning curves side by side, settings and model. */
export function copyReport(d: CopyReportData): string {
  const o = d.options;
  const last = Math.max(1, ...d.runs.map((r) => r.batches));
  const xLabel = "sequence batches trained on (one update each for full BPTT and RTRL)";
  // a chance line across the runs, and each method's curve of `value`
  const chart = (yLabel: string, chance: number, value: (p: MethodRun["curve"][number]) => number): LineChart => ({
    spec: {
      xLabel,
      yLabel,
      lines: [
        { name: "chance", color: "#999", width: 1, dash: [6, 4] },
        ...d.runs.map((r) => ({ name: `${r.label}: ${r.updates} updates`, ...style[r.method] })),
      ],
    },
    data: alignPoints([
      [
        [0, chance],
        [last, chance],
      ],
      ...d.runs.map((r) => r.curve.map((p) => [p.batch, value(p)] as const)),
    ]),
  });
  return renderReport({
    title: `unroll demo: recalling a symbol across ${o.lag} steps`,
    intro: d.intro,
    summary: d.runs.map((r) => [
      r.label,
      `recall accuracy ${(100 * r.final.accuracy).toFixed(1)}%, recall loss ${r.final.loss.toFixed(3)} nats after ${r.batches} batches ` +
        `(${r.updates} updates, ${r.seconds.toFixed(1)} s); ${learnedText(r)}`,
    ]),
    charts: [
      {
        caption:
          `Held-out recall accuracy at step ${o.lag} against sequence batches, every method on the same batches from the same weights; ` +
          `chance is ${(100 * d.chance).toFixed(0)}%.` +
          (d.runs.some((r) => r.method === "tbptt")
            ? ` Truncated BPTT takes ${Math.ceil((o.lag + 1) / o.window)} updates per batch, yet its gradients never reach back from step ${o.lag} to the cue at step 0.`
            : ""),
        chart: chart("recall accuracy (%)", 100 * d.chance, (p) => 100 * p.accuracy),
      },
      {
        caption: `Held-out recall loss: -ln of the probability given to the cue among the ${o.symbols} symbols at step ${o.lag}; chance is ln ${o.symbols}.`,
        chart: chart("recall loss (nats)", Math.log(o.symbols), (p) => p.loss),
      },
    ],
    settings: [
      ["cell", o.cell],
      ["hidden", String(o.hidden)],
      ["layers", String(o.layers)],
      ["lag", `${o.lag} (sequences of ${o.lag + 1} steps)`],
      ["symbols", String(o.symbols)],
      ["sequences per batch", String(o.batch)],
      ["batches per method", String(o.batches)],
      ["truncated BPTT window", String(o.window)],
      ["RTRL updates", o.updateEvery === undefined ? "one per batch" : `every ${o.updateEvery} step${o.updateEvery === 1 ? "" : "s"}`],
      ["optimizer", `${o.optimizer}, lr ${o.lr}, gradient norm clipped at ${d.clipNorm}`],
      ["held-out batch", `${d.heldOut} sequences, scored every ${o.evalEvery} batches`],
      ["seed", String(o.seed)],
      ["backend", o.backend],
    ],
    model: d.model,
  });
}
