/**
 * Terminal column widths, to cut a line to a panel before Ink sees it. string-width measures (graphemes,
 * emoji sequences, East Asian widths, ANSI codes as zero). The cutting stays here: Ink 6's truncation
 * (cli-truncate 5) keeps a wide character that straddles the cut and then adds "…", one column too many,
 * which pushes a panel's border out of line; the fixed versions need Node 22 (test/unit/textWidth.test.ts
 * shows it). Agent output is full of emoji and CJK text, so panels cut their own lines.
 */
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter();

export function textWidth(text: string): number {
  return stringWidth(text);
}

/** `text` cut to at most `columns` columns, ending in "…" when something was cut. */
export function fitWidth(text: string, columns: number): string {
  if (columns <= 0) return '';
  if (stringWidth(text) <= columns) return text;
  let out = '';
  let width = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (width + w > columns - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}
