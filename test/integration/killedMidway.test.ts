/**
 * A muxctl killed -9 in the middle of a delivery, a restart or a landing, and then reopened: every task
 * ends in a true state. The killed process is the built CLI, stopped by a failpoint (MUXCTL_FAILPOINT,
 * src/adapters/failpoint.ts) at the exact step — the same Delivery, Restarts and Lander code the
 * leading dashboard runs. "Reopened" is the leader's tick (the dispatcher) or the next `muxctl land`,
 * with the clock moved past the grace a delivery in flight gets. Real tmux, real git, the real store.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { projectsCleanedUpAfterEach, screen, screenShows } from '../helpers/cli.js';
import type { TestProject, WorkerJson } from '../helpers/project.js';
import { servicesClosedAfterEach, WORKER_GIT } from '../helpers/services.js';
import { waitFor } from '../helpers/waitFor.js';

const run = promisify(execFile);
const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();

/** A stand-in for an interactive agent: reads lines and answers each, like a chat prompt. */
const LISTENER: WorkerJson = { name: 'w1', command: `echo agent-ready; while IFS= read -r line; do echo "heard: $line"; done`, task: { delivery: 'paste' } };
const GIT = WORKER_GIT;
/** Given a task (env), commits one file and says done. */
const FINISHER: WorkerJson = {
  name: 'w1',
  task: { delivery: 'env' },
  command: `if [ -n "\${MUXCTL_TASK_ID:-}" ] && [ ! -f "work-$MUXCTL_TASK_ID.txt" ]; then echo work > "work-$MUXCTL_TASK_ID.txt" && ${GIT} add -A && ${GIT} commit -qm "work on $MUXCTL_TASK_ID" && muxctl task done; fi; exec sleep 600`,
};

/** Runs the built muxctl with a failpoint armed; it must die of SIGKILL there, as `kill -9` would leave it. */
async function killedAt(p: TestProject, failpoint: string, args: string[]): Promise<void> {
  const result = await p.run(args, { MUXCTL_FAILPOINT: failpoint });
  expect(result.exitCode, `muxctl ${args.join(' ')} should have been killed at ${failpoint}:\n${result.stdout}\n${result.stderr}`).toBe(-1);
}

/** The leader's look, its clock `ms` later: the grace a young process or a paste in flight gets is past. */
async function lookLater(services: Services, ms: number): Promise<WorkerSnapshot[]> {
  const records = services.workers.records();
  for (const [name, record] of Object.entries(records)) {
    const pending = record.delivered?.pending;
    if (pending !== undefined) await services.runtime.updateWorker(name, (old) => ({ ...old, delivered: old.delivered ? { ...old.delivered, pending: pending - ms } : null }));
  }
  const snaps = await services.observer.observe(40);
  return snaps.map((snap) => (snap.upSince === null ? snap : { ...snap, upSince: snap.upSince - ms }));
}

async function started(p: TestProject): Promise<Services> {
  expect((await p.run(['up'])).exitCode).toBe(0);
  return open(p.configFile);
}

