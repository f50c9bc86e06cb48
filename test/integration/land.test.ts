/**
 * The merge queue against real git repositories and a real task database: every test asserts on the
 * world — the base branch, the main checkout's files, branches, the store's tasks, events and lock — not
 * on what the lander says it did. The killed lander is a real process (fixtures-land/landChild.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/adapters/check.js';
import { Git } from '../../src/adapters/git.js';
import { TaskStore } from '../../src/adapters/taskStore.js';
import { Lander, LanderBusyError, type LanderDeps, type LandResult } from '../../src/control/lander.js';
import { formatProblems, type ProjectConfig } from '../../src/core/config/config.js';
import { parseConfig } from '../../src/core/config/parse.js';
import type { BoardEvent } from '../../src/core/rules/events.js';
import type { Actor, Task } from '../../src/core/rules/tasks.js';
import { git, makeRepo, type TestRepo } from '../helpers/gitRepo.js';
import { waitFor } from '../helpers/waitFor.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('fixtures-land/landChild.ts', import.meta.url));
const PERSON: Actor = { kind: 'person', name: 'test' };
const LEASE_MS = 60_000;
/** git run by a check: an identity of its own, whatever the machine says. */
const CHECK_GIT = 'git -c user.name=check -c user.email=check@muxctl.invalid -c commit.gpgsign=false -c core.hooksPath=/dev/null';

let repo: TestRepo;
let store: TaskStore;
let children: ChildProcessWithoutNullStreams[];

beforeEach(async () => {
  repo = await makeRepo();
  await repo.commit('shared.txt', 'line\n', 'first commit');
  store = TaskStore.open(join(repo.scratch, 'state.db'));
  children = [];
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) killGroup(child);
  await waitFor(() => children.every((child) => child.exitCode !== null || child.signalCode !== null), { what: 'every lander child to exit', timeoutMs: 10_000 });
  store.close();
  await repo.cleanup();
});

// ── The project ─────────────────────────────────────────────────────────────────────────────────────

const worktreeDir = (): string => join(repo.scratch, 'worktrees');
const integrationPath = (): string => join(repo.scratch, 'integration');
const configFile = (): string => join(repo.scratch, 'sessions.json');

/** Written beside the repository (not in it, so the main checkout stays clean) and parsed like muxctl does. */
async function projectConfig(land: Record<string, unknown> = {}): Promise<ProjectConfig> {
  const text = JSON.stringify({
    project: 'land',
    repo: repo.path,
    baseBranch: 'main',
    worktreeDir: worktreeDir(),
    lanes: { app: {} },
    workers: ['w1', 'w2', 'w3'].map((name) => ({ name, lane: 'app', command: 'true' })),
    land,
  });
  await writeFile(configFile(), text);
  const parsed = parseConfig(text, configFile());
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  return parsed.config;
}

function lander(config: ProjectConfig, extra: Partial<LanderDeps> = {}): Lander {
  return new Lander({ config: () => config, store, git: new Git(repo.path), runCheck, now: Date.now, integrationPath: integrationPath(), ...extra });
}

/**
 * A task done by `worker` the way the control plane leaves one: its branch made from the base in the
 * worker's worktree, with one commit per file, still checked out there, and the task done in the store.
 */
async function doneTask(worker: string, slug: string, files: Record<string, string>, from = 'main'): Promise<Task> {
  const worktree = join(worktreeDir(), worker);
  if (!existsSync(worktree)) await git(repo.path, 'worktree', 'add', '-q', '-b', `muxctl/${worker}`, worktree, 'main');
  const branch = `task/${slug}`;
  const baseSha = await sha(from);
  await git(worktree, 'switch', '-q', '-c', branch, baseSha);
  for (const [file, content] of Object.entries(files)) await repo.commit(file, content, `${slug}: ${file}`, worktree);
  const task = store.add({ title: slug, lane: 'app' }, PERSON);
  expect(store.apply(task.id, { type: 'claim', worker, leaseMs: LEASE_MS, branch }, PERSON).ok).toBe(true);
  expect(store.apply(task.id, { type: 'start', worker }, PERSON).ok).toBe(true);
  const evidence = { checkPassed: null, dirtyFiles: [], commitsOnBranch: Object.keys(files).length };
  const done = store.apply(task.id, { type: 'finish', worker, evidence }, PERSON, Date.now(), () => ({ baseSha }));
  expect(done.ok, JSON.stringify(done)).toBe(true);
  return store.get(task.id) as Task;
}

