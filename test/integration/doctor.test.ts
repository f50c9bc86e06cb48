/**
 * The drift doctor against the real thing: a git repository with worker worktrees, a tmux server on the
 * project's private socket started by the BUILT `muxctl up`, and the board's store in `.muxctl/state.db`.
 * Each test makes one kind of drift for real, checks the doctor sees it, applies the fix, and then checks
 * the world: the work is still there, and the finding is gone.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskStore } from '../../src/adapters/taskStore.js';
import { openProject, type Services as Context } from '../../src/app/services.js';
import { applyFix, gatherDoctorFacts, type DoctorDeps } from '../../src/control/doctorFixes.js';
import { LANDER_LOCK } from '../../src/control/lander.js';
import { diagnose, type Finding, type FindingKind } from '../../src/core/rules/doctor.js';
import type { Task, TaskCommand } from '../../src/core/rules/tasks.js';
import { idle, projectsCleanedUpAfterEach, screenShows, sessions, startWorkers, tmux } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import type { TestProject } from '../helpers/project.js';

const project = projectsCleanedUpAfterEach();

/** In-process contexts are closed after each test, before their project's directories go. */
const contexts: Context[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.runtime.close();
});

const PERSON = { kind: 'person', name: 'test' } as const;
const LEASE_MS = 600_000;

interface World {
  p: TestProject;
  ctx: Context;
  store: TaskStore;
  deps: DoctorDeps;
}

/** A project with workers w1 and w2 (and any `extra`), started by the built CLI, and the doctor's parts. */
async function startedProject(label: string, extra: string[] = []): Promise<World> {
  const p = await project(label, ['w1', 'w2', ...extra].map((name) => idle(name)));
  await startWorkers(p);
  return open(p);
}

async function open(p: TestProject): Promise<World> {
  const ctx = await openProject(p.configFile);
  contexts.push(ctx);
  const store = ctx.runtime.store();
  return { p, ctx, store, deps: { config: ctx.config(), store, git: ctx.git, tmux: ctx.tmux, workers: ctx.workers } };
}

async function findings(world: World): Promise<Finding[]> {
  return diagnose(await gatherDoctorFacts(world.deps));
}

async function finding(world: World, kind: FindingKind, subject: string): Promise<Finding> {
  const all = await findings(world);
  const found = all.find((f) => f.kind === kind && f.subject === subject);
  if (found === undefined) throw new Error(`no ${kind} finding for ${subject}; found: ${JSON.stringify(all, null, 2)}`);
  return found;
}

async function expectGone(world: World, kind: FindingKind, subject: string): Promise<void> {
  expect((await findings(world)).filter((f) => f.kind === kind && f.subject === subject)).toEqual([]);
}

function lastDoctorFix(world: World, subject: string) {
  return world.store.events({ about: subject }).filter((e) => e.action === 'doctor-fix').at(-1);
}

function apply(world: World, id: string, command: TaskCommand): Task {
  const result = world.store.apply(id, command, PERSON);
  if (!result.ok) throw new Error(`${command.type} ${id}: ${result.error}`);
  return result.task;
}

function worktree(world: World, worker: string): string {
  return join(world.p.worktreeDir, worker);
}

const mainSha = async (world: World): Promise<string> => (await git(world.p.repo.path, 'rev-parse', 'main')).trim();

/**
 * A task claimed by `worker` and running on its own branch in the worker's worktree, with one commit of
 * its work (`<id>.txt`) on it, as the control plane would have left it.
 */
async function runningTask(world: World, worker: string, title: string): Promise<Task> {
  const added = world.store.add({ title, lane: 'app' }, PERSON);
  const branch = `task/${added.id.toLowerCase()}`;
  apply(world, added.id, { type: 'claim', worker, leaseMs: LEASE_MS, branch });
  const base = await mainSha(world);
  await git(worktree(world, worker), 'switch', '-q', '--no-track', '-c', branch, base);
  world.store.annotate(added.id, { baseSha: base });
  await world.p.repo.commit(`${added.id}.txt`, `work of ${added.id}\n`, `work on ${added.id}`, worktree(world, worker));
  return apply(world, added.id, { type: 'start', worker });
}

async function doneTask(world: World, worker: string, title: string): Promise<Task> {
  const task = await runningTask(world, worker, title);
  return apply(world, task.id, { type: 'finish', worker, evidence: { checkPassed: null, dirtyFiles: [], commitsOnBranch: 1 } });
}

async function status(dir: string): Promise<string> {
  return (await git(dir, 'status', '--porcelain', '--untracked-files=all')).trim();
}

