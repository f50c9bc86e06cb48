import { describe, expect, it } from 'vitest';
import { MAX_BACKOFF_MS, backoff, decideReassign, decideRestart } from '../../src/core/rules/guards.js';
import type { ReassignDecision, ReassignFacts, RestartDecision, RestartFacts } from '../../src/core/rules/guards.js';

/** A running task with nothing done yet, restarted by a person. */
const base: RestartFacts = {
  worker: 'w1',
  taskState: 'running',
  dirtyFiles: [],
  commitsAhead: 0,
  landed: false,
  attempts: 0,
  maxAttempts: 3,
  lastCheckpoint: null,
  automatic: false,
  backoffBaseMs: 1000,
  destructive: false,
  confirmation: null,
};

const DIRTY = '2 uncommitted files kept in the worktree (src/a.ts, notes.md)';
const IDLE_DONE = 'the task is done: it is never run again; the worker comes back idle';

const restartCases: Array<{ name: string; facts: Partial<RestartFacts>; want: RestartDecision }> = [
  // A done or landed task never runs again — whatever else is true.
  { name: 'done: idle', facts: { taskState: 'done' }, want: { action: 'idle', reasons: [IDLE_DONE], backupRef: false } },
  {
    name: 'landed while still running: idle (the Gas Town re-run)',
    facts: { landed: true, commitsAhead: 0 },
    want: { action: 'idle', reasons: ['its branch already landed on the base: it is never run again; the worker comes back idle'], backupRef: false },
  },
  {
    name: 'done, automatic with the budget spent: still idle, not escalated',
    facts: { taskState: 'done', automatic: true, attempts: 5 },
    want: { action: 'idle', reasons: [IDLE_DONE], backupRef: false },
  },
  {
    name: 'done, destructive reset asked: idle, nothing reset',
    facts: { taskState: 'done', destructive: true, confirmation: 'w1' },
    want: { action: 'idle', reasons: [IDLE_DONE], backupRef: false },
  },
  {
    name: 'done but dirty: idle, and says the files are kept',
    facts: { taskState: 'done', dirtyFiles: ['src/a.ts', 'notes.md'] },
    want: { action: 'idle', reasons: [IDLE_DONE, DIRTY], backupRef: false },
  },
  // No task to carry on.
  { name: 'no task: idle', facts: { taskState: null }, want: { action: 'idle', reasons: ['the worker has no task; the worker comes back idle'], backupRef: false } },
  ...(['queued', 'failed', 'blocked', 'escalated', 'canceled'] as const).map((state) => ({
    name: `task ${state}: idle`,
    facts: { taskState: state },
    want: { action: 'idle' as const, reasons: [`its task is ${state}, so there is nothing to carry on; the worker comes back idle`], backupRef: false },
  })),
  // Uncommitted work is never thrown away.
  {
    name: 'dirty: restart in place and say so',
    facts: { dirtyFiles: ['src/a.ts', 'notes.md'] },
    want: { action: 'restart-in-place', reasons: ['restarting in place: nothing is reset', DIRTY], backupRef: false },
  },
  {
    name: 'dirty with commits and a checkpoint: in place, all of it named',
    facts: { dirtyFiles: ['src/a.ts', 'notes.md'], commitsAhead: 2, lastCheckpoint: { at: 1, sha: 'a1b2c3', step: 'parser' } },
    want: {
      action: 'restart-in-place',
      reasons: ['restarting in place: nothing is reset', DIRTY, '2 commits ahead of the base', 'last checkpoint: parser, a1b2c3'],
      backupRef: false,
    },
  },
  {
    name: 'many dirty files: three named, the rest counted',
    facts: { dirtyFiles: ['a', 'b', 'c', 'd', 'e'] },
    want: { action: 'restart-in-place', reasons: ['restarting in place: nothing is reset', '5 uncommitted files kept in the worktree (a, b, c and 2 more)'], backupRef: false },
  },
  // Commits or a checkpoint: resume.
  { name: 'commits ahead: resume', facts: { commitsAhead: 1 }, want: { action: 'resume', reasons: ['resuming, not starting over', '1 commit ahead of the base'], backupRef: false } },
  {
    name: 'checkpoint only: resume',
    facts: { lastCheckpoint: { at: 1, note: 'halfway' } },
    want: { action: 'resume', reasons: ['resuming, not starting over', 'last checkpoint: halfway'], backupRef: false },
  },
  { name: 'claimed, nothing done: fresh', facts: { taskState: 'claimed' }, want: { action: 'fresh', reasons: ['nothing done yet on the branch: starting the task from the beginning'], backupRef: false } },
  // Automatic restarts back off and stop.
  {
    name: 'automatic, first restart: base delay',
    facts: { automatic: true, attempts: 0, commitsAhead: 1 },
    want: { action: 'resume', reasons: ['resuming, not starting over', '1 commit ahead of the base'], backupRef: false, delayMs: 1000 },
  },
  {
    name: 'automatic, third restart: 4× the base',
    facts: { automatic: true, attempts: 2 },
    want: { action: 'fresh', reasons: ['nothing done yet on the branch: starting the task from the beginning'], backupRef: false, delayMs: 4000 },
  },
  {
    name: 'automatic, dirty: in place after the delay',
    facts: { automatic: true, attempts: 1, dirtyFiles: ['src/a.ts', 'notes.md'] },
    want: { action: 'restart-in-place', reasons: ['restarting in place: nothing is reset', DIRTY], backupRef: false, delayMs: 2000 },
  },
  {
    name: 'automatic, budget spent: escalate, work still named',
    facts: { automatic: true, attempts: 3, dirtyFiles: ['src/a.ts', 'notes.md'] },
    want: { action: 'escalate', reasons: ['3 automatic restarts of 3 spent: escalating to a person instead of retrying', DIRTY], backupRef: false },
  },
  {
    name: 'a person restarting past the budget is not stopped, nor delayed',
    facts: { automatic: false, attempts: 7 },
    want: { action: 'fresh', reasons: ['nothing done yet on the branch: starting the task from the beginning'], backupRef: false },
  },
  // A destructive reset needs the worker's name typed, and a backup ref.
  {
    name: 'destructive, not yet confirmed',
    facts: { destructive: true, dirtyFiles: ['src/a.ts', 'notes.md'], commitsAhead: 1 },
    want: {
      action: 'reset-needs-confirmation',
      reasons: ['resetting w1 to the base discards 2 uncommitted files and 1 commit', 'type w1 to confirm; a backup ref is saved first'],
      backupRef: true,
    },
  },
  {
    name: 'destructive, wrong name typed: still asks',
    facts: { destructive: true, confirmation: 'w2', commitsAhead: 1 },
    want: { action: 'reset-needs-confirmation', reasons: ['resetting w1 to the base discards 1 commit', 'type w1 to confirm; a backup ref is saved first'], backupRef: true },
  },
  {
    name: 'destructive, confirmed: fresh after a backup ref',
    facts: { destructive: true, confirmation: 'w1', dirtyFiles: ['src/a.ts', 'notes.md'] },
    want: { action: 'fresh', reasons: ['reset to the base, confirmed by typing w1; 2 uncommitted files saved in a backup ref first'], backupRef: true },
  },
  {
    name: 'destructive on a clean tree: still confirmed and backed up',
    facts: { destructive: true },
    want: { action: 'reset-needs-confirmation', reasons: ['resetting w1 to the base discards nothing uncommitted or ahead', 'type w1 to confirm; a backup ref is saved first'], backupRef: true },
  },
];

