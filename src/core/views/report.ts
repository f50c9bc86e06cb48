/**
 * `muxctl report` (issue 4): what happened on the board in a window of time, for a person in a
 * terminal. Pure: the CLI reads the tasks and events from the store and prints `formatReport`.
 */
import type { BoardEvent } from '../rules/events.js';
import { shortDuration } from '../rules/health.js';
import { NEEDS_PERSON_STATES, plural, type Task, type TaskState } from '../rules/tasks.js';
import { fitWidth, textWidth } from './textWidth.js';

export const COUNTED = ['added', 'done', 'failed', 'blocked', 'escalated', 'canceled'] as const;
export type Counted = (typeof COUNTED)[number];

/** The end states a person should look at, in the order the report lists them. */
const TROUBLE_STATES: readonly TaskState[] = NEEDS_PERSON_STATES;
const ENDED_STATES: readonly TaskState[] = ['done', ...TROUBLE_STATES];
const RESTART_ACTIONS: ReadonlySet<string> = new Set(['restart', 'expireLease', 'reassign']);

export interface DoneEntry {
  id: string;
  title: string;
  worker: string | null;
  doneAt: number;
  /**
   * Wall-clock time from the first claim to done, including any time back in the queue between
   * attempts: what the person waited, not what the workers spent. null when the first claim is older
   * than the events given.
   */
  tookMs: number | null;
  commits: number | null;
  tokens: number | null;
  costUsd: number | null;
}

export interface TroubleEntry {
  id: string;
  title: string;
  state: TaskState;
  time: number;
  worker: string | null;
  reasons: string[];
  /** Where the task is now, so a failure retried since reads as resolved. */
  stateNow: TaskState | null;
}

export interface RestartEntry {
  time: number;
  action: string;
  /** The task an expired lease or a reassignment moved; null for a worker's restart. */
  task: string | null;
  reasons: string[];
}

export interface WorkerRestarts {
  worker: string;
  entries: RestartEntry[];
}

export interface Spending {
  /** Tasks that ended (done, failed, blocked or escalated) in the window. */
  tasks: number;
  costUsd: number;
  tokens: number;
  costUnknown: number;
  tokensUnknown: number;
}

export interface Report {
  since: number;
  now: number;
  /** Distinct tasks that moved into each state in the window (a task failed twice counts once). */
  counts: Record<Counted, number>;
  done: DoneEntry[];
  /** One entry per move into failed, blocked or escalated, oldest first. */
  troubles: TroubleEntry[];
  restarts: WorkerRestarts[];
  spending: Spending;
  open: { queued: number; claimed: number; running: number };
}

export interface ReportInput {
  tasks: readonly Task[];
  /** May reach back before `since`: older events are only used to find when a done task was first claimed. */
  events: readonly BoardEvent[];
  since: number;
  now: number;
}

export function buildReport(input: ReportInput): Report {
  const events = [...input.events].sort((a, b) => a.time - b.time || a.id - b.id);
  const inWindow = events.filter((event) => event.time >= input.since && event.time <= input.now);
  const tasks = new Map(input.tasks.map((task) => [task.id, task]));
  const moves = inWindow.filter(isMove);
  return {
    since: input.since,
    now: input.now,
    counts: countMoves(moves),
    done: moves.filter((event) => event.to === 'done').map((event) => doneEntry(event, tasks.get(event.subject), events)),
    troubles: moves.filter((event) => TROUBLE_STATES.includes(event.to as TaskState)).map((event) => troubleEntry(event, tasks.get(event.subject))),
    restarts: groupRestarts(events, input.since, input.now),
    spending: spending(moves, tasks),
    open: {
      queued: input.tasks.filter((task) => task.state === 'queued').length,
      claimed: input.tasks.filter((task) => task.state === 'claimed').length,
      running: input.tasks.filter((task) => task.state === 'running').length,
    },
  };
}

/** A task event that changed the task's state; a reprioritized failed task stays "failed → failed". */
function isMove(event: BoardEvent): boolean {
  return event.kind === 'task' && event.to !== undefined && event.from !== event.to;
}

function countMoves(moves: readonly BoardEvent[]): Record<Counted, number> {
  const seen: Record<Counted, Set<string>> = { added: new Set(), done: new Set(), failed: new Set(), blocked: new Set(), escalated: new Set(), canceled: new Set() };
  for (const event of moves) {
    const key = event.action === 'add' ? 'added' : event.to;
    if ((COUNTED as readonly string[]).includes(key ?? '')) seen[key as Counted].add(event.subject);
  }
  return { added: seen.added.size, done: seen.done.size, failed: seen.failed.size, blocked: seen.blocked.size, escalated: seen.escalated.size, canceled: seen.canceled.size };
}

