import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../src/core/rules/events.js';
import { buildReport, formatReport, parseSince, windowLabel } from '../../src/core/views/report.js';
import { newTask, type Task, type TaskOutcome, type TaskState } from '../../src/core/rules/tasks.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SINCE = Date.UTC(2026, 10, 22, 14, 0);
const NOW = SINCE + DAY;

/** UTC, so the expected text does not depend on the machine's zone. */
const clock = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function task(id: string, title: string, state: TaskState, extra: Partial<Task> = {}): Task {
  return { ...newTask({ id, title, lane: 'app' }, SINCE - DAY), state, ...extra };
}

function outcome(fields: Partial<TaskOutcome>): TaskOutcome {
  return { commits: 0, ...fields };
}

/** Events in the order given, with increasing ids as the store assigns them. */
function history(...events: Omit<BoardEvent, 'id' | 'actor'>[]): BoardEvent[] {
  return events.map((event, i) => ({ id: i + 1, actor: { kind: 'dispatcher' }, ...event }));
}

function move(at: number, id: string, action: string, from: string | undefined, to: string, worker?: string, ...reasons: string[]): Omit<BoardEvent, 'id' | 'actor'> {
  return { time: at, kind: 'task', subject: id, action, ...(from === undefined ? {} : { from }), to, ...(worker === undefined ? {} : { worker }), reasons };
}

const EVENTS = history(
  move(SINCE - HOUR, 'T1', 'add', undefined, 'queued'),
  move(SINCE - 30 * MIN, 'T1', 'claim', 'queued', 'claimed', 'app-1', 'claimed by app-1 (attempt 1 of 3)'),
  move(SINCE, 'T1', 'start', 'claimed', 'running', 'app-1'),
  move(SINCE + 12 * MIN, 'T1', 'finish', 'running', 'done', 'app-1', 'check `npm test` passed', '2 commits on muxctl/T1'),
  move(SINCE + HOUR, 'T2', 'add', undefined, 'queued'),
  move(SINCE + 65 * MIN, 'T2', 'claim', 'queued', 'claimed', 'app-2'),
  move(SINCE + 66 * MIN, 'T2', 'start', 'claimed', 'running', 'app-2'),
  move(SINCE + 2 * HOUR, 'T2', 'fail', 'running', 'failed', 'app-2', 'the acceptance check `npm test` failed'),
  move(SINCE + 2 * HOUR + MIN, 'T2', 'prioritize', 'failed', 'failed', undefined, 'priority 2 → 1'),
  move(SINCE + 2 * HOUR + 2 * MIN, 'T2', 'retry', 'failed', 'queued', undefined, 'retried after failed'),
  { time: SINCE + 3 * HOUR, kind: 'worker', subject: 'app-1', action: 'restart', worker: 'app-1', reasons: ['crashed (exit 1); attempt 2 of 3'] },
  move(SINCE + 3 * HOUR, 'T3', 'add', undefined, 'queued'),
  move(SINCE + 3 * HOUR + MIN, 'T3', 'claim', 'queued', 'claimed', 'app-1'),
  move(SINCE + 4 * HOUR, 'T3', 'expireLease', 'claimed', 'queued', 'app-1', 'lease held by app-1 expired', 'attempt 1 of 3: back to the queue'),
  move(SINCE + 4 * HOUR + MIN, 'T3', 'claim', 'queued', 'claimed', 'app-2'),
  move(SINCE + 5 * HOUR, 'T3', 'reassign', 'claimed', 'claimed', 'app-3', 'moved from app-2 to app-3, to resume on branch muxctl/T3'),
  move(SINCE + 6 * HOUR, 'T4', 'add', undefined, 'queued'),
  move(SINCE + 6 * HOUR + MIN, 'T4', 'claim', 'queued', 'claimed', 'app-3'),
  move(SINCE + 6 * HOUR + 2 * MIN, 'T4', 'start', 'claimed', 'running', 'app-3'),
  move(SINCE + 7 * HOUR, 'T4', 'escalate', 'running', 'escalated', 'app-3', 'needs a schema decision'),
  move(SINCE + 8 * HOUR, 'T5', 'add', undefined, 'queued'),
  move(SINCE + 8 * HOUR + MIN, 'T5', 'cancel', 'queued', 'canceled', undefined, 'duplicate of T2'),
);

