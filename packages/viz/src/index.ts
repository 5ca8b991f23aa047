/**
 * `@unroll/viz`: drawings of a model as SVG strings, made by pure functions
 * (no DOM: they run in Node and in the browser). {@link stepGraphSvg} draws the
 * step graph of every stage; {@link windowSvg} draws a window unrolled over
 * time as the scheduler runs it; {@link htmlPage} wraps drawings in a page.
 * @packageDocumentation
 */
export * from "./escape-xml.js";
export * from "./svg-document.js";
export * from "./step-diagram.js";
export * from "./layout-step-diagram.js";
export * from "./step-graph-svg.js";
export * from "./window-diagram.js";
export * from "./window-svg.js";
export * from "./html-page.js";
