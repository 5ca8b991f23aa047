import type { ModelSpec } from "@unroll/ir";
import { renderReport, type ReportChart, type SampleRecord } from "./html-report.js";
import { describeSettings, type TextSettings } from "./settings.js";
import { LossCurve, stepsBackChart } from "@unroll/demo-kit";

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
  /** The gradient flow of the last optimizer step: `‖∂L/∂h_t‖` by state over its window (`StepReport.deltaNorms`), and that step. */
  readonly lastFlow?: { readonly step: number; readonly deltaNorms: Readonly<Record<string, readonly number[]>> };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The HTML report of a text run: summary, loss curve, samples over time, settings and model. */
export function textReport(d: TextReportData): string {
  const { losses, recent } = d;
  const finalLoss = losses.length > 0 ? mean(losses.slice(-recent)) : NaN;
  const curve = new LossCurve(d.vocabSize, recent);
  losses.forEach((l, i) => curve.add(i + 1, l));
  const charts: ReportChart[] = [
    { caption: "Training loss: cross-entropy of the next character, per optimizer step (one window of every stream).", chart: curve.chart() },
  ];
  if (d.lastFlow) {
    charts.push({
      caption:
        `Gradient flow through time at step ${d.lastFlow.step}, the last one: the norm of the gradient of the window's loss with respect to each state ` +
        `at each step of the window, against the steps back from the window's last step (log scale). A falling line is a vanishing gradient; ` +
        `nothing flows past the window's first step (truncated BPTT).`,
      chart: stepsBackChart(d.lastFlow.deltaNorms),
    });
  }
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
    charts,
    samples: d.samples,
    finalSample: d.finalSample,
    settings: [...describeSettings(d.settings), ["sample temperature", String(d.temperature)]],
    model: d.model,
  });
}