async function sha(rev: string, cwd = repo.path): Promise<string> {
  return (await git(cwd, 'rev-parse', '--verify', `${rev}^{commit}`)).trim();
}

async function contains(base: string, commit: string): Promise<boolean> {
  return git(repo.path, 'merge-base', '--is-ancestor', commit, base).then(
    () => true,
    () => false,
  );
}

async function branchExists(branch: string): Promise<boolean> {
  return (await git(repo.path, 'branch', '--list', branch)).trim() !== '';
}

function resultOf(results: readonly LandResult[], id: string): LandResult {
  const found = results.find((result) => result.task === id);
  if (found === undefined) throw new Error(`no result for ${id} in ${JSON.stringify(results)}`);
  return found;
}

function lastTaskEvent(id: string): BoardEvent {
  const events = store.events({ about: id }).filter((event) => event.kind === 'task' && event.subject === id);
  const last = events[events.length - 1];
  if (last === undefined) throw new Error(`no events for ${id}`);
  return last;
}

function landerEvents(action?: string): BoardEvent[] {
  return store.events({ about: 'lander' }).filter((event) => event.kind === 'board' && (action === undefined || event.action === action));
}

// ── The lander in another process ───────────────────────────────────────────────────────────────────

/** Its own process group, so the kill takes its check (a grandchild) down with it, as a killed terminal would. */
function startChild(): ChildProcessWithoutNullStreams & { out: { stdout: string; stderr: string } } {
  const proc = spawn(process.execPath, ['--import', 'tsx/esm', CHILD_SCRIPT, join(repo.scratch, 'state.db'), configFile(), integrationPath()], { cwd: REPO_ROOT, detached: true });
  const out = { stdout: '', stderr: '' };
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  children.push(proc);
  return Object.assign(proc, { out });
}

function killGroup(child: ChildProcessWithoutNullStreams): void {
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
}

/** A check that says it started (outside the worktree) and then takes far longer than any test. */
function hangingCheck(): string {
  return `echo started > "${join(repo.scratch, 'check-started')}"; sleep 60`;
}

// ── Tests ───────────────────────────────────────────────────────────────────────────────────────────

