/**
 * `@unroll/demo-kit`: what the terminal demo and the web demo share. A
 * character-level language model ({@link charModelSpec}) on a text read as
 * parallel streams ({@link CharVocab}, {@link TextStreams}), trained with
 * stateful truncated BPTT ({@link trainStreams}), sampled with a temperature
 * ({@link sampleText}); and the uPlot charts of the report and of the web page
 * ({@link chartOptions}, {@link LossCurve}, {@link stepsBackChart}).
 * Everything here runs in Node and in a browser.
 * @packageDocumentation
 */
export * from "./char-vocab.js";
export * from "./char-model.js";
export * from "./stream-source.js";
export * from "./text-streams.js";
export * from "./sample-text.js";
export * from "./train-streams.js";
export * from "./text-settings.js";
export * from "./charts/line-chart.js";
export * from "./charts/loss-curve.js";
export * from "./charts/steps-back-chart.js";
