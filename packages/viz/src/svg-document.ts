import { element, text } from "./svg-element.js";
import { ROOT_CLASS, stylesheet } from "./stylesheet.js";

/** How a drawing is presented: its accessible name and the hooks of the page it goes into. */
export interface DrawOptions {
  /** The drawing's title (its accessible name, and the tooltip of the whole picture). Default: one naming what is drawn. */
  readonly title?: string;
  /** A longer description for screen readers. Default: a summary of what is drawn. */
  readonly description?: string;
  /** Extra classes on the root `<svg>`, for the page's own layout CSS (the web demo's `graph-svg`). */
  readonly className?: string;
  /**
   * Prefix of the ids inside the drawing (arrow markers, title): give each
   * drawing inlined into one page its own. Default `"unroll-viz"`.
   */
  readonly idPrefix?: string;
  /** Draw the legend. Default true. */
  readonly legend?: boolean;
}

/** The arrowheads a drawing can use, by class; the marker of class `c` has id `${prefix}-${c}`. */
export const arrowClasses = ["arrow", "arrow-carry", "arrow-grad", "arrow-data", "arrow-output"] as const;

/** One of {@link arrowClasses}. */
export type ArrowClass = (typeof arrowClasses)[number];

/** The `marker-end` attribute value of an arrowhead. */
export function arrowRef(prefix: string, arrow: ArrowClass): string {
  return `url(#${prefix}-${arrow})`;
}

/** A whole SVG document: the root element with its size, title, description, stylesheet and arrowheads around `body`. */
export function svgDocument(opts: {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly description: string;
  readonly className?: string;
  readonly idPrefix: string;
  readonly kind: string;
  readonly body: readonly string[];
}): string {
  const { width, height, idPrefix: p } = opts;
  const marker = (cls: ArrowClass): string =>
    element(
      "marker",
      { id: `${p}-${cls}`, class: cls, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      element("path", { d: "M0,0 L10,5 L0,10 z" }),
    );
  return element(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      class: [ROOT_CLASS, opts.kind, opts.className].filter(Boolean).join(" "),
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
      width: Math.ceil(width),
      height: Math.ceil(height),
      role: "img",
      "aria-labelledby": `${p}-title ${p}-desc`,
    },
    element("title", { id: `${p}-title` }, text(opts.title)),
    element("desc", { id: `${p}-desc` }, text(opts.description)),
    element("style", {}, text(stylesheet)),
    element("defs", {}, ...arrowClasses.map(marker)),
    element("rect", { class: "background", x: 0, y: 0, width: Math.ceil(width), height: Math.ceil(height), fill: "#ffffff" }),
    ...opts.body,
  );
}
