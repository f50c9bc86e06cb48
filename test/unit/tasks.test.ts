import { describe, expect, it } from 'vitest';
import { TASK_STATES, newTask } from '../../src/core/rules/tasks.js';
import { applyTask } from '../../src/core/rules/taskMachine.js';
import { drift } from '../../src/core/rules/treeEvidence.js';
import { pickNext } from '../../src/core/rules/queue.js';
import type { Actor, FinishEvidence, Task, TaskCommand, TaskCommandType, TaskResult, TaskState } from '../../src/core/rules/tasks.js';
import type { TreeFacts } from '../../src/core/rules/treeEvidence.js';

const NOW = Date.UTC(2025, 0, 2, 14, 0, 0);
const LEASE_MS = 60_000;
const AFTER_EXPIRY = NOW + 2 * LEASE_MS;
const person: Actor = { kind: 'person', name: 'ana' };
const policy: Actor = { kind: 'policy' };
const w1: Actor = { kind: 'worker', name: 'w1' };
const w2: Actor = { kind: 'worker', name: 'w2' };

/** A task in `state`, shaped as the machine would have left it: claimed/running ones held by w1. */
function taskIn(state: TaskState, over: Partial<Task> = {}): Task {
  const held = state === 'claimed' || state === 'running';
  return {
    ...newTask({ id: 'T1', title: 'fix the parser', lane: 'backend', check: 'npm test' }, NOW - 10_000),
    state,
    branch: 'task/T1',
    assignee: state === 'queued' ? null : 'w1',
    attempts: state === 'queued' ? 0 : 1,
    lease: held ? { holder: 'w1', expiresAt: NOW + LEASE_MS } : null,
    ...over,
  };
}

function ok(result: TaskResult): Task {
  if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
  return result.task;
}

function refusal(result: TaskResult): { code: string; error: string; reasons: string[] } {
  if (result.ok) throw new Error(`expected a refusal, got ${result.event.from} → ${result.event.to}`);
  return result;
}

const goodEvidence: FinishEvidence = { checkPassed: true, dirtyFiles: [], commitsOnBranch: 2 };

/** One well-formed command of each type, as a person (or the dispatcher for w1) would send it. */
const COMMANDS: Record<TaskCommandType, TaskCommand> = {
  claim: { type: 'claim', worker: 'w2', leaseMs: LEASE_MS },
  start: { type: 'start', worker: 'w1' },
  renew: { type: 'renew', worker: 'w1', leaseMs: LEASE_MS },
  checkpoint: { type: 'checkpoint', worker: 'w1', sha: 'a1b2c3', step: 'parser tests' },
  finish: { type: 'finish', worker: 'w1', evidence: goodEvidence },
  fail: { type: 'fail', worker: 'w1', reason: 'tests keep failing' },
  block: { type: 'block', reason: 'needs an API key' },
  escalate: { type: 'escalate', reason: 'agent is looping' },
  cancel: { type: 'cancel', reason: 'no longer needed' },
  retry: { type: 'retry' },
  expireLease: { type: 'expireLease' },
  release: { type: 'release', worker: 'w1' },
  reassign: { type: 'reassign', from: 'w1', to: 'w2', leaseMs: LEASE_MS },
  prioritize: { type: 'prioritize', priority: 1 },
  accept: { type: 'accept' },
  land: { type: 'land', sha: 'abc1234def567' },
  bounce: { type: 'bounce', reasons: ['conflict in src/a.ts'], worker: 'w1', leaseMs: LEASE_MS },
};

