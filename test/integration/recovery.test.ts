/**
 * A reboot, simulated: the tmux server dies with every worker in it, and one `muxctl up` (the built CLI)
 * brings the project back. Each held task goes to its worker's new process through the restart guard:
 * commits and a checkpoint resume, a dirty worktree is kept and resumed in place, a done task is never
 * run again, a worker the person stopped stays stopped. One line a worker says what it resumed and
 * from what; a second `up` changes nothing. Real tmux, real git, the real store.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach, sessions } from '../helpers/cli.js';
import { killTestServer } from '../helpers/tmuxSocket.js';
import { PERSON, RUNS_LOG, WORKER_GIT, runsLogged, servicesClosedAfterEach } from '../helpers/services.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();

const RUNS = RUNS_LOG;
const GIT = WORKER_GIT;
/**
 * Logs every start with the task it was given. Given a task the first time: w-commit commits and
 * checkpoints, w-done commits and says done, w-dirty leaves a file uncommitted. Then it stays alive.
 */
const WORKER = [
  `echo "$MUXCTL_WORKER task=\${MUXCTL_TASK_ID:-} resume=\${MUXCTL_TASK_RESUME:-}" >> ${RUNS}`,
  'id="${MUXCTL_TASK_ID:-}"',
  'if [ -n "$id" ] && [ ! -f "work-$id.txt" ] && [ ! -f "draft-$id.txt" ]; then case "$MUXCTL_WORKER" in',
  `  w-commit) echo work > "work-$id.txt" && ${GIT} add -A && ${GIT} commit -qm "work on $id" && muxctl task checkpoint --step 2 compiled;;`,
  `  w-done) echo work > "work-$id.txt" && ${GIT} add -A && ${GIT} commit -qm "work on $id" && muxctl task done;;`,
  '  w-dirty) echo draft > "draft-$id.txt";;',
  'esac; fi',
  'exec sleep 600',
].join('\n');

const runs = runsLogged;

describe('muxctl up after a reboot', () => {
  it('brings every worker back on its own task, says what it resumed, and a second up changes nothing', async () => {
    const workers = ['w-commit', 'w-done', 'w-dirty', 'w-idle', 'w-stopped'].map((name) => ({ name, command: WORKER, task: { delivery: 'env' } }));
    const p = await project('recovery', workers, { tasks: { autoDispatch: false } });
    const first = await p.run(['up']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect((await p.run(['down', 'w-stopped'])).exitCode).toBe(0);

    const services = await open(p.configFile);
    for (const [title, worker] of [['commit it', 'w-commit'], ['finish it', 'w-done'], ['draft it', 'w-dirty']] as const) {
      const added = services.tasks.add({ title, lane: 'app' }, PERSON);
      expect(added.ok, added.message).toBe(true);
      const assigned = await services.tasks.assign(added.ok ? (added.task?.id ?? '') : '', worker, PERSON);
      expect(assigned.ok, assigned.message).toBe(true);
    }
    await waitFor(() => services.store.get('T1')?.checkpoints.length === 1, { what: "w-commit's checkpoint on T1" });
    await waitFor(() => services.store.get('T2')?.state === 'done', { what: 'T2 done' });
    await waitFor(() => existsSync(join(p.worktreeDir, 'w-dirty', 'draft-T3.txt')), { what: "w-dirty's uncommitted draft" });
    const before = await runs(p.repo.scratch);

    // The machine reboots: the tmux server and every worker in it are gone.
    await killTestServer(p.socket);
    const up = await p.run(['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    const lines = up.stdout.split('\n').filter((line) => line.startsWith('✔') || line.startsWith('✖'));
    expect(lines).toEqual([
      '✔ w-commit: started · T1 resume: 1 commit ahead of the base; last checkpoint: 2, compiled',
      '✔ w-done: started',
      expect.stringMatching(/^✔ w-dirty: started · T3 restart-in-place: restarting in place: nothing is reset; 1 uncommitted file kept in the worktree \(draft-T3\.txt\)$/),
      '✔ w-idle: started',
      expect.stringMatching(/^✔ w-stopped: left stopped \(stopped at \d\d:\d\d(:\d\d)?; `muxctl up w-stopped` starts it\)$/),
    ]);
    expect(await sessions(p.socket)).toEqual(['w-commit', 'w-dirty', 'w-done', 'w-idle']);
    const after = (await runs(p.repo.scratch)).slice(before.length);
    expect(after.sort()).toEqual(['w-commit task=T1 resume=1', 'w-dirty task=T3 resume=1', 'w-done task= resume=', 'w-idle task= resume=']);
    // Nothing lost: the draft is still there, the commit still on the branch; the done task was not run again.
    expect(existsSync(join(p.worktreeDir, 'w-dirty', 'draft-T3.txt'))).toBe(true);
    expect(await services.tree.commitsOnBranch(services.store.get('T1')!)).toBe(1);
    expect(services.store.get('T2')?.state).toBe('done');
    for (const [task, worker] of [['T1', 'w-commit'], ['T3', 'w-dirty']] as const) {
      expect(services.store.get(task)).toMatchObject({ state: 'running', assignee: worker });
      const record = services.workers.records()[worker];
      expect(record?.delivered).toEqual({ task, epoch: record?.startedAt });
      // The start is recorded with the guard's reasons: why it resumed, and from what.
      const started = services.store.events({ about: worker }).at(-1);
      expect(started?.action).toBe('start');
      expect(started?.reasons.join(' ')).toMatch(/^started from the command line: .* had no tmux session \(the server died or the machine rebooted\): /);
    }

    // Again: everything already runs with its task; nothing starts, nothing is delivered.
    const eventsBefore = services.store.events({}).length;
    const again = await p.run(['up']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout.split('\n').filter((line) => line.startsWith('✔'))).toEqual([
      '✔ w-commit: already running · has T1',
      '✔ w-done: already running',
      '✔ w-dirty: already running · has T3',
      '✔ w-idle: already running',
      expect.stringMatching(/^✔ w-stopped: left stopped/),
    ]);
    expect((await runs(p.repo.scratch)).length).toBe(before.length + after.length);
    expect(services.store.events({}).length).toBe(eventsBefore);
  });

  it('a project brought down whole comes up whole', async () => {
    const p = await project('recovery-down', [{ name: 'a', command: 'exec sleep 600' }, { name: 'b', command: 'exec sleep 600' }]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    expect((await p.run(['down'])).exitCode).toBe(0);
    const up = await p.run(['up']);
    expect(up.stdout).toContain('✔ a: started\n✔ b: started');
    expect(await sessions(p.socket)).toEqual(['a', 'b']);
  });
});
