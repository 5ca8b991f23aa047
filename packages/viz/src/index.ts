/**
 * `@unroll/viz`: drawings of a model as SVG strings, made by pure functions
 * (no DOM: they run in Node and in the browser). {@link stepGraphSvg} draws the
 * step graph of every stage; {@link windowSvg} draws a window unrolled over
 * time as the scheduler runs it ({@link windowDiagram}); {@link htmlPage} wraps
 * drawings in a standalone page.
 * @packageDocumentation
 */
export { stepGraphSvg } from "./step-graph-svg.js";
export { windowSvg } from "./window-svg.js";
export { windowDiagram, type DiagramWindow, type ScanPass, type WindowDiagram, type WindowDiagramOptions, type WindowDiagramStage } from "./window-diagram.js";
export { htmlPage } from "./html-page.js";
export type { DrawOptions } from "./svg-document.js";
export { ROOT_CLASS } from "./stylesheet.js";
export { escapeXml } from "./escape-xml.js";
export {
  stepDiagram,
  type BoxKind,
  type BoxRole,
  type DiagramBox,
  type DiagramEdge,
  type DiagramEdgeKind,
  type DiagramStage,
  type StepDiagram,
} from "./step-diagram.js";
export { layoutStepDiagram, type PlacedBox, type PlacedEdge, type PlacedStage, type Point, type Rect, type StepLayout } from "./layout-step-diagram.js";
