/**
 * Tasks for workers on another machine, through the built CLI and a real OpenSSH server on loopback: the
 * base goes to the host's clone before a task starts, the worker commits there, its branch comes back
 * here by git when it is done or handed over, and lands on the base here. The host's clone and this
 * repository are both looked at directly, so every step is seen where it happened.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { openProject, type Services } from '../../src/app/services.js';
import { projectsCleanedUpAfterEach, screenShows } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import { useLoopbackHost } from '../helpers/hosts.js';
import { waitFor } from '../helpers/waitFor.js';
import type { TestProject, WorkerJson } from '../helpers/project.js';

const project = projectsCleanedUpAfterEach();
const host = useLoopbackHost();

const IDENTITY = '-c user.name=agent -c user.email=agent@muxctl.invalid';

/**
 * A stand-in for an interactive agent: echoes what it is told and, on the task's first line, does the
 * work: `work` is the shell run then, in its worktree. It never evaluates what it read.
 */
function agent(name: string, work: string): WorkerJson {
  return {
    name,
    command: `echo agent-ready; while IFS= read -r line; do echo "heard: $line"; case "$line" in "Task "*) ${work}; echo worked;; esac; done`,
    task: { delivery: 'paste' },
  };
}

/**
 * The dashboard's part for host workers, without its screen: services opened on the project, following
 * their requests, for `use`; closed after, whatever happened.
 */
async function followingRequests(p: TestProject, use: (services: Services) => Promise<void>): Promise<void> {
  const services = await openProject(p.configFile);
  try {
    services.hostRequests.sync();
    await use(services);
  } finally {
    await services.hostRequests.close();
    services.runtime.close();
  }
}

const COMMITS = `echo trained > model.txt && git add model.txt && git ${IDENTITY} commit -qm "Train the model"`;

interface TaskJson {
  id: string;
  state: string;
  assignee: string | null;
  branch: string | null;
  baseSha: string | null;
}

it('gives a task to a worker on a host: the current base goes there, its commit comes back when done, and lands here', async () => {
  const p = await project('hosttask', [{ name: 'w1', command: 'exec sleep 600' }]);
  const { clone, hostSocket } = await host.add(p, [agent('gpu-1', COMMITS)]);
  // The base moves here after the host's clone was made: the task must start from the base as it is now.
  await git(p.repo.path, 'commit', '-q', '--allow-empty', '-m', 'moved on here');
  const base = await git(p.repo.path, 'rev-parse', 'main');
  expect(await git(clone, 'rev-parse', 'main')).not.toBe(base);

  expect((await p.run(['up'])).exitCode).toBe(0);
  await screenShows(hostSocket, 'gpu-1', 'agent-ready');
  // A title a shell would run: on the host it must stay text.
  const title = 'Train the model $(touch PWNED) `touch PWNED2`; touch PWNED3';
  expect((await p.run(['task', 'add', title, '--lane', 'app'])).exitCode).toBe(0);
  const assigned = await p.run(['task', 'assign', 'T1', 'gpu-1']);
  expect(assigned.exitCode, assigned.stderr).toBe(0);
  expect(assigned.stdout).toContain('T1 → gpu-1: started on task/T1-train-the-model-touch-pwned');

  const screen = await screenShows(hostSocket, 'gpu-1', 'worked');
  expect(screen).toContain(`heard: Task T1: ${title}`);
  const hostWorktree = join(p.repo.scratch, 'box1-worktrees', 'gpu-1');
  for (const dir of [hostWorktree, clone, p.repo.path, p.repo.scratch]) expect(readdirSync(dir).filter((name) => name.startsWith('PWNED'))).toEqual([]);

  // On the host: the base as sent, the task branch made from it in the worker's worktree, the commit on it.
  expect(await git(clone, 'rev-parse', 'refs/muxctl/base')).toBe(base);
  const [task] = JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
  expect(task).toMatchObject({ state: 'running', assignee: 'gpu-1', baseSha: base });
  const branch = task?.branch ?? '';
  expect(await git(hostWorktree, 'branch', '--show-current')).toBe(branch);
  expect(await git(hostWorktree, 'log', '--format=%s', `${base}..HEAD`)).toBe('Train the model');
  // Nothing of it is here yet: the host's clone has the work.
  expect(await git(p.repo.path, 'branch', '--list', branch)).toBe('');

  const done = await p.run(['task', 'done', 'T1']);
  expect(done.exitCode, done.stderr).toBe(0);
  expect(done.stdout).toContain('T1 done');
  // The branch came here by git, with the worker's commit on it.
  expect(await git(p.repo.path, 'log', '--format=%s', `main..${branch}`)).toBe('Train the model');

  const land = await p.run(['land']);
  expect(land.exitCode, `${land.stdout}${land.stderr}`).toBe(0);
  expect(await git(p.repo.path, 'show', 'main:model.txt')).toBe('trained');
  const [landed] = JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
  expect(landed?.state).toBe('landed');
}, 120_000);

