import { describe, expect, it } from "vitest";
import { textReport, type TextReportData } from "../src/text-report.js";
import { lineNames, reportCharts, selfContained } from "./report-charts.js";

describe("the text report", () => {
  const base: TextReportData = {
    corpusName: "t.txt",
    intro: "intro <&>",
    losses: [4, 3.5, 3, 2.5],
    recent: 2,
    vocabSize: 50,
    samples: [{ step: 2, loss: 3.2, text: "a </script> b" }],
    finalSample: "fin",
    steps: 4,
    epochs: 0,
    seconds: 1,
    settings: { text: null, cell: "gru", hidden: 8, layers: 1, window: 3, batch: 2, optimizer: "adam", lr: 0.01, seed: 1 },
    backend: "cpu",
    temperature: 0.8,
    model: { input: 50, layers: [{ cell: "gru", hidden: 8 }] },
  };

  it("embeds the loss curve for uPlot, inlined with its script, nothing loaded from elsewhere", () => {
    const html = textReport(base);
    expect(selfContained(html)).toBe(true);
    expect(html).toContain("intro &#60;&#38;&#62;");
    expect(html.match(/<\/script>/g), "the sample's </script> is escaped text, not an end tag").toHaveLength(3);
    const [loss, ...rest] = reportCharts(html);
    expect(rest).toEqual([]);
    expect(lineNames(loss)).toEqual(["loss per step", "mean of the last 2 steps", "uniform guess, ln 50"]);
    expect(loss.data).toEqual([
      [1, 2, 3, 4],
      [4, 3.5, 3, 2.5],
      [4, 3.75, 3.25, 2.75],
      [Math.log(50), Math.log(50), Math.log(50), Math.log(50)],
    ]);
  });

  it("plots the last step's delta norms against the steps back from the window's end, on a log scale", () => {
    const deltaNorms = { "layers.0.h": [0.01, 0.1, 1], "layers.0.c": [0.5, 0, 2] };
    const [, flow] = reportCharts(textReport({ ...base, lastFlow: { step: 4, deltaNorms } }));
    expect(flow.options.scales?.y?.distr).toBe(3);
    expect(lineNames(flow)).toEqual(["layers.0.c", "layers.0.h"]);
    // x = steps back: the window's last step first; a zero norm cannot be drawn on a log scale
    expect(flow.data).toEqual([
      [0, 1, 2],
      [2, null, 0.5],
      [1, 0.1, 0.01],
    ]);
  });
});