/** The legal moves, written out from the issue (not derived from the code's table), with where each lands. */
const LEGAL_MOVES: Record<TaskCommandType, Partial<Record<TaskState, TaskState>>> = {
  claim: { queued: 'claimed' },
  start: { claimed: 'running' },
  renew: { claimed: 'claimed', running: 'running' },
  checkpoint: { claimed: 'claimed', running: 'running' },
  finish: { running: 'done' },
  // Also from claimed: a delivery that never reached the agent, or a crash loop before it started.
  fail: { claimed: 'failed', running: 'failed' },
  block: { claimed: 'blocked', running: 'blocked' },
  escalate: { claimed: 'escalated', running: 'escalated' },
  cancel: { proposed: 'canceled', queued: 'canceled', claimed: 'canceled', running: 'canceled', failed: 'canceled', blocked: 'canceled', escalated: 'canceled' },
  retry: { failed: 'queued', blocked: 'queued', escalated: 'queued' },
  expireLease: { claimed: 'queued', running: 'queued' },
  release: { claimed: 'queued', running: 'queued' },
  reassign: { claimed: 'claimed', running: 'claimed' },
  prioritize: { proposed: 'proposed', queued: 'queued', claimed: 'claimed', running: 'running', failed: 'failed', blocked: 'blocked', escalated: 'escalated' },
  // Issue 12: a person takes a worker's proposal into the queue.
  accept: { proposed: 'queued' },
  // Issue 5: the lander lands a done task, or sends it back to its worker to fix.
  land: { done: 'landed' },
  bounce: { done: 'claimed' },
};

const VERB: Record<TaskCommandType, string> = {
  claim: 'claim', start: 'start', renew: 'renew the lease of', checkpoint: 'checkpoint', finish: 'finish', fail: 'fail',
  block: 'block', escalate: 'escalate', cancel: 'cancel', retry: 'retry', expireLease: 'expire the lease of',
  release: 'release', reassign: 'reassign', prioritize: 'reprioritize', accept: 'accept', land: 'land', bounce: 'send back',
};

describe('the full state × command matrix', () => {
  const cells = TASK_STATES.flatMap((state) => (Object.keys(COMMANDS) as TaskCommandType[]).map((type) => ({ state, type })));

  it('covers 10 states × 17 commands, of which 39 are legal', () => {
    expect(cells).toHaveLength(170);
    expect(cells.filter(({ state, type }) => LEGAL_MOVES[type][state] !== undefined)).toHaveLength(39);
  });

  it.each(cells)('$type from $state', ({ state, type }) => {
    const now = type === 'expireLease' ? AFTER_EXPIRY : NOW;
    const result = applyTask(taskIn(state), COMMANDS[type], person, now);
    const to = LEGAL_MOVES[type][state];
    if (to === undefined) {
      const { error } = refusal(result);
      expect(error).toContain(`cannot ${VERB[type]} T1: it is ${state}`);
      return;
    }
    if (!result.ok) throw new Error(`legal move refused: ${result.error}`);
    expect(result.task.state).toBe(to);
    expect(result.task.updatedAt).toBe(now);
    expect(result.event).toMatchObject({ time: now, actor: person, task: 'T1', action: type, from: state, to });
  });

  it('names the allowed states in the error, and says a done task never runs again', () => {
    expect(refusal(applyTask(taskIn('queued'), COMMANDS.finish, person, NOW)).error).toBe('cannot finish T1: it is queued, not running');
    expect(refusal(applyTask(taskIn('done'), COMMANDS.retry, person, NOW)).error).toBe(
      'cannot retry T1: it is done, not failed, blocked or escalated (a done task is never run again)',
    );
  });
});

describe('claim', () => {
  it('sets the assignee, a lease and the attempt; keeps an existing branch', () => {
    const task = ok(applyTask(taskIn('queued', { branch: null }), { type: 'claim', worker: 'w2', leaseMs: LEASE_MS, branch: 'task/T1-parser' }, { kind: 'dispatcher' }, NOW));
    expect(task).toMatchObject({ state: 'claimed', assignee: 'w2', attempts: 1, branch: 'task/T1-parser', lease: { holder: 'w2', expiresAt: NOW + LEASE_MS } });
    const resumed = ok(applyTask(taskIn('queued'), { type: 'claim', worker: 'w2', leaseMs: LEASE_MS, branch: 'task/other' }, person, NOW));
    expect(resumed.branch).toBe('task/T1');
  });

  it('two claimers: the second is refused while the first holds a live lease', () => {
    const first = applyTask(taskIn('queued'), { type: 'claim', worker: 'w1', leaseMs: LEASE_MS }, w1, NOW);
    const second = applyTask(ok(first), { type: 'claim', worker: 'w2', leaseMs: LEASE_MS }, w2, NOW + 1);
    const { code, error } = refusal(second);
    expect(code).toBe('lease-held');
    expect(error).toMatch(/^cannot claim T1: it is claimed and held by w1, whose lease is live until/);
  });

  it('an expired lease is not taken over by a claim: it must be expired first', () => {
    const { code, error } = refusal(applyTask(taskIn('running'), COMMANDS.claim, person, AFTER_EXPIRY));
    expect(code).toBe('illegal-move');
    expect(error).toContain('expire it first');
  });
});

