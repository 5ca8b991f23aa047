import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** uPlot's browser build and its stylesheet, as text to inline in a page. */
export interface UplotAssets {
  /** The IIFE build: defines the global `uPlot`. */
  readonly script: string;
  /** The stylesheet. */
  readonly css: string;
}

const require = createRequire(import.meta.url);

/** Reads uPlot's minified IIFE build and stylesheet from node_modules, so that a report needs no network. */
export function readUplotAssets(): UplotAssets {
  const read = (file: string): string => readFileSync(require.resolve(`uplot/dist/${file}`), "utf8");
  return { script: read("uPlot.iife.min.js"), css: read("uPlot.min.css") };
}
