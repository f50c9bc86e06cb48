/**
 * The task board's view model (issue 4, key `t`), pure: which column each task sits in, in which
 * order, which cards fit the terminal, and every line already cut to its column so the component only
 * draws. The selection is kept by task id, so a task that moves (queued → active) keeps it.
 *
 * Columns: queued, active (claimed + running), done, needs you (failed + blocked + escalated).
 * Canceled tasks are only counted in the footer. When the terminal gives five columns of at least
 * MIN_SPLIT_SLOT columns each (110 and wider), claimed and running get a column each: a claimed task
 * that never starts is worth seeing apart. Narrower, they share "active" and each card says which.
 */
import { shortDuration } from '../rules/health.js';
import { compareQueueOrder } from '../rules/queue.js';
import { HELD_STATES, NEEDS_PERSON_STATES, type Task, type TaskState } from '../rules/tasks.js';
import { fitWidth, textWidth } from './textWidth.js';

export type BoardColumnKey = 'queued' | 'active' | 'claimed' | 'running' | 'done' | 'needsYou';

/** How a piece of a card's second line is coloured; the component maps tones to the theme. */
export type BoardTone = 'plain' | 'dim' | 'good' | 'info' | 'warning' | 'error';

export interface BoardSegment {
  text: string;
  tone: BoardTone;
}

export interface BoardCard {
  id: string;
  state: TaskState;
  /** `T12 P1 fix the login form…`, cut to the column. */
  title: string;
  /** Who, lease, attempts, drift, waits: cut so the segments together fit the column. */
  detail: BoardSegment[];
  selected: boolean;
  drift: boolean;
}

export interface BoardColumn {
  key: BoardColumnKey;
  /** `queued 3`, cut to the column. */
  header: string;
  count: number;
  /** Every task of the column in order, shown or not: what moveSelection walks. */
  ids: string[];
  /** Index in `ids` of the first card shown: the column scrolls to keep the selected card in view. */
  top: number;
  cards: BoardCard[];
  /** `+4 more`, or null when every card is shown. */
  more: string | null;
}

export interface BoardModel {
  width: number;
  height: number;
  /** Columns a column's text may take; each column is followed by a one-column gap. */
  columnWidth: number;
  columns: BoardColumn[];
  /** The selected task's id: the given one when it is on the board, else the first card, else null. */
  selectedId: string | null;
  /** The last line: canceled tasks are counted here, never shown as cards. */
  footer: string;
  /** What an empty board says, wrapped to the width; null when there are tasks. */
  empty: string[] | null;
}

export interface BoardInput {
  tasks: readonly Task[];
  width: number;
  height: number;
  selectedId: string | null;
  /** Drift findings by task id (tasks.drift); a card with any is marked. */
  drift?: Record<string, string[]>;
  /** The ids each task waits on. */
  blockedBy?: Record<string, string[]>;
  now: number;
}

export const EMPTY_BOARD_TEXT = 'No tasks yet — press n to add one, or drop a .md file in .muxctl/inbox/';

/** A column slot (text and gap) at least this wide lets claimed and running have a column each. */
export const MIN_SPLIT_SLOT = 22;

const CARD_LINES = 2;
const SEPARATOR = ' · ';

interface ColumnSpec {
  key: BoardColumnKey;
  label: string;
  states: readonly TaskState[];
}

/** A worker's proposal sits with the queue, marked, until a person accepts it (a on its card). */
const QUEUED: ColumnSpec = { key: 'queued', label: 'queued', states: ['proposed', 'queued'] };
const DONE: ColumnSpec = { key: 'done', label: 'done', states: ['done', 'landed'] };
const NEEDS_YOU: ColumnSpec = { key: 'needsYou', label: 'needs you', states: NEEDS_PERSON_STATES };
const MERGED: readonly ColumnSpec[] = [QUEUED, { key: 'active', label: 'active', states: HELD_STATES }, DONE, NEEDS_YOU];
const SPLIT: readonly ColumnSpec[] = [
  QUEUED,
  { key: 'claimed', label: 'claimed', states: ['claimed'] },
  { key: 'running', label: 'running', states: ['running'] },
  DONE,
  NEEDS_YOU,
];

function columnSpecs(width: number): readonly ColumnSpec[] {
  return Math.floor(width / SPLIT.length) >= MIN_SPLIT_SLOT ? SPLIT : MERGED;
}

