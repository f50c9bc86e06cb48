/**
 * Leases bound to a delivery: after the tmux server dies and `up` starts the worker again, the new
 * process does not have the task it held. The dispatcher sees that (the record of the delivery names an
 * older process), renews nothing for it, and puts the task through the restart guard at once: with a
 * commit on the branch, the worker is given the task again in resume mode. Real tmux, real git, the
 * real store; the snapshot is the observer's, aged past the grace a young process gets.
 */
import { describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { killTestServer } from '../helpers/tmuxSocket.js';
import { PERSON, RUNS_LOG, WORKER_GIT, runsLogged, servicesClosedAfterEach } from '../helpers/services.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();

const RUNS = RUNS_LOG;
const GIT = WORKER_GIT;
/** Given a task, commits one file on its branch and keeps working (never says done); every start is logged. */
const WORKER = [
  `echo "start task=\${MUXCTL_TASK_ID:-} resume=\${MUXCTL_TASK_RESUME:-}" >> ${RUNS}`,
  `if [ -n "\${MUXCTL_TASK_ID:-}" ] && [ ! -f "work-$MUXCTL_TASK_ID.txt" ]; then echo work > "work-$MUXCTL_TASK_ID.txt" && ${GIT} add -A && ${GIT} commit -qm "work on $MUXCTL_TASK_ID"; fi`,
  'exec sleep 600',
].join('; ');

const runs = runsLogged;

/** The observer's look, as if its process had started `ageMs` ago (the grace for a young process is past). */
async function look(services: Services, ageMs: number): Promise<WorkerSnapshot[]> {
  const snaps = await services.observer.observe(20);
  return snaps.map((snap) => (snap.upSince === null ? snap : { ...snap, upSince: Date.now() - ageMs }));
}

describe('a task held by a worker whose process was started again', () => {
  it('is delivered again through the guard, resuming from its commit, once; no lease is renewed for it meanwhile', async () => {
    const p = await project('redeliver', [{ name: 'w1', command: WORKER, task: { delivery: 'env' } }], { tasks: { autoDispatch: false } });
    const services = await open(p.configFile);
    await services.workers.up(['w1'], PERSON, 'start');
    expect(services.tasks.add({ title: 'the work', lane: 'app' }, PERSON).ok).toBe(true);
    const assigned = await services.tasks.assign('T1', 'w1', PERSON);
    expect(assigned.ok, assigned.message).toBe(true);
    await waitFor(async () => (await runs(p.repo.scratch)).some((line) => line.startsWith('start task=T1')), { what: 'w1 given T1' });
    await waitFor(async () => (await services.tree.commitsOnBranch(services.store.get('T1')!)) === 1, { what: "w1's commit on T1's branch" });
    const first = services.workers.records()['w1'];
    expect(first?.delivered).toEqual({ task: 'T1', epoch: first?.startedAt });

    // The tmux server dies; `up` brings the worker back: a new process, without the task.
    await killTestServer(p.socket);
    await services.workers.up(['w1'], PERSON, 'after the server died');
    const again = services.workers.records()['w1'];
    expect(again?.startedAt).not.toBe(first?.startedAt);
    const leaseBefore = services.store.get('T1')?.lease?.expiresAt;

    // A young process gets a grace (another muxctl may be handing it the task right now): nothing yet.
    expect(await services.dispatcher.tick(await look(services, 1_000))).toEqual([]);
    expect(services.store.get('T1')?.lease?.expiresAt).toBe(leaseBefore);

    const results = await services.dispatcher.tick(await look(services, 60_000));
    expect(results).toEqual([expect.objectContaining({ worker: 'w1', ok: true, outcome: expect.stringMatching(/^T1 resume: restarted \(resume\) with T1/) })]);
    await waitFor(async () => (await runs(p.repo.scratch)).filter((line) => line.startsWith('start task=T1')).length === 2, { what: 'T1 delivered a second time' });
    expect((await runs(p.repo.scratch)).at(-1)).toBe('start task=T1 resume=1');
    const restart = services.store.events({ about: 'w1' }).filter((e) => e.action === 'restart').at(-1);
    expect(restart?.actor.kind).toBe('dispatcher');
    expect(restart?.reasons.join(' ')).toMatch(/w1's process started again at .* without T1: resuming, not starting over; 1 commit ahead of the base/);
    expect(services.store.get('T1')).toMatchObject({ state: 'running', assignee: 'w1' });
    const now = services.workers.records()['w1'];
    expect(now?.delivered).toEqual({ task: 'T1', epoch: now?.startedAt });

    // Once delivered, the next look changes nothing.
    expect(await services.dispatcher.tick(await look(services, 60_000))).toEqual([]);
  });
});