describe('moves of the lease holder', () => {
  it('start: only the holder starts; another worker is refused', () => {
    expect(ok(applyTask(taskIn('claimed'), COMMANDS.start, person, NOW)).state).toBe('running');
    const { code, error } = refusal(applyTask(taskIn('claimed'), { type: 'start', worker: 'w2' }, person, NOW));
    expect(code).toBe('lease-held');
    expect(error).toBe('cannot start T1: it is held by w1, not w2');
  });

  it('renew: pushes the expiry out from now', () => {
    expect(ok(applyTask(taskIn('running'), COMMANDS.renew, w1, NOW + 5000)).lease).toEqual({ holder: 'w1', expiresAt: NOW + 5000 + LEASE_MS });
  });

  it('checkpoint: appends what the worker said, stamped with now', () => {
    const result = applyTask(taskIn('running'), COMMANDS.checkpoint, w1, NOW);
    expect(ok(result).checkpoints).toEqual([{ at: NOW, sha: 'a1b2c3', step: 'parser tests' }]);
    expect(result.ok && result.event.reasons).toEqual(['checkpoint: parser tests, a1b2c3']);
  });

  it('finish: done when the tree agrees, lease let go, reasons recorded', () => {
    const result = applyTask(taskIn('running'), COMMANDS.finish, w1, NOW);
    expect(ok(result)).toMatchObject({ state: 'done', lease: null, assignee: 'w1' });
    expect(result.ok && result.event.reasons).toEqual(['check `npm test` passed', '2 commits on task/T1']);
  });

  const disagreeing: Array<{ name: string; task?: Partial<Task>; evidence: Partial<FinishEvidence>; reasons: string[] }> = [
    { name: 'check failed', evidence: { checkPassed: false }, reasons: ['the acceptance check `npm test` failed'] },
    { name: 'check not run', evidence: { checkPassed: null }, reasons: ['the acceptance check `npm test` was not run'] },
    { name: 'dirty tree', evidence: { dirtyFiles: ['a.ts', 'b.ts', 'c.ts', 'd.ts'] }, reasons: ['4 uncommitted files (a.ts, b.ts, c.ts and 1 more) left in the worktree'] },
    { name: 'no commits', evidence: { commitsOnBranch: 0 }, reasons: ['no commits on branch task/T1'] },
    { name: 'no branch', task: { branch: null }, evidence: {}, reasons: ['the task has no branch to commit its work on'] },
    {
      name: 'everything wrong at once',
      evidence: { checkPassed: false, dirtyFiles: ['x.ts'], commitsOnBranch: 0 },
      reasons: ['the acceptance check `npm test` failed', '1 uncommitted file (x.ts) left in the worktree', 'no commits on branch task/T1'],
    },
  ];
  it.each(disagreeing)('finish refused when the tree disagrees: $name', ({ task, evidence, reasons }) => {
    const result = applyTask(taskIn('running', task), { type: 'finish', worker: 'w1', evidence: { ...goodEvidence, ...evidence } }, w1, NOW);
    const refused = refusal(result);
    expect(refused.code).toBe('tree-disagrees');
    expect(refused.reasons).toEqual(reasons);
    expect(refused.error).toBe(`cannot finish T1: the tree disagrees: ${reasons.join('; ')}`);
  });

  it('finish without an acceptance check needs no check result', () => {
    const evidence: FinishEvidence = { checkPassed: null, dirtyFiles: [], commitsOnBranch: 1 };
    expect(ok(applyTask(taskIn('running', { check: null }), { type: 'finish', worker: 'w1', evidence }, w1, NOW)).state).toBe('done');
  });

  it('fail: records the reason and lets go of the lease', () => {
    const result = applyTask(taskIn('running'), COMMANDS.fail, w1, NOW);
    expect(ok(result)).toMatchObject({ state: 'failed', lease: null });
    expect(result.ok && result.event).toMatchObject({ reasons: ['tests keep failing'], worker: 'w1' });
  });

  it('release: back to the queue with branch and checkpoints kept, so the next claimer resumes', () => {
    const withPoint = taskIn('running', { checkpoints: [{ at: NOW - 1, sha: 'abc' }] });
    expect(ok(applyTask(withPoint, COMMANDS.release, person, NOW))).toMatchObject({
      state: 'queued', assignee: null, lease: null, branch: 'task/T1', checkpoints: [{ at: NOW - 1, sha: 'abc' }], attempts: 1,
    });
  });
});