const TASKS = [
  task('T1', 'fix login', 'done', { assignee: 'app-1', outcome: outcome({ commits: 2, tokens: 12_345, costUsd: 0.41 }) }),
  task('T2', 'add tests', 'queued', { outcome: outcome({ costUsd: 0.1 }) }),
  task('T3', 'rename the config loader', 'claimed', { assignee: 'app-3' }),
  task('T4', 'migrate the db', 'escalated'),
  task('T5', 'add tests again', 'canceled'),
];

describe('formatReport', () => {
  it('tells a person what happened in the window, section by section', () => {
    const text = formatReport(buildReport({ tasks: TASKS, events: EVENTS, since: SINCE, now: NOW }), clock);
    expect(text).toBe(
      [
        'muxctl report — last 24h (since 2026-11-22 14:00)',
        '',
        '4 added · 1 done · 1 failed · 1 escalated · 1 canceled',
        '',
        'Done',
        '  T1  fix login  app-1  42m  2 commits  12.3k tokens  $0.41',
        '',
        'Failed, blocked, escalated',
        '  2026-11-22 16:00  T2  failed     app-2  the acceptance check `npm test` failed (now queued)',
        '  2026-11-22 21:00  T4  escalated  app-3  needs a schema decision',
        '',
        'Restarts',
        '  app-1: 2',
        '    2026-11-22 17:00  restart           crashed (exit 1); attempt 2 of 3',
        '    2026-11-22 18:00  T3 lease expired  lease held by app-1 expired; attempt 1 of 3: back to the queue',
        '  app-2: 1',
        '    2026-11-22 19:00  T3 reassigned     moved from app-2 to app-3, to resume on branch muxctl/T3',
        '',
        'Spent',
        '  $0.51 · 12.3k tokens on 3 tasks that ended; cost unknown for 1 task; tokens unknown for 2 tasks',
        '',
        'Open now',
        '  1 queued · 1 claimed',
        '',
      ].join('\n'),
    );
  });

  it('prints the title and a plain sentence for an empty board, and no empty sections', () => {
    const text = formatReport(buildReport({ tasks: [], events: [], since: SINCE, now: NOW }), clock);
    expect(text).toBe('muxctl report — last 24h (since 2026-11-22 14:00)\n\nNo task changed state in this window.\n');
  });

  it('leaves unknown figures blank, aligns the done rows, and says how many costs are unknown', () => {
    const events = history(
      move(SINCE + HOUR, 'T7', 'claim', 'queued', 'claimed', 'infra-10'),
      move(SINCE + 2 * HOUR + 5 * MIN, 'T7', 'finish', 'running', 'done', 'infra-10'),
      move(SINCE + 3 * HOUR, 'T12', 'finish', 'running', 'done', 'app-1'),
    );
    const tasks = [task('T7', 'a long title that will not fit in the forty columns given', 'done', { outcome: outcome({ commits: 1, costUsd: 2 }) }), task('T12', 'short', 'done')];
    const lines = formatReport(buildReport({ tasks, events, since: SINCE, now: NOW }), clock).split('\n');
    expect(lines.slice(lines.indexOf('Done'), lines.indexOf('Done') + 3)).toEqual([
      'Done',
      '  T7   a long title that will not fit in the f…  infra-10  1h05m  1 commit  $2.00',
      '  T12  short                                     app-1',
    ]);
    expect(lines).toContain('  $2.00 on 2 tasks that ended; cost unknown for 1 task; tokens unknown for 2 tasks');
  });

  it('is the same text for the same input, whatever order the events came in', () => {
    const forward = formatReport(buildReport({ tasks: TASKS, events: EVENTS, since: SINCE, now: NOW }), clock);
    const backward = formatReport(buildReport({ tasks: [...TASKS].reverse(), events: [...EVENTS].reverse(), since: SINCE, now: NOW }), clock);
    expect(backward).toBe(forward);
  });
});

