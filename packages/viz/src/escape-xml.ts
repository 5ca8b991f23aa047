/** The characters XML 1.0 can hold (its `Char` production): not most control characters, lone surrogates, U+FFFE or U+FFFF. */
function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const references: Readonly<Record<string, string>> = { "&": "&#38;", "<": "&#60;", ">": "&#62;", '"': "&#34;", "'": "&#39;" };

/**
 * Escapes text for XML content and attribute values (SVG and XHTML): `&`, `<`,
 * `>`, `"` and `'` become character references, and characters XML cannot hold
 * at all become U+FFFD, so that any id a graph may carry gives a well-formed document.
 */
export function escapeXml(text: string): string {
  let out = "";
  // for...of visits code points: a surrogate pair is one character, a lone surrogate stays alone
  for (const ch of text) out += references[ch] ?? (isXmlChar(ch.codePointAt(0)!) ? ch : "\uFFFD");
  return out;
}