describe('person and policy moves', () => {
  it.each([
    ['block', 'blocked', 'needs an API key'],
    ['escalate', 'escalated', 'agent is looping'],
    ['cancel', 'canceled', 'no longer needed'],
  ] as const)('%s: records the reason, lets go of the lease', (type, to, reason) => {
    const result = applyTask(taskIn('running'), COMMANDS[type], person, NOW);
    expect(ok(result)).toMatchObject({ state: to, lease: null });
    expect(result.ok && result.event.reasons).toEqual([reason]);
  });

  it("retry: a person's retry grants a fresh budget", () => {
    expect(ok(applyTask(taskIn('escalated', { attempts: 3 }), COMMANDS.retry, person, NOW))).toMatchObject({ state: 'queued', attempts: 0, assignee: null });
  });

  it('retry: the policy may not retry a spent budget (no endless loops), but keeps the count otherwise', () => {
    const spent = refusal(applyTask(taskIn('failed', { attempts: 3 }), COMMANDS.retry, policy, NOW));
    expect(spent.code).toBe('budget-spent');
    expect(spent.error).toBe('cannot retry T1: its 3 attempts are spent; a person must retry it');
    expect(ok(applyTask(taskIn('failed', { attempts: 2 }), COMMANDS.retry, policy, NOW)).attempts).toBe(2);
  });

  it('reassign: the new worker holds it, claimed, same attempt; a stale "from" is refused', () => {
    const result = applyTask(taskIn('running'), COMMANDS.reassign, person, NOW);
    expect(ok(result)).toMatchObject({ state: 'claimed', assignee: 'w2', attempts: 1, lease: { holder: 'w2', expiresAt: NOW + LEASE_MS } });
    expect(result.ok && result.event.reasons).toEqual(['moved from w1 to w2, to resume on branch task/T1']);
    expect(refusal(applyTask(taskIn('running'), { type: 'reassign', from: 'w3', to: 'w2', leaseMs: 1 }, person, NOW)).error).toBe(
      'cannot reassign T1: it is held by w1, not w3',
    );
    expect(refusal(applyTask(taskIn('running'), { type: 'reassign', from: 'w1', to: 'w1', leaseMs: 1 }, person, NOW)).error).toBe(
      "cannot reassign T1: it is already w1's",
    );
  });

  it('prioritize: changes the queue order field only', () => {
    const result = applyTask(taskIn('queued'), COMMANDS.prioritize, person, NOW);
    expect(ok(result)).toMatchObject({ state: 'queued', priority: 1 });
    expect(result.ok && result.event.reasons).toEqual(['priority 2 → 1']);
  });
});

