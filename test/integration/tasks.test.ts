/**
 * The task control plane against a real tmux server (a private socket per project) and real git
 * repositories: the BUILT bin/muxctl for what a person or a worker types, and the Dispatcher in-process
 * for what the dashboard does on its own each tick. Every test asserts on the world — branches, files,
 * panes, the board's store and its events — not on what muxctl says it did.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeDir } from '../../src/adapters/runtime.js';
import type { TaskStore } from '../../src/adapters/taskStore.js';
import { openProject, type Services as Context } from '../../src/app/services.js';
import type { Dispatcher } from '../../src/control/dispatcher.js';
import type { TaskControl } from '../../src/control/moves.js';
import type { BoardEvent } from '../../src/core/rules/events.js';
import { CLI_PERSON, type Task } from '../../src/core/rules/tasks.js';
import { projectsCleanedUpAfterEach, tmux } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import type { TestProject, WorkerJson } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();

/** In-process contexts are closed after each test, before their project's directories go. */
const contexts: Context[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.runtime.close();
});

const PERSON = { kind: 'person', name: 'test' } as const;

// ── Workers whose every start is on record ──────────────────────────────────────────────────────────

/**
 * Outside the worktree (so it is never uncommitted work) and beside the repository: the scratch
 * directory makeRepo creates next to it. One file per worker.
 */
const RUNS_LOG = '"$MUXCTL_REPO/../scratch/runs-$MUXCTL_WORKER.log"';

/** git inside a worker: an identity of its own, no signing, no hooks, whatever the machine says. */
const WORKER_GIT = 'git -c user.name=worker -c user.email=worker@muxctl.invalid -c commit.gpgsign=false -c core.hooksPath=/dev/null';

/**
 * A worker with `env` delivery whose command writes one `start` line on every start — with the task
 * it was given, if any — runs `onTask` only when it has a task, then sleeps. The runs log is how a test
 * knows whether a task was run again.
 */
function taskWorker(name: string, onTask = ':', extra: Partial<WorkerJson> = {}): WorkerJson {
  const command = [
    `echo "start task=\${MUXCTL_TASK_ID:-} resume=\${MUXCTL_TASK_RESUME:-} branch=\${MUXCTL_TASK_BRANCH:-}" >> ${RUNS_LOG}`,
    `if [ -n "\${MUXCTL_TASK_ID:-}" ]; then ${onTask}; fi`,
    'exec sleep 1000',
  ].join('; ');
  return { name, lane: 'app', command, task: { delivery: 'env' }, ...extra };
}

/** Commits a file on the task branch, says so in the runs log, and reports the task done from inside. */
const FINISH_TASK = [
  'echo "result of $MUXCTL_TASK_ID" > result.txt',
  `${WORKER_GIT} add -A`,
  `${WORKER_GIT} commit -qm "work on $MUXCTL_TASK_ID"`,
  `echo "worked $MUXCTL_TASK_ID" >> ${RUNS_LOG}`,
  `muxctl task done >> ${RUNS_LOG} 2>&1`,
].join(' && ');

/** A first run commits a feature file; a resumed run leaves the branch as it found it. */
const COMMIT_FEATURE_UNLESS_RESUMED = [
  '[ "$MUXCTL_TASK_RESUME" = 1 ]',
  '|| { echo "feature of $MUXCTL_TASK_ID" > feature.txt',
  `&& ${WORKER_GIT} add -A`,
  `&& ${WORKER_GIT} commit -qm "feature for $MUXCTL_TASK_ID"`,
  `&& echo "worked $MUXCTL_TASK_ID" >> ${RUNS_LOG}; }`,
].join(' ');

interface Start {
  task: string;
  resume: string;
  branch: string;
}