describe('landing one entry at a time (merge)', () => {
  it('two tasks touching the same lines: the first lands, the second goes back to its worker naming the file', async () => {
    const config = await projectConfig();
    const first = await doneTask('w1', 'one', { 'shared.txt': 'one\n' });
    const second = await doneTask('w2', 'two', { 'shared.txt': 'two\n' });
    const firstTip = await sha(first.branch ?? '');
    const secondTip = await sha(second.branch ?? '');
    const oldBase = await sha('main');

    expect((await lander(config).queue()).map((task) => task.id)).toEqual([first.id, second.id]);
    const results = await lander(config).land(undefined, PERSON);

    const newBase = await sha('main');
    expect(resultOf(results, first.id)).toMatchObject({ outcome: 'landed', sha: newBase, branch: 'deleted' });
    expect(await contains('main', firstTip)).toBe(true);
    expect(await sha('main^1')).toBe(oldBase); // a fast-forward to a merge built on the old base
    expect(store.get(first.id)?.state).toBe('landed');

    expect(resultOf(results, second.id).outcome).toBe('conflict');
    expect(await contains('main', secondTip)).toBe(false);
    expect(await git(repo.path, 'show', 'main:shared.txt')).toBe('one');
    const bounced = store.get(second.id);
    expect(bounced).toMatchObject({ state: 'claimed', assignee: 'w2', lease: { holder: 'w2' } });
    const event = lastTaskEvent(second.id);
    expect(event).toMatchObject({ action: 'bounce', from: 'done', to: 'claimed', worker: 'w2' });
    expect(event.reasons.join('\n')).toContain('shared.txt');
    expect(await branchExists(second.branch ?? '')).toBe(true);
    expect(await lander(config).queue()).toEqual([]);
  });

  it('the base checked out in the main checkout gets its files, and the branch is let go of and deleted', async () => {
    const config = await projectConfig();
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });

    const [result] = await lander(config).land([task.id], PERSON);

    expect(result).toMatchObject({ task: task.id, outcome: 'landed', branch: 'deleted' });
    expect(await readFile(join(repo.path, 'feature.txt'), 'utf8')).toBe('feature\n');
    expect(await git(repo.path, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
    expect(await sha('HEAD')).toBe(await sha('main'));
    expect(await branchExists('task/feature')).toBe(false);
    expect((await git(join(worktreeDir(), 'w1'), 'symbolic-ref', '--short', 'HEAD')).trim()).toBe('muxctl/w1');
  });

  it('a base checked out nowhere moves by compare-and-swap and nobody\'s files change', async () => {
    const config = await projectConfig();
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });
    const tip = await sha('task/feature');
    await git(repo.path, 'switch', '-q', '-c', 'elsewhere');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result?.outcome).toBe('landed');
    expect(await sha('main')).toBe(result?.sha);
    expect(await contains('main', tip)).toBe(true);
    expect(await git(repo.path, 'show', 'main:feature.txt')).toBe('feature');
    expect(existsSync(join(repo.path, 'feature.txt'))).toBe(false);
    expect(store.get(task.id)?.state).toBe('landed');
  });

  it('the main checkout with local changes in the way: refused, the base and the changes as they were', async () => {
    const config = await projectConfig();
    const task = await doneTask('w1', 'one', { 'shared.txt': 'one\n' });
    const oldBase = await sha('main');
    await writeFile(join(repo.path, 'shared.txt'), 'my own edit\n');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result?.outcome).toBe('refused');
    expect(await sha('main')).toBe(oldBase);
    expect(await readFile(join(repo.path, 'shared.txt'), 'utf8')).toBe('my own edit\n');
    expect(store.get(task.id)?.state).toBe('done');
    const [refusal] = landerEvents('refuse');
    expect(refusal?.reasons.join('\n')).toMatch(/checked out in .* with local changes/);
    expect(refusal?.reasons.join('\n')).toContain('shared.txt'); // git's own words name the file
    expect(await branchExists('task/one')).toBe(true);
  });

  it('a base that moves between the merge and the update is built again on the new base', async () => {
    const marker = join(repo.scratch, 'moved-once');
    // The check moves main behind the lander's back, once (main is checked out nowhere: the CAS path).
    const moveMain = `sha=$(${CHECK_GIT} -C "${repo.path}" commit-tree "main^{tree}" -p main -m concurrent) && git -C "${repo.path}" update-ref refs/heads/main "$sha"`;
    const config = await projectConfig({ check: `[ -f "${marker}" ] || { touch "${marker}" && ${moveMain}; }` });
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });
    await git(repo.path, 'switch', '-q', '-c', 'elsewhere');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result?.outcome).toBe('landed');
    expect(await sha('main')).toBe(result?.sha);
    expect((await git(repo.path, 'log', '-1', '--format=%s', 'main^1')).trim()).toBe('concurrent');
    expect(landerEvents('retry')).toHaveLength(1);
    expect(store.get(task.id)?.state).toBe('landed');
  });
});

