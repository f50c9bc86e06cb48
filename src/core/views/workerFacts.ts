/**
 * What the dashboard says about one worker, in words: its evidence line, its age, what its logs say,
 * what the board says, its cost. A grid panel, a line of the list and the list's detail pane all say
 * it the same way; each only cuts it to its own room. Pure: `now` is passed in.
 */
import { describeConversation } from '../rules/agents.js';
import { shortDuration } from '../rules/health.js';
import { costText } from '../rules/prices.js';
import type { WorkerSnapshot, WorkerSummary } from '../rules/snapshot.js';

/** How a line reads: what it is, not which colour (the components' theme maps a tone to a style). */
export type Tone = 'plain' | 'task' | 'prompt' | 'notice' | 'error' | 'stats' | 'dim';

export interface FactLine {
  text: string;
  tone: Tone;
}

/** What the board and the control plane add to a worker's own facts (the grid and the list get them alike). */
export interface BoardFacts {
  /** The task it holds, as one line ("T3 running · fix the login form"). */
  taskLine?: string | undefined;
  /** muxctl's last control action on it, with its reason. */
  lastEvent?: string | undefined;
  /** Messages waiting for it to be at its prompt. */
  messagesWaiting?: number | undefined;
}

export interface DiffFigure {
  added: number;
  removed: number;
}

/** "+0 −0" on every clean worker is noise: a worker shows its figure once there is something to land. */
export function shownDiff(figure: DiffFigure | undefined): figure is DiffFigure {
  return figure !== undefined && figure.added + figure.removed > 0;
}

/** The board's lines about a worker, first in its panel: its task, the last control action, messages waiting. */
export function boardLines({ taskLine, lastEvent, messagesWaiting = 0 }: BoardFacts): FactLine[] {
  return [
    ...(taskLine === undefined ? [] : [{ text: `◆ ${taskLine}`, tone: 'task' as const }]),
    ...(lastEvent === undefined ? [] : [{ text: `↻ ${lastEvent}`, tone: 'dim' as const }]),
    ...(messagesWaiting === 0 ? [] : [{ text: `✉ ${messagesWaiting} message${messagesWaiting === 1 ? '' : 's'} waiting`, tone: 'notice' as const }]),
  ];
}

/** What the logs say, most telling first: the lines a small panel keeps. */
export function summaryLines(s: WorkerSummary, now: number): FactLine[] {
  const lines: FactLine[] = [];
  if (s.prompt) lines.push({ text: `▶ ${s.prompt}`, tone: 'prompt' });
  if (s.tool) {
    const mark = s.tool.open ? '▸' : s.tool.ok === false ? '✗' : '✓';
    lines.push({ text: `${mark} ${s.tool.text || s.tool.name}`, tone: s.tool.ok === false ? 'error' : 'plain' });
  }
  if (s.outcome?.ok === false) lines.push({ text: `✗ turn: ${s.outcome.text}`, tone: 'error' });
  if (s.message) lines.push({ text: `“${s.message}”`, tone: 'dim' });
  const stats = [
    tokensText(s),
    costText(s.costUsd, s.estimate ?? null),
    s.errors > 0 ? `${s.errors} error${s.errors === 1 ? '' : 's'}` : '',
    s.malformed > 0 ? `${s.malformed} unreadable` : '',
  ].filter(Boolean);
  // The age alone would repeat the evidence line and take a line from the worker's own output.
  if (stats.length > 0) {
    if (s.lastActiveAt !== null) stats.push(`active ${shortDuration(now - s.lastActiveAt)} ago`);
    lines.push({ text: stats.join(' · '), tone: s.errors > 0 ? 'error' : 'stats' });
  }
  return lines;
}

/** The agent conversation it runs in, when muxctl knows one. */
export function conversationLines(worker: Pick<WorkerSnapshot, 'conversation'>): FactLine[] {
  const text = worker.conversation ? describeConversation(worker.conversation) : null;
  return text === null ? [] : [{ text: `◇ ${text}`, tone: 'dim' }];
}

/** Every fact line of a worker, in the panel's order: the board's, the logs', the conversation. */
export function factLines(worker: WorkerSnapshot, board: BoardFacts, now: number): FactLine[] {
  return [...boardLines(board), ...(worker.summary ? summaryLines(worker.summary, now) : []), ...conversationLines(worker)];
}

/** The evidence line: why the badge says what it says, how long the process is up, restarts spent. */
export function evidenceText(worker: WorkerSnapshot, now: number): string {
  return [worker.health.evidence, ageText(worker, now), restartsText(worker)].filter(Boolean).join(' · ');
}

/** "name · lane", and "@host" for a worker on another machine: a panel's and the detail pane's title. */
export function workerTitle(worker: Pick<WorkerSnapshot, 'name' | 'lane' | 'host'>): string {
  return `${worker.name} · ${worker.lane}${worker.host === undefined ? '' : ` @${worker.host}`}`;
}

/** How the evidence line reads: red for a crash, loud for a worker that needs the person, else quiet. */
export function evidenceTone(worker: Pick<WorkerSnapshot, 'health'>): 'error' | 'state' | 'quiet' {
  const state = worker.health.state;
  return state === 'crashed' ? 'error' : state === 'waiting' || state === 'stuck' || state === 'unreachable' ? 'state' : 'quiet';
}

/** "up 3m" for a live process, "4m ago" for one that ended; '' when there is nothing to count from. */
export function ageText(worker: WorkerSnapshot, now: number): string {
  if (worker.upSince !== null) return `up ${shortDuration(now - worker.upSince)}`;
  const since = worker.health.since;
  if (since === null) return '';
  switch (worker.health.state) {
    case 'exited':
    case 'crashed':
    case 'stopped':
      return `${shortDuration(now - since)} ago`;
    default:
      return '';
  }
}

export function restartsText(worker: WorkerSnapshot): string {
  if (!worker.restarts || worker.restarts.spent === 0) return '';
  const { spent, budget } = worker.restarts;
  return spent >= budget ? `restarts spent ${spent}/${budget}` : `restart ${spent}/${budget}`;
}

/** "12k tok": the tokens its logs count, or '' when they count none. */
export function tokensText(s: Pick<WorkerSummary, 'tokens'>): string {
  return s.tokens ? `${compactCount(s.tokens.input + s.tokens.output)} tok` : '';
}

/** "12k tok · $0.31": tokens and what they cost, as far as the logs say. */
export function spendText(s: WorkerSummary | null): string {
  if (s === null) return '';
  return [tokensText(s), costText(s.costUsd, s.estimate ?? null)].filter(Boolean).join(' · ');
}

/** 1234 → "1.2k", 12400 → "12k": token counts at a glance. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** The screen's last `count` lines, padded so a panel keeps its height. */
export function lastLines(lines: readonly string[], count: number): string[] {
  if (count <= 0) return [];
  const tail = lines.slice(-count);
  return [...tail, ...Array<string>(Math.max(0, count - tail.length)).fill('')];
}
