/**
 * End-to-end: the leading dashboard itself (the BUILT muxctl, in a pty) killed -9 in the middle of a
 * delivery, a restart or a landing, then reopened: every task ends in a true state. The kill is a
 * failpoint (MUXCTL_FAILPOINT, src/adapters/failpoint.ts): the dashboard sends itself SIGKILL at that
 * exact step, so nothing after it runs. The second dashboard is opened as a person would, with nothing
 * armed; what it must do is checked against the world: the agent's screen, the record of what its
 * process was given, the board, git.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach, screen, screenShows } from '../helpers/cli.js';
import { MUXCTL_BIN, type TestProject, type WorkerJson } from '../helpers/project.js';
import { disposeAllPtys, spawnInPty, type PtyScreen } from '../helpers/pty.js';
import { servicesClosedAfterEach, WORKER_GIT } from '../helpers/services.js';
import { waitFor } from '../helpers/waitFor.js';
import { waitForPanel } from './dashboardScreen.js';

const run = promisify(execFile);
const project = projectsCleanedUpAfterEach({ first: disposeAllPtys });
const open = servicesClosedAfterEach();

/** Quiet for a second is idle, shown at once: the dispatcher finds the worker within the test's time. */
const QUICK_IDLE = { idleAfterSeconds: 1, settleMs: 0 };
/** Longer than the grace a delivery in flight gets before another leader takes it up (30 s), with room. */
const AFTER_GRACE_MS = 75_000;

/** A stand-in for an interactive agent: reads lines and answers each, like a chat prompt. */
const LISTENER: WorkerJson = { name: 'w1', command: `echo agent-ready; while IFS= read -r line; do echo "heard: $line"; done`, task: { delivery: 'paste' } };
/** Given a task (env), commits one file and says done. */
const FINISHER: WorkerJson = {
  name: 'w1',
  task: { delivery: 'env' },
  command: `if [ -n "\${MUXCTL_TASK_ID:-}" ] && [ ! -f "work-$MUXCTL_TASK_ID.txt" ]; then echo work > "work-$MUXCTL_TASK_ID.txt" && ${WORKER_GIT} add -A && ${WORKER_GIT} commit -qm "work on $MUXCTL_TASK_ID" && muxctl task done; fi; exec sleep 600`,
};

function dashboard(p: TestProject, failpoint?: string): PtyScreen {
  return spawnInPty('node', [MUXCTL_BIN, '--config', p.configFile], { cols: 140, rows: 40, cwd: p.repo.path, env: failpoint === undefined ? {} : { MUXCTL_FAILPOINT: failpoint } });
}

/** The dashboard must have died of SIGKILL at its failpoint, not exited on its own. */
async function killedAtFailpoint(screen: PtyScreen): Promise<void> {
  const exit = await screen.waitForExit(30_000);
  expect(exit.signal, `the dashboard should have been killed (exit ${exit.exitCode})`).toBe(9);
}

const heardTask = async (p: TestProject): Promise<number> => (await screen(p.socket, 'w1')).split('heard: Task T1: say hello').length - 1;

describe('the leading dashboard killed -9, then reopened', () => {
  it('in the middle of a paste it was dispatching: the next dashboard sees the prompt never arrived and delivers it', async () => {
    const p = await project('kdash-paste', [LISTENER], { health: QUICK_IDLE });
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app'])).exitCode).toBe(0);
    const services = await open(p.configFile);

    await killedAtFailpoint(dashboard(p, 'deliver:pasting'));
    expect(services.store.get('T1')).toMatchObject({ state: 'claimed', assignee: 'w1' });
    expect(services.workers.records()['w1']?.delivered).toMatchObject({ task: 'T1', pending: expect.any(Number) });
    expect(await heardTask(p)).toBe(0);

    const second = dashboard(p);
    await screenShows(p.socket, 'w1', 'heard: Task T1: say hello', AFTER_GRACE_MS);
    await waitFor(
      () => {
        const record = services.workers.records()['w1'];
        return services.store.get('T1')?.state === 'running' && record?.delivered?.epoch === record?.startedAt && record?.delivered?.pending === undefined;
      },
      { what: 'T1 running on the process that was given it', timeoutMs: 15_000 },
    );
    await waitForPanel(second, 'w1', /T1 running/, 15_000);
    expect(await heardTask(p)).toBe(1);
  });

  it('in the middle of a restart a person asked for (r, y): the new process gets its task from the next dashboard', async () => {
    const p = await project('kdash-restart', [LISTENER], { health: QUICK_IDLE, tasks: { autoDispatch: false } });
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app'])).exitCode).toBe(0);
    expect((await p.run(['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const services = await open(p.configFile);
    const before = services.workers.records()['w1'];

    const first = dashboard(p, 'restart:respawned');
    await waitForPanel(first, 'w1', /T1 running/);
    first.write('r');
    await first.waitForText('Restart w1?');
    first.write('y');
    await killedAtFailpoint(first);
    const after = services.workers.records()['w1'];
    expect(after?.startedAt).not.toBe(before?.startedAt);
    expect(after?.delivered?.epoch).toBe(before?.startedAt);

    dashboard(p);
    await waitFor(
      () => {
        const record = services.workers.records()['w1'];
        return record?.delivered?.epoch === record?.startedAt && record?.delivered?.pending === undefined;
      },
      { what: "T1 given to w1's new process", timeoutMs: AFTER_GRACE_MS },
    );
    // What the new process printed since it started (after its own "agent-ready") holds the prompt.
    await waitFor(async () => ((await screen(p.socket, 'w1')).split('agent-ready').at(-1) ?? '').includes('heard: Task T1: say hello'), { what: 'the new process shows T1' });
    expect(services.store.get('T1')).toMatchObject({ state: 'running', assignee: 'w1' });
  });

  it('in the middle of a landing (land.auto), after the base moved: the next dashboard marks it landed, with no second merge', async () => {
    const p = await project('kdash-land', [FINISHER], { health: QUICK_IDLE, tasks: { autoDispatch: false }, land: { auto: true } });
    expect((await p.run(['up'])).exitCode).toBe(0);
    expect((await p.run(['task', 'add', 'finish it', '--lane', 'app'])).exitCode).toBe(0);
    expect((await p.run(['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const services = await open(p.configFile);
    await waitFor(() => services.store.get('T1')?.state === 'done', { what: 'T1 done' });

    await killedAtFailpoint(dashboard(p, 'land:base-moved'));
    const merges = async () => (await run('git', ['-C', p.repo.path, 'log', '--merges', '--format=%s', 'main'])).stdout.split('\n').filter(Boolean);
    expect(await merges()).toEqual([expect.stringMatching(/^Land T1: finish it/)]);
    expect(services.store.get('T1')?.state).toBe('done');

    dashboard(p);
    await waitFor(() => services.store.get('T1')?.state === 'landed', { what: 'T1 landed', timeoutMs: 30_000 });
    expect(await merges()).toEqual([expect.stringMatching(/^Land T1: finish it/)]);
  });
});
