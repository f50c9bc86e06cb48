/**
 * The list view's geometry, pure: when muxctl shows the workers as a list rather than as panels, where
 * the selected worker's detail pane goes, which lines of the list are on screen, and what the header
 * says about it. The lines themselves are made in listRows.ts.
 */
import { computeGrid } from './layout.js';
import { textWidth } from './textWidth.js';

/** The two ways to show every worker: panels (the grid) or a line each (the list). */
export type Layout = 'grid' | 'list';

export interface LayoutChoice {
  layout: Layout;
  /** Chosen by muxctl, not by the person's `v`. */
  auto: boolean;
  /** The workers shown (the filter applied). */
  workers: number;
  /** Panels the grid has room for at this size, each at its minimum: fewer than `workers` when crowded. */
  panelsThatFit: number;
}

/**
 * The grid until its panels would have to shrink below their minimum to show every worker; then the
 * list, where every worker has a line. The person's `v` overrides either way, and keeps overriding:
 * a choice someone made is not undone by a resize or a filter.
 */
export function chooseLayout(chosen: Layout | null, workers: number, size: { columns: number; rows: number }, chromeRows: number): LayoutChoice {
  const grid = computeGrid({ panels: workers, columns: size.columns, rows: size.rows, chromeRows, selected: 0 });
  const crowded = grid.shown < workers;
  return { layout: chosen ?? (crowded ? 'list' : 'grid'), auto: chosen === null, workers, panelsThatFit: grid.shown };
}

/**
 * What the header says about the layout, longest first (the header keeps the longest that fits): that
 * the list was chosen by itself and why, or that the grid shows only some panels. Nothing for a grid
 * that shows every panel: that is the dashboard as everyone knows it.
 */
export function layoutNotes(choice: LayoutChoice): string[] {
  if (choice.layout === 'list') {
    const why = `list: ${choice.workers} worker${choice.workers === 1 ? '' : 's'} do not fit as panels · v grid`;
    return choice.auto ? [why, 'list (auto) · v grid', 'list · v grid', 'list'] : ['list · v grid', 'list'];
  }
  if (choice.panelsThatFit >= choice.workers) return [];
  return [`grid: ${choice.panelsThatFit} of ${choice.workers} panels fit · v list`, 'grid · v list', 'grid'];
}

/** The longest of `notes` no wider than `room`, else the shortest (cut by whoever draws it); '' for none. */
export function fitNote(notes: readonly string[], room: number): string {
  return notes.find((note) => textWidth(note) <= room) ?? notes.at(-1) ?? '';
}

export interface ListGeometry {
  /** Where the selected worker's detail pane goes: beside the list, under it, or nowhere (too few rows). */
  detail: 'side' | 'bottom' | 'none';
  /** The list's width in columns, and how many workers' lines it shows under its column heading. */
  listWidth: number;
  rows: number;
  /** The detail pane's outer size, and the lines and columns of text inside it. */
  detailWidth: number;
  detailHeight: number;
  detailLines: number;
  detailColumns: number;
}

/** From this width the detail pane goes beside the list: the list keeps ~100 columns, the pane gets ~60. */
export const SIDE_DETAIL_COLUMNS = 140;
/** Lines of workers the list keeps before it gives any to a detail pane under it. */
const MIN_LIST_ROWS = 4;

/**
 * The list's room in the body between the header and the status line. Wide: the detail pane beside
 * the list, as tall as the body (a round border, like a panel). Narrow: under the list, two fifths of
 * the body (5 to 14 rows) under a rule with the worker's name, so the list still shows a dozen lines
 * at 80×24.
 */
export function listGeometry({ columns, rows, chromeRows }: { columns: number; rows: number; chromeRows: number }): ListGeometry {
  const body = Math.max(rows - chromeRows, 2);
  if (columns >= SIDE_DETAIL_COLUMNS) {
    const detailWidth = Math.max(48, Math.floor(columns * 0.36));
    // The border's two columns and a column of padding each side.
    return { detail: 'side', listWidth: columns - detailWidth, rows: body - 1, detailWidth, detailHeight: body, detailLines: body - 2, detailColumns: detailWidth - 4 };
  }
  const detailHeight = Math.min(14, Math.max(5, Math.round(body * 0.4)));
  if (body - 1 - detailHeight < MIN_LIST_ROWS) {
    return { detail: 'none', listWidth: columns, rows: body - 1, detailWidth: 0, detailHeight: 0, detailLines: 0, detailColumns: 0 };
  }
  // The rule on top holds the worker's name; the text keeps a column of margin each side.
  return { detail: 'bottom', listWidth: columns, rows: body - 1 - detailHeight, detailWidth: columns, detailHeight, detailLines: detailHeight - 1, detailColumns: columns - 2 };
}

/**
 * The first line shown, for `visible` lines of `count`: the window stays where it was while the
 * selected line is in it, and moves just enough to bring it back when it leaves (as in a pager), so
 * moving up from the bottom moves the highlight, not the whole list.
 */
export function listWindow(count: number, visible: number, selected: number, previousFirst: number): number {
  if (visible <= 0 || count <= visible) return 0;
  const maxFirst = count - visible;
  let first = Math.min(Math.max(previousFirst, 0), maxFirst);
  if (selected < first) first = selected;
  else if (selected >= first + visible) first = selected - visible + 1;
  return Math.min(Math.max(first, 0), maxFirst);
}

export type ListMove = 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last';

/**
 * Where a move from `index` lands among `count` lines, `page` of them on screen. A page keeps one line
 * of the last one in view, so the eye has somewhere to land.
 */
export function moveInList(index: number, count: number, page: number, move: ListMove): number {
  if (count === 0) return 0;
  const step = Math.max(1, page - 1);
  const to = { up: index - 1, down: index + 1, pageUp: index - step, pageDown: index + step, first: 0, last: count - 1 }[move];
  return Math.min(Math.max(to, 0), count - 1);
}
