/**
 * What a finished task brings back to the board (issue 4): the agent's last message, its tokens and
 * cost from its log, and the commits on its branch. The dispatcher reads them from the worker's
 * snapshot (plain data, as the dashboard's observation loop hands it) into the real store; `task show`
 * and the bridge files then say them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProject, type Services as Context } from '../../src/app/services.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';

const project = projectsCleanedUpAfterEach();
const contexts: Context[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.runtime.close();
});

const PERSON = { kind: 'person', name: 'test' } as const;

function idleWorker(name: string, worktree: string, summary: WorkerSnapshot['summary']): WorkerSnapshot {
  return { name, lane: 'app', health: { state: 'idle', evidence: 'turn done · quiet for 1m', since: null, badge: 'idle' }, upSince: null, screen: [], worktree, command: 'claude', restarts: null, summary };
}

describe('a finished task', () => {
  it("comes back with the agent's last message, tokens, cost and commits", async () => {
    const p = await project('outcome', [{ name: 'w1', command: 'exec sleep 600', task: { delivery: 'env' } }], { tasks: { autoDispatch: false } });
    const ctx = await openProject(p.configFile);
    contexts.push(ctx);
    const store = ctx.runtime.store();
    const task = store.add({ title: 'write the docs', lane: 'app' }, PERSON);
    store.apply(task.id, { type: 'claim', worker: 'w1', leaseMs: 60_000, branch: 'task/T1' }, PERSON);
    store.apply(task.id, { type: 'start', worker: 'w1' }, PERSON);
    store.apply(task.id, { type: 'finish', worker: 'w1', evidence: { checkPassed: null, dirtyFiles: [], commitsOnBranch: 2 } }, PERSON, Date.now(), () => ({ outcome: { commits: 2 } }));

    const dispatcher = ctx.dispatcher;
    const summary: WorkerSnapshot['summary'] = {
      prompt: 'write the docs', tool: null, outcome: { ok: true, text: 'done' }, message: 'Docs written: README and API pages.',
      tokens: { input: 12_000, output: 400 }, costUsd: 0.23, errors: 0, lastError: null, malformed: 0, lastActiveAt: Date.now(), checkpoint: null, status: null,
    };
    await dispatcher.tick([idleWorker('w1', join(p.worktreeDir, 'w1'), summary)]);

    expect(store.get(task.id)?.outcome).toEqual({ commits: 2, message: 'Docs written: README and API pages.', tokens: 12_400, costUsd: 0.23 });
    const shown = await p.run(['task', 'show', 'T1'], { MUXCTL_WORKER: '' });
    expect(shown.stdout).toContain('outcome   2 commits, 12400 tokens, $0.23 — “Docs written: README and API pages.”');
    // The bridge file for people says it too, written by the same tick.
    expect(readFileSync(join(ctx.runtime.dir, 'HANDOFF_LIVE.md'), 'utf8')).toMatch(/\*\*T1\*\* "write the docs" — w1 · 2 commits/);
    // Read once: a later tick with another message does not overwrite what the task brought back.
    await dispatcher.tick([idleWorker('w1', join(p.worktreeDir, 'w1'), { ...summary, message: 'something later' })]);
    expect(store.get(task.id)?.outcome?.message).toBe('Docs written: README and API pages.');
  });
});