describe('killed in the middle of a paste delivery', () => {
  it('before the paste: the reopened leader sees the prompt is not on the screen and delivers it through the guard', async () => {
    const p = await project('kill-pasting', [LISTENER], { tasks: { autoDispatch: false } });
    const services = await started(p);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app'])).exitCode).toBe(0);
    await killedAt(p, 'deliver:pasting', ['task', 'assign', 'T1', 'w1']);

    // What the crash left: T1 held by w1, its paste recorded as under way, nothing on the agent's screen.
    expect(services.store.get('T1')).toMatchObject({ assignee: 'w1' });
    expect(services.workers.records()['w1']?.delivered).toMatchObject({ task: 'T1', pending: expect.any(Number) });
    expect(await screen(p.socket, 'w1')).not.toContain('Task T1:');
    // Within its grace, nobody touches it: the muxctl pasting it may still be at work.
    expect(await services.dispatcher.tick(await services.observer.observe(40))).toEqual([]);

    const results = await services.dispatcher.tick(await lookLater(services, 60_000));
    expect(results).toEqual([expect.objectContaining({ worker: 'w1', ok: true, outcome: expect.stringMatching(/^T1 fresh: restarted \(fresh\) with T1/) })]);
    await screenShows(p.socket, 'w1', 'heard: Task T1: say hello');
    const record = services.workers.records()['w1'];
    expect(record?.delivered).toEqual({ task: 'T1', epoch: record?.startedAt });
    expect(services.store.get('T1')).toMatchObject({ state: 'running', assignee: 'w1' });
    const why = services.store.events({ about: 'w1' }).filter((e) => e.action === 'restart').at(-1);
    expect(why?.reasons.join(' ')).toMatch(/T1 was being pasted into w1 at .* and its screen does not show it \(the muxctl pasting it stopped\)/);
    expect(await services.dispatcher.tick(await lookLater(services, 60_000))).toEqual([]);
  });

  it('after the paste arrived: the reopened leader reads it on the screen and records it delivered, without a restart', async () => {
    const p = await project('kill-pasted', [LISTENER], { tasks: { autoDispatch: false } });
    const services = await started(p);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app'])).exitCode).toBe(0);
    await killedAt(p, 'deliver:pasted', ['task', 'assign', 'T1', 'w1']);
    await screenShows(p.socket, 'w1', 'heard: Task T1: say hello');
    const pid = services.workers.records()['w1']?.startedAt;

    const results = await services.dispatcher.tick(await lookLater(services, 60_000));
    expect(results).toEqual([{ worker: 'w1', ok: true, outcome: "T1 delivered: its paste shows on w1's screen" }]);
    const record = services.workers.records()['w1'];
    expect(record?.startedAt).toBe(pid);
    expect(record?.delivered).toEqual({ task: 'T1', epoch: record?.startedAt });
    expect(services.store.events({ about: 'w1' }).some((e) => e.action === 'restart')).toBe(false);
    expect(services.store.get('T1')).toMatchObject({ state: 'running', assignee: 'w1' });
    expect((await screen(p.socket, 'w1')).split('heard: Task T1: say hello').length - 1).toBe(1);
  });
});

describe('killed in the middle of a restart', () => {
  it('after the respawn, before the paste: the new process gets its task from the reopened leader', async () => {
    const p = await project('kill-restart', [LISTENER], { tasks: { autoDispatch: false } });
    const services = await started(p);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app'])).exitCode).toBe(0);
    expect((await p.run(['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const before = services.workers.records()['w1'];

    await killedAt(p, 'restart:respawned', ['restart', 'w1', '--reason', 'a person restarts it']);
    const after = services.workers.records()['w1'];
    expect(after?.startedAt).not.toBe(before?.startedAt);
    expect(after?.delivered?.epoch).toBe(before?.startedAt);

    const results = await services.dispatcher.tick(await lookLater(services, 60_000));
    expect(results).toEqual([expect.objectContaining({ worker: 'w1', ok: true, outcome: expect.stringMatching(/^T1 fresh: restarted \(fresh\) with T1/) })]);
    await waitFor(async () => (await screen(p.socket, 'w1')).includes('heard: Task T1: say hello'), { what: 'T1 pasted into the new process' });
    const record = services.workers.records()['w1'];
    expect(record?.delivered).toEqual({ task: 'T1', epoch: record?.startedAt });
    expect(services.store.get('T1')).toMatchObject({ state: 'running', assignee: 'w1' });
  });
});

describe('killed in the middle of a landing', () => {
  it('after the base moved, before the store knew: the next landing marks it landed, with no second merge', async () => {
    const p = await project('kill-land', [FINISHER], { tasks: { autoDispatch: false } });
    const services = await started(p);
    expect((await p.run(['task', 'add', 'finish it', '--lane', 'app'])).exitCode).toBe(0);
    expect((await p.run(['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    await waitFor(() => services.store.get('T1')?.state === 'done', { what: 'T1 done' });

    await killedAt(p, 'land:base-moved', ['land']);
    const merges = async () => (await run('git', ['-C', p.repo.path, 'log', '--merges', '--format=%s', 'main'])).stdout.split('\n').filter(Boolean);
    expect(await merges()).toEqual([expect.stringMatching(/^Land T1: finish it/)]);
    expect(services.store.get('T1')?.state).toBe('done');

    const again = await p.run(['land']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(services.store.get('T1')?.state).toBe('landed');
    expect(await merges()).toEqual([expect.stringMatching(/^Land T1: finish it/)]);
  });
});