describe('the land check', () => {
  it('a failing check leaves the base untouched and sends the task back with its last lines', async () => {
    const check = 'for i in $(seq 1 40); do echo "noise $i"; done; if [ -f bad.txt ]; then echo "bad.txt must not exist"; exit 3; fi';
    const config = await projectConfig({ check });
    const bad = await doneTask('w1', 'bad', { 'bad.txt': 'oops\n' });
    const oldBase = await sha('main');

    const [result] = await lander(config).land([bad.id], PERSON);

    expect(result?.outcome).toBe('check-failed');
    expect(await sha('main')).toBe(oldBase);
    const task = store.get(bad.id);
    expect(task).toMatchObject({ state: 'claimed', assignee: 'w1' });
    expect(task?.outcome?.checkTail).toContain('bad.txt must not exist');
    expect(task?.outcome?.checkTail).not.toContain('noise 1\n'); // only the last lines
    const reasons = lastTaskEvent(bad.id).reasons.join('\n');
    expect(reasons).toContain('exit 3');
    expect(reasons).toContain('bad.txt must not exist');
  });

  it('a passing check fast-forwards the base to the commit it checked', async () => {
    const runs = join(repo.scratch, 'check-runs');
    const config = await projectConfig({ check: `echo "$(git rev-parse HEAD)" >> "${runs}"; test ! -f bad.txt` });
    const good = await doneTask('w1', 'good', { 'good.txt': 'fine\n' });
    const oldBase = await sha('main');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result?.outcome).toBe('landed');
    const checked = (await readFile(runs, 'utf8')).trim().split('\n');
    expect(checked).toEqual([await sha('main')]);
    expect(await contains('main', oldBase)).toBe(true);
    expect(store.get(good.id)?.state).toBe('landed');
  });

  it('a worker busy with another task does not get two: the task goes to blocked', async () => {
    const config = await projectConfig({ check: 'test ! -f bad.txt' });
    const bad = await doneTask('w1', 'bad', { 'bad.txt': 'oops\n' });
    const next = store.add({ title: 'next', lane: 'app' }, PERSON);
    expect(store.apply(next.id, { type: 'claim', worker: 'w1', leaseMs: LEASE_MS }, PERSON).ok).toBe(true);

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result?.outcome).toBe('check-failed');
    expect(store.get(bad.id)?.state).toBe('blocked');
    expect(lastTaskEvent(bad.id).reasons.join('\n')).toContain(`w1 is busy with ${next.id}`);
  });

  it('a bounced task is handed to sendBack for its worker', async () => {
    const config = await projectConfig({ check: 'test ! -f bad.txt' });
    const bad = await doneTask('w1', 'bad', { 'bad.txt': 'oops\n' });
    const sent: Task[] = [];

    const [result] = await lander(config, { sendBack: (task) => Promise.resolve({ ok: true, message: `sent ${sent.push(task)}` }) }).land(undefined, PERSON);

    expect(sent.map((task) => [task.id, task.state, task.assignee])).toEqual([[bad.id, 'claimed', 'w1']]);
    expect(result?.reasons).toContain('sent 1');
  });
});

describe('crash safety and the lock', () => {
  it('a lander killed mid-check leaves the base old and its lock stale; a second lander meanwhile says who holds it; a rerun lands', async () => {
    await projectConfig({ check: hangingCheck() });
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });
    const oldBase = await sha('main');
    const child = startChild();
    await waitFor(() => existsSync(join(repo.scratch, 'check-started')) || child.exitCode !== null, { what: 'the child lander to start its check', timeoutMs: 20_000 });
    expect(child.exitCode, child.out.stderr).toBeNull();

    const held = store.lockHolder('lander');
    expect(held).toMatchObject({ pid: child.pid, alive: true, holder: 'person child' });
    const second = lander(await projectConfig()).land(undefined, PERSON);
    await expect(second).rejects.toThrow(LanderBusyError);
    await expect(second).rejects.toThrow(`the lander is running in pid ${child.pid} since ${new Date(held?.since ?? 0).toISOString()}`);
    expect(store.get(task.id)?.state).toBe('done');

    killGroup(child);
    await waitFor(() => child.signalCode !== null, { what: 'the child lander to die' });
    expect(await sha('main')).toBe(oldBase);
    expect(store.lockHolder('lander')).toMatchObject({ pid: child.pid, alive: false });
    expect(store.get(task.id)?.state).toBe('done');

    const results = await lander(await projectConfig()).land(undefined, PERSON);

    expect(resultOf(results, task.id).outcome).toBe('landed');
    expect(await contains('main', oldBase)).toBe(true);
    expect(await git(repo.path, 'show', 'main:feature.txt')).toBe('feature');
    expect(await git(repo.path, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
    expect(store.lockHolder('lander')).toBeNull();
    expect(landerEvents('takeover')[0]?.reasons.join('')).toContain(`pid ${child.pid}`);
  });

  it('a base updated before the store was (killed in between): marked landed, no second merge commit', async () => {
    const config = await projectConfig();
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });
    await git(repo.path, 'merge', '-q', '--no-ff', '-m', 'landed by the killed lander', 'task/feature');
    const landedBase = await sha('main');
    expect(await lander(config).queue()).toEqual([]);

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result).toMatchObject({ task: task.id, outcome: 'already-landed', sha: landedBase, branch: 'deleted' });
    expect(await sha('main')).toBe(landedBase);
    expect((await git(repo.path, 'rev-list', '--merges', 'main')).trim().split('\n')).toHaveLength(1);
    expect(store.get(task.id)?.state).toBe('landed');
  });

  it('a killed rebase in the integration worktree is cleared before the next entry', async () => {
    const config = await projectConfig({ strategy: 'rebase' });
    const first = await doneTask('w1', 'one', { 'shared.txt': 'one\n' });
    await lander(config).land([first.id], PERSON);
    const conflicting = await doneTask('w2', 'two', { 'shared.txt': 'two\n' }, `${first.baseSha ?? 'main'}`);
    // What a kill mid-rebase leaves: a rebase stopped on a conflict.
    await git(integrationPath(), 'rebase', await sha('main'), await sha('task/two')).catch(() => undefined);
    expect(existsSync(join(repo.path, '.git', 'worktrees', 'integration', 'rebase-merge'))).toBe(true);
    const clean = await doneTask('w3', 'three', { 'three.txt': 'three\n' });

    const results = await lander(config).land(undefined, PERSON);

    expect(resultOf(results, conflicting.id).outcome).toBe('conflict');
    expect(resultOf(results, clean.id).outcome).toBe('landed');
    expect(await git(repo.path, 'show', 'main:three.txt')).toBe('three');
  });
});