describe('muxctl doctor', () => {
  it('finds nothing when the record and the world agree', async () => {
    const world = await startedProject('doctor-agree');
    await runningTask(world, 'w1', 'parse the flags');
    expect(await findings(world)).toEqual([]);
  });

  it('a done task with commits waiting: "land it" names the command, or hands it to the lander', async () => {
    const world = await startedProject('doctor-done');
    const task = await doneTask(world, 'w1', 'add the parser');
    const found = await finding(world, 'done-not-landed', task.id);
    expect(found.fix?.key).toBe('land');
    expect(found.text).toContain('1 commit on task/t1');

    const before = await mainSha(world);
    expect(await applyFix(found, world.deps)).toBe(`run \`muxctl land ${task.id}\` to land it`);
    expect(await mainSha(world)).toBe(before);
    expect(world.store.get(task.id)?.state).toBe('done');

    // With a lander wired in (here: a fast-forward of main, which is what a clean landing amounts to).
    const land = async (id: string): Promise<string> => {
      const branch = world.store.get(id)?.branch ?? '';
      await git(world.p.repo.path, 'merge', '-q', '--ff-only', branch);
      apply(world, id, { type: 'land', sha: await mainSha(world) });
      return `landed ${id}`;
    };
    expect(await applyFix(found, { ...world.deps, land })).toBe(`landed ${task.id}`);
    expect(await git(world.p.repo.path, 'show', `main:${task.id}.txt`)).toBe(`work of ${task.id}`);
    expect(world.store.get(task.id)?.state).toBe('landed');
    expect(lastDoctorFix(world, task.id)?.reasons.join(' ')).toContain(`landed ${task.id}`);
    await expectGone(world, 'done-not-landed', task.id);
  });

  it('open tasks whose branch was merged by hand are walked to landed, each step on record', async () => {
    const world = await startedProject('doctor-merged');
    const running = await runningTask(world, 'w1', 'first feature');
    const failed = await runningTask(world, 'w2', 'second feature');
    apply(world, failed.id, { type: 'fail', worker: 'w2', reason: 'the agent gave up' });
    // The person merges both branches by hand.
    await git(world.p.repo.path, 'merge', '-q', '--ff-only', 'task/t1');
    await git(world.p.repo.path, 'merge', '-q', '--no-edit', 'task/t2');

    for (const task of [running, failed]) {
      const found = await finding(world, 'landed-not-recorded', task.id);
      expect(found.fix?.key).toBe('mark-landed');
      expect(await applyFix(found, world.deps)).toContain(`${task.id} ${task.id === running.id ? 'running' : 'failed'} → landed`);
      expect(world.store.get(task.id)?.state).toBe('landed');
      expect(lastDoctorFix(world, task.id)?.reasons[0]).toBe(found.text);
      await expectGone(world, 'landed-not-recorded', task.id);
    }
    // The walk is in the history, move by move.
    const moves = world.store.events({ about: failed.id }).filter((e) => e.kind === 'task').map((e) => e.action);
    expect(moves.slice(-5)).toEqual(['retry', 'claim', 'start', 'finish', 'land']);
    // The work stays where it was: on main and on the branches.
    expect(await git(world.p.repo.path, 'show', `main:${running.id}.txt`)).toBe(`work of ${running.id}`);
    expect(await git(world.p.repo.path, 'show', `task/t2:${failed.id}.txt`)).toBe(`work of ${failed.id}`);
    // w1 holds no task any more, and its worktree was left alone.
    expect(world.store.heldBy('w1')).toBeNull();
    expect(await status(worktree(world, 'w1'))).toBe('');
  });

  it('a landed task with uncommitted work on its branch is shown but not marked', async () => {
    const world = await startedProject('doctor-unfinished');
    const task = await runningTask(world, 'w1', 'still going');
    await git(world.p.repo.path, 'merge', '-q', '--ff-only', 'task/t1');
    await writeFile(join(worktree(world, 'w1'), 'more.txt'), 'not yet committed\n');
    const found = await finding(world, 'landed-not-recorded', task.id);
    expect(found.fix).toBeNull();
    expect(await applyFix(found, world.deps)).toContain('no safe fix');
    expect(world.store.get(task.id)?.state).toBe('running');
    expect(await readFile(join(worktree(world, 'w1'), 'more.txt'), 'utf8')).toBe('not yet committed\n');
  });

  it('a dirty worktree with no task is committed on a WIP branch and left clean', async () => {
    const world = await startedProject('doctor-dirty');
    const tree = worktree(world, 'w2');
    await writeFile(join(tree, 'README.md'), '# changed by hand\n');
    await mkdir(join(tree, 'notes'));
    await writeFile(join(tree, 'notes', 'idea.txt'), 'an idea\n');
    const found = await finding(world, 'dirty-without-task', 'w2');
    expect(found.text).toContain('2 uncommitted files');

    const message = await applyFix(found, world.deps);
    const wip = (await git(world.p.repo.path, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/muxctl/wip/w2')).trim();
    expect(wip).toMatch(/^muxctl\/wip\/w2\/\d{8}T\d{6}Z$/);
    expect(message).toContain(wip);
    expect(await git(world.p.repo.path, 'show', `${wip}:README.md`)).toBe('# changed by hand');
    expect(await git(world.p.repo.path, 'show', `${wip}:notes/idea.txt`)).toBe('an idea');
    expect(await status(tree)).toBe('');
    expect((await git(tree, 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toBe('muxctl/w2');
    expect(existsSync(join(tree, 'notes', 'idea.txt'))).toBe(false);
    expect(lastDoctorFix(world, 'w2')?.reasons[1]).toContain(wip);
    await expectGone(world, 'dirty-without-task', 'w2');
  });

  it('an orphan session is stopped after its screen is saved; the monitor session is not an orphan', async () => {
    const world = await startedProject('doctor-orphan');
    expect((await tmux(world.p.socket, 'new-session', '-d', '-s', 'stray', 'echo orphan-screen-text; exec sleep 600')).exitCode).toBe(0);
    expect((await tmux(world.p.socket, 'new-session', '-d', '-s', '_muxctl_monitor', 'exec sleep 600')).exitCode).toBe(0);
    await screenShows(world.p.socket, 'stray', 'orphan-screen-text');
    expect((await findings(world)).map((f) => `${f.kind} ${f.subject}`)).toEqual(['orphan-session stray']);

    const message = await applyFix(await finding(world, 'orphan-session', 'stray'), world.deps);
    const logs = join(world.p.repo.path, '.muxctl', 'logs');
    const saved = (await readdir(logs)).filter((name) => /^orphan-stray-\d{8}T\d{6}Z\.txt$/.test(name));
    expect(saved).toHaveLength(1);
    expect(message).toContain(saved[0]);
    expect(await readFile(join(logs, saved[0] ?? ''), 'utf8')).toContain('orphan-screen-text');
    expect(await sessions(world.p.socket)).toEqual(['_muxctl_monitor', 'w1', 'w2']);
    await expectGone(world, 'orphan-session', 'stray');
  });

  it('a worker meant to run without its session is started again', async () => {
    const world = await startedProject('doctor-missing');
    expect((await tmux(world.p.socket, 'kill-session', '-t', '=w2')).exitCode).toBe(0);
    const found = await finding(world, 'missing-session', 'w2');
    expect(await applyFix(found, world.deps)).toContain('w2 started');
    expect(await sessions(world.p.socket)).toEqual(['w1', 'w2']);
    await expectGone(world, 'missing-session', 'w2');
    // A worker the person stopped is not missing.
    await world.ctx.workers.stop('w1', PERSON, 'test');
    expect(await findings(world)).toEqual([]);
  });

  it('a lease of a worker removed from the config is ended, its WIP committed on the task branch', async () => {
    const first = await startedProject('doctor-removed', ['w3']);
    const task = await runningTask(first, 'w3', 'half done');
    await writeFile(join(worktree(first, 'w3'), 'half.txt'), 'half of it\n');
    // w3 leaves the config; its session goes with it.
    expect((await tmux(first.p.socket, 'kill-session', '-t', '=w3')).exitCode).toBe(0);
    await first.p.writeConfig({ ...first.p.config, workers: (first.p.config.workers as Array<{ name: string }>).filter((w) => w.name !== 'w3') });
    const world = await open(first.p);

    const found = await finding(world, 'gone-lease', task.id);
    expect(found.text).toBe(`${task.id} is running and held by w3, which is not in the config`);
    await applyFix(found, world.deps);
    const after = world.store.get(task.id);
    expect(after).toMatchObject({ state: 'queued', assignee: null, lease: null, branch: 'task/t1' });
    expect(after?.checkpoints.at(-1)?.note).toContain('WIP from w3');
    expect(await git(world.p.repo.path, 'show', `task/t1:${task.id}.txt`)).toBe(`work of ${task.id}`);
    expect(await git(world.p.repo.path, 'show', 'task/t1:half.txt')).toBe('half of it');
    expect(await status(worktree(world, 'w3'))).toBe('');
    await expectGone(world, 'gone-lease', task.id);
  });

  it('a live lease of a worker with no session is released, branch and checkpoints kept', async () => {
    const world = await startedProject('doctor-lease');
    const task = await runningTask(world, 'w1', 'long job');
    apply(world, task.id, { type: 'checkpoint', worker: 'w1', step: 'parsed' });
    await world.ctx.workers.stop('w1', PERSON, 'test');
    const found = await finding(world, 'gone-lease', task.id);
    expect(found.text).toMatch(/whose lease is live for \d+ minutes more but which has no tmux session/);
    expect(await applyFix(found, world.deps)).toContain(`${task.id} running → queued`);
    const after = world.store.get(task.id);
    expect(after).toMatchObject({ state: 'queued', lease: null, branch: 'task/t1' });
    expect(after?.checkpoints.map((c) => c.step)).toContain('parsed');
    expect(await git(world.p.repo.path, 'show', `task/t1:${task.id}.txt`)).toBe(`work of ${task.id}`);
    await expectGone(world, 'gone-lease', task.id);
  });

  it('an integration worktree left by a crash is removed after a backup; one in use is left alone', async () => {
    const world = await startedProject('doctor-land');
    const land = join(world.p.worktreeDir, '_land');
    await git(world.p.repo.path, 'worktree', 'add', '-q', '--detach', land, 'main');
    await writeFile(join(land, 'MERGE_HALF.txt'), 'a merge cut short\n');
    const stray = join(world.p.worktreeDir, '_land-tmp');
    await mkdir(stray);
    await writeFile(join(stray, 'scratch.txt'), 'scratch\n');

    // While a live lander holds the lock, nothing is left over.
    expect(world.store.tryLock(LANDER_LOCK, 'test lander').ok).toBe(true);
    expect(await findings(world)).toEqual([]);
    world.store.unlock(LANDER_LOCK);

    const found = await finding(world, 'leftover-integration', land);
    const message = await applyFix(found, world.deps);
    const backup = /refs\/muxctl\/backup\/_land\/\S+/.exec(message)?.[0] ?? '';
    expect(await git(world.p.repo.path, 'show', `${backup}:MERGE_HALF.txt`)).toBe('a merge cut short');
    expect(await git(world.p.repo.path, 'worktree', 'list', '--porcelain')).not.toContain(land);
    expect(existsSync(land)).toBe(false);
    await expectGone(world, 'leftover-integration', land);

    const moved = await applyFix(await finding(world, 'leftover-integration', stray), world.deps);
    const target = /to (\S+)$/.exec(moved)?.[1] ?? '';
    expect(target.startsWith(join(world.p.repo.path, '.muxctl', 'leftovers', '_land-tmp-'))).toBe(true);
    expect(await readFile(join(target, 'scratch.txt'), 'utf8')).toBe('scratch\n');
    expect(existsSync(stray)).toBe(false);
    expect(await findings(world)).toEqual([]);
  });

  it("the lander's integration worktree is found where the lander keeps it, whatever its name", async () => {
    const world = await startedProject('doctor-landpath');
    const integration = join(world.p.repo.scratch, 'integration');
    await git(world.p.repo.path, 'worktree', 'add', '-q', '--detach', integration, 'main');
    expect(await findings(world)).toEqual([]);
    const deps = { ...world.deps, integrationPath: integration };
    // Clean, as the lander leaves it between landings for the next one: nothing left over.
    expect((await findings({ ...world, deps })).filter((f) => f.kind === 'leftover-integration')).toEqual([]);
    // A merge cut short by a kill leaves it changed: that is left over.
    await writeFile(join(integration, 'half-merged.txt'), 'conflict markers\n');
    const found = (await findings({ ...world, deps })).find((f) => f.kind === 'leftover-integration');
    expect(found?.subject).toBe(integration);
    expect(await applyFix(found as Finding, deps)).toContain(`removed ${integration}`);
    expect(existsSync(integration)).toBe(false);
    // The doctor let go of the lander's lock once done.
    expect(world.store.lockHolder(LANDER_LOCK)).toBeNull();
    expect((await findings({ ...world, deps })).filter((f) => f.kind === 'leftover-integration')).toEqual([]);
  });

  it('a finding gone by the time its fix is applied is left alone', async () => {
    const world = await startedProject('doctor-stale');
    await writeFile(join(worktree(world, 'w1'), 'x.txt'), 'x\n');
    const found = await finding(world, 'dirty-without-task', 'w1');
    await git(worktree(world, 'w1'), 'add', 'x.txt');
    await git(worktree(world, 'w1'), 'commit', '-qm', 'the person committed it');
    expect(await applyFix(found, world.deps)).toContain('nothing to do');
    expect(lastDoctorFix(world, 'w1')).toBeUndefined();
  });
});
