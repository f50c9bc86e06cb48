import { describe, expect, it } from 'vitest';
import { formatQueueFile, renderHandoff, renderQueue, type HandoffWorker } from '../../src/core/views/handoff.js';
import { newTask, type Task, type TaskState } from '../../src/core/rules/tasks.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 10, 22, 14, 0);

/** UTC, so the expected text does not depend on the machine's zone. */
const clock = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function task(id: string, title: string, state: TaskState, extra: Partial<Task> = {}): Task {
  const created = extra.createdAt ?? NOW - 3 * HOUR;
  return { ...newTask({ id, title, lane: 'app' }, created), state, ...extra };
}

function worker(name: string, state: string, evidence: string, taskId: string | null = null, lane = 'app'): HandoffWorker {
  return { name, lane, state, evidence, taskId };
}

describe('renderHandoff', () => {
  it('puts what needs the person first, then the workers, the queue and what was done', () => {
    const tasks = [
      task('T3', 'fix login', 'running', { assignee: 'app-1' }),
      task('T4', 'migrate the db', 'escalated', { outcome: { commits: 0, message: 'I need to know which schema to keep' } }),
      task('T5', 'flaky test', 'failed', { outcome: { commits: 1, checkTail: 'FAIL test/a.test.ts\n  expected 2 to be 3\n\n' } }),
      task('T6', 'docs', 'blocked'),
      task('T7', 'add tests', 'queued', { priority: 1, createdAt: NOW - 2 * HOUR - 5 * MIN }),
      task('T8', 'bump deps', 'queued', { createdAt: NOW - 30 * MIN }),
      task('T2', 'rename config', 'done', { assignee: 'app-2', outcome: { commits: 2 }, updatedAt: NOW - 20 * MIN }),
    ];
    const workers = [
      worker('app-1', 'working', 'running Bash · 12 min', 'T3'),
      worker('app-2', 'waiting', 'Do you want to proceed? (y/n)'),
      worker('infra-1', 'crashed', 'exit 1 at 13:58', 'T9', 'infra'),
    ];
    const text = renderHandoff({ tasks, workers, now: NOW, clock, reasons: { T6: 'waiting on T4' } });
    expect(text).toBe(
      [
        '# muxctl handoff — 2026-11-22 14:00',
        '',
        '## Needs you',
        '- **app-2** (app) waiting: Do you want to proceed? (y/n)',
        '- **infra-1** (infra) crashed on T9: exit 1 at 13:58',
        '- **T4** "migrate the db" escalated: I need to know which schema to keep',
        '- **T6** "docs" blocked: waiting on T4',
        '- **T5** "flaky test" failed: expected 2 to be 3',
        '',
        '## Workers',
        '- **app-1** (app) working on T3 "fix login": running Bash · 12 min',
        '- **app-2** (app) waiting: Do you want to proceed? (y/n)',
        '- **infra-1** (infra) crashed on T9: exit 1 at 13:58',
        '',
        '## Queue',
        '1. **T7** "add tests" — P1 · app · added 2h05m ago',
        '2. **T8** "bump deps" — P2 · app · added 30m ago',
        '',
        '## Done recently',
        '- **T2** "rename config" — app-2 · 2 commits · 2026-11-22 13:40',
        '',
      ].join('\n'),
    );
  });

  it('says plainly that nothing needs the person on an empty board', () => {
    expect(renderHandoff({ tasks: [], workers: [], now: NOW, clock })).toBe('# muxctl handoff — 2026-11-22 14:00\n\nNothing needs you.\n');
  });

  it('prefers the reason given over the outcome, and says when there is none', () => {
    const tasks = [
      task('T1', 'a', 'failed', { outcome: { commits: 0, message: 'the agent said so' } }),
      task('T2', 'b', 'failed', { outcome: { commits: 0, message: 'the agent said so' } }),
      task('T3', 'c', 'failed'),
    ];
    const lines = renderHandoff({ tasks, workers: [], now: NOW, clock, reasons: { T1: 'check `npm test` failed' } }).split('\n');
    expect(lines.filter((line) => line.startsWith('- '))).toEqual([
      '- **T1** "a" failed: check `npm test` failed',
      '- **T2** "b" failed: the agent said so',
      '- **T3** "c" failed: no reason recorded',
    ]);
  });

  it('keeps every item on one line, however the title and the evidence are broken', () => {
    const text = renderHandoff({ tasks: [task('T1', 'two\nlines', 'running')], workers: [worker('app-1', 'stuck', 'no output\nfor 12 min', 'T1')], now: NOW, clock });
    expect(text).toContain('- **app-1** (app) stuck on T1 "two lines": no output for 12 min\n');
  });

  it('shows the next ten queued tasks in queue order and counts the rest', () => {
    const tasks = Array.from({ length: 13 }, (_, i) => task(`T${i + 1}`, `task ${i + 1}`, 'queued', { priority: i === 12 ? 1 : 2, createdAt: NOW - HOUR + i * MIN }));
    const lines = renderHandoff({ tasks, workers: [], now: NOW, clock }).split('\n');
    const queue = lines.slice(lines.indexOf('## Queue') + 1);
    expect(queue[0]).toBe('1. **T13** "task 13" — P1 · app · added 48m ago');
    expect(queue[1]).toBe('2. **T1** "task 1" — P2 · app · added 1h00m ago');
    expect(queue[9]).toBe('10. **T9** "task 9" — P2 · app · added 52m ago');
    expect(queue.slice(10)).toEqual(['', '…and 3 more', '']);
  });

  it('lists the five most recently done tasks, newest first', () => {
    const tasks = Array.from({ length: 7 }, (_, i) => task(`T${i + 1}`, `t${i + 1}`, 'done', { updatedAt: NOW - (7 - i) * MIN }));
    const lines = renderHandoff({ tasks, workers: [], now: NOW, clock }).split('\n');
    const done = lines.slice(lines.indexOf('## Done recently') + 1).filter((line) => line !== '');
    expect(done.map((line) => line.split(' ')[1])).toEqual(['**T7**', '**T6**', '**T5**', '**T4**', '**T3**']);
    expect(done[0]).toBe('- **T7** "t7" — 2026-11-22 13:59');
  });
});

