import { describe, expect, it } from 'vitest';
import { CHROME_ROWS } from '../../src/core/views/layout.js';
import { chooseLayout, fitNote, layoutNotes, listGeometry, listWindow, moveInList } from '../../src/core/views/listView.js';

const at = (columns: number, rows: number) => ({ columns, rows });

describe('chooseLayout', () => {
  it('chooses the list by itself when the panels would not all fit at their minimum', () => {
    expect(chooseLayout(null, 100, at(160, 45), CHROME_ROWS)).toEqual({ layout: 'list', auto: true, workers: 100, panelsThatFit: 32 });
    expect(chooseLayout(null, 100, at(80, 24), CHROME_ROWS)).toEqual({ layout: 'list', auto: true, workers: 100, panelsThatFit: 8 });
    // Nine panels in room for eight: the list, every worker on screen.
    expect(chooseLayout(null, 9, at(80, 24), CHROME_ROWS).layout).toBe('list');
  });

  it('keeps the grid while every panel fits', () => {
    expect(chooseLayout(null, 8, at(80, 24), CHROME_ROWS)).toEqual({ layout: 'grid', auto: true, workers: 8, panelsThatFit: 8 });
    expect(chooseLayout(null, 32, at(160, 45), CHROME_ROWS).layout).toBe('grid');
    expect(chooseLayout(null, 0, at(80, 24), CHROME_ROWS).layout).toBe('grid');
  });

  it("lets the person's v win either way", () => {
    expect(chooseLayout('grid', 100, at(160, 45), CHROME_ROWS)).toEqual({ layout: 'grid', auto: false, workers: 100, panelsThatFit: 32 });
    expect(chooseLayout('list', 3, at(160, 45), CHROME_ROWS)).toEqual({ layout: 'list', auto: false, workers: 3, panelsThatFit: 3 });
  });
});

describe('layoutNotes and fitNote', () => {
  it('says why the list was chosen, in shorter words when short of room', () => {
    const notes = layoutNotes({ layout: 'list', auto: true, workers: 100, panelsThatFit: 32 });
    expect(notes[0]).toBe('list: 100 workers do not fit as panels · v grid');
    expect(fitNote(notes, 80)).toBe('list: 100 workers do not fit as panels · v grid');
    expect(fitNote(notes, 25)).toBe('list (auto) · v grid');
    expect(fitNote(notes, 14)).toBe('list · v grid');
    // Never nothing: the shortest, for whoever draws it to cut.
    expect(fitNote(notes, 2)).toBe('list');
  });

  it('names a list the person chose without a reason, and a grid that shows only some panels', () => {
    expect(layoutNotes({ layout: 'list', auto: false, workers: 3, panelsThatFit: 3 })).toEqual(['list · v grid', 'list']);
    expect(layoutNotes({ layout: 'grid', auto: false, workers: 100, panelsThatFit: 8 })[0]).toBe('grid: 8 of 100 panels fit · v list');
  });

  it('says nothing of a grid that shows every panel', () => {
    expect(layoutNotes({ layout: 'grid', auto: true, workers: 6, panelsThatFit: 6 })).toEqual([]);
    expect(fitNote([], 80)).toBe('');
  });
});

describe('listGeometry', () => {
  it('puts the detail pane under the list at 80×24, leaving a dozen lines of workers', () => {
    const g = listGeometry({ columns: 80, rows: 24, chromeRows: CHROME_ROWS });
    expect(g).toMatchObject({ detail: 'bottom', listWidth: 80, detailWidth: 80 });
    // 21 body rows: the heading, the workers' lines and the pane add up to them.
    expect(1 + g.rows + g.detailHeight).toBe(21);
    expect(g.rows).toBeGreaterThanOrEqual(12);
    expect(g.detailLines).toBe(g.detailHeight - 1);
  });

  it('puts it beside the list on a wide terminal, as tall as the body', () => {
    const g = listGeometry({ columns: 160, rows: 45, chromeRows: CHROME_ROWS });
    expect(g).toMatchObject({ detail: 'side', rows: 41, detailHeight: 42, detailLines: 40 });
    expect(g.listWidth + g.detailWidth).toBe(160);
    expect(g.listWidth).toBeGreaterThanOrEqual(100);
    expect(g.detailColumns).toBe(g.detailWidth - 4);
  });

  it('leaves the pane out rather than squeeze the list below a few lines', () => {
    const g = listGeometry({ columns: 80, rows: 10, chromeRows: CHROME_ROWS });
    expect(g).toMatchObject({ detail: 'none', rows: 6, detailLines: 0 });
  });

  it('never lays out more rows than the body has', () => {
    for (const rows of [5, 8, 12, 24, 45, 80]) {
      for (const columns of [40, 80, 139, 140, 200]) {
        const g = listGeometry({ columns, rows, chromeRows: CHROME_ROWS });
        const used = g.detail === 'side' ? Math.max(1 + g.rows, g.detailHeight) : 1 + g.rows + g.detailHeight;
        expect(used, `${columns}×${rows}`).toBeLessThanOrEqual(Math.max(rows - CHROME_ROWS, 2));
        expect(g.rows, `${columns}×${rows}`).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe('listWindow', () => {
  it('stays put while the selection is on screen, and moves just enough when it leaves', () => {
    expect(listWindow(100, 12, 0, 0)).toBe(0);
    expect(listWindow(100, 12, 11, 0)).toBe(0);
    expect(listWindow(100, 12, 12, 0)).toBe(1);
    // Back up from the bottom: the highlight moves, the window does not.
    expect(listWindow(100, 12, 10, 1)).toBe(1);
    expect(listWindow(100, 12, 0, 1)).toBe(0);
    expect(listWindow(100, 12, 99, 0)).toBe(88);
  });

  it('never leaves blank lines at the end, and shows everything from the top when it all fits', () => {
    expect(listWindow(100, 12, 95, 95)).toBe(88);
    expect(listWindow(10, 12, 9, 5)).toBe(0);
    expect(listWindow(0, 12, 0, 3)).toBe(0);
  });
});

describe('moveInList', () => {
  it.each([
    [5, 'up', 4],
    [0, 'up', 0],
    [5, 'down', 6],
    [99, 'down', 99],
    [50, 'pageDown', 61],
    [95, 'pageDown', 99],
    [50, 'pageUp', 39],
    [3, 'pageUp', 0],
    [50, 'first', 0],
    [50, 'last', 99],
  ] as const)('from %i, %s lands on %i (100 lines, 12 a page)', (from, move, to) => {
    expect(moveInList(from, 100, 12, move)).toBe(to);
  });

  it('stays at 0 in an empty list', () => {
    expect(moveInList(0, 0, 12, 'last')).toBe(0);
  });
});
