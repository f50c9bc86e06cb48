/**
 * The list view's lines, pure: one line a worker (state badge, name, lane, task, evidence, age, tokens
 * and cost, `+N −M`), its columns chosen for the width, and the selected worker's detail pane. Every
 * line is cut to its width here, never wrapped by the terminal; the words are workerFacts.ts's, the
 * same a panel shows.
 */
import { workerBranch } from '../rules/names.js';
import type { WorkerSnapshot } from '../rules/snapshot.js';
import { formatDiffFigure } from './diffView.js';
import { fitWidth, oneLine, textWidth, wrapText } from './textWidth.js';
import { ageText, boardLines, conversationLines, evidenceText, restartsText, shownDiff, spendText, summaryLines, type BoardFacts, type DiffFigure, type Tone } from './workerFacts.js';

/** The list's columns, in the order they are drawn. */
export const LIST_COLUMNS = ['badge', 'name', 'lane', 'task', 'evidence', 'age', 'spend', 'diff'] as const;
export type ListColumn = (typeof LIST_COLUMNS)[number];
type PerColumn<T> = Record<ListColumn, T>;
export type ListCells = PerColumn<string>;

/** The heading line over the columns. */
export const LIST_HEADINGS: ListCells = { badge: 'state', name: 'worker', lane: 'lane', task: 'task', evidence: 'evidence', age: 'age', spend: 'tokens · cost', diff: 'diff' };

/** No column is wider than this, whatever its longest cell: a long name or lane leaves room for the rest. */
const MAX_WIDTH: PerColumn<number> = { badge: 18, name: 24, lane: 12, task: 60, evidence: 70, age: 9, spend: 24, diff: 14 };
/** Columns that take what room is left, shared out, and are cut first. */
const FLEXIBLE: readonly ListColumn[] = ['task', 'evidence'];

/**
 * What is given up, in order, when the line is too narrow: first the task and evidence shrink to a
 * comfortable width, then the lane, the tokens and cost and the age go (the detail pane still shows
 * them), then task and evidence shrink further, then go, then the diff figure; only then is the name
 * cut. At 80 columns a name is never cut for the sake of a lane.
 */
const STEPS: readonly { drop: readonly ListColumn[]; flexMin: number }[] = [
  { drop: [], flexMin: 20 },
  { drop: ['lane'], flexMin: 20 },
  { drop: ['lane', 'spend'], flexMin: 20 },
  { drop: ['lane', 'spend', 'age'], flexMin: 20 },
  { drop: ['lane', 'spend', 'age'], flexMin: 10 },
  { drop: ['lane', 'spend', 'age', 'task'], flexMin: 10 },
  { drop: ['lane', 'spend', 'age', 'task', 'diff'], flexMin: 10 },
];

export interface ColumnPlan {
  columns: { key: ListColumn; width: number }[];
  /** Spaces between two columns. */
  gap: number;
}

/** One column before the first: the selected line's mark. */
const MARK_WIDTH = 1;

/** The columns the lines get at `width`: each as wide as its longest cell (or heading), as far as they fit. */
export function planColumns(rows: readonly ListCells[], width: number): ColumnPlan {
  const gap = width >= 100 ? 2 : 1;
  const natural = {} as PerColumn<number>;
  for (const key of LIST_COLUMNS) {
    const longest = Math.max(0, ...rows.map((r) => textWidth(r[key])));
    // A column nobody has anything in (no tasks, no costs) is left out rather than drawn empty.
    natural[key] = longest === 0 ? 0 : Math.min(MAX_WIDTH[key], Math.max(longest, textWidth(LIST_HEADINGS[key])));
  }
  for (const step of STEPS) {
    const plan = allocate(natural, step.drop, step.flexMin, width, gap);
    if (plan !== null) return plan;
  }
  // Only the badge and the name are left: the name takes what the badge leaves, the badge is cut last.
  const room = width - MARK_WIDTH - gap;
  const badge = Math.min(natural.badge, Math.max(1, room - Math.min(natural.name, 8)));
  return { gap, columns: [{ key: 'badge', width: badge }, { key: 'name', width: Math.max(0, Math.min(natural.name, room - badge)) }] };
}

function allocate(natural: PerColumn<number>, drop: readonly ListColumn[], flexMin: number, width: number, gap: number): ColumnPlan | null {
  const keys = LIST_COLUMNS.filter((key) => !drop.includes(key) && natural[key] > 0);
  const fixed = keys.filter((key) => !FLEXIBLE.includes(key)).reduce((sum, key) => sum + natural[key], 0);
  const flexible = keys.filter((key) => FLEXIBLE.includes(key));
  let room = width - MARK_WIDTH - fixed - gap * Math.max(0, keys.length - 1);
  if (room < flexible.reduce((sum, key) => sum + Math.min(natural[key], flexMin), 0)) return null;
  // Shared out narrowest first: a short column keeps its width and the longer one gets the rest.
  const widths: Partial<PerColumn<number>> = {};
  const byNeed = [...flexible].sort((a, b) => natural[a] - natural[b]);
  byNeed.forEach((key, i) => {
    const share = Math.floor(room / (byNeed.length - i));
    widths[key] = Math.min(natural[key], share);
    room -= widths[key] ?? 0;
  });
  return { gap, columns: keys.map((key) => ({ key, width: widths[key] ?? natural[key] })) };
}

