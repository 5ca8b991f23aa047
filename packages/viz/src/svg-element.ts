import { escapeXml } from "./escape-xml.js";

/** Attribute values of an element; `undefined` and `false` leave the attribute out. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** A number as an SVG coordinate: at most one decimal, no `-0`. */
export function coordinate(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite coordinate: ${n}`);
  const r = Math.round(n * 10) / 10;
  return String(r === 0 ? 0 : r);
}

function attributeText(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? coordinate(v) : v === true ? k : escapeXml(v as string)}"`)
    .join("");
}

/** One XML element as text. Attribute values are escaped; `children` are markup (wrap plain text in {@link text}). */
export function element(tag: string, attrs: Attributes, ...children: readonly string[]): string {
  const body = children.join("");
  return body === "" ? `<${tag}${attributeText(attrs)}/>` : `<${tag}${attributeText(attrs)}>${body}</${tag}>`;
}

/** A text node: escaped content. */
export function text(content: string): string {
  return escapeXml(content);
}

/** A `<title>` child: the tooltip of its parent. */
export function tooltip(content: string): string {
  return element("title", {}, text(content));
}