describe('the task branch after landing', () => {
  it('is kept when it gained a commit the base does not contain', async () => {
    const w1 = join(worktreeDir(), 'w1');
    // A late commit on the task branch while the lander checks what it merged.
    const config = await projectConfig({ check: `${CHECK_GIT} -C "${w1}" commit -q --allow-empty -m late` });
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });
    const mergedTip = await sha('task/feature');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result).toMatchObject({ outcome: 'landed', branch: 'kept' });
    expect(await contains('main', mergedTip)).toBe(true);
    expect(await contains('main', await sha('task/feature'))).toBe(false);
    expect(await branchExists('task/feature')).toBe(true);
    expect(landerEvents('keep-branch')[0]?.reasons.join('')).toContain(`${task.id}: kept task/feature`);
  });

  it('is kept, and said so, when the worker\'s worktree holding it has uncommitted files', async () => {
    const config = await projectConfig();
    await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });
    await writeFile(join(worktreeDir(), 'w1', 'scratch.txt'), 'not committed\n');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result).toMatchObject({ outcome: 'landed', branch: 'kept' });
    expect(result?.reasons.join('\n')).toContain("checked out in w1's worktree with 1 uncommitted file");
    expect(await branchExists('task/feature')).toBe(true);
    expect((await git(join(worktreeDir(), 'w1'), 'symbolic-ref', '--short', 'HEAD')).trim()).toBe('task/feature');
  });
});

