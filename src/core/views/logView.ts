/**
 * The detail views' logic, pure: which of a worker's log lines the log view shows (minimum level,
 * search), where its window sits as lines arrive and drop off the ring, how one line reads, and which
 * screen lines the preview keeps. Components only draw what these return.
 */
import { clockTime } from '../rules/health.js';

/** One line of the log view: a normalized event, redacted, with where and when it came from. */
export interface LogLine {
  at: number;
  source: 'log' | 'events' | 'screen';
  kind: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
  tool?: string;
}

/** The lowest level shown: `all` includes debug. */
export type MinLevel = 'all' | 'info' | 'warn' | 'error';

export interface LogViewState {
  minLevel: MinLevel;
  /** The applied search ('' for none): lines whose text or tool contain it, ignoring case. */
  search: string;
  /** The search being typed after `/`, or null when the person is not typing one. */
  draft: string | null;
  /** Keep the window on the newest line as lines arrive. */
  follow: boolean;
  /** Index (in the filtered lines) of the first line shown, when not following. */
  top: number;
  /**
   * The line that was at `top`: when the ring drops old lines, indexes shift, and the window follows
   * the line the person was reading instead of creeping one line per arrival.
   */
  anchor: LogLine | null;
}

export const INITIAL_LOG_VIEW: LogViewState = { minLevel: 'all', search: '', draft: null, follow: true, top: 0, anchor: null };

/**
 * Rows a detail view's body has: the terminal less the dashboard's header, status line and hints bar
 * (3) and the view's own header line (1).
 */
export function detailBodyRows(terminalRows: number): number {
  return Math.max(1, terminalRows - 4);
}

const LEVEL_RANK: Record<LogLine['level'], number> = { debug: 0, info: 1, warn: 2, error: 3 };
const MIN_RANK: Record<MinLevel, number> = { all: 0, info: 1, warn: 2, error: 3 };
const LEVEL_CYCLE: readonly MinLevel[] = ['all', 'info', 'warn', 'error'];

export function nextMinLevel(level: MinLevel): MinLevel {
  return LEVEL_CYCLE[(LEVEL_CYCLE.indexOf(level) + 1) % LEVEL_CYCLE.length] ?? 'all';
}

/** The lines that pass the level filter and the search, oldest first. */
export function filterLines(lines: readonly LogLine[], view: Pick<LogViewState, 'minLevel' | 'search'>): LogLine[] {
  const min = MIN_RANK[view.minLevel];
  const needle = view.search.toLowerCase();
  return lines.filter(
    (line) =>
      LEVEL_RANK[line.level] >= min && (needle === '' || line.text.toLowerCase().includes(needle) || (line.tool ?? '').toLowerCase().includes(needle)),
  );
}

export interface LogWindow {
  /** The lines to draw, at most `height`. */
  lines: LogLine[];
  /** Index of the first drawn line among the filtered ones. */
  top: number;
  /** How many lines pass the filters. */
  total: number;
  following: boolean;
}

/** Where the window's first line is now, given the state and the current filtered lines. */
function resolveTop(filtered: readonly LogLine[], view: LogViewState, height: number): number {
  const maxTop = Math.max(0, filtered.length - height);
  if (view.follow) return maxTop;
  let top = view.top;
  if (view.anchor !== null) {
    const at = findAnchor(filtered, view.anchor, view.top);
    if (at !== -1) top = at;
  }
  return Math.min(Math.max(0, top), maxTop);
}

/** The anchor line's index: the same object if it is still there, else an equal line nearest the old place. */
function findAnchor(lines: readonly LogLine[], anchor: LogLine, near: number): number {
  const same = lines.indexOf(anchor);
  if (same !== -1) return same;
  let best = -1;
  lines.forEach((line, i) => {
    const equal = line.at === anchor.at && line.source === anchor.source && line.kind === anchor.kind && line.text === anchor.text;
    if (equal && (best === -1 || Math.abs(i - near) < Math.abs(best - near))) best = i;
  });
  return best;
}

/** What the log view draws for these lines in `height` rows. */
export function logWindow(lines: readonly LogLine[], view: LogViewState, height: number): LogWindow {
  const filtered = filterLines(lines, view);
  const rows = Math.max(1, height);
  const top = resolveTop(filtered, view, rows);
  return { lines: filtered.slice(top, top + rows), top, total: filtered.length, following: view.follow };
}

