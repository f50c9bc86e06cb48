/**
 * A restart is activity (issue 4): restarting a worker whose lease ran out renews the lease before
 * anything is reset or delivered, so the lease does not expire into a worktree the restart is working
 * on, and the task stays the worker's. Real tmux, real git, the real store, the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { RuntimeDir } from '../../src/adapters/runtime.js';
import type { Task } from '../../src/core/rules/tasks.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();

function readTask(repo: string, id: string): Task | null {
  const runtime = new RuntimeDir(repo);
  try {
    return runtime.store().get(id);
  } finally {
    runtime.close();
  }
}

describe('a restart of a worker whose lease ran out', () => {
  it('renews the lease first and carries the task on', async () => {
    const p = await project('restartlease', [{ name: 'w1', command: 'exec sleep 600', task: { delivery: 'env' } }], { tasks: { leaseSeconds: 5, autoDispatch: false } });
    const run = (args: string[]) => p.run(args, { MUXCTL_WORKER: '' });
    expect((await run(['task', 'add', 'long job', '--lane', 'app'])).exitCode).toBe(0);
    expect((await run(['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    // No dashboard runs here, so nothing renews or expires the lease: wait until it has run out.
    const held = await waitFor(
      () => {
        const task = readTask(p.repo.path, 'T1');
        return task?.lease && task.lease.expiresAt < Date.now() ? task : undefined;
      },
      { what: "T1's lease to run out", timeoutMs: 15_000, intervalMs: 200 },
    );

    const restarted = await run(['restart', 'w1', '--reason', 'it looked stuck']);
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    expect(restarted.stdout).toContain('✔ w1: restarted (fresh) with T1');
    const after = readTask(p.repo.path, 'T1');
    expect(after).toMatchObject({ state: 'running', assignee: 'w1' });
    expect(after?.lease?.expiresAt).toBeGreaterThan(held.lease?.expiresAt ?? Infinity);
    const history = JSON.parse((await run(['task', 'show', 'T1', '--json'])).stdout) as { events: Array<{ action: string; actor: { kind: string } }> };
    expect(history.events.map((e) => e.action)).toEqual(['add', 'claim', 'start', 'renew']);
  }, 40_000);
});
