/**
 * Task chains against a real tmux server, real git and the real store (issue 5): the dispatcher hands
 * out only ready steps, a failed step stops the chain there, and after a retry and a restart the chain
 * resumes at its first unfinished step; done steps never run again.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProject, type Services as Context } from '../../src/app/services.js';
import { LogMonitor } from '../../src/control/logMonitor.js';
import { workerPath } from '../../src/core/config/config.js';
import type { Task } from '../../src/core/rules/tasks.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import type { TestProject, WorkerJson } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const contexts: Context[] = [];
const monitors: LogMonitor[] = [];
afterEach(async () => {
  for (const logs of monitors.splice(0)) await logs.close();
  for (const ctx of contexts.splice(0)) ctx.runtime.close();
});

const RUNS = '"$MUXCTL_REPO/../scratch/runs.log"';
const FLAKED = '"$MUXCTL_REPO/../scratch/flaked"';
const GIT = 'git -c user.name=worker -c user.email=worker@muxctl.invalid -c commit.gpgsign=false -c core.hooksPath=/dev/null';

/**
 * Logs every task it is given; a step whose title says "flaky" fails its first run; every other run
 * commits a file and reports done.
 */
const worker: WorkerJson = {
  name: 'w1',
  lane: 'app',
  task: { delivery: 'env' },
  command: [
    `if [ -n "\${MUXCTL_TASK_ID:-}" ]; then echo "run $MUXCTL_TASK_ID" >> ${RUNS};`,
    `  case "$MUXCTL_TASK_TITLE" in *flaky*) if [ ! -f ${FLAKED} ]; then touch ${FLAKED}; muxctl task fail "first try fails"; exec sleep 1000; fi;; esac;`,
    `  echo "$MUXCTL_TASK_ID" > "step-$MUXCTL_TASK_ID.txt" && ${GIT} add -A && ${GIT} commit -qm "$MUXCTL_TASK_ID" && muxctl task done;`,
    'fi; exec sleep 1000',
  ].join(' '),
};

async function runsOf(p: TestProject): Promise<string[]> {
  const text = await readFile(join(p.repo.scratch, 'runs.log'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

async function plane(p: TestProject) {
  const ctx = await openProject(p.configFile);
  contexts.push(ctx);
  const store = ctx.runtime.store();
  const dispatcher = ctx.dispatcher;
  // As the dashboard does: the logs and the screen tell idle from working (without them a live worker is just "running").
  const logs = new LogMonitor({ stateDir: ctx.runtime.dir, home: homedir(), redact: (text) => text, ringSize: 50, onChange: () => {}, now: Date.now });
  monitors.push(logs);
  await logs.sync(ctx.config().workers.map((config) => ({ config, worktree: workerPath(ctx.config(), config.name) })));
  const snapshot = () => ctx.observer.snapshot((name) => logs.state(name));
  const tickUntil = <T>(done: () => T | undefined | false, what: string): Promise<T> =>
    waitFor(
      async () => {
        await ctx.observer.pollTmux(20);
        await dispatcher.tick(snapshot());
        return done();
      },
      { what, timeoutMs: 30_000, intervalMs: 100 },
    );
  const state = (id: string): Task['state'] | undefined => store.get(id)?.state;
  return { ctx, store, tickUntil, state, snapshot };
}

describe('a chain of steps', () => {
  it('runs step by step, stops at a failed step, and after a retry and a restart resumes there', async () => {
    const p = await project('chain', [worker], { health: { idleAfterSeconds: 1, settleMs: 0 } });
    const file = join(p.repo.scratch, 'release.yaml');
    await writeFile(file, ['name: release', 'lane: app', 'steps:', '  - first step', '  - flaky second step', '  - third step'].join('\n'));
    const added = await p.run(['task', 'chain', 'add', file], { MUXCTL_WORKER: '' });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain('T3 step 3 of release: third step (after T2)');
    expect((await p.run(['up'], { MUXCTL_WORKER: '' })).exitCode).toBe(0);

    const board = await plane(p);
    await board.tickUntil(() => board.state('T2') === 'failed', 'step 2 to fail its first run');
    expect(board.state('T1')).toBe('done');
    expect(board.state('T3')).toBe('queued');
    // The worker is idle and T3 is the only queued task, yet it is not handed out: it waits on T2.
    await board.tickUntil(() => board.snapshot().find((w) => w.name === 'w1')?.health.state === 'idle', 'w1 to be idle');
    for (let i = 0; i < 5; i++) await board.tickUntil(() => true, 'a tick');
    expect(board.state('T3')).toBe('queued');
    expect(board.store.events({ about: 'T3' }).map((e) => e.action)).toEqual(['add']);

    // A restart now brings the worker back idle: T1 is done and T2 failed, neither runs again.
    const restart = await p.run(['restart', 'w1'], { MUXCTL_WORKER: '' });
    expect(restart.stdout).toContain('(idle)');
    expect((await p.run(['task', 'retry', 'T2'], { MUXCTL_WORKER: '' })).exitCode).toBe(0);
    await board.tickUntil(() => board.state('T3') === 'done', 'the chain to finish');
    expect(await runsOf(p)).toEqual(['run T1', 'run T2', 'run T2', 'run T3']);
  }, 60_000);
});