it('refuses "done" while the worker on the host has uncommitted work, said from the host', async () => {
  const p = await project('hostdirty', [{ name: 'w1', command: 'exec sleep 600' }]);
  const { hostSocket } = await host.add(p, [agent('gpu-1', 'echo draft > notes.txt')]);
  expect((await p.run(['up'])).exitCode).toBe(0);
  await screenShows(hostSocket, 'gpu-1', 'agent-ready');
  expect((await p.run(['task', 'add', 'Write notes', '--lane', 'app'])).exitCode).toBe(0);
  expect((await p.run(['task', 'assign', 'T1', 'gpu-1'])).exitCode).toBe(0);
  await screenShows(hostSocket, 'gpu-1', 'worked');

  const done = await p.run(['task', 'done', 'T1']);
  expect(done.exitCode).not.toBe(0);
  expect(`${done.stdout}${done.stderr}`).toContain('notes.txt');
  const [task] = JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
  expect(task?.state).toBe('running');
}, 90_000);

it('moves a task from a host to a worker here: the uncommitted work travels as a WIP commit, by git', async () => {
  const p = await project('hostmove', [agent('w1', 'true')]);
  const { clone, hostSocket } = await host.add(p, [agent('gpu-1', 'echo half > half.txt')]);
  expect((await p.run(['up'])).exitCode).toBe(0);
  await screenShows(hostSocket, 'gpu-1', 'agent-ready');
  await screenShows(p.socket, 'w1', 'agent-ready');
  expect((await p.run(['task', 'add', 'Half a job', '--lane', 'app'])).exitCode).toBe(0);
  expect((await p.run(['task', 'assign', 'T1', 'gpu-1'])).exitCode).toBe(0);
  await screenShows(hostSocket, 'gpu-1', 'worked');

  const moved = await p.run(['task', 'reassign', 'T1', 'w1']);
  expect(moved.exitCode, `${moved.stdout}${moved.stderr}`).toBe(0);
  expect(moved.stdout).toMatch(/T1 moved from gpu-1 to w1 \(WIP [0-9a-f]{7}\)/);
  // The work is on the task branch here, in w1's worktree, and the host's worktree let go of the branch.
  const here = join(p.repo.scratch, 'worktrees', 'w1');
  const [task] = JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
  expect(task).toMatchObject({ assignee: 'w1' });
  const w1 = await git(p.repo.path, 'worktree', 'list', '--porcelain');
  expect(w1).toContain(`branch refs/heads/${task?.branch ?? ''}`);
  const holder = /worktree (\S+)\nHEAD \S+\nbranch refs\/heads\/task\//.exec(w1)?.[1] ?? here;
  expect(existsSync(join(holder, 'half.txt'))).toBe(true);
  expect(await git(holder, 'log', '-1', '--format=%s')).toMatch(/^WIP T1: checkpoint from gpu-1/);
  expect(await git(join(p.repo.scratch, 'box1-worktrees', 'gpu-1'), 'branch', '--show-current')).toBe('muxctl/gpu-1');
  expect(await git(clone, 'status', '--porcelain')).toBe('');
  await screenShows(p.socket, 'w1', 'heard: Task T1: Half a job');
}, 120_000);