async function logLines(p: TestProject, worker: string): Promise<string[]> {
  const text = await readFile(join(p.repo.scratch, `runs-${worker}.log`), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

/** Every start of the worker's command, oldest first. */
async function starts(p: TestProject, worker: string): Promise<Start[]> {
  return (await logLines(p, worker))
    .filter((line) => line.startsWith('start '))
    .map((line) => {
      const field = (name: string): string => new RegExp(`${name}=(\\S*)`).exec(line)?.[1] ?? '';
      return { task: field('task'), resume: field('resume'), branch: field('branch') };
    });
}

/** The starts that were given a task: each is one run of it. */
async function runs(p: TestProject, worker: string): Promise<Start[]> {
  return (await starts(p, worker)).filter((start) => start.task !== '');
}

// ── The world, asked directly ───────────────────────────────────────────────────────────────────────

/** The CLI as the person at the board, even when these tests themselves run inside a muxctl worker. */
function muxctl(p: TestProject, args: string[], env: Record<string, string> = {}) {
  return p.run(args, { MUXCTL_WORKER: '', ...env });
}

function json<T>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

/** Reads the board's store with a connection of its own, closed at once. */
function board<T>(p: TestProject, read: (store: TaskStore) => T): T {
  const runtime = new RuntimeDir(p.repo.path);
  try {
    return read(runtime.store());
  } finally {
    runtime.close();
  }
}

function task(p: TestProject, id: string): Task {
  const found = board(p, (store) => store.get(id));
  if (found === null) throw new Error(`no task ${id} in the store`);
  return found;
}

function boardEvents(p: TestProject): BoardEvent[] {
  return board(p, (store) => store.events());
}

function worktree(p: TestProject, worker: string): string {
  return join(p.worktreeDir, worker);
}

async function branchIn(dir: string): Promise<string> {
  return (await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).trim();
}

async function porcelain(dir: string): Promise<string> {
  return (await git(dir, 'status', '--porcelain', '--untracked-files=all')).trim();
}

async function waitForTaskState(p: TestProject, id: string, state: Task['state'], timeoutMs = 10_000): Promise<Task> {
  return waitFor(
    () => {
      const found = board(p, (store) => store.get(id));
      return found?.state === state ? found : undefined;
    },
    { what: `${id} to be ${state}`, timeoutMs, intervalMs: 100 },
  );
}

async function waitForStarts(p: TestProject, worker: string, count: number, timeoutMs = 10_000): Promise<Start[]> {
  return waitFor(
    async () => {
      const seen = await starts(p, worker);
      return seen.length >= count ? seen : undefined;
    },
    { what: `${worker}'s command to have started ${count} times`, timeoutMs, intervalMs: 50 },
  );
}

async function waitForLogLine(p: TestProject, worker: string, line: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (await logLines(p, worker)).includes(line), { what: `${worker}'s runs log to say "${line}"`, timeoutMs, intervalMs: 50 });
}

// ── The dashboard's side, in-process ────────────────────────────────────────────────────────────────

interface Plane {
  ctx: Context;
  control: TaskControl;
  dispatcher: Dispatcher;
  store: TaskStore;
  /** One tick as the dashboard makes it: poll tmux, snapshot, dispatch. */
  tick(): Promise<void>;
}

async function controlPlane(p: TestProject): Promise<Plane> {
  const ctx = await openProject(p.configFile);
  contexts.push(ctx);
  const control = ctx.tasks;
  const store = ctx.runtime.store();
  const dispatcher = ctx.dispatcher;
  const tick = async (): Promise<void> => {
    await ctx.observer.pollTmux(20);
    await dispatcher.tick(ctx.observer.snapshot());
  };
  return { ctx, control, dispatcher, store, tick };
}

/** Ticks until `done` says so, with a deadline; never a bare sleep. */
async function tickUntil<T>(plane: Plane, done: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  return waitFor(
    async () => {
      await plane.tick();
      return done();
    },
    { what, timeoutMs, intervalMs: 100 },
  );
}

async function paneDead(p: TestProject, worker: string): Promise<boolean> {
  return (await tmux(p.socket, 'list-panes', '-t', `=${worker}:`, '-F', '#{pane_dead}')).stdout.trim() === '1';
}

// ── 1. add / list / show / assign ───────────────────────────────────────────────────────────────────

describe('muxctl task add, list, show and assign', () => {
  it('round-trips a task as JSON, and assign checks out its branch and starts the command with the task', async () => {
    const p = await project('task-roundtrip', [taskWorker('w1')]);

    const added = await muxctl(p, ['task', 'add', 'Fix the login form', '--lane', 'app', '--priority', '1', '--label', 'ui,auth', '--check', 'true', '--json']);
    expect(added.exitCode, added.stderr).toBe(0);
    const addOutcome = json<{ ok: boolean; task: Task }>(added.stdout);
    expect(addOutcome.ok).toBe(true);
    expect(addOutcome.task).toMatchObject({ id: 'T1', state: 'queued', title: 'Fix the login form', lane: 'app', priority: 1, labels: ['ui', 'auth'], check: 'true', assignee: null });

    const listed = await muxctl(p, ['task', 'list', '--json']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(json<Task[]>(listed.stdout).map((t) => [t.id, t.state, t.title])).toEqual([['T1', 'queued', 'Fix the login form']]);

    const shown = await muxctl(p, ['task', 'show', 'T1', '--json']);
    expect(shown.exitCode, shown.stderr).toBe(0);
    const detail = json<Task & { events: BoardEvent[] }>(shown.stdout);
    expect(detail).toMatchObject({ id: 'T1', state: 'queued' });
    expect(detail.events.map((e) => e.action)).toEqual(['add']);

    const assigned = await muxctl(p, ['task', 'assign', 'T1', 'w1', '--json']);
    expect(assigned.exitCode, assigned.stderr).toBe(0);
    const assignOutcome = json<{ ok: boolean; task: Task }>(assigned.stdout);
    expect(assignOutcome.ok).toBe(true);
    const branch = assignOutcome.task.branch ?? '';
    expect(branch).toMatch(/^task\/T1-fix-the-login-form$/);

    // The world: the branch is checked out in w1's worktree, starting from the base …
    expect(await branchIn(worktree(p, 'w1'))).toBe(branch);
    const main = (await git(p.repo.path, 'rev-parse', 'main')).trim();
    expect((await git(p.repo.path, 'rev-parse', branch)).trim()).toBe(main);
    // … and w1's command runs with the task in its environment.
    const [first] = await waitForStarts(p, 'w1', 1);
    expect(first).toEqual({ task: 'T1', resume: '0', branch });

    const stored = task(p, 'T1');
    expect(stored).toMatchObject({ state: 'running', assignee: 'w1', attempts: 1, branch, baseSha: main });
    expect(stored.lease?.holder).toBe('w1');
    const again = json<Task & { events: BoardEvent[] }>((await muxctl(p, ['task', 'show', 'T1', '--json'])).stdout);
    expect(again.events.map((e) => e.action)).toEqual(['add', 'claim', 'start']);
  });
});

// ── 2. a done task is never run again ───────────────────────────────────────────────────────────────

describe('a restart of a worker whose task is done', () => {
  it.each([
    { how: 'started by `up` before the task', upFirst: true },
    { how: 'started by `task assign` itself', upFirst: false },
  ])('does not run the task again ($how)', async ({ upFirst }) => {
    const p = await project('task-done-restart', [taskWorker('w1', FINISH_TASK)]);
    if (upFirst) expect((await muxctl(p, ['up', 'w1'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'add', 'Write the result', '--lane', 'app'])).exitCode).toBe(0);
    const assigned = await muxctl(p, ['task', 'assign', 'T1', 'w1']);
    expect(assigned.exitCode, assigned.stderr).toBe(0);

    // The worker finishes the task itself, from inside, with `muxctl task done`.
    const done = await waitForTaskState(p, 'T1', 'done');
    expect(done.outcome?.commits).toBe(1);
    const startsBefore = (await starts(p, 'w1')).length;
    expect(await runs(p, 'w1')).toHaveLength(1);

    const restarted = await muxctl(p, ['restart', 'w1']);
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    expect(restarted.stdout).toContain('✔ w1: restarted idle (idle)');
    expect(restarted.stdout).toContain('the task is done: it is never run again');

    const after = await waitForStarts(p, 'w1', startsBefore + 1);
    // The new process has no task in its environment, and the task ran exactly once.
    expect(after.at(-1), `the restarted w1 was started with ${JSON.stringify(after.at(-1))}`).toEqual({ task: '', resume: '', branch: '' });
    expect((await runs(p, 'w1')).map((r) => r.task)).toEqual(['T1']);
    expect(task(p, 'T1').state).toBe('done');
  });
});

// ── 3. uncommitted work survives a restart ──────────────────────────────────────────────────────────

describe('a restart with a dirty tree', () => {
  it('keeps every file; --reset needs --confirm and saves a backup ref holding the files first', async () => {
    const p = await project('task-dirty-restart', [taskWorker('w1')]);
    await p.repo.commit('src/app.txt', 'base version\n', 'add the app');
    expect((await muxctl(p, ['up', 'w1'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'add', 'Change the app', '--lane', 'app'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const branch = task(p, 'T1').branch ?? '';
    const tree = worktree(p, 'w1');
    await waitForStarts(p, 'w1', 2);

    const files: Record<string, string> = {
      'src/app.txt': 'changed by the worker\n',
      'notes/todo.txt': 'an untracked note\n',
      'scratch.log': 'an untracked file at the top\n',
    };
    for (const [file, content] of Object.entries(files)) {
      await mkdir(join(tree, file, '..'), { recursive: true });
      await writeFile(join(tree, file), content);
    }
    const expectFiles = async (): Promise<void> => {
      for (const [file, content] of Object.entries(files)) expect(await readFile(join(tree, file), 'utf8'), file).toBe(content);
    };

    const inPlace = await muxctl(p, ['restart', 'w1']);
    expect(inPlace.exitCode, inPlace.stderr).toBe(0);
    expect(inPlace.stdout).toContain('(restart-in-place)');
    expect(inPlace.stdout).toContain('3 uncommitted files kept in the worktree');
    await expectFiles();
    expect(await branchIn(tree)).toBe(branch);
    expect((await runs(p, 'w1')).at(-1)?.task).toBe('T1');

    const backups = async (): Promise<string[]> =>
      (await git(p.repo.path, 'for-each-ref', '--format=%(refname)', 'refs/muxctl/backup')).split('\n').filter(Boolean);

    for (const confirm of [[], ['--confirm', 'w2']]) {
      const refused = await muxctl(p, ['restart', 'w1', '--reset', ...confirm]);
      expect(refused.exitCode, `--reset ${confirm.join(' ')}`).toBe(1);
      expect(refused.stderr).toContain('w1: not reset');
      expect(refused.stderr).toContain('Run again with --reset --confirm w1');
      await expectFiles();
      expect(await backups()).toEqual([]);
    }

    const reset = await muxctl(p, ['restart', 'w1', '--reset', '--confirm', 'w1']);
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('(fresh)');
    const refs = await backups();
    expect(refs).toHaveLength(1);
    const ref = refs[0] ?? '';
    expect(ref).toMatch(/^refs\/muxctl\/backup\/w1\//);
    expect(reset.stdout).toContain(ref);
    // The backup holds every file as it was, tracked and untracked alike.
    for (const [file, content] of Object.entries(files)) expect(await git(p.repo.path, 'show', `${ref}:${file}`), file).toBe(content.trimEnd());
    // Only then was the worktree reset to where the task branch started.
    expect(await readFile(join(tree, 'src/app.txt'), 'utf8')).toBe('base version\n');
    expect(existsSync(join(tree, 'notes/todo.txt'))).toBe(false);
    expect(await porcelain(tree)).toBe('');
    expect(board(p, (store) => store.events()).some((e) => e.action === 'backup' && e.subject === 'w1' && e.reasons.join(' ').includes(ref))).toBe(true);
  });
});

// ── 4. a crash loop stops at its budget ─────────────────────────────────────────────────────────────

describe('a crash loop', () => {
  it('stops after the restart budget, escalates the task, and restarts nothing after', async () => {
    // Each run takes a moment to fail, so a restart that is still running can be told from one that failed.
    const crash = `sleep 0.5; echo "failed $MUXCTL_TASK_ID" >> ${RUNS_LOG}; exit 1`;
    const p = await project('task-crash-loop', [taskWorker('w1', crash, { restart: { policy: 'on-failure', maxRestarts: 2, backoffSeconds: 0 } })], {
      tasks: { autoDispatch: false },
    });
    const plane = await controlPlane(p);
    const added = plane.control.add({ title: 'Crash every time', lane: 'app' }, PERSON);
    expect(added.ok).toBe(true);
    const assigned = await plane.control.assign('T1', 'w1', PERSON);
    expect(assigned.ok, assigned.message).toBe(true);

    const restartsOfW1 = (): BoardEvent[] => plane.store.events().filter((e) => e.kind === 'worker' && e.subject === 'w1' && e.action === 'restart');
    const escalated = await tickUntil(
      plane,
      () => {
        const t = plane.store.get('T1');
        return t?.state === 'escalated' ? t : undefined;
      },
      'T1 to be escalated',
    );
    // Escalated only once the last run the budget allowed had failed, not while it was still running.
    expect(await paneDead(p, 'w1'), 'w1 was still running its last restart when T1 was escalated').toBe(true);
    const linesAtEscalation = await logLines(p, 'w1');
    expect(linesAtEscalation.filter((l) => l.startsWith('failed ')).length).toBe((await runs(p, 'w1')).length);

    expect(restartsOfW1()).toHaveLength(2);
    expect(restartsOfW1().every((e) => e.actor.kind === 'policy')).toBe(true);
    expect(await runs(p, 'w1')).toHaveLength(3);
    expect(escalated.lease).toBeNull();
    const escalation = plane.store.events({ about: 'T1' }).find((e) => e.action === 'escalate');
    expect(escalation?.reasons.join('; ')).toMatch(/2 automatic restarts of 2 spent/);

    // The loop is over: more ticks restart nothing and run nothing.
    for (let i = 0; i < 5; i++) await plane.tick();
    expect(restartsOfW1()).toHaveLength(2);
    expect(await logLines(p, 'w1')).toEqual(linesAtEscalation);
    expect(plane.store.get('T1')?.state).toBe('escalated');
  });
});

// ── 5. reassign ─────────────────────────────────────────────────────────────────────────────────────

describe('muxctl task reassign', () => {
  it('moves the branch with its uncommitted work to another worker, losing nothing', async () => {
    const p = await project('task-reassign', [
      taskWorker('w1', COMMIT_FEATURE_UNLESS_RESUMED),
      taskWorker('w2', COMMIT_FEATURE_UNLESS_RESUMED),
      taskWorker('w3', COMMIT_FEATURE_UNLESS_RESUMED, { lane: 'infra' }),
    ]);
    expect((await muxctl(p, ['up'])).exitCode).toBe(0);
    await Promise.all(['w1', 'w2', 'w3'].map((w) => waitForStarts(p, w, 1)));
    expect((await muxctl(p, ['task', 'add', 'Build the feature', '--lane', 'app'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const branch = task(p, 'T1').branch ?? '';
    await waitForLogLine(p, 'w1', 'worked T1');

    const tree1 = worktree(p, 'w1');
    await writeFile(join(tree1, 'README.md'), '# test project\n\nedited by w1, not committed\n');
    await writeFile(join(tree1, 'draft.txt'), 'an untracked draft\n');
    const featureCommit = (await git(p.repo.path, 'rev-parse', branch)).trim();

    const moved = await muxctl(p, ['task', 'reassign', 'T1', 'w2']);
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stdout).toContain('T1 moved from w1 to w2');

    // w1 let go of the branch and holds nothing uncommitted.
    expect(await branchIn(tree1)).toBe('muxctl/w1');
    expect(await porcelain(tree1)).toBe('');
    // The uncommitted work is a WIP commit on top of w1's own commit.
    expect((await git(p.repo.path, 'log', '-1', '--format=%s', branch)).trim()).toMatch(/^WIP T1: checkpoint from w1/);
    expect((await git(p.repo.path, 'rev-parse', `${branch}^`)).trim()).toBe(featureCommit);
    expect(await git(p.repo.path, 'show', `${branch}:draft.txt`)).toBe('an untracked draft');
    expect(await git(p.repo.path, 'show', `${branch}:README.md`)).toContain('edited by w1, not committed');
    // w2 has the branch and every file.
    const tree2 = worktree(p, 'w2');
    expect(await branchIn(tree2)).toBe(branch);
    expect(await readFile(join(tree2, 'feature.txt'), 'utf8')).toBe('feature of T1\n');
    expect(await readFile(join(tree2, 'draft.txt'), 'utf8')).toBe('an untracked draft\n');
    expect(await readFile(join(tree2, 'README.md'), 'utf8')).toContain('edited by w1, not committed');
    expect(await porcelain(tree2)).toBe('');
    const t1 = task(p, 'T1');
    expect(t1).toMatchObject({ state: 'running', assignee: 'w2', branch });
    expect(t1.lease?.holder).toBe('w2');
    expect(t1.checkpoints.at(-1)?.sha).toBe((await git(p.repo.path, 'rev-parse', branch)).trim().slice(0, 12));
    // w2 resumed the task; w1 came back with none.
    expect((await waitForStarts(p, 'w2', 2)).at(-1)).toEqual({ task: 'T1', resume: '1', branch });
    expect((await waitForStarts(p, 'w1', 3)).at(-1)).toEqual({ task: '', resume: '', branch: '' });
  });

  it('asks before moving a task to another lane, and --refuse-dirty with uncommitted work changes nothing', async () => {
    const p = await project('task-reassign-lane', [taskWorker('w1', COMMIT_FEATURE_UNLESS_RESUMED), taskWorker('w3', COMMIT_FEATURE_UNLESS_RESUMED, { lane: 'infra' })]);
    expect((await muxctl(p, ['up'])).exitCode).toBe(0);
    await Promise.all(['w1', 'w3'].map((w) => waitForStarts(p, w, 1)));
    expect((await muxctl(p, ['task', 'add', 'Build the feature', '--lane', 'app'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const branch = task(p, 'T1').branch ?? '';
    await waitForLogLine(p, 'w1', 'worked T1');
    const tree1 = worktree(p, 'w1');
    const tree3 = worktree(p, 'w3');
    const restartCount = (): number => boardEvents(p).filter((e) => e.action === 'restart').length;

    const restartsBefore = restartCount();
    const asked = await muxctl(p, ['task', 'reassign', 'T1', 'w3']);
    expect(asked.exitCode).toBe(1);
    expect(asked.stderr).toContain('w3 is in lane infra, T1 is in lane app: move it anyway?');
    expect(asked.stderr).toContain('--yes');
    expect(task(p, 'T1')).toMatchObject({ state: 'running', assignee: 'w1' });
    expect(await branchIn(tree1)).toBe(branch);
    expect(await branchIn(tree3)).toBe('muxctl/w3');
    expect(restartCount()).toBe(restartsBefore);

    const yes = await muxctl(p, ['task', 'reassign', 'T1', 'w3', '--yes']);
    expect(yes.exitCode, yes.stderr).toBe(0);
    expect(task(p, 'T1')).toMatchObject({ state: 'running', assignee: 'w3' });
    expect(await branchIn(tree3)).toBe(branch);
    expect(await readFile(join(tree3, 'feature.txt'), 'utf8')).toBe('feature of T1\n');
    expect((await waitForStarts(p, 'w3', 2)).at(-1)).toEqual({ task: 'T1', resume: '1', branch });

    await writeFile(join(tree3, 'w3-notes.txt'), 'not committed yet\n');
    const tip = (await git(p.repo.path, 'rev-parse', branch)).trim();
    const eventsBefore = boardEvents(p).length;
    const refused = await muxctl(p, ['task', 'reassign', 'T1', 'w1', '--refuse-dirty']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('w3 has 1 uncommitted file');
    expect(task(p, 'T1')).toMatchObject({ state: 'running', assignee: 'w3' });
    expect((await git(p.repo.path, 'rev-parse', branch)).trim()).toBe(tip);
    expect(await branchIn(tree3)).toBe(branch);
    expect(await porcelain(tree3)).toBe('?? w3-notes.txt');
    expect(await branchIn(tree1)).toBe('muxctl/w1');
    expect(boardEvents(p)).toHaveLength(eventsBefore);
  });
});

// ── 6. an expired lease ─────────────────────────────────────────────────────────────────────────────

describe('an expired lease', () => {
  it('returns the task to the queue with the old worker’s work committed, or escalates a spent budget', async () => {
    const p = await project('task-lease', [taskWorker('w1'), taskWorker('w2')], { tasks: { leaseSeconds: 5, autoDispatch: false } });
    const plane = await controlPlane(p);
    await plane.ctx.workers.up([], CLI_PERSON, 'before the tasks');
    expect(plane.control.add({ title: 'Quiet work', lane: 'app' }, PERSON).ok).toBe(true);
    expect(plane.control.add({ title: 'Last chance', lane: 'app', maxAttempts: 1 }, PERSON).ok).toBe(true);
    for (const [id, worker] of [['T1', 'w1'], ['T2', 'w2']] as const) {
      const assigned = await plane.control.assign(id, worker, PERSON);
      expect(assigned.ok, assigned.message).toBe(true);
    }
    const branch = plane.store.get('T1')?.branch ?? '';
    await writeFile(join(worktree(p, 'w1'), 'wip.txt'), 'half done by w1\n');

    await tickUntil(
      plane,
      () => plane.store.get('T1')?.state === 'queued' && plane.store.get('T2')?.state === 'escalated',
      'T1 to be queued again and T2 escalated',
      20_000,
    );

    const t1 = plane.store.get('T1');
    expect(t1).toMatchObject({ state: 'queued', assignee: null, lease: null, attempts: 1, branch });
    const expiry = plane.store.events({ about: 'T1' }).find((e) => e.action === 'expireLease');
    expect(expiry).toMatchObject({ from: 'running', to: 'queued', actor: { kind: 'dispatcher' } });
    expect(expiry?.reasons.join('; ')).toMatch(/lease held by w1 expired/);
    // w1's uncommitted work went onto the branch as WIP, and w1 let go of the branch.
    expect((await git(p.repo.path, 'log', '-1', '--format=%s', branch)).trim()).toMatch(/^WIP T1: checkpoint from w1/);
    expect(await git(p.repo.path, 'show', `${branch}:wip.txt`)).toBe('half done by w1');
    expect(t1?.checkpoints.at(-1)?.sha).toBe((await git(p.repo.path, 'rev-parse', branch)).trim().slice(0, 12));
    expect(await branchIn(worktree(p, 'w1'))).toBe('muxctl/w1');
    expect(await porcelain(worktree(p, 'w1'))).toBe('');

    const t2 = plane.store.get('T2');
    expect(t2).toMatchObject({ state: 'escalated', lease: null, attempts: 1 });
    const spent = plane.store.events({ about: 'T2' }).find((e) => e.action === 'expireLease');
    expect(spent).toMatchObject({ from: 'running', to: 'escalated' });
    expect(spent?.reasons.join('; ')).toMatch(/budget spent/);
  });
});

// ── 7. a worker acts only within its scope ──────────────────────────────────────────────────────────

describe('muxctl task inside a worker', () => {
  it('may not run the board’s commands or finish another worker’s task, and must name a real worker', async () => {
    const p = await project('task-scope', [taskWorker('w1'), taskWorker('w2')]);
    const marker = join(p.repo.scratch, 'check-ran');
    expect((await muxctl(p, ['task', 'add', 'Held by w1', '--lane', 'app', '--check', `touch ${marker}`])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'add', 'Waiting in the queue', '--lane', 'app'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    const snapshot = (): { tasks: Task[]; events: number } => board(p, (store) => ({ tasks: store.list(), events: store.events().length }));
    const before = snapshot();
    const asW2 = { MUXCTL_WORKER: 'w2' };

    for (const args of [
      ['task', 'add', 'sneaked in', '--lane', 'app'],
      ['task', 'assign', 'T2', 'w2'],
      ['task', 'retry', 'T1'],
      ['task', 'cancel', 'T2'],
    ]) {
      const result = await muxctl(p, args, asW2);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(4);
      expect(result.stderr).toContain(`worker w2 may not run \`task ${args[1] ?? ''}\``);
    }
    const done = await muxctl(p, ['task', 'done', 'T1'], asW2);
    expect(done.exitCode).not.toBe(0);
    expect(done.stderr).toContain("it is w1's task, not w2's");
    expect(existsSync(marker), 'the check of w1’s task ran for w2').toBe(false);
    expect(snapshot()).toEqual(before);

    const ghost = await muxctl(p, ['task', 'list'], { MUXCTL_WORKER: 'ghost' });
    expect(ghost.exitCode).toBe(4);
    expect(ghost.stderr).toContain('MUXCTL_WORKER=ghost names no worker');

    // The marker proves the check is real: run by its own worker, it does run.
    await muxctl(p, ['task', 'done', 'T1'], { MUXCTL_WORKER: 'w1' });
    expect(existsSync(marker)).toBe(true);
  });
});

// ── 8. the inbox ────────────────────────────────────────────────────────────────────────────────────

describe('the inbox', () => {
  it('turns a good file into a task and rejects a bad one with the reason beside it, in one tick', async () => {
    const p = await project('task-inbox', [taskWorker('w1')], { tasks: { autoDispatch: false } });
    const plane = await controlPlane(p);
    const inbox = join(p.repo.path, '.muxctl', 'inbox');
    await mkdir(inbox, { recursive: true });
    await writeFile(join(inbox, 'bad.md'), '---\ntitle: Lost task\nlane: nowhere\n---\nIt has no lane.\n');
    await writeFile(join(inbox, 'good.md'), '---\ntitle: Inbox task\nlane: infra\npriority: 1\n---\nDo the inbox task.\n');

    await plane.tick();

    const tasks = plane.store.list();
    expect(tasks.map((t) => [t.title, t.lane, t.priority, t.state, t.prompt])).toEqual([['Inbox task', 'infra', 1, 'queued', 'Do the inbox task.']]);
    expect(existsSync(join(inbox, 'good.md'))).toBe(false);
    expect(existsSync(join(inbox, 'processed', 'good.md'))).toBe(true);
    expect(existsSync(join(inbox, 'bad.md'))).toBe(false);
    expect(await readFile(join(inbox, 'rejected', 'bad.md'), 'utf8')).toContain('lane: nowhere');
    const reason = await readFile(join(inbox, 'rejected', 'bad.md.reason.txt'), 'utf8');
    expect(reason).toMatch(/^bad\.md: lane: expected one of app, infra, got "nowhere"/);
    expect(plane.store.events().some((e) => e.subject === 'inbox' && e.action === 'reject' && e.reasons.join(' ').includes('nowhere'))).toBe(true);
  });
});

// ── 9. events and report ────────────────────────────────────────────────────────────────────────────

describe('muxctl events and report', () => {
  it('events --json prints one object a line, task moves and worker restarts alike; report lists the done task', async () => {
    const p = await project('task-events', [taskWorker('w1', FINISH_TASK)]);
    expect((await muxctl(p, ['up', 'w1'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'add', 'Report me', '--lane', 'app'])).exitCode).toBe(0);
    expect((await muxctl(p, ['task', 'assign', 'T1', 'w1'])).exitCode).toBe(0);
    await waitForTaskState(p, 'T1', 'done');
    expect((await muxctl(p, ['restart', 'w1', '--reason', 'after the task'])).exitCode).toBe(0);

    const printed = await muxctl(p, ['events', '--json']);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const lines = printed.stdout.trimEnd().split('\n');
    const parsed = lines.map((line) => json<BoardEvent & { time: string }>(line));
    expect(parsed.length).toBe(boardEvents(p).length);
    for (const event of parsed) expect(Number.isNaN(Date.parse(event.time)), event.time).toBe(false);
    const taskMoves = parsed.filter((e) => e.kind === 'task' && e.subject === 'T1').map((e) => e.action);
    expect(taskMoves).toEqual(['add', 'claim', 'start', 'finish']);
    const restarts = parsed.filter((e) => e.kind === 'worker' && e.subject === 'w1' && e.action === 'restart');
    expect(restarts.at(-1)?.reasons.join(' ')).toContain('after the task');
    const finished = parsed.find((e) => e.kind === 'task' && e.action === 'finish');
    expect(restarts.at(-1)?.id ?? 0).toBeGreaterThan(finished?.id ?? Infinity);

    const report = await muxctl(p, ['report', '--since', '1h']);
    expect(report.exitCode, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^Done$/m);
    expect(report.stdout).toMatch(/T1\s+Report me\s+w1\s/);
  });
});
