import { element, text } from "./svg-element.js";

/**
 * A standalone page showing drawings: a title and each SVG inline, with no
 * script and nothing fetched. Written as polyglot XHTML (it also parses as
 * XML), so tools and tests can read it with an XML parser.
 */
export function htmlPage(title: string, svgs: readonly string[]): string {
  const style = "body { margin: 1rem; font-family: system-ui, sans-serif; color: #1c2430; } figure { margin: 0 0 1.5rem; overflow-x: auto; }";
  return (
    "<!DOCTYPE html>\n" +
    element(
      "html",
      { xmlns: "http://www.w3.org/1999/xhtml", lang: "en" },
      element("head", {}, element("meta", { charset: "utf-8" }), element("title", {}, text(title)), element("style", {}, text(style))),
      element("body", {}, element("h1", {}, text(title)), ...svgs.map((svg) => element("figure", {}, svg))),
    ) +
    "\n"
  );
}