export type LogMove = { by: number } | 'top' | 'bottom';

/**
 * The state after a scroll. Moving the window up off the newest line stops following; reaching the
 * bottom again (or `bottom`, the G key) follows new lines once more.
 */
export function scrollLog(view: LogViewState, lines: readonly LogLine[], height: number, move: LogMove): LogViewState {
  const filtered = filterLines(lines, view);
  const rows = Math.max(1, height);
  const maxTop = Math.max(0, filtered.length - rows);
  const current = resolveTop(filtered, view, rows);
  const top = move === 'top' ? 0 : move === 'bottom' ? maxTop : Math.min(Math.max(0, current + move.by), maxTop);
  const follow = move === 'bottom' || top >= maxTop;
  return { ...view, top, follow, anchor: follow ? null : (filtered[top] ?? null) };
}

/** A new level or search jumps to the newest matching lines: the old window may not exist among them. */
export function withFilter(view: LogViewState, change: Partial<Pick<LogViewState, 'minLevel' | 'search'>>): LogViewState {
  return { ...view, ...change, follow: true, top: 0, anchor: null };
}

export type DraftEdit = { kind: 'type'; text: string } | { kind: 'erase' } | { kind: 'apply' } | { kind: 'cancel' };

/** Typing a search after `/`: Enter applies it (an empty one clears the search), Esc leaves it as it was. */
export function editDraft(view: LogViewState, edit: DraftEdit): LogViewState {
  const draft = view.draft ?? '';
  switch (edit.kind) {
    case 'type':
      // Pasted text may carry newlines or control bytes: a search is one line of printable text.
      return { ...view, draft: draft + edit.text.replace(/[\p{Cc}]/gu, '') };
    case 'erase':
      return { ...view, draft: Array.from(draft).slice(0, -1).join('') };
    case 'apply':
      return { ...withFilter(view, { search: draft.trim() }), draft: null };
    case 'cancel':
      return { ...view, draft: null };
  }
}

const KIND_MARKERS: Record<string, string> = {
  tool_start: '▸',
  tool_end: '✓',
  error: '✖',
  result: '◆',
  question: '?',
  prompt: '▶',
  message: '“',
  turn_end: '·',
  heartbeat: '♥',
  checkpoint: '⚑',
  status: 'i',
  malformed: '!',
};

const SOURCE_TAGS: Record<LogLine['source'], string> = { log: 'log', events: 'evt', screen: 'scr' };

/** One log line as its parts: the view colours them, and truncates the whole at the terminal's width. */
export interface LogLineParts {
  time: string;
  source: string;
  marker: string;
  tool: string;
  text: string;
}

export function logLineParts(line: LogLine): LogLineParts {
  return {
    time: clockTime(line.at),
    source: SOURCE_TAGS[line.source],
    marker: KIND_MARKERS[line.kind] ?? ' ',
    tool: line.tool ?? '',
    text: line.text,
  };
}

/** The view's first line after the worker's name: which filters, how many lines, where the window is. */
export function logHeader(view: LogViewState, window: LogWindow): string {
  const parts = ['log'];
  if (view.minLevel !== 'all') parts.push(`level ≥ ${view.minLevel}`);
  if (view.search !== '') parts.push(`search "${view.search}"`);
  parts.push(`${window.total} line${window.total === 1 ? '' : 's'}`);
  if (window.following) parts.push('following');
  else if (window.total > 0) parts.push(`${window.top + 1}–${window.top + window.lines.length} · G follows`);
  return parts.join(' · ');
}

/** What an empty window says, so the view is never a blank screen. */
export function emptyLogText(worker: string, view: LogViewState): string {
  if (view.minLevel !== 'all' || view.search !== '') return 'no line matches: e changes the level, / with nothing typed clears the search';
  return `no log lines from ${worker} yet: its log file, muxctl emit events and screen output show up here`;
}

/**
 * The preview's lines: the screen's last `height` lines, without the blank rows below the cursor that a
 * captured pane ends with (they would push the output off the top).
 */
export function previewLines(screen: readonly string[], height: number): string[] {
  let end = screen.length;
  while (end > 0 && (screen[end - 1] ?? '').trim() === '') end--;
  // Tabs have no fixed width on screen: spaces keep each line inside the terminal's width.
  return screen.slice(Math.max(0, end - Math.max(1, height)), end).map((line) => line.replace(/\t/g, '    '));
}