function doneEntry(event: BoardEvent, task: Task | undefined, events: readonly BoardEvent[]): DoneEntry {
  const firstClaim = events.find((e) => e.kind === 'task' && e.subject === event.subject && e.action === 'claim' && e.time <= event.time);
  return {
    id: event.subject,
    title: task?.title ?? '',
    worker: event.worker ?? task?.assignee ?? null,
    doneAt: event.time,
    tookMs: firstClaim === undefined ? null : event.time - firstClaim.time,
    commits: task?.outcome?.commits ?? null,
    tokens: task?.outcome?.tokens ?? null,
    costUsd: task?.outcome?.costUsd ?? null,
  };
}

function troubleEntry(event: BoardEvent, task: Task | undefined): TroubleEntry {
  return {
    id: event.subject,
    title: task?.title ?? '',
    state: event.to as TaskState,
    time: event.time,
    worker: event.worker ?? null,
    reasons: event.reasons,
    stateNow: task?.state ?? null,
  };
}

/**
 * Restarts per worker, workers by name. A reassignment belongs to the worker that lost the task: its
 * event names the new holder, so the previous holder is read from the task's earlier events.
 */
function groupRestarts(events: readonly BoardEvent[], since: number, now: number): WorkerRestarts[] {
  const holder = new Map<string, string>();
  const byWorker = new Map<string, RestartEntry[]>();
  for (const event of events) {
    const previous = event.kind === 'task' ? holder.get(event.subject) : undefined;
    if (event.kind === 'task' && event.worker !== undefined) holder.set(event.subject, event.worker);
    if (event.kind === 'board' || event.time < since || event.time > now || !RESTART_ACTIONS.has(event.action)) continue;
    const isTask = event.kind === 'task';
    const worker = (event.action === 'reassign' ? previous : undefined) ?? event.worker ?? (isTask ? '(no worker)' : event.subject);
    const entries = byWorker.get(worker) ?? [];
    entries.push({ time: event.time, action: event.action, task: isTask ? event.subject : null, reasons: event.reasons });
    byWorker.set(worker, entries);
  }
  return [...byWorker.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([worker, entries]) => ({ worker, entries }));
}

