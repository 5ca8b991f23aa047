import type { ModelSpec } from "@unroll/ir";
import { renderReport, type SampleRecord } from "./html-report.js";
import { describeSettings, type TextSettings } from "./settings.js";
import { lineChart } from "./svg-chart.js";

/** What a text run's report shows. */
export interface TextReportData {
  /** File name of the text. */
  readonly corpusName: string;
  /** The sentence describing the run. */
  readonly intro: string;
  /** Loss of every step, step 1 first. */
  readonly losses: readonly number[];
  /** Steps averaged for the smoothed curve and the final loss. */
  readonly recent: number;
  /** Vocabulary size V: a uniform guess scores ln V. */
  readonly vocabSize: number;
  /** Samples taken during training. */
  readonly samples: readonly SampleRecord[];
  /** A longer sample from the final model. */
  readonly finalSample: string;
  /** Steps done, passes over the text, seconds of training in all. */
  readonly steps: number;
  /** Completed passes over the text. */
  readonly epochs: number;
  /** Training time in all, in seconds. */
  readonly seconds: number;
  /** The run's settings and the options that do not define it. */
  readonly settings: TextSettings;
  /** Backend name. */
  readonly backend: string;
  /** Sampling temperature. */
  readonly temperature: number;
  /** The model spec. */
  readonly model: ModelSpec;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The HTML report of a text run: summary, loss curve, samples over time, settings and model. */
export function textReport(d: TextReportData): string {
  const { losses, recent } = d;
  const uniform = Math.log(d.vocabSize);
  const finalLoss = losses.length > 0 ? mean(losses.slice(-recent)) : NaN;
  const chart = lineChart(
    [
      { name: "loss per step", points: losses.map((l, i) => [i + 1, l] as const), color: "#1f77b4", width: 1, opacity: 0.35 },
      {
        name: `mean of the last ${recent} steps`,
        points: losses.map((_, i) => [i + 1, mean(losses.slice(Math.max(0, i + 1 - recent), i + 1))] as const),
        color: "#1f77b4",
      },
      {
        name: `uniform guess, ln ${d.vocabSize}`,
        points: [
          [1, uniform],
          [Math.max(2, losses.length), uniform],
        ],
        color: "#999",
        dashed: true,
        width: 1,
      },
    ],
    { xLabel: "optimizer step", yLabel: "cross-entropy (nats per character)" },
  );
  return renderReport({
    title: `unroll demo: learning to write ${d.corpusName}`,
    intro: d.intro,
    summary: [
      ["final loss", `${finalLoss.toFixed(3)} nats/char (mean of the last ${Math.min(recent, losses.length)} steps)`],
      ["loss at step 1", losses.length > 0 ? losses[0].toFixed(3) : "-"],
      ["steps", `${d.steps} (${d.epochs} full passes over the text)`],
      ["training time", `${d.seconds.toFixed(1)} s`],
      ["backend", d.backend],
    ],
    charts: [{ caption: "Training loss: cross-entropy of the next character, per optimizer step (one window of every stream).", svg: chart }],
    samples: d.samples,
    finalSample: d.finalSample,
    settings: [...describeSettings(d.settings), ["sample temperature", String(d.temperature)]],
    model: d.model,
  });
}
