/**
 * The restart policy the dispatcher acts on is the core's, with its cap: a worker deep in a crash loop
 * waits at most 10 minutes between automatic restarts, not base·2^attempts. Real tmux, real git; the
 * snapshot is handed in as the observation loop would (a crash that happened 11 minutes ago).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openProject, type Services } from '../../src/app/services.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const opened: Services[] = [];
afterEach(() => {
  for (const services of opened.splice(0)) services.runtime.close();
});

const MIN = 60_000;

function crashed(name: string, worktree: string, since: number): WorkerSnapshot {
  const health = { state: 'crashed' as const, evidence: 'exit 3', since, badge: 'crashed' };
  return { name, lane: 'app', health, upSince: null, screen: [], worktree, command: null, restarts: { spent: 5, budget: 10 }, summary: null };
}

describe('the restart budget', () => {
  it('survives `up` of a worker that is already running (reopening the demo, a second `muxctl up`)', async () => {
    const p = await project('budget', [{ name: 'w1', command: 'exec sleep 600', restart: { policy: 'on-failure', maxRestarts: 3, backoffSeconds: 1 } }], { tasks: { autoDispatch: false } });
    const services = await openProject(p.configFile);
    opened.push(services);
    const person = { kind: 'person', name: 'test' } as const;
    expect((await services.workers.up(['w1'], person, 'first start'))[0]?.outcome).toBe('started');
    await services.runtime.updateWorker('w1', (old) => ({ ...old, autoRestarts: 3 }));
    expect((await services.workers.up(['w1'], person, 'again'))[0]?.outcome).toBe('already running');
    expect(services.runtime.readWorkers()['w1']?.autoRestarts).toBe(3);
    // A person's start of a new session is a fresh budget.
    await services.workers.stop('w1', person, 'stop');
    expect((await services.workers.up(['w1'], person, 'start anew'))[0]?.outcome).toBe('started');
    expect(services.runtime.readWorkers()['w1']?.autoRestarts).toBe(0);
  });
});

describe('automatic restarts deep in a crash loop', () => {
  for (const { minutesAgo, restarted } of [
    { minutesAgo: 11, restarted: true },
    { minutesAgo: 9, restarted: false },
  ]) {
    it(`attempt 6 with a 60 s base, crashed ${minutesAgo} min ago: ${restarted ? 'restarted (the wait is capped at 10 min)' : 'still waits'}`, async () => {
      const p = await project('backoff', [{ name: 'w1', command: 'exec sleep 600', restart: { policy: 'on-failure', maxRestarts: 10, backoffSeconds: 60 } }], { tasks: { autoDispatch: false } });
      const services = await openProject(p.configFile);
      opened.push(services);
      await services.workers.up(['w1'], { kind: 'person', name: 'test' }, 'before the crash loop');
      await services.runtime.updateWorker('w1', (old) => ({ ...old, autoRestarts: 5 }));
      const startedBefore = services.runtime.readWorkers()['w1']?.startedAt ?? 0;

      const results = await services.dispatcher.tick([crashed('w1', `${p.worktreeDir}/w1`, Date.now() - minutesAgo * MIN)]);

      const restarts = services.runtime.readEvents().filter((event) => event.action === 'restart' && event.actor === 'policy');
      if (restarted) {
        expect(results.map((r) => r.worker)).toEqual(['w1']);
        expect(restarts).toHaveLength(1);
        expect(restarts[0]?.reason).toContain('restart policy on-failure: exit 3 (attempt 6/10)');
        await waitFor(() => (services.runtime.readWorkers()['w1']?.autoRestarts ?? 0) === 6, { what: 'the attempt counted' });
        expect(services.runtime.readWorkers()['w1']?.startedAt ?? 0).toBeGreaterThan(startedBefore - 1);
      } else {
        expect(results).toEqual([]);
        expect(restarts).toEqual([]);
        expect(services.runtime.readWorkers()['w1']?.autoRestarts).toBe(5);
      }
    });
  }
});
