import { DOMParser, type Document, type Element } from "@xmldom/xmldom";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Parses a drawing with xmldom, failing on any error or warning; checks on top
 * what xmldom lets through (a bare `&`), that the root is an `<svg>` in the SVG
 * namespace with a finite size, and that no attribute holds `NaN` or `undefined`.
 */
export function parseSvg(svg: string): Document {
  const doc = parseXml(svg, "image/svg+xml");
  const root = doc.documentElement!;
  if (root.localName !== "svg" || root.namespaceURI !== SVG_NS) throw new Error(`root is <${root.tagName}> in ${root.namespaceURI}, not an SVG <svg>`);
  for (const a of ["width", "height"]) if (!(Number(root.getAttribute(a)) > 0)) throw new Error(`<svg ${a}="${root.getAttribute(a)}">`);
  return doc;
}

/** Parses XML strictly (see {@link parseSvg}). */
export function parseXml(text: string, mime: "image/svg+xml" | "application/xhtml+xml" | "text/xml" = "text/xml"): Document {
  const bare = /&(?!(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);)/.exec(text);
  if (bare) throw new Error(`a bare & at ${bare.index}: ${text.slice(bare.index, bare.index + 20)}`);
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(text, mime);
  for (const el of all(doc)) {
    for (let i = 0; i < el.attributes.length; i++) {
      const { name, value } = el.attributes[i];
      if (/NaN|undefined|Infinity/.test(value)) throw new Error(`<${el.tagName} ${name}="${value}">`);
    }
  }
  return doc;
}

/** Every element of a document, in document order. */
export function all(doc: Document): Element[] {
  return Array.from(doc.getElementsByTagName("*"));
}

/** The elements that have every one of `classes` (space-separated) in their class attribute. */
export function byClass(doc: Document, classes: string): Element[] {
  const wanted = classes.split(" ");
  return all(doc).filter((el) => {
    const has = (el.getAttribute("class") ?? "").split(/\s+/);
    return wanted.every((c) => has.includes(c));
  });
}