describe('decideRestart', () => {
  it.each(restartCases)('$name', ({ facts, want }) => {
    expect(decideRestart({ ...base, ...facts })).toEqual(want);
  });

  it('backoff doubles and is capped', () => {
    expect([0, 1, 2, 3].map((n) => backoff(n, 500))).toEqual([500, 1000, 2000, 4000]);
    expect(backoff(40, 1000)).toBe(MAX_BACKOFF_MS);
  });
});

const move: ReassignFacts = {
  task: { id: 'T1', state: 'running', lane: 'backend', branch: 'task/T1' },
  from: { name: 'w1', lane: 'backend' },
  to: { name: 'w2', lane: 'backend', busyWith: null },
  dirtyFiles: [],
  landed: false,
  onDirty: 'commit-wip',
  laneConfirmed: false,
};
const CLEAN_STEPS = ['release-branch', 'checkout', 'resume'] as const;
const ALL_STEPS = ['commit-wip', 'release-branch', 'checkout', 'resume'] as const;
const RESUMES = 'w2 checks out task/T1 and resumes T1';

const reassignCases: Array<{ name: string; facts: Partial<ReassignFacts>; want: ReassignDecision }> = [
  { name: 'clean tree, same lane: move', facts: {}, want: { action: 'move', steps: [...CLEAN_STEPS], reasons: [RESUMES] } },
  { name: 'claimed (not started yet): move', facts: { task: { ...move.task, state: 'claimed' } }, want: { action: 'move', steps: [...CLEAN_STEPS], reasons: [RESUMES] } },
  {
    name: 'dirty tree: commit WIP first, nothing lost',
    facts: { dirtyFiles: ['a.ts', 'b.ts'] },
    want: { action: 'move', steps: [...ALL_STEPS], reasons: ['2 uncommitted files of w1 committed to task/T1 as a WIP checkpoint', RESUMES] },
  },
  {
    name: 'dirty tree, the person chose refuse',
    facts: { dirtyFiles: ['a.ts'], onDirty: 'refuse' },
    want: { action: 'refuse', steps: [], reasons: ['w1 has 1 uncommitted file; commit them or allow a WIP checkpoint'] },
  },
  {
    name: 'another lane: ask first, showing the steps',
    facts: { to: { name: 'w2', lane: 'frontend', busyWith: null } },
    want: { action: 'ask-lane', steps: [...CLEAN_STEPS], reasons: ['w2 is in lane frontend, T1 is in lane backend: move it anyway?', RESUMES] },
  },
  {
    name: 'another lane, confirmed: move',
    facts: { to: { name: 'w2', lane: 'frontend', busyWith: null }, laneConfirmed: true },
    want: { action: 'move', steps: [...CLEAN_STEPS], reasons: [RESUMES] },
  },
  { name: 'queued: refuse, assign instead', facts: { task: { ...move.task, state: 'queued' } }, want: { action: 'refuse', steps: [], reasons: ['T1 is queued, not claimed or running; assign it instead'] } },
  {
    name: 'done: refuse, never run again',
    facts: { task: { ...move.task, state: 'done' } },
    want: { action: 'refuse', steps: [], reasons: ['T1 is done, not claimed or running; a done task is never run again'] },
  },
  { name: 'blocked: refuse', facts: { task: { ...move.task, state: 'blocked' } }, want: { action: 'refuse', steps: [], reasons: ['T1 is blocked, not claimed or running'] } },
  { name: 'landed: refuse', facts: { landed: true }, want: { action: 'refuse', steps: [], reasons: ["T1's branch already landed on the base; mark it done instead of moving it"] } },
  { name: 'to itself: refuse', facts: { to: { name: 'w1', lane: 'backend', busyWith: null } }, want: { action: 'refuse', steps: [], reasons: ["T1 is already w1's"] } },
  { name: 'target busy: refuse', facts: { to: { name: 'w2', lane: 'backend', busyWith: 'T7' } }, want: { action: 'refuse', steps: [], reasons: ['w2 is busy with T7'] } },
  { name: 'no branch: refuse', facts: { task: { ...move.task, branch: null } }, want: { action: 'refuse', steps: [], reasons: ['T1 has no branch to move'] } },
  {
    name: 'several problems: every reason, and the lane question is not asked',
    facts: { to: { name: 'w2', lane: 'frontend', busyWith: 'T7' }, dirtyFiles: ['a.ts'], onDirty: 'refuse' },
    want: { action: 'refuse', steps: [], reasons: ['w2 is busy with T7', 'w1 has 1 uncommitted file; commit them or allow a WIP checkpoint'] },
  },
];

describe('decideReassign', () => {
  it.each(reassignCases)('$name', ({ facts, want }) => {
    expect(decideReassign({ ...move, ...facts })).toEqual(want);
  });
});