it("runs a host worker's own `muxctl task done` and `muxctl emit` on the board here, and answers it there", async () => {
  const work = [
    COMMITS,
    'muxctl emit status "epoch 3 of 10"; echo "emit=$?"',
    // A config of the worker's choosing is refused: the board is the one the dashboard runs.
    'muxctl task --config /tmp/other.json list; echo "config=$?"',
    'muxctl task done; echo "done=$?"',
  ].join('; ');
  const p = await project('hostself', [{ name: 'w1', command: 'exec sleep 600' }]);
  const { hostSocket } = await host.add(p, [agent('gpu-1', work)]);
  // The dashboard's part: following the host workers' requests (as the dashboard does from its start).
  await followingRequests(p, async () => {
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(hostSocket, 'gpu-1', 'agent-ready');
    expect((await p.run(['task', 'add', 'Train the model', '--lane', 'app'])).exitCode).toBe(0);
    expect((await p.run(['task', 'assign', 'T1', 'gpu-1'])).exitCode).toBe(0);

    const screen = await screenShows(hostSocket, 'gpu-1', 'done=', 60_000);
    expect(screen).toContain('emit=0');
    expect(screen).toMatch(/--config is not taken[\s\S]*config=2/);
    expect(screen).toContain('T1 done');
    expect(screen).toContain('done=0');
    // It was the worker's own move, recorded as its, and its commit came here.
    const shown = JSON.parse((await p.run(['task', 'show', 'T1', '--json'])).stdout) as TaskJson & { events: Array<{ action: string; actor: { kind: string; name?: string } }> };
    expect(shown.state).toBe('done');
    expect(shown.events.find((e) => e.action === 'finish')?.actor).toEqual({ kind: 'worker', name: 'gpu-1' });
    expect(await git(p.repo.path, 'log', '--format=%s', `main..${shown.branch ?? ''}`)).toBe('Train the model');
    // The event was made here and written to the worker's event log on the host, which the dashboard reads.
    const events = readFileSync(join(p.repo.scratch, 'box1-worktrees', '.muxctl', 'logs', 'gpu-1.events.jsonl'), 'utf8');
    expect(events).toContain('epoch 3 of 10');
  });
}, 120_000);

it('says nothing was done when no dashboard takes a host worker\'s request, and a dashboard opened later never runs it', async () => {
  const p = await project('hostalone', [{ name: 'w1', command: 'exec sleep 600' }]);
  const { hostSocket } = await host.add(p, [agent('gpu-1', 'muxctl task fail "no board"; echo "fail=$?"')], { requestWaitSeconds: 2 });
  expect((await p.run(['up'])).exitCode).toBe(0);
  await screenShows(hostSocket, 'gpu-1', 'agent-ready');
  expect((await p.run(['task', 'add', 'Train the model', '--lane', 'app'])).exitCode).toBe(0);
  expect((await p.run(['task', 'assign', 'T1', 'gpu-1'])).exitCode).toBe(0);
  const screen = await screenShows(hostSocket, 'gpu-1', 'fail=', 20_000);
  expect(screen).toContain('no muxctl dashboard took this in 2 s (none runs, or it cannot reach this host), so nothing was done');
  expect(screen).toContain('fail=75');

  await followingRequests(p, async (services) => {
    const box1 = services.config().hosts.box1;
    if (box1 === undefined) throw new Error('no host box1 in the config');
    // Two looks at the host's files: the request is there, and it is not run.
    await services.fleet.logReader(box1).poll();
    await services.fleet.logReader(box1).poll();
    await services.hostRequests.settled();
    expect(services.store.get('T1')?.state).toBe('running');
  });
}, 90_000);

it("sweeps a host's request markers older than a day when a dashboard opens, and keeps the newer ones", async () => {
  const p = await project('hostsweep', [{ name: 'w1', command: 'exec sleep 600' }]);
  await host.add(p, [{ name: 'gpu-1', command: 'exec sleep 600' }]);
  expect((await p.run(['up', 'gpu-1'])).exitCode).toBe(0);
  const requests = join(p.repo.scratch, 'box1-worktrees', '.muxctl', 'requests');
  const old = join(requests, 'gpu-1.1700000000-1.taken');
  const recent = join(requests, 'gpu-1.1700000000-2.taken');
  mkdirSync(old);
  mkdirSync(recent);
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
  utimesSync(old, twoDaysAgo, twoDaysAgo);
  await followingRequests(p, async () => {
    await waitFor(() => (existsSync(old) ? undefined : true), { what: 'the old marker swept', timeoutMs: 10_000 });
    expect(existsSync(recent)).toBe(true);
  });
}, 60_000);