function spending(moves: readonly BoardEvent[], tasks: ReadonlyMap<string, Task>): Spending {
  const ended = new Set(moves.filter((event) => ENDED_STATES.includes(event.to as TaskState)).map((event) => event.subject));
  const result: Spending = { tasks: ended.size, costUsd: 0, tokens: 0, costUnknown: 0, tokensUnknown: 0 };
  for (const id of ended) {
    const outcome = tasks.get(id)?.outcome;
    if (outcome?.costUsd === undefined) result.costUnknown += 1;
    else result.costUsd += outcome.costUsd;
    if (outcome?.tokens === undefined) result.tokensUnknown += 1;
    else result.tokens += outcome.tokens;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Text

const TITLE_COLUMNS = 40;

/** The report as a person reads it; `clock` formats a time (e.g. `2026-11-22 14:00`). */
export function formatReport(report: Report, clock: (ms: number) => string): string {
  const sections = [
    [`muxctl report — last ${windowLabel(report.now - report.since)} (since ${clock(report.since)})`],
    summary(report),
    doneSection(report.done),
    troubleSection(report.troubles, clock),
    restartSection(report.restarts, clock),
    spendingSection(report.spending),
    openSection(report.open),
  ];
  return `${sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function summary(report: Report): string[] {
  const parts = COUNTED.filter((key) => report.counts[key] > 0).map((key) => `${report.counts[key]} ${key}`);
  if (parts.length > 0) return [parts.join(' · ')];
  return report.restarts.length > 0 ? [] : ['No task changed state in this window.'];
}

function doneSection(done: readonly DoneEntry[]): string[] {
  if (done.length === 0) return [];
  const rows = done.map((entry) => [
    entry.id,
    fitWidth(entry.title, TITLE_COLUMNS),
    entry.worker ?? '',
    entry.tookMs === null ? '' : shortDuration(entry.tookMs),
    entry.commits === null ? '' : plural(entry.commits, 'commit'),
    entry.tokens === null ? '' : `${compactCount(entry.tokens)} tokens`,
    entry.costUsd === null ? '' : dollars(entry.costUsd),
  ]);
  return ['Done', ...indent(align(rows))];
}

function troubleSection(troubles: readonly TroubleEntry[], clock: (ms: number) => string): string[] {
  if (troubles.length === 0) return [];
  const rows = troubles.map((entry) => {
    const since = entry.stateNow !== null && entry.stateNow !== entry.state ? ` (now ${entry.stateNow})` : '';
    return [clock(entry.time), entry.id, entry.state, entry.worker ?? '', `${entry.reasons.join('; ') || 'no reason given'}${since}`];
  });
  return ['Failed, blocked, escalated', ...indent(align(rows))];
}

function restartSection(restarts: readonly WorkerRestarts[], clock: (ms: number) => string): string[] {
  if (restarts.length === 0) return [];
  // Aligned across workers, so the reasons start in one column however many groups there are.
  const rows = align(restarts.flatMap((group) => group.entries.map((entry) => [clock(entry.time), restartLabel(entry), entry.reasons.join('; ')])));
  const lines = ['Restarts'];
  let next = 0;
  for (const group of restarts) {
    lines.push(`  ${group.worker}: ${group.entries.length}`, ...indent(rows.slice(next, next + group.entries.length), '    '));
    next += group.entries.length;
  }
  return lines;
}

function restartLabel(entry: RestartEntry): string {
  if (entry.action === 'expireLease') return `${entry.task ?? ''} lease expired`;
  if (entry.action === 'reassign') return `${entry.task ?? ''} reassigned`;
  return entry.action;
}

function spendingSection(spent: Spending): string[] {
  if (spent.tasks === 0) return [];
  const known: string[] = [];
  if (spent.costUnknown < spent.tasks) known.push(dollars(spent.costUsd));
  if (spent.tokensUnknown < spent.tasks) known.push(`${compactCount(spent.tokens)} tokens`);
  const parts = [`${known.length > 0 ? `${known.join(' · ')} on ` : ''}${plural(spent.tasks, 'task')} that ended`];
  if (spent.costUnknown > 0) parts.push(`cost unknown for ${plural(spent.costUnknown, 'task')}`);
  if (spent.tokensUnknown > 0 && spent.tokensUnknown !== spent.costUnknown) parts.push(`tokens unknown for ${plural(spent.tokensUnknown, 'task')}`);
  return ['Spent', `  ${parts.join('; ')}`];
}

function openSection(open: Report['open']): string[] {
  const parts = (['queued', 'claimed', 'running'] as const).filter((state) => open[state] > 0).map((state) => `${open[state]} ${state}`);
  return parts.length === 0 ? [] : ['Open now', `  ${parts.join(' · ')}`];
}

/** Columns padded to the widest cell (in terminal columns); a column empty in every row is left out. */
function align(rows: readonly string[][]): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...rows.map((row) => textWidth(row[i] ?? ''))));
  return rows.map((row) =>
    row
      .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - textWidth(cell)))
      .filter((_, i) => (widths[i] ?? 0) > 0)
      .join('  ')
      .trimEnd(),
  );
}

function indent(lines: readonly string[], by = '  '): string[] {
  return lines.map((line) => `${by}${line}`);
}

/** "24h", "90m", "7d": the window as the person most likely typed it. */
export function windowLabel(ms: number): string {
  const units: ReadonlyArray<readonly [string, number]> = [['d', DAY_MS], ['h', HOUR_MS], ['m', MINUTE_MS], ['s', SECOND_MS]];
  for (const [unit, size] of units) {
    // Whole days only from two days up: "24h" reads better than "1d" and is what people type.
    if (unit === 'd' && ms < 2 * DAY_MS) continue;
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return shortDuration(ms);
}

function compactCount(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

function dollars(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

// ---------------------------------------------------------------------------------------------------
// --since

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const UNIT_MS: Readonly<Record<string, number>> = { s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

const DURATION = /^(\d+)([smhd])$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EXPECTED = 'a duration (30s, 90m, 24h, 7d) or an ISO date/time (2026-11-22, 2026-11-22T14:00, 2026-11-22T14:00Z)';

/**
 * The start of the window `--since` names: a duration back from `now`, or a date/time. A date or time
 * without a zone is local, as a person typing it means it (unlike `Date.parse`, which reads a bare
 * date as UTC).
 */
export function parseSince(text: string, now: number): number | { error: string } {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] ?? ''] ?? 0);
  const time = parseIsoTime(trimmed);
  if (time === null) return { error: `--since expects ${EXPECTED}; got "${text}"` };
  if (time > now) return { error: `--since ${trimmed} is in the future; expected a time before now` };
  return time;
}

function parseIsoTime(text: string): number | null {
  const match = ISO.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '0').padEnd(3, '0'));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const zone = match[8];
  if (zone === undefined) return new Date(year, month - 1, day, hour, minute, second, millis).getTime();
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return utc - sign * offsetMinutes * MINUTE_MS;
}