describe('buildReport', () => {
  it('counts moves at or after `since` only, and a task failed twice once', () => {
    const events = history(
      move(SINCE - 1, 'T1', 'fail', 'running', 'failed', 'app-1', 'before the window'),
      move(SINCE, 'T2', 'fail', 'running', 'failed', 'app-1', 'first'),
      move(SINCE + MIN, 'T2', 'retry', 'failed', 'queued'),
      move(SINCE + 2 * MIN, 'T2', 'fail', 'running', 'failed', 'app-1', 'second'),
      move(SINCE + 3 * MIN, 'T3', 'block', 'running', 'blocked', 'app-2', 'waiting on T2'),
    );
    const report = buildReport({ tasks: [], events, since: SINCE, now: NOW });
    expect(report.counts).toEqual({ added: 0, done: 0, failed: 1, blocked: 1, escalated: 0, canceled: 0 });
    expect(report.troubles.map((entry) => `${entry.id} ${entry.state}: ${entry.reasons.join('; ')}`)).toEqual(['T2 failed: first', 'T2 failed: second', 'T3 blocked: waiting on T2']);
  });

  it('measures a done task from its first claim, across a lease expiry, and says null when the claim is not in the events', () => {
    const events = history(
      move(SINCE, 'T1', 'claim', 'queued', 'claimed', 'app-1'),
      move(SINCE + 10 * MIN, 'T1', 'expireLease', 'claimed', 'queued', 'app-1'),
      move(SINCE + 20 * MIN, 'T1', 'claim', 'queued', 'claimed', 'app-2'),
      move(SINCE + 50 * MIN, 'T1', 'finish', 'running', 'done', 'app-2'),
      move(SINCE + 60 * MIN, 'T2', 'finish', 'running', 'done', 'app-1'),
    );
    const report = buildReport({ tasks: [], events, since: SINCE, now: NOW });
    expect(report.done.map((entry) => [entry.id, entry.worker, entry.tookMs])).toEqual([
      ['T1', 'app-2', 50 * MIN],
      ['T2', 'app-1', null],
    ]);
  });

  it('counts the open tasks from the tasks as they are now', () => {
    const tasks = [task('T1', 'a', 'queued'), task('T2', 'b', 'queued'), task('T3', 'c', 'running'), task('T4', 'd', 'done')];
    expect(buildReport({ tasks, events: [], since: SINCE, now: NOW }).open).toEqual({ queued: 2, claimed: 0, running: 1 });
  });
});

describe('windowLabel', () => {
  it.each([
    [DAY, '24h'],
    [90 * MIN, '90m'],
    [2 * HOUR, '2h'],
    [7 * DAY, '7d'],
    [30_000, '30s'],
    [HOUR + 1_500, '1h00m'],
  ])('%i ms reads %s', (ms, label) => {
    expect(windowLabel(ms)).toBe(label);
  });
});

describe('parseSince', () => {
  const now = NOW;
  it.each([
    ['24h', now - DAY],
    ['90m', now - 90 * MIN],
    ['7d', now - 7 * DAY],
    ['30s', now - 30_000],
    [' 2h ', now - 2 * HOUR],
    ['2026-11-22T14:00Z', Date.UTC(2026, 10, 22, 14, 0)],
    ['2026-11-22T16:30:15+02:00', Date.UTC(2026, 10, 22, 14, 30, 15)],
    ['2026-11-22T09:00-0500', Date.UTC(2026, 10, 22, 14, 0)],
    ['2026-11-22T14:00:00.250Z', Date.UTC(2026, 10, 22, 14, 0, 0, 250)],
  ])('%s is %i', (text, expected) => {
    expect(parseSince(text, now)).toBe(expected);
  });

  it('reads a date or time without a zone as local time, as a person typing it means it', () => {
    expect(parseSince('2026-11-22', now)).toBe(new Date(2026, 10, 22).getTime());
    expect(parseSince('2026-11-22T14:05', now)).toBe(new Date(2026, 10, 22, 14, 5).getTime());
    expect(parseSince('2026-11-22 14:05', now)).toBe(new Date(2026, 10, 22, 14, 5).getTime());
  });

  it.each(['yesterday', '24', '1.5h', '24 hours', '-2h', '', '2026-02-30', '2026-13-01', '2026-11-22T25:00', '22/11/2026'])('refuses %j and names what it expected', (text) => {
    expect(parseSince(text, now)).toEqual({
      error: `--since expects a duration (30s, 90m, 24h, 7d) or an ISO date/time (2026-11-22, 2026-11-22T14:00, 2026-11-22T14:00Z); got "${text}"`,
    });
  });

  it('refuses a time in the future', () => {
    expect(parseSince('2026-11-24T00:00Z', now)).toEqual({ error: '--since 2026-11-24T00:00Z is in the future; expected a time before now' });
  });
});
