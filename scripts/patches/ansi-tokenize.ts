/**
 * What Ink's output gets for `@alcalzone/ansi-tokenize` in the bundle: the same package, with a
 * styledCharsToString that skips the style diff between two cells of the same style. Ink turns every
 * row of every frame into a string through it, a cell at a time, and the package's diff builds three
 * Sets and two arrays for each cell: on a 160×45 grid that was ~35 ms of the first frame and the
 * largest part of each redraw (CPU profile of `npm run bench`). Nearly all neighbouring cells share
 * their style, and the diff of equal styles is empty, so the string is the same
 * (test/unit/styledChars.test.ts compares the two on random styled rows).
 */
import { ansiCodesToString, diffAnsiCodes, type AnsiCode, type StyledChar } from '@alcalzone/ansi-tokenize';

export * from '@alcalzone/ansi-tokenize';

const NO_STYLES: AnsiCode[] = [];

function sameStyles(a: readonly AnsiCode[], b: readonly AnsiCode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.code !== b[i]!.code || a[i]!.endCode !== b[i]!.endCode) return false;
  return true;
}

export function styledCharsToString(chars: StyledChar[]): string {
  let out = '';
  let styles = NO_STYLES;
  for (const char of chars) {
    if (!sameStyles(styles, char.styles)) out += ansiCodesToString(diffAnsiCodes(styles, char.styles));
    out += char.value;
    styles = char.styles;
  }
  // The styles still on at the end of the row are turned off.
  if (styles.length > 0) out += ansiCodesToString(diffAnsiCodes(styles, NO_STYLES));
  return out;
}