export function boardView(input: BoardInput): BoardModel {
  const width = Math.max(0, Math.floor(input.width));
  const height = Math.max(0, Math.floor(input.height));
  const specs = columnSpecs(width);
  const columnWidth = Math.max(0, Math.floor(width / specs.length) - 1);
  const canceled = input.tasks.filter((task) => task.state === 'canceled').length;
  const footer = fitWidth(canceled > 0 ? `${canceled} canceled (not shown)` : '', width);
  if (input.tasks.length === 0) {
    return { width, height, columnWidth, columns: [], selectedId: null, footer: '', empty: wrapWords(EMPTY_BOARD_TEXT, width).slice(0, Math.max(1, height)) };
  }
  const sorted = specs.map((spec) => ({ spec, tasks: tasksOf(input.tasks, spec) }));
  const onBoard = sorted.flatMap((column) => column.tasks.map((task) => task.id));
  const selectedId = input.selectedId !== null && onBoard.includes(input.selectedId) ? input.selectedId : (onBoard[0] ?? null);
  // Header above, footer below: the rest is for cards.
  const cardRows = Math.max(0, height - 2);
  const columns = sorted.map(({ spec, tasks }) => layoutColumn(spec, tasks, { ...input, selectedId }, columnWidth, cardRows));
  return { width, height, columnWidth, columns, selectedId, footer, empty: null };
}

