import { describe, expect, it } from 'vitest';
import { fitWidth, textWidth } from '../../src/core/textWidth.js';

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
