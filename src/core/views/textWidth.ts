/**
 * Terminal column widths, to cut a line to a panel before Ink sees it. string-width measures (graphemes,
 * emoji sequences, East Asian widths, ANSI codes as zero). The cutting stays here: Ink 6's truncation
 * (cli-truncate 5) keeps a wide character that straddles the cut and then adds "…", one column too many,
 * which pushes a panel's border out of line; the fixed versions need Node 22 (test/unit/textWidth.test.ts
 * shows it). Agent output is full of emoji and CJK text, so panels cut their own lines.
 */
import stringWidth from 'string-width';

/**
 * Characters one column wide as string-width measures them (test/unit/textWidth.test.ts checks every
 * one): printable ASCII, Latin-1 and Latin Extended-A letters (not the soft hyphen), arrows, box
 * drawing and block elements (Ink's borders), geometric shapes (the state badges), curly quotes (every
 * panel's last message is in them), and the glyphs muxctl draws itself. A line of only these
 * is measured by its length: string-width needs an Intl.Segmenter for anything else, and making the
 * first one costs ~35 ms, a third of `muxctl status`, and its emoji pattern as much again.
 */
export const ONE_COLUMN_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0xa0, 0xac],
  [0xae, 0x17f],
  [0x2190, 0x21ff],
  [0x2500, 0x259f],
  [0x25a0, 0x25fc],
];
export const ONE_COLUMN_GLYPHS = '·…—–−‘’“”›❯✓✗✔✖✉⚠⚑≈×≥⏎';
const hex = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;
const PLAIN = new RegExp(`^[${ONE_COLUMN_RANGES.map(([from, to]) => `${hex(from)}-${hex(to)}`).join('')}${ONE_COLUMN_GLYPHS}]*$`);

/** The width of a line of one-column characters, which is its length; undefined for any other line. */
export function plainWidth(text: string): number | undefined {
  return PLAIN.test(text) ? text.length : undefined;
}

let segmenter: Intl.Segmenter | undefined;
const graphemes = (text: string): Intl.Segments => (segmenter ??= new Intl.Segmenter()).segment(text);

export function textWidth(text: string): number {
  return plainWidth(text) ?? stringWidth(text);
}

/** `text` cut to at most `columns` columns, ending in "…" when something was cut. */
export function fitWidth(text: string, columns: number): string {
  if (columns <= 0) return '';
  if (PLAIN.test(text)) return text.length <= columns ? text : `${text.slice(0, columns - 1)}…`;
  if (stringWidth(text) <= columns) return text;
  let out = '';
  let width = 0;
  for (const { segment } of graphemes(text)) {
    const w = stringWidth(segment);
    if (width + w > columns - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

/**
 * `text` on at most `maxLines` lines of at most `columns` columns, broken between words (a word longer
 * than a line is cut); the last line ends in "…" when something did not fit. Control characters and
 * line breaks inside `text` read as spaces: a line drawn is one line on the screen.
 */
export function wrapText(text: string, columns: number, maxLines: number): string[] {
  if (columns <= 0 || maxLines <= 0) return [];
  const words = oneLine(text).split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`;
    if (textWidth(next) <= columns) {
      line = next;
      continue;
    }
    if (line !== '') lines.push(line);
    line = textWidth(word) <= columns ? word : fitWidth(word, columns);
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1] ?? '';
  kept[maxLines - 1] = textWidth(last) + 1 <= columns ? `${last}…` : fitWidth(`${last}…`, columns);
  return kept;
}

/** Tabs, line breaks and other control characters as single spaces: text that stays on one line. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
