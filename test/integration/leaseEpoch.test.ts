/**
 * Only the live process renews a lease. After the tmux server dies the worker is missing, and the
 * last line its old process wrote ("interrupted (SIGHUP)") is recent: that must not renew the task it
 * no longer has. Nor may a line from before a new process started. The snapshots are handed in as the
 * observation loop would; the store and the dispatcher are real.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openProject, type Services } from '../../src/app/services.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';

const project = projectsCleanedUpAfterEach();
const opened: Services[] = [];
afterEach(() => {
  for (const services of opened.splice(0)) services.runtime.close();
});

const PERSON = { kind: 'person', name: 'test' } as const;
const LEASE_MS = 20_000;

function snapshot(state: WorkerSnapshot['health']['state'], upSince: number | null, lastActiveAt: number): WorkerSnapshot {
  const summary: WorkerSnapshot['summary'] = {
    prompt: null, tool: null, outcome: null, message: 'interrupted (SIGHUP)', tokens: null, costUsd: null, errors: 0, lastError: null, malformed: 0, lastActiveAt, checkpoint: null, status: null,
  };
  return { name: 'w1', lane: 'app', health: { state, evidence: state, since: upSince, badge: state }, upSince, screen: [], worktree: '/nowhere', command: null, restarts: null, summary };
}

async function heldTask(): Promise<{ services: Services; expiresAt: number }> {
  const p = await project('lease-epoch', [{ name: 'w1', command: 'exec sleep 600', task: { delivery: 'env' } }], { tasks: { autoDispatch: false } });
  const services = await openProject(p.configFile);
  opened.push(services);
  const task = services.store.add({ title: 'the task', lane: 'app' }, PERSON);
  services.store.apply(task.id, { type: 'claim', worker: 'w1', leaseMs: LEASE_MS, branch: 'task/T1' }, PERSON);
  const started = services.store.apply(task.id, { type: 'start', worker: 'w1' }, PERSON);
  if (!started.ok) throw new Error(started.error);
  return { services, expiresAt: started.task.lease?.expiresAt ?? 0 };
}

const leaseOf = (services: Services): number | undefined => services.store.get('T1')?.lease?.expiresAt;

describe('a lease', () => {
  it('is not renewed by a missing worker, however recent its last log line', async () => {
    const { services, expiresAt } = await heldTask();
    await services.dispatcher.tick([snapshot('missing', null, Date.now())]);
    expect(leaseOf(services)).toBe(expiresAt);
    expect(services.store.events({ about: 'T1' }).map((e) => e.action)).not.toContain('renew');
  });

  it('is not renewed by a line written before the live process started', async () => {
    const { services, expiresAt } = await heldTask();
    const now = Date.now();
    await services.dispatcher.tick([snapshot('idle', now - 2_000, now - 10_000)]);
    expect(leaseOf(services)).toBe(expiresAt);
  });

  it('is renewed by the live process: a line it wrote since the lease was set', async () => {
    const { services, expiresAt } = await heldTask();
    const now = Date.now();
    await services.dispatcher.tick([snapshot('idle', now - 60_000, now - 500)]);
    expect(leaseOf(services)).toBeGreaterThan(expiresAt);
    expect(services.store.events({ about: 'T1' }).at(-1)).toMatchObject({ action: 'renew', actor: { kind: 'dispatcher' } });
  });
});
