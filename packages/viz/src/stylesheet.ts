/**
 * The class on every drawing's root `<svg>`. Its stylesheet is scoped under it,
 * so a drawing inlined into a page (the web demo) styles itself and nothing else.
 */
export const ROOT_CLASS = "unroll-viz";

const palette = {
  ink: "#1c2430",
  muted: "#566173",
  line: "#8c96a5",
  data: "#1f5fa8",
  carry: "#b0500a",
  output: "#2d7d46",
  loss: "#a3226b",
  grad: "#6b3fa0",
  cut: "#c62828",
};

/**
 * The styles of both drawings, embedded in each SVG so that a file opened on its
 * own looks the same as the drawing in a page. Classes: `box-*` are the values of
 * a step graph, `edge-*` its arrows, `cell-*`, `pass-*`, `cut` and `checkpoint`
 * the parts of an unrolled window, `legend-*` the legend's swatches.
 */
export const stylesheet = `
.${ROOT_CLASS} { font-family: ui-monospace, Menlo, Consolas, DejaVu Sans Mono, monospace; font-size: 11px; }
.${ROOT_CLASS} text { fill: ${palette.ink}; }
.${ROOT_CLASS} .center { text-anchor: middle; }
.${ROOT_CLASS} .sub { fill: ${palette.muted}; font-size: 10px; }
.${ROOT_CLASS} .heading { font-size: 13px; font-weight: bold; }
.${ROOT_CLASS} .note { fill: ${palette.muted}; }
.${ROOT_CLASS} rect.shape { fill: #fff; stroke: #7b8696; stroke-width: 1; }
.${ROOT_CLASS} .box-xs rect.shape, .${ROOT_CLASS} .legend-xs rect { fill: #e3eefb; stroke: ${palette.data}; }
.${ROOT_CLASS} .box-sequence rect.shape, .${ROOT_CLASS} .legend-sequence rect { fill: #e3eefb; stroke: ${palette.data}; stroke-dasharray: 4 2; }
.${ROOT_CLASS} .box-param rect.shape, .${ROOT_CLASS} .legend-param rect { fill: #f1f2f4; stroke: #a9b1bd; stroke-dasharray: 3 2; }
.${ROOT_CLASS} .box-carry rect.shape, .${ROOT_CLASS} .legend-carry rect { fill: #fdebdc; stroke: ${palette.carry}; stroke-width: 2.5; }
.${ROOT_CLASS} .box-op rect.shape, .${ROOT_CLASS} .legend-op rect { fill: #fff; stroke: #7b8696; }
.${ROOT_CLASS} .legend-update rect { fill: #fff; }
.${ROOT_CLASS} .role-update rect.shape, .${ROOT_CLASS} .legend-update rect { stroke: ${palette.carry}; stroke-width: 2; }
.${ROOT_CLASS} .box-output rect.shape, .${ROOT_CLASS} .legend-output rect { fill: #e7f5ec; stroke: ${palette.output}; stroke-width: 2; }
.${ROOT_CLASS} .role-loss rect.shape, .${ROOT_CLASS} .legend-loss rect { fill: #fbe4f0; stroke: ${palette.loss}; stroke-width: 2.5; }
.${ROOT_CLASS} .cluster rect { fill: #f7f8fa; stroke: #c3cad4; stroke-width: 1; }
.${ROOT_CLASS} .cluster rect.label-patch { fill: #fff; stroke: none; }
.${ROOT_CLASS} .cluster text { font-weight: bold; fill: ${palette.muted}; }
.${ROOT_CLASS} path.edge, .${ROOT_CLASS} line.edge { fill: none; stroke: ${palette.line}; stroke-width: 1.2; }
.${ROOT_CLASS} .edge-output { stroke: ${palette.output}; }
.${ROOT_CLASS} .edge-sequence { stroke: ${palette.data}; stroke-width: 1.6; }
.${ROOT_CLASS} .edge-update, .${ROOT_CLASS} .edge-carry { stroke: ${palette.carry}; stroke-width: 2; }
.${ROOT_CLASS} .edge-update { stroke-dasharray: 6 4; }
.${ROOT_CLASS} .edge-grad { stroke: ${palette.grad}; stroke-width: 2; }
.${ROOT_CLASS} .legend line { fill: none; stroke: ${palette.line}; stroke-width: 1.2; }
.${ROOT_CLASS} .legend-recurrence line, .${ROOT_CLASS} .legend-carry-edge line { stroke: ${palette.carry}; stroke-width: 2; }
.${ROOT_CLASS} .legend-recurrence line { stroke-dasharray: 6 4; }
.${ROOT_CLASS} .legend-grad line { stroke: ${palette.grad}; stroke-width: 2; }
.${ROOT_CLASS} .legend-sequence-edge line { stroke: ${palette.data}; stroke-width: 1.6; }
.${ROOT_CLASS} .arrow path { fill: ${palette.line}; }
.${ROOT_CLASS} .arrow-carry path { fill: ${palette.carry}; }
.${ROOT_CLASS} .arrow-grad path { fill: ${palette.grad}; }
.${ROOT_CLASS} .arrow-data path { fill: ${palette.data}; }
.${ROOT_CLASS} .arrow-output path { fill: ${palette.output}; }
.${ROOT_CLASS} .cell-forward rect, .${ROOT_CLASS} .legend-forward rect { fill: #fdebdc; stroke: ${palette.carry}; }
.${ROOT_CLASS} .cell-backward rect, .${ROOT_CLASS} .legend-backward rect { fill: #efe8f7; stroke: ${palette.grad}; }
.${ROOT_CLASS} .cell-backward.loss-step rect, .${ROOT_CLASS} .legend-loss-step rect { stroke: ${palette.loss}; stroke-width: 2.5; }
.${ROOT_CLASS} .pass rect { stroke-width: 1; }
.${ROOT_CLASS} .pass-forward rect { fill: #fdebdc; stroke: ${palette.carry}; }
.${ROOT_CLASS} .pass-backward rect { fill: #efe8f7; stroke: ${palette.grad}; }
.${ROOT_CLASS} .pass-recompute rect, .${ROOT_CLASS} .legend-recompute rect { fill: #fff4c2; stroke: #a07c00; stroke-dasharray: 4 2; }
.${ROOT_CLASS} .legend-loss-step rect { fill: #efe8f7; }
.${ROOT_CLASS} .pass .bracket { fill: none; stroke: ${palette.grad}; stroke-width: 1; }
.${ROOT_CLASS} .column-guide { stroke: #eef0f3; stroke-width: 1; }
.${ROOT_CLASS} .section { font-weight: bold; fill: ${palette.muted}; }
.${ROOT_CLASS} .checkpoint path, .${ROOT_CLASS} .legend-checkpoint path { fill: #a07c00; }
.${ROOT_CLASS} .window-band rect.band { fill: #f7f8fa; stroke: #c3cad4; }
.${ROOT_CLASS} .window-band rect.span { fill: #eef1f6; stroke: none; }
.${ROOT_CLASS} .window-boundary { stroke: #9aa3b0; stroke-width: 1; stroke-dasharray: 2 3; }
.${ROOT_CLASS} .cut line, .${ROOT_CLASS} .legend-cut line { stroke: ${palette.cut}; stroke-width: 2.5; stroke-dasharray: 7 4; }
.${ROOT_CLASS} .cut text { fill: ${palette.cut}; font-weight: bold; }
`;
