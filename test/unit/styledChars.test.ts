/**
 * The bundle's styledCharsToString (scripts/patches/ansi-tokenize.ts) must give Ink the very string the
 * package's own gives, for any row: it only skips diffs between cells of equal style.
 */
import { describe, expect, it } from 'vitest';
import * as real from '@alcalzone/ansi-tokenize';
import { styledCharsToString } from '../../scripts/patches/ansi-tokenize.js';

const CODES = ['\u001B[1m', '\u001B[2m', '\u001B[22m', '\u001B[3m', '\u001B[4m', '\u001B[24m', '\u001B[7m', '\u001B[31m', '\u001B[32m', '\u001B[39m', '\u001B[38;5;208m', '\u001B[44m', '\u001B[49m', '\u001B[0m'];
const TEXT = ['a', 'b', ' ', '─', '│', '●', '日', '🙂', 'é'];

/** A small deterministic generator, so a failure can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** A row as Ink's output builds one: cells from several styled lines side by side, blank cells between. */
function row(next: () => number): real.StyledChar[] {
  const cells: real.StyledChar[] = [];
  const pieces = 1 + Math.floor(next() * 4);
  for (let p = 0; p < pieces; p++) {
    let line = '';
    const length = Math.floor(next() * 30);
    for (let i = 0; i < length; i++) line += next() < 0.3 ? CODES[Math.floor(next() * CODES.length)] : TEXT[Math.floor(next() * TEXT.length)];
    cells.push(...real.styledCharsFromTokens(real.tokenize(line)));
    const blanks = Math.floor(next() * 3);
    for (let i = 0; i < blanks; i++) cells.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
  }
  return cells;
}

describe("the bundle's styledCharsToString", () => {
  it('gives the same string as the package for 2,000 random rows', () => {
    const next = random(7);
    let styledRows = 0;
    for (let i = 0; i < 2000; i++) {
      const cells = row(next);
      if (cells.some((c) => c.styles.length > 0)) styledRows++;
      expect(styledCharsToString(cells), JSON.stringify(cells.map((c) => [c.value, c.styles.map((s) => s.code)]))).toBe(real.styledCharsToString(cells));
    }
    // The rows did carry styles: the comparison is not between plain strings only.
    expect(styledRows).toBeGreaterThan(1500);
  });

  it('gives an empty row and a row of one styled cell as the package does', () => {
    expect(styledCharsToString([])).toBe(real.styledCharsToString([]));
    const one = real.styledCharsFromTokens(real.tokenize('\u001B[1m\u001B[31mx'));
    expect(styledCharsToString(one)).toBe(real.styledCharsToString(one));
    expect(styledCharsToString(one)).toBe('\u001B[1m\u001B[31mx\u001B[39m\u001B[22m');
  });
});
