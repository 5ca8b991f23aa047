/** Font size of box labels, px. */
export const FONT_SIZE = 11;

/** Advance of one character of the monospace label font, px (0.6 em, as DejaVu Sans Mono and Menlo). */
const CHAR_WIDTH = FONT_SIZE * 0.6;

/**
 * The width a label takes, px. The drawing has no font metrics (it runs without
 * a DOM), so its labels use a monospace font whose advance is known.
 */
export function textWidth(label: string, fontSize = FONT_SIZE): number {
  return [...label].length * CHAR_WIDTH * (fontSize / FONT_SIZE);
}