describe('rebase strategy', () => {
  it('lands linear history and never rewrites the task branches', async () => {
    const config = await projectConfig({ strategy: 'rebase' });
    const first = await doneTask('w1', 'one', { 'one.txt': 'one\n' });
    const second = await doneTask('w2', 'two', { 'two.txt': 'two\n', 'two-more.txt': 'more\n' });
    const secondTip = await sha('task/two');
    const oldBase = await sha('main');

    const results = await lander(config).land(undefined, PERSON);

    expect(results.map((result) => [result.task, result.outcome])).toEqual([
      [first.id, 'landed'],
      [second.id, 'landed'],
    ]);
    expect((await git(repo.path, 'rev-list', '--merges', 'main')).trim()).toBe('');
    expect((await git(repo.path, 'rev-list', '--count', `${oldBase}..main`)).trim()).toBe('3');
    expect((await git(repo.path, 'log', '--format=%s', 'main')).split('\n').slice(0, 3)).toEqual(['two: two-more.txt', 'two: two.txt', 'one: one.txt']);
    expect(await sha('task/two')).toBe(secondTip);
    expect(resultOf(results, first.id).branch).toBe('deleted'); // it was on top of the base: a fast-forward
    expect(resultOf(results, second.id).branch).toBe('kept'); // replayed: git cannot see it contained
    expect(await git(repo.path, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
  });

  it('a replay of work already on the base (killed before the store was told) is marked landed', async () => {
    const config = await projectConfig({ strategy: 'rebase' });
    const task = await doneTask('w1', 'one', { 'one.txt': 'one\n' });
    await repo.commit('other.txt', 'other\n', 'someone else');
    await git(repo.path, 'cherry-pick', 'task/one');
    const base = await sha('main');

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result).toMatchObject({ outcome: 'already-landed', sha: base });
    expect(await sha('main')).toBe(base);
    expect(store.get(task.id)?.state).toBe('landed');
  });
});

describe('push', () => {
  async function remote(): Promise<string> {
    const path = join(repo.scratch, 'remote.git');
    await git(repo.scratch, 'init', '-q', '--bare', path);
    await git(repo.path, 'remote', 'add', 'origin', path);
    await git(repo.path, 'push', '-q', 'origin', 'main');
    return path;
  }

  it('pushes the base it moved', async () => {
    const origin = await remote();
    const config = await projectConfig({ push: 'origin' });
    await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result?.push).toMatchObject({ ok: true });
    expect(await sha('main', origin)).toBe(await sha('main'));
  });

  it('never forces: a remote that moved on refuses, and the refusal is on the record', async () => {
    const origin = await remote();
    const other = join(repo.scratch, 'other-clone');
    await git(repo.scratch, 'clone', '-q', '-b', 'main', origin, other);
    await repo.commit('theirs.txt', 'theirs\n', 'pushed by someone else', other);
    await git(other, 'push', '-q', 'origin', 'main');
    const theirs = await sha('main', origin);
    const config = await projectConfig({ push: 'origin' });
    const task = await doneTask('w1', 'feature', { 'feature.txt': 'feature\n' });

    const [result] = await lander(config).land(undefined, PERSON);

    expect(result).toMatchObject({ outcome: 'landed', push: { ok: false } });
    expect(await sha('main', origin)).toBe(theirs);
    expect(landerEvents('push-refused')).toHaveLength(1);
    expect(store.get(task.id)?.state).toBe('landed');
  });
});

describe('batches', () => {
  it('one check for a batch that passes', async () => {
    const runs = join(repo.scratch, 'check-runs');
    const config = await projectConfig({ batch: 3, check: `echo run >> "${runs}"; test ! -f bad.txt` });
    const tasks = [await doneTask('w1', 'a', { 'a.txt': 'a\n' }), await doneTask('w2', 'b', { 'b.txt': 'b\n' }), await doneTask('w3', 'c', { 'c.txt': 'c\n' })];

    const results = await lander(config).land(undefined, PERSON);

    expect(results.map((result) => result.outcome)).toEqual(['landed', 'landed', 'landed']);
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toHaveLength(1);
    for (const task of tasks) expect(store.get(task.id)?.state).toBe('landed');
  });

  it('a failing batch is split in halves: the culprit goes back, the others land', async () => {
    const config = await projectConfig({ batch: 4, check: 'test ! -f bad.txt' });
    const good = [await doneTask('w1', 'a', { 'a.txt': 'a\n' }), await doneTask('w2', 'b', { 'b.txt': 'b\n' })];
    const bad = await doneTask('w3', 'bad', { 'bad.txt': 'oops\n' });
    const oldBase = await sha('main');

    const results = await lander(config).land(undefined, PERSON);

    expect(resultOf(results, bad.id).outcome).toBe('check-failed');
    for (const task of good) expect(resultOf(results, task.id).outcome).toBe('landed');
    expect(await git(repo.path, 'ls-tree', '--name-only', 'main')).not.toContain('bad.txt');
    expect(await git(repo.path, 'ls-tree', '--name-only', 'main')).toContain('b.txt');
    expect(await contains('main', oldBase)).toBe(true);
    expect(store.get(bad.id)?.state).toBe('claimed');
  });

  it('an entry that conflicts within a batch gets a turn alone', async () => {
    const config = await projectConfig({ batch: 3 });
    const first = await doneTask('w1', 'one', { 'shared.txt': 'one\n' });
    const second = await doneTask('w2', 'two', { 'shared.txt': 'two\n' });
    const third = await doneTask('w3', 'three', { 'three.txt': 'three\n' });

    const results = await lander(config).land(undefined, PERSON);

    expect(resultOf(results, first.id).outcome).toBe('landed');
    expect(resultOf(results, third.id).outcome).toBe('landed');
    expect(resultOf(results, second.id).outcome).toBe('conflict');
    expect(lastTaskEvent(second.id).reasons.join('\n')).toContain('shared.txt');
  });
});