/** The extras a worker's line shows besides its own snapshot. */
export interface ListExtras {
  /** The state's symbol, drawn before the badge ("●"). */
  symbol: string;
  taskLine?: string | undefined;
  diff?: DiffFigure | undefined;
}

/** A worker's cells, in the words its panel uses; each on one line. */
export function listCells(worker: WorkerSnapshot, now: number, extras: ListExtras): ListCells {
  const cells: ListCells = {
    badge: `${extras.symbol} ${worker.health.badge}`,
    name: worker.name,
    lane: worker.lane,
    // The board's task, else what the logs say it was asked.
    task: extras.taskLine ?? worker.summary?.prompt ?? '',
    // The age has its own column.
    evidence: [worker.health.evidence, restartsText(worker)].filter(Boolean).join(' · '),
    age: ageText(worker, now),
    spend: spendText(worker.summary),
    diff: shownDiff(extras.diff) ? formatDiffFigure(extras.diff) : '',
  };
  for (const key of LIST_COLUMNS) cells[key] = oneLine(cells[key]);
  return cells;
}

/** A line's cells cut and padded to the plan's widths, in order. */
export function rowSegments(cells: ListCells, plan: ColumnPlan): { key: ListColumn; text: string }[] {
  return plan.columns.map(({ key, width }) => {
    const text = fitWidth(cells[key], width);
    return { key, text: text + ' '.repeat(Math.max(0, width - textWidth(text))) };
  });
}

/** The selected line's mark, before its badge. */
export const SELECTED_MARK = '›';

/** A whole line as text: the mark, then the cells with the plan's gaps, padded to `width`. */
export function rowLine(cells: ListCells, plan: ColumnPlan, selected: boolean, width: number): string {
  const text = (selected ? SELECTED_MARK : ' ') + rowSegments(cells, plan).map((s) => s.text).join(' '.repeat(plan.gap));
  const cut = fitWidth(text, width);
  return cut + ' '.repeat(Math.max(0, width - textWidth(cut)));
}

/** A line of the detail pane: its text, cut to the pane, and how it reads. */
export interface DetailLine {
  text: string;
  tone: Tone | 'evidence' | 'heading';
}

export interface DetailFacts extends BoardFacts {
  /** The task's branch when it holds one; else the worker's own. */
  branch?: string | undefined;
  /** Its lines added and removed against the base, once read. */
  diff?: DiffFigure | undefined;
}

/**
 * The selected worker in full, as many lines as the pane has: the evidence, its task and where the
 * work is (branch, worktree, diff), what its logs say (tool, message, tokens and cost, errors), the
 * board's notes, then its screen's last lines as far as room is left. Long facts go on two or three
 * lines instead of being cut short.
 */
export function detailLines(worker: WorkerSnapshot, now: number, facts: DetailFacts, columns: number, lines: number): DetailLine[] {
  if (lines <= 0 || columns <= 0) return [];
  const out: DetailLine[] = [];
  const add = (text: string, tone: DetailLine['tone'], maxLines = 1): void => {
    for (const line of wrapText(text, columns, maxLines)) out.push({ text: line, tone });
  };
  add(evidenceText(worker, now), 'evidence', 3);
  if (facts.taskLine !== undefined) add(`◆ ${facts.taskLine}`, 'task', 2);
  const where = [`branch ${facts.branch ?? workerBranch(worker.name)}`, facts.diff === undefined ? '' : shownDiff(facts.diff) ? formatDiffFigure(facts.diff) : 'no changes'].filter(Boolean).join(' · ');
  add(where, 'dim');
  add(worker.worktree, 'dim');
  const more = [...boardLines({ lastEvent: facts.lastEvent, messagesWaiting: facts.messagesWaiting }), ...(worker.summary ? summaryLines(worker.summary, now) : []), ...conversationLines(worker)];
  for (const fact of more) add(fact.text, fact.tone, fact.tone === 'prompt' || fact.tone === 'error' ? 2 : 1);
  const kept = out.slice(0, lines);
  // The screen, if room is left for its heading and a line of it: its last lines, blank ones at the end dropped.
  const screen = trimEnd(worker.screen);
  const room = lines - kept.length - 1;
  if (room >= 1 && screen.length > 0) {
    const label = '── screen ';
    kept.push({ text: textWidth(label) >= columns ? '─'.repeat(columns) : label + '─'.repeat(columns - textWidth(label)), tone: 'heading' });
    for (const line of screen.slice(-room)) kept.push({ text: fitWidth(oneLine(line), columns), tone: 'plain' });
  }
  return kept;
}

function trimEnd(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  return lines.slice(0, end);
}

/**
 * The rule over a detail pane under the list: "── w17 · app ──────── ● running ──", the name kept
 * whole as far as the width allows, the badge going first when it does not fit.
 */
export function detailRule(title: string, badge: string, width: number): string {
  const head = `── ${title} `;
  const tail = ` ${badge} ──`;
  if (textWidth(head) + textWidth(tail) + 1 <= width) return head + '─'.repeat(width - textWidth(head) - textWidth(tail)) + tail;
  const short = fitWidth(head, width);
  return short + '─'.repeat(Math.max(0, width - textWidth(short)));
}