describe('lease expiry', () => {
  it('a live lease is not expired', () => {
    const { code, error } = refusal(applyTask(taskIn('running'), COMMANDS.expireLease, policy, NOW + LEASE_MS - 1));
    expect(code).toBe('lease-live');
    expect(error).toBe("cannot expire the lease of T1: w1's lease is live for 1 ms more");
  });

  it('an expired lease returns the task to the queue while attempts remain', () => {
    const result = applyTask(taskIn('running'), COMMANDS.expireLease, policy, NOW + LEASE_MS);
    expect(ok(result)).toMatchObject({ state: 'queued', assignee: null, lease: null, branch: 'task/T1' });
    expect(result.ok && result.event.reasons).toEqual(['lease held by w1 expired at 2025-01-02T14:01:00.000Z', 'attempt 1 of 3: back to the queue']);
  });

  it('claim → expire three times: queued, queued, then escalated when the budget is spent', () => {
    let task = taskIn('queued');
    const landed: TaskState[] = [];
    for (let round = 0; round < 3; round += 1) {
      const at = NOW + round * 10 * LEASE_MS;
      task = ok(applyTask(task, { type: 'claim', worker: `w${round}`, leaseMs: LEASE_MS }, { kind: 'dispatcher' }, at));
      task = ok(applyTask(task, COMMANDS.expireLease, policy, at + LEASE_MS));
      landed.push(task.state);
    }
    expect(landed).toEqual(['queued', 'queued', 'escalated']);
    expect(task.attempts).toBe(3);
  });
});

describe('scoping: a worker acts only as itself, on its own task', () => {
  const refusals: Array<{ name: string; task: Task; command: TaskCommand; actor: Actor; error: string }> = [
    { name: "finish another worker's task", task: taskIn('running'), command: { type: 'finish', worker: 'w2', evidence: goodEvidence }, actor: w2, error: "cannot finish T1: it is w1's task, not w2's" },
    { name: 'act as another worker', task: taskIn('running'), command: COMMANDS.finish, actor: w2, error: 'cannot finish T1: worker w2 cannot act as w1' },
    { name: "block another worker's task", task: taskIn('running'), command: COMMANDS.block, actor: w2, error: "cannot block T1: it is w1's task, not w2's" },
    { name: 'claim for another worker', task: taskIn('queued'), command: COMMANDS.claim, actor: w1, error: 'cannot claim T1: worker w1 cannot act as w2' },
    { name: 'reorder the queue', task: taskIn('queued'), command: COMMANDS.prioritize, actor: w1, error: 'cannot reprioritize T1: worker w1 may not reprioritize tasks; ask a person' },
    { name: 'cancel its own task', task: taskIn('running'), command: COMMANDS.cancel, actor: w1, error: 'cannot cancel T1: worker w1 may not cancel tasks; ask a person' },
    { name: 'retry its own task', task: taskIn('failed'), command: COMMANDS.retry, actor: w1, error: 'cannot retry T1: worker w1 may not retry tasks; ask a person' },
    { name: 'reassign its own task', task: taskIn('running'), command: COMMANDS.reassign, actor: w1, error: 'cannot reassign T1: worker w1 may not reassign tasks; ask a person' },
    { name: 'release its own task', task: taskIn('running'), command: COMMANDS.release, actor: w1, error: 'cannot release T1: worker w1 may not release tasks; ask a person' },
    { name: 'expire a lease', task: taskIn('running'), command: COMMANDS.expireLease, actor: w2, error: 'cannot expire the lease of T1: worker w2 may not expire the lease of tasks; ask a person' },
    { name: 'act without a name', task: taskIn('running'), command: COMMANDS.escalate, actor: { kind: 'worker' }, error: 'cannot escalate T1: a worker actor must say which worker it is' },
  ];
  it.each(refusals)('refused: $name', ({ task, command, actor, error }) => {
    const refused = refusal(applyTask(task, command, actor, AFTER_EXPIRY));
    expect(refused.code).toBe('out-of-scope');
    expect(refused.error).toBe(error);
  });

  it('allowed: claim for itself, start, renew, checkpoint, finish its own task', () => {
    let task = ok(applyTask(taskIn('queued'), { type: 'claim', worker: 'w1', leaseMs: LEASE_MS }, w1, NOW));
    for (const command of [COMMANDS.start, COMMANDS.renew, COMMANDS.checkpoint, COMMANDS.finish]) task = ok(applyTask(task, command, w1, NOW));
    expect(task.state).toBe('done');
  });
});

