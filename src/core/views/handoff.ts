/**
 * The board's exports for people and other tools (ARCHITECTURE.md §7): `HANDOFF_LIVE.md`, which a
 * person reads in ten seconds to know what needs them, and `task_queue.json`, the queue for scripts.
 * Pure: the caller writes the files, and only when the bytes change.
 */
import { shortDuration } from '../rules/health.js';
import { compareQueueOrder } from '../rules/queue.js';
import { NEEDS_PERSON_STATES, plural, type Task, type TaskState } from '../rules/tasks.js';
import { fitWidth } from './textWidth.js';

export interface HandoffWorker {
  name: string;
  lane: string;
  /** The health state: working, idle, waiting, stuck, exited, crashed, stopped, missing, starting. */
  state: string;
  /** The health evidence, e.g. "running Bash · 12 min" or "exit 1 at 14:02". */
  evidence: string;
  taskId: string | null;
}

export interface HandoffInput {
  tasks: readonly Task[];
  workers: readonly HandoffWorker[];
  now: number;
  clock: (ms: number) => string;
  /** The latest reason per task id (from the event that moved it), preferred over the task's outcome. */
  reasons?: Readonly<Record<string, string>>;
}

const NEEDS_YOU_WORKER_STATES: ReadonlySet<string> = new Set(['waiting', 'stuck', 'crashed']);
/** Escalated first: it was handed to a person on purpose; a failure may be retried by the policy. */
const ESCALATED_FIRST: readonly TaskState[] = [...NEEDS_PERSON_STATES].reverse();
const QUEUE_SHOWN = 10;
const DONE_SHOWN = 5;
const TITLE_COLUMNS = 50;
const REASON_COLUMNS = 120;

