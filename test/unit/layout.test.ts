import { describe, expect, it } from 'vitest';
import { computeGrid, MIN_PANEL_HEIGHT, MIN_PANEL_WIDTH, moveSelection, splitEvenly } from '../../src/core/views/layout.js';

describe('computeGrid', () => {
  it('fills an 80×24 terminal with two columns of whole-cell widths that add up to 80', () => {
    const grid = computeGrid({ panels: 5, columns: 80, rows: 24, chromeRows: 3, selected: 0 });
    expect(grid.perRow).toBe(2);
    expect(grid.widths.reduce((a, b) => a + b, 0)).toBe(80);
    expect(grid.widths.every(Number.isInteger)).toBe(true);
    // 21 rows for the grid: 3 rows of panels × 7 rows each.
    expect(grid.panelHeight * Math.ceil(grid.shown / grid.perRow)).toBeLessThanOrEqual(21);
    expect(grid.shown).toBe(5);
  });

  it('never lays out a frame taller than the terminal', () => {
    for (const rows of [10, 16, 24, 45, 80]) {
      for (const panels of [1, 3, 7, 20, 40]) {
        const grid = computeGrid({ panels, columns: 120, rows, chromeRows: 3, selected: panels - 1 });
        const gridRows = Math.ceil(grid.shown / grid.perRow);
        expect(gridRows * grid.panelHeight + 3, `${panels} panels in ${rows} rows`).toBeLessThanOrEqual(Math.max(rows, MIN_PANEL_HEIGHT + 3));
      }
    }
  });

  it('keeps the selected panel on screen when not all fit', () => {
    const grid = computeGrid({ panels: 20, columns: 80, rows: 24, chromeRows: 3, selected: 19 });
    expect(grid.shown).toBeLessThan(20);
    expect(19).toBeGreaterThanOrEqual(grid.first);
    expect(19).toBeLessThan(grid.first + grid.shown);
    const top = computeGrid({ panels: 20, columns: 80, rows: 24, chromeRows: 3, selected: 0 });
    expect(top.first).toBe(0);
  });

  it('uses more columns on a wide monitor and gives panels room for screen lines', () => {
    const grid = computeGrid({ panels: 6, columns: 240, rows: 60, chromeRows: 3, selected: 0 });
    expect(grid.perRow).toBe(6);
    expect(grid.widths.every((w) => w >= MIN_PANEL_WIDTH)).toBe(true);
    expect(grid.bodyLines).toBeGreaterThan(5);
  });

  it('has a sane shape with no panels', () => {
    const grid = computeGrid({ panels: 0, columns: 80, rows: 24, chromeRows: 3, selected: 0 });
    expect(grid.shown).toBe(0);
  });
});

describe('splitEvenly', () => {
  it.each([
    [80, 2, [40, 40]],
    [81, 2, [41, 40]],
    [100, 3, [34, 33, 33]],
  ])('splits %i into %i parts', (total, parts, expected) => {
    expect(splitEvenly(total, parts)).toEqual(expected);
  });
});

describe('moveSelection', () => {
  // 5 panels, 3 to a row:  0 1 2 / 3 4
  it.each([
    [0, 'right', 1],
    [2, 'right', 3],
    [4, 'right', 4],
    [0, 'left', 0],
    [3, 'left', 2],
    [0, 'down', 3],
    [2, 'down', 4],
    [3, 'down', 3],
    [4, 'up', 1],
    [1, 'up', 1],
  ] as const)('from %i %s lands on %i', (from, direction, to) => {
    expect(moveSelection(from, 5, 3, direction)).toBe(to);
  });

  it('stays at 0 with no panels', () => {
    expect(moveSelection(0, 0, 3, 'down')).toBe(0);
  });
});
