import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { ONE_COLUMN_GLYPHS, ONE_COLUMN_RANGES, fitWidth, plainWidth, textWidth } from '../../src/core/views/textWidth.js';

describe('textWidth', () => {
  it.each([
    ['abc', 3],
    ['日本語', 6],
    ['✅ done', 7],
    ['🚀x', 3],
    ['e\u0301', 1],
    ['● running', 9],
    ['한국어', 6],
  ])('%j is %i columns', (text, width) => {
    expect(textWidth(text)).toBe(width);
  });
});

describe("textWidth: the fast path for muxctl's own glyphs", () => {
  it.each([...ONE_COLUMN_GLYPHS])('%s is one column, as string-width measures it', (glyph) => {
    expect(stringWidth(glyph)).toBe(1);
    expect(glyph.length).toBe(1);
  });

  it('takes every character of its ranges to be one column, as string-width does', () => {
    const wider = ONE_COLUMN_RANGES.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i))).filter((c) => stringWidth(c) !== 1);
    expect(wider).toEqual([]);
  });

  it('leaves anything else to string-width', () => {
    expect(plainWidth('abc ─│ ●')).toBe(8);
    expect(plainWidth('日本')).toBeUndefined();
    expect(plainWidth('⚠️')).toBeUndefined(); // the emoji selector makes it wide
    expect(plainWidth('soft\u00adhyphen')).toBeUndefined();
    expect(plainWidth('\u001b[31mred')).toBeUndefined();
  });

  it('measures and cuts a line of them as string-width would', () => {
    const line = `● working · ${ONE_COLUMN_GLYPHS} · done`;
    expect(textWidth(line)).toBe(stringWidth(line));
    const cut = fitWidth(line, 12);
    expect(cut).toBe('● working ·…');
    expect(stringWidth(cut)).toBe(12);
  });
});

describe('textWidth: whole graphemes (string-width)', () => {
  it.each([
    ['👨‍👩‍👧 family', 9], // one ZWJ sequence, drawn as one emoji
    ['🇯🇵', 2],
    ['👍🏽', 2],
    ['⚠️', 2], // emoji presentation selector: drawn wide
    ['\u001b[31mred\u001b[0m', 3], // colour codes take no columns
  ])('%j is %i columns', (text, width) => {
    expect(textWidth(text)).toBe(width);
  });

  it('fitWidth never cuts inside an emoji sequence', () => {
    expect(fitWidth('👨‍👩‍👧👨‍👩‍👧', 3)).toBe('👨‍👩‍👧…');
    expect(fitWidth('🇯🇵🇯🇵', 3)).toBe('🇯🇵…');
  });
});

describe('fitWidth', () => {
  it('leaves a line that fits alone', () => {
    expect(fitWidth('hello', 5)).toBe('hello');
  });

  it('never goes past the width, even when a wide character straddles the cut', () => {
    const line = '日本語のテキスト'.repeat(10);
    for (const columns of [1, 2, 3, 10, 37, 38, 39]) {
      const cut = fitWidth(line, columns);
      expect(textWidth(cut), `${columns} columns`).toBeLessThanOrEqual(columns);
      expect(cut.endsWith('…')).toBe(true);
    }
    expect(fitWidth('日本語', 4)).toBe('日…');
  });

  it('cuts emoji whole', () => {
    expect(fitWidth('🚀🚀🚀', 4)).toBe('🚀…');
  });
});

describe('why panels cut their own lines', () => {
  // If this fails, Ink's own truncation has become right for wide characters (cli-truncate ≥ 6, which
  // needs Node 22): panels could then use <Text wrap="truncate-end"> and drop fitWidth.
  it("Ink 6's truncation overflows by a column when a wide character straddles the cut; fitWidth does not", () => {
    for (const [text, columns] of [['日本語', 4], ['🚀🚀🚀', 4], ['ab日本', 4]] as const) {
      const { lastFrame, unmount } = render(createElement(Box, { width: columns }, createElement(Text, { wrap: 'truncate-end' }, text)));
      const frame = lastFrame() ?? '';
      unmount();
      expect(textWidth(frame), `Ink: ${JSON.stringify(frame)}`).toBe(columns + 1);
      expect(textWidth(fitWidth(text, columns))).toBeLessThanOrEqual(columns);
    }
  });
});