export function renderHandoff(input: HandoffInput): string {
  const titles = new Map(input.tasks.map((task) => [task.id, task.title]));
  const sections = [
    [`# muxctl handoff — ${input.clock(input.now)}`],
    needsYou(input, titles),
    input.workers.length === 0 ? [] : ['## Workers', ...input.workers.map((worker) => `- ${workerLine(worker, titles)}`)],
    queueSection(input.tasks, input.now),
    doneSection(input.tasks, input.clock),
  ];
  return `${sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function needsYou(input: HandoffInput, titles: ReadonlyMap<string, string>): string[] {
  const workers = input.workers.filter((worker) => NEEDS_YOU_WORKER_STATES.has(worker.state)).map((worker) => `- ${workerLine(worker, titles)}`);
  const tasks = ESCALATED_FIRST.flatMap((state) =>
    input.tasks
      .filter((task) => task.state === state)
      .sort(compareIds)
      .map((task) => `- **${task.id}** ${quoted(task.title)} ${state}: ${taskReason(task, input.reasons)}`),
  );
  const lines = [...workers, ...tasks];
  return lines.length === 0 ? ['Nothing needs you.'] : ['## Needs you', ...lines];
}

/** `**app-1** (app) working on T3 "fix login": running Bash · 12 min` */
function workerLine(worker: HandoffWorker, titles: ReadonlyMap<string, string>): string {
  const title = worker.taskId === null ? undefined : titles.get(worker.taskId);
  const task = worker.taskId === null ? '' : ` on ${worker.taskId}${title === undefined ? '' : ` ${quoted(title)}`}`;
  const evidence = oneLine(worker.evidence);
  return `**${worker.name}** (${worker.lane}) ${worker.state}${task}${evidence === '' ? '' : `: ${evidence}`}`;
}

function taskReason(task: Task, reasons: Readonly<Record<string, string>> | undefined): string {
  const outcome = task.outcome;
  const checkTail = outcome?.checkTail?.split('\n').filter((line) => line.trim() !== '').at(-1);
  const candidates = [reasons?.[task.id], outcome?.message, checkTail].map((text) => oneLine(text ?? ''));
  return fitWidth(candidates.find((text) => text !== '') ?? 'no reason recorded', REASON_COLUMNS);
}

function queueSection(tasks: readonly Task[], now: number): string[] {
  const queued = tasks.filter((task) => task.state === 'queued').sort(compareQueueOrder);
  if (queued.length === 0) return [];
  const lines = queued
    .slice(0, QUEUE_SHOWN)
    .map((task, i) => `${i + 1}. **${task.id}** ${quoted(task.title)} — P${task.priority} · ${task.lane} · added ${shortDuration(now - task.createdAt)} ago`);
  // A blank line first, or markdown folds the remark into the last list item.
  const more = queued.length > QUEUE_SHOWN ? ['', `…and ${queued.length - QUEUE_SHOWN} more`] : [];
  return ['## Queue', ...lines, ...more];
}

function doneSection(tasks: readonly Task[], clock: (ms: number) => string): string[] {
  const done = tasks
    .filter((task) => task.state === 'done' || task.state === 'landed')
    .sort((a, b) => b.updatedAt - a.updatedAt || compareIds(b, a))
    .slice(0, DONE_SHOWN);
  if (done.length === 0) return [];
  return [
    '## Done recently',
    ...done.map((task) => {
      const facts = [task.assignee, task.outcome === null ? null : plural(task.outcome.commits, 'commit'), clock(task.updatedAt)];
      return `- **${task.id}** ${quoted(task.title)} — ${facts.filter((fact) => fact !== null).join(' · ')}`;
    }),
  ];
}

function quoted(title: string): string {
  return `"${fitWidth(oneLine(title), TITLE_COLUMNS)}"`;
}

/** One line of markdown per item: a newline in a title or a reason would start a paragraph. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------------
// task_queue.json

export interface QueueCheckpoint {
  at: string;
  sha: string | null;
  step: string | null;
  note: string | null;
}

export interface QueueOutcome {
  message: string | null;
  commits: number;
  tokens: number | null;
  costUsd: number | null;
  checkTail: string | null;
}

export interface QueueEntry {
  id: string;
  state: TaskState;
  title: string;
  lane: string;
  priority: number;
  labels: string[];
  check: string | null;
  branch: string | null;
  assignee: string | null;
  attempts: number;
  maxAttempts: number;
  leaseExpiresAt: string | null;
  checkpoints: number;
  lastCheckpoint: QueueCheckpoint | null;
  outcome: QueueOutcome | null;
  createdAt: string;
  updatedAt: string;
}

export interface QueueFile {
  version: 1;
  /** `now`: the only field that changes without the board changing; compare `tasks` to decide to write. */
  generatedAt: string;
  tasks: QueueEntry[];
}

/**
 * Every task but the canceled ones: queued first in the order they will run, then the rest by id.
 * Every object is built field by field, with null for a missing value, so the same board gives the same
 * bytes whatever key order the store's JSON columns came back in.
 */
export function renderQueue(tasks: readonly Task[], now: number): QueueFile {
  const live = tasks.filter((task) => task.state !== 'canceled');
  const queued = live.filter((task) => task.state === 'queued').sort(compareQueueOrder);
  const rest = live.filter((task) => task.state !== 'queued').sort(compareIds);
  return { version: 1, generatedAt: iso(now), tasks: [...queued, ...rest].map(queueEntry) };
}

/** The file's bytes: two-space JSON and a final newline, so diffs and `git diff --no-index` read well. */
export function formatQueueFile(file: QueueFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function queueEntry(task: Task): QueueEntry {
  const last = task.checkpoints.at(-1);
  return {
    id: task.id,
    state: task.state,
    title: task.title,
    lane: task.lane,
    priority: task.priority,
    labels: [...task.labels],
    check: task.check,
    branch: task.branch,
    assignee: task.assignee,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    leaseExpiresAt: task.lease === null ? null : iso(task.lease.expiresAt),
    checkpoints: task.checkpoints.length,
    lastCheckpoint: last === undefined ? null : { at: iso(last.at), sha: last.sha ?? null, step: last.step ?? null, note: last.note ?? null },
    outcome:
      task.outcome === null
        ? null
        : {
            message: task.outcome.message ?? null,
            commits: task.outcome.commits,
            tokens: task.outcome.tokens ?? null,
            costUsd: task.outcome.costUsd ?? null,
            checkTail: task.outcome.checkTail ?? null,
          },
    createdAt: iso(task.createdAt),
    updatedAt: iso(task.updatedAt),
  };
}

/** Ids are `T<n>`: T2 before T10. Anything else sorts after, by text, so the order is still total. */
function compareIds(a: Task, b: Task): number {
  const na = idNumber(a.id);
  const nb = idNumber(b.id);
  if (na !== nb) return na - nb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function idNumber(id: string): number {
  const match = /^T(\d+)$/i.exec(id);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
