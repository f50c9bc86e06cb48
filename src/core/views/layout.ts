/**
 * The grid's geometry, in whole terminal cells. Ink's percentage widths give fractional layouts whose
 * truncated text spills past borders (STACK.md trap 2), and a frame taller than the terminal makes Ink
 * clear and redraw everything (trap 3): so every size here is an integer computed from the terminal.
 */

export interface GridInput {
  panels: number;
  columns: number;
  rows: number;
  /** Rows taken by the header and the hints bar. */
  chromeRows: number;
  /** The panel that must stay on screen when not all of them fit. */
  selected: number;
}

export interface Grid {
  /** Panels per grid row. */
  perRow: number;
  /** Width of each column; they add up to the terminal's width. */
  widths: number[];
  /** Height of each panel, borders included. */
  panelHeight: number;
  /** Lines of screen text a panel has room for. */
  bodyLines: number;
  /** Index of the first panel shown, and how many are shown. */
  first: number;
  shown: number;
}

/** The dashboard's rows that are not the body: the header, the status line and the hints bar. */
export const CHROME_ROWS = 3;

export const MIN_PANEL_WIDTH = 34;
/** Border (2) + title line + evidence line + at least one screen line. */
export const MIN_PANEL_HEIGHT = 5;
/** Lines inside a panel that are not the worker's screen: the title and the evidence line. */
const PANEL_FIXED_LINES = 2;
/** A panel taller than this shows more history than anyone reads at a glance; extra rows stay below the grid. */
const MAX_PANEL_HEIGHT = 30;

export function computeGrid(input: GridInput): Grid {
  const width = Math.max(input.columns, MIN_PANEL_WIDTH);
  const available = Math.max(input.rows - input.chromeRows, MIN_PANEL_HEIGHT);
  const count = Math.max(input.panels, 0);
  if (count === 0) {
    return { perRow: 1, widths: [width], panelHeight: MIN_PANEL_HEIGHT, bodyLines: 1, first: 0, shown: 0 };
  }

  // As many columns as fit, then balanced: 5 panels in room for 4 a row go 3 + 2, not 4 + 1.
  const maxPerRow = Math.max(1, Math.min(count, Math.floor(width / MIN_PANEL_WIDTH)));
  const perRow = Math.ceil(count / Math.ceil(count / maxPerRow));
  const gridRows = Math.ceil(count / perRow);
  const fittingRows = Math.max(1, Math.floor(available / MIN_PANEL_HEIGHT));
  const visibleRows = Math.min(gridRows, fittingRows);
  const panelHeight = Math.min(MAX_PANEL_HEIGHT, Math.floor(available / visibleRows));

  // When not every row fits, show a window of rows that keeps the selected panel on screen.
  const selectedRow = Math.floor(Math.min(Math.max(input.selected, 0), count - 1) / perRow);
  const firstRow = Math.min(Math.max(0, selectedRow - visibleRows + 1), gridRows - visibleRows);
  const first = firstRow * perRow;
  const shown = Math.min(count - first, visibleRows * perRow);

  return {
    perRow,
    widths: splitEvenly(width, perRow),
    panelHeight,
    bodyLines: Math.max(1, panelHeight - 2 - PANEL_FIXED_LINES),
    first,
    shown,
  };
}

/** Splits `total` into `parts` integers that differ by at most one and add up to `total`. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Where a move from `index` lands in a grid of `count` panels, `perRow` to a row. */
export function moveSelection(index: number, count: number, perRow: number, direction: 'up' | 'down' | 'left' | 'right'): number {
  if (count === 0) return 0;
  const clamp = (i: number): number => Math.min(Math.max(i, 0), count - 1);
  switch (direction) {
    case 'left':
      return clamp(index - 1);
    case 'right':
      return clamp(index + 1);
    case 'up':
      return index - perRow >= 0 ? index - perRow : index;
    case 'down':
      // From a full row onto a shorter last row, land on the last panel rather than not moving.
      return Math.floor(index / perRow) < Math.floor((count - 1) / perRow) ? clamp(index + perRow) : index;
  }
}