describe('renderQueue', () => {
  const tasks = [
    task('T10', 'ten', 'running', {
      assignee: 'app-1',
      attempts: 1,
      branch: 'muxctl/T10-ten',
      lease: { holder: 'app-1', expiresAt: NOW + 10 * MIN },
      checkpoints: [{ at: NOW - 5 * MIN, step: 'tests' }, { at: NOW - MIN, sha: 'abc123', note: 'half done' }],
    }),
    task('T2', 'two', 'done', { outcome: { commits: 3, tokens: 900 }, updatedAt: NOW - HOUR }),
    task('T3', 'three', 'queued', { createdAt: NOW - HOUR }),
    task('T4', 'four', 'queued', { priority: 1, createdAt: NOW - MIN, labels: ['ui', 'p1'], check: 'npm test' }),
    task('T5', 'five', 'canceled'),
    task('T11', 'eleven', 'failed'),
  ];

  it('lists queued tasks in queue order, then the rest by id number, and leaves out canceled ones', () => {
    expect(renderQueue(tasks, NOW).tasks.map((entry) => entry.id)).toEqual(['T4', 'T3', 'T2', 'T10', 'T11']);
  });

  it('writes times as ISO strings and sums up the checkpoints', () => {
    const file = renderQueue(tasks, NOW);
    expect(file.version).toBe(1);
    expect(file.generatedAt).toBe('2026-11-22T14:00:00.000Z');
    expect(file.tasks.find((entry) => entry.id === 'T10')).toEqual({
      id: 'T10',
      state: 'running',
      title: 'ten',
      lane: 'app',
      priority: 2,
      labels: [],
      check: null,
      branch: 'muxctl/T10-ten',
      assignee: 'app-1',
      attempts: 1,
      maxAttempts: 3,
      leaseExpiresAt: '2026-11-22T14:10:00.000Z',
      checkpoints: 2,
      lastCheckpoint: { at: '2026-11-22T13:59:00.000Z', sha: 'abc123', step: null, note: 'half done' },
      outcome: null,
      createdAt: '2026-11-22T11:00:00.000Z',
      updatedAt: '2026-11-22T11:00:00.000Z',
    });
    expect(file.tasks.find((entry) => entry.id === 'T2')?.outcome).toEqual({ message: null, commits: 3, tokens: 900, costUsd: null, checkTail: null });
  });

  it('gives the same bytes for the same board, whatever order the tasks and their fields came in', () => {
    const reordered = [...tasks].reverse().map((one) => (one.outcome === null ? one : { ...one, outcome: { tokens: 900, commits: 3 } }));
    expect(formatQueueFile(renderQueue(reordered, NOW))).toBe(formatQueueFile(renderQueue(tasks, NOW)));
    expect(formatQueueFile(renderQueue(tasks, NOW)).endsWith('}\n')).toBe(true);
  });

  it('is an empty list for an empty board', () => {
    expect(renderQueue([], NOW)).toEqual({ version: 1, generatedAt: '2026-11-22T14:00:00.000Z', tasks: [] });
  });
});