describe('drift: done but the tree disagrees', () => {
  const clean: TreeFacts = { dirtyFiles: [], checkPassed: true, commitsOnBranch: 2, landed: false };
  const cases: Array<{ name: string; task: Task; tree: TreeFacts; want: string[] }> = [
    { name: 'done and the tree agrees', task: taskIn('done'), tree: clean, want: [] },
    { name: 'done and landed (branch gone)', task: taskIn('done'), tree: { ...clean, commitsOnBranch: 0, landed: true }, want: [] },
    { name: 'done but dirty', task: taskIn('done'), tree: { ...clean, dirtyFiles: ['a.ts'] }, want: ['T1 is done but 1 uncommitted file (a.ts) in the worktree'] },
    { name: 'done but the check fails now', task: taskIn('done'), tree: { ...clean, checkPassed: false }, want: ['T1 is done but `npm test` fails now'] },
    { name: 'done, check not re-run: no claim either way', task: taskIn('done'), tree: { ...clean, checkPassed: null }, want: [] },
    { name: 'done but the work is missing', task: taskIn('done'), tree: { ...clean, commitsOnBranch: 0 }, want: ['T1 is done but its work is neither on task/T1 nor landed'] },
    { name: 'running but already landed', task: taskIn('running'), tree: { ...clean, landed: true }, want: ['T1 is running but its branch task/T1 already landed on the base'] },
    { name: 'running, not landed', task: taskIn('running'), tree: { ...clean, dirtyFiles: ['a.ts'] }, want: [] },
    { name: 'canceled: never drifts', task: taskIn('canceled'), tree: { ...clean, landed: true, dirtyFiles: ['a.ts'] }, want: [] },
  ];
  it.each(cases)('$name', ({ task, tree, want }) => {
    expect(drift(task, tree)).toEqual(want);
  });
});

describe('pickNext: queued tasks of the lane, by priority then age', () => {
  const at = (id: string, priority: number, createdAt: number, over: Partial<Task> = {}): Task => ({
    ...newTask({ id, title: id, lane: 'backend', priority }, createdAt),
    ...over,
  });
  const tasks = [
    at('old-p2', 2, 100),
    at('new-p1', 1, 300),
    at('old-p1', 1, 200),
    at('tie-b', 1, 200, { id: 'tie-b' }),
    at('other-lane-p0', 0, 50, { lane: 'frontend' }),
    at('running-p0', 0, 10, { state: 'running' }),
  ];

  it('orders by priority, then age, then id; skips other lanes and non-queued tasks', () => {
    const order: string[] = [];
    let left = tasks;
    for (let next = pickNext(left, { name: 'w1', lane: 'backend' }); next !== null; next = pickNext(left, { name: 'w1', lane: 'backend' })) {
      order.push(next.id);
      const picked = next;
      left = left.filter((task) => task !== picked);
    }
    expect(order).toEqual(['old-p1', 'tie-b', 'new-p1', 'old-p2']);
  });

  it('gives the other lane its own task, and null to a lane with nothing queued', () => {
    expect(pickNext(tasks, { name: 'w9', lane: 'frontend' })?.id).toBe('other-lane-p0');
    expect(pickNext(tasks, { name: 'w9', lane: 'docs' })).toBeNull();
  });

  it('does not reorder the array it is given', () => {
    const before = tasks.map((task) => task.id);
    pickNext(tasks, { name: 'w1', lane: 'backend' });
    expect(tasks.map((task) => task.id)).toEqual(before);
  });
});

describe('newTask', () => {
  it('starts queued, unassigned, with defaults and a budget of at least one attempt', () => {
    expect(newTask({ id: 'T9', title: 'write docs', lane: 'docs', maxAttempts: 0 }, NOW)).toEqual({
      id: 'T9', state: 'queued', title: 'write docs', prompt: 'write docs', lane: 'docs', priority: 2, labels: [], check: null,
      branch: null, baseSha: null, assignee: null, attempts: 0, maxAttempts: 1, lease: null, checkpoints: [], after: [], chain: null, outcome: null,
      createdAt: NOW, updatedAt: NOW,
    });
  });
});