function tasksOf(tasks: readonly Task[], spec: ColumnSpec): Task[] {
  const mine = tasks.filter((task) => spec.states.includes(task.state));
  // The queue reads in the order the dispatcher takes it; the rest, newest change first.
  return spec.key === 'queued' ? mine.sort(compareQueueOrder) : mine.sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function layoutColumn(spec: ColumnSpec, tasks: readonly Task[], input: BoardInput, width: number, rows: number): BoardColumn {
  const ids = tasks.map((task) => task.id);
  const selectedAt = input.selectedId === null ? -1 : ids.indexOf(input.selectedId);
  const { top, shown } = scrollWindow(tasks.length, selectedAt, rows);
  const hidden = tasks.length - shown;
  const more = hidden === 0 ? null : fitWidth(`+${hidden} more${top > 0 ? ` (${top} above)` : ''}`, width);
  // The state word tells apart the states a column holds more than one of.
  // In the done column only "landed" is worth the room: done is what the column says already.
  // The queue's own proposals are marked on their card (detailSegments); a queued card needs no word for it.
  const showState = spec.states.length > 1 && spec.key !== 'done' && spec.key !== 'queued';
  const cards = tasks.slice(top, top + shown).map((task) => card(task, input, width, showState));
  return { key: spec.key, header: fitWidth(`${spec.label} ${tasks.length}`, width), count: tasks.length, ids, top, cards, more };
}

/**
 * Which cards a column of `rows` lines shows: all when they fit, else as many as leave a line for
 * "+N more", scrolled just enough that the selected card is the last one shown.
 */
function scrollWindow(count: number, selectedAt: number, rows: number): { top: number; shown: number } {
  if (count * CARD_LINES <= rows) return { top: 0, shown: count };
  // With room for a single card and no more, the selected card wins over the "+N more" line.
  const shown = Math.min(count, Math.max(rows >= CARD_LINES ? 1 : 0, Math.floor((rows - 1) / CARD_LINES)));
  const top = selectedAt >= shown ? selectedAt - shown + 1 : 0;
  return { top, shown };
}

function card(task: Task, input: BoardInput, width: number, showState: boolean): BoardCard {
  const drift = (input.drift?.[task.id] ?? []).length > 0;
  const title = fitWidth(oneLine(`${task.id} P${task.priority} ${task.title}`), width);
  const detail = fitSegments(detailSegments(task, input, showState, drift), width);
  return { id: task.id, state: task.state, title, detail, selected: task.id === input.selectedId, drift };
}

const STATE_TONES: Partial<Record<TaskState, BoardTone>> = { claimed: 'info', running: 'good', landed: 'good', failed: 'error', blocked: 'warning', escalated: 'error' };

/** What needs the person first (drift, waits), then who holds the task and for how long. */
function detailSegments(task: Task, input: BoardInput, showState: boolean, drift: boolean): BoardSegment[] {
  const segments: BoardSegment[] = [];
  if (task.state === 'proposed') segments.push({ text: 'proposed · a accepts', tone: 'warning' });
  else if (showState || task.state === 'landed') segments.push({ text: task.state, tone: STATE_TONES[task.state] ?? 'plain' });
  if (drift) segments.push({ text: '⚠ drift', tone: 'warning' });
  const waits = input.blockedBy?.[task.id] ?? [];
  if (waits.length > 0) segments.push({ text: `waits on ${waits.join(', ')}`, tone: 'warning' });
  if (task.assignee !== null) segments.push({ text: task.assignee, tone: 'plain' });
  else if (task.state === 'queued' || task.state === 'proposed') segments.push({ text: `lane ${task.lane}`, tone: 'dim' });
  if (task.lease !== null) segments.push(leaseSegment(task.lease.expiresAt, input.now));
  if (task.attempts > 0) segments.push({ text: `${task.attempts}/${task.maxAttempts}`, tone: task.attempts >= task.maxAttempts ? 'warning' : 'dim' });
  // What came back from a finished task: its commits and what it cost, when the log said.
  const outcome = task.outcome;
  if (outcome !== null && task.state !== 'claimed' && task.state !== 'running') {
    segments.push({ text: `${outcome.commits} commit${outcome.commits === 1 ? '' : 's'}`, tone: 'dim' });
    if (outcome.costUsd !== undefined) segments.push({ text: `$${outcome.costUsd.toFixed(2)}`, tone: 'dim' });
  }
  return segments;
}

function leaseSegment(expiresAt: number, now: number): BoardSegment {
  return now < expiresAt ? { text: `lease ${shortDuration(expiresAt - now)}`, tone: 'dim' } : { text: 'lease expired', tone: 'warning' };
}

/** The segments joined by dim " · ", cut at `width` columns: the one that crosses it ends in "…". */
export function fitSegments(segments: readonly BoardSegment[], width: number): BoardSegment[] {
  const out: BoardSegment[] = [];
  let left = width;
  for (const [i, segment] of segments.entries()) {
    if (left <= 0) break;
    const text = oneLine(segment.text);
    if (i > 0) {
      const sepWidth = textWidth(SEPARATOR);
      // No room for the separator and a letter of what follows: a bare " · " or " ·…" says less than " …".
      if (left < sepWidth + Math.min(2, textWidth(text))) {
        out.push({ text: fitWidth(' …', left), tone: 'dim' });
        break;
      }
      out.push({ text: SEPARATOR, tone: 'dim' });
      left -= sepWidth;
    }
    const fitted = fitWidth(text, left);
    out.push({ text: fitted, tone: segment.tone });
    if (fitted !== text) break;
    left -= textWidth(fitted);
  }
  return out;
}

/** A title is one line: newlines and tabs from a .md file's heading would break the card. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}]+/gu, ' ');
}

/** Words wrapped to `width` columns; a word wider than that is cut. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const joined = line === '' ? word : `${line} ${word}`;
    if (textWidth(joined) <= width) line = joined;
    else {
      if (line !== '') lines.push(line);
      line = fitWidth(word, width);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export type BoardDirection = 'up' | 'down' | 'left' | 'right';

/**
 * The card the arrow lands on. Up and down stay in the column; left and right go to the nearest
 * non-empty column, to the card on the nearest screen row. At an edge the selection stays. With
 * nothing selected (or a task no longer on the board), any arrow picks the first card.
 */
export function moveSelection(model: BoardModel, selectedId: string | null, direction: BoardDirection): string | null {
  const at = selectedId === null ? -1 : model.columns.findIndex((column) => column.ids.includes(selectedId));
  const first = model.columns.find((column) => column.ids.length > 0)?.ids[0] ?? null;
  const column = model.columns[at];
  if (column === undefined || selectedId === null) return first;
  const index = column.ids.indexOf(selectedId);
  switch (direction) {
    case 'up':
      return column.ids[Math.max(0, index - 1)] ?? selectedId;
    case 'down':
      return column.ids[Math.min(column.ids.length - 1, index + 1)] ?? selectedId;
    case 'left':
    case 'right': {
      const step = direction === 'left' ? -1 : 1;
      let next = at + step;
      while (model.columns[next] !== undefined && model.columns[next]?.ids.length === 0) next += step;
      const target = model.columns[next];
      return target === undefined ? selectedId : sameRow(target, index - column.top);
    }
  }
}

/** The card on the given screen row of the column, or the nearest one it shows. */
function sameRow(column: BoardColumn, row: number): string | null {
  const lastShown = column.top + Math.max(0, column.cards.length - 1);
  const index = Math.min(Math.max(column.top + row, column.top), lastShown, column.ids.length - 1);
  return column.ids[index] ?? null;
}
