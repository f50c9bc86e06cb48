/**
 * End-to-end: the task board of the BUILT dashboard (issue 4) in a real pty, against a real tmux server
 * and a real git repository. The workers are shell commands with `env` delivery that, given a task,
 * commit a file on the task branch and say `muxctl task done` from inside; every start is written to a
 * runs log outside the worktree, so a test knows whether a task was run again. What the screen says is
 * checked against the world: `muxctl task list --json`, the board's events, the worktrees' git history.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeDir } from '../../src/adapters/runtime.js';
import type { BoardEvent } from '../../src/core/events.js';
import type { Task } from '../../src/core/tasks.js';
import { git } from '../helpers/gitRepo.js';
import { makeProject, type TestProject, type WorkerJson } from '../helpers/project.js';
import { disposeAllPtys, keys, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { openDashboard, waitForPanel, waitForScreen } from './dashboardScreen.js';

const COLS = 140;
const ROWS = 40;

// ── Projects whose workers take tasks ───────────────────────────────────────────────────────────────

/** Outside the worktree (so never uncommitted work): the scratch directory beside the repository. */
const RUNS_LOG = '"$MUXCTL_REPO/../scratch/runs-$MUXCTL_WORKER.log"';

/** git inside a worker: an identity of its own, no signing, no hooks, whatever the machine says. */
const WORKER_GIT = 'git -c user.name=worker -c user.email=worker@muxctl.invalid -c commit.gpgsign=false -c core.hooksPath=/dev/null';

const DO_TASK = [
  'echo "$MUXCTL_TASK_ID" > "out-$MUXCTL_TASK_ID.txt"',
  `${WORKER_GIT} add -A`,
  `${WORKER_GIT} commit -qm "work on $MUXCTL_TASK_ID"`,
  `muxctl task done >> ${RUNS_LOG} 2>&1`,
].join(' && ');

/** Every start leaves a `start task=<id or nothing>` line; a task is done from inside, then it rests. */
function taskWorker(name: string): WorkerJson {
  const command = [
    `echo "start task=\${MUXCTL_TASK_ID:-}" >> ${RUNS_LOG}`,
    `if [ -n "\${MUXCTL_TASK_ID:-}" ]; then ${DO_TASK}; echo "finished-$MUXCTL_TASK_ID"; else echo "ready-$MUXCTL_WORKER"; fi`,
    'exec sleep 1000',
  ].join('; ');
  return { name, lane: 'app', command, task: { delivery: 'env' } };
}

/**
 * A quiet worker counts as idle after a second (the default is 30 s) and shows it at once, so the
 * dispatcher finds idle workers within the test's time.
 */
const QUICK_IDLE = { idleAfterSeconds: 1, settleMs: 0 };

const made: TestProject[] = [];
afterEach(async () => {
  disposeAllPtys();
  await Promise.all(made.splice(0).map((p) => p.cleanup()));
});

/** A project with two task workers, started by `muxctl up`; `autoDispatch` as given. */
async function boardProject(label: string, autoDispatch: boolean): Promise<TestProject> {
  const project = await makeProject(label, [taskWorker('w1'), taskWorker('w2')], { tasks: { autoDispatch }, health: QUICK_IDLE });
  made.push(project);
  const up = await muxctl(project, ['up']);
  expect(up.exitCode, `muxctl up failed:\n${up.stdout}\n${up.stderr}`).toBe(0);
  return project;
}

/** The dashboard, once it shows both workers. */
async function dashboard(project: TestProject): Promise<PtyScreen> {
  const screen = openDashboard(project, COLS, ROWS);
  await waitForPanel(screen, 'w1', /^w1 · app /);
  await waitForPanel(screen, 'w2', /^w2 · app /);
  return screen;
}

// ── The world, asked directly ───────────────────────────────────────────────────────────────────────

/** The CLI as the person at the board, even when these tests themselves run inside a muxctl worker. */
function muxctl(project: TestProject, args: string[]) {
  return project.run(args, { MUXCTL_WORKER: '' });
}

async function addTask(project: TestProject, title: string): Promise<void> {
  const added = await muxctl(project, ['task', 'add', title, '--lane', 'app']);
  expect(added.exitCode, `task add failed:\n${added.stdout}\n${added.stderr}`).toBe(0);
}

async function taskList(project: TestProject): Promise<Task[]> {
  const listed = await muxctl(project, ['task', 'list', '--json']);
  expect(listed.exitCode, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Task[];
}

async function waitForTaskState(project: TestProject, id: string, state: Task['state'], timeoutMs = 15_000): Promise<Task> {
  return waitFor(async () => (await taskList(project)).find((task) => task.id === id && task.state === state), { what: `${id} to be ${state}`, timeoutMs, intervalMs: 200 });
}

/** The board's event history, read with a connection of its own, closed at once. */
function boardEvents(project: TestProject): BoardEvent[] {
  const runtime = new RuntimeDir(project.repo.path);
  try {
    return runtime.store().events();
  } finally {
    runtime.close();
  }
}

/** The task ids of the worker's starts, oldest first ('' for a start without a task). */
async function startsOf(project: TestProject, worker: string): Promise<string[]> {
  const text = await readFile(join(project.repo.scratch, `runs-${worker}.log`), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.startsWith('start '))
    .map((line) => /task=(\S*)/.exec(line)?.[1] ?? '');
}

// ── The board, read off the screen ──────────────────────────────────────────────────────────────────

/** At 140 columns claimed and running have a column each (boardView's split layout). */
const BOARD_COLUMNS = ['queued', 'claimed', 'running', 'done', 'needs you'] as const;
type BoardColumn = (typeof BOARD_COLUMNS)[number];

/**
 * The column whose header a card's title line ("T1 P2 …") starts under, or null when the card is not
 * on the screen. The header row is the one that starts with "queued <count>".
 */
function columnOf(lines: readonly string[], id: string): BoardColumn | null {
  const headerRow = lines.findIndex((line) => /^queued \d+/.test(line));
  const header = lines[headerRow];
  if (header === undefined) return null;
  const starts = BOARD_COLUMNS.map((label) => ({ label, at: header.search(new RegExp(`(?<!\\S)${label} \\d+`)) })).filter((c) => c.at >= 0);
  const card = new RegExp(`(?<!\\S)${id} P\\d `);
  for (const line of lines.slice(headerRow + 1)) {
    const at = line.search(card);
    if (at < 0) continue;
    return starts.filter((c) => c.at <= at).at(-1)?.label ?? null;
  }
  return null;
}

async function waitForCard(screen: PtyScreen, id: string, column: BoardColumn, timeoutMs = 10_000): Promise<void> {
  await waitForScreen(screen, () => columnOf(screen.lines(), id) === column, `card ${id} in the ${column} column`, timeoutMs);
}

function header(screen: PtyScreen): string {
  return screen.lines()[0] ?? '';
}

function hintsBar(screen: PtyScreen): string {
  return screen.lines().at(-1) ?? '';
}

// ── The tests ───────────────────────────────────────────────────────────────────────────────────────

describe('the task board, built, in a pseudo-terminal', () => {
  it('t opens the board (empty: says how to add a task; the hints say so too); Esc comes back to the grid', async () => {
    const project = await boardProject('board-open', false);
    const screen = await dashboard(project);

    screen.write('t');
    await screen.waitForText('No tasks yet — press n to add one, or drop a .md file in .muxctl/inbox/');
    await waitForScreen(screen, () => /n new task.*Esc\/q back/.test(hintsBar(screen)), "the board's hints: n new task … Esc/q back");
    expect(screen.text()).not.toContain('w1 · app');

    screen.write(keys.escape);
    await screen.waitForNoText('No tasks yet');
    await waitForPanel(screen, 'w1', /^w1 · app /);
    await waitForScreen(screen, () => /t tasks.*q\/Ctrl-C quit/.test(hintsBar(screen)), "the grid's hints again");
  });

  it('n adds a task from a form: a wrong lane is named and the form stays; fixed, the card is queued', async () => {
    const project = await boardProject('board-new', false);
    const screen = await dashboard(project);
    screen.write('t');
    await screen.waitForText('No tasks yet');

    screen.write('n');
    await screen.waitForText('New task');
    screen.write('write the docs');
    await screen.waitForText(/› title +write the docs/);
    screen.write('\t');
    await screen.waitForText(/› lane /, { what: 'the lane field to be the current one' });
    screen.write('nope');
    await screen.waitForText(/› lane +nope/);
    screen.write(keys.enter);
    await screen.waitForText('no lane "nope": expected one of app, infra');
    // The form is still open, with what was typed.
    expect(screen.text()).toContain('New task');
    expect(screen.text()).toMatch(/ title +write the docs/);
    expect(await taskList(project)).toEqual([]);

    screen.write('\x7f'.repeat(4));
    await waitForScreen(screen, () => !/lane +nope/.test(screen.text()), 'the wrong lane erased');
    screen.write('app');
    await screen.waitForText(/› lane +app/);
    screen.write(keys.enter);
    await screen.waitForNoText('New task');
    await screen.waitForText('added T1 to lane app: write the docs');
    await waitForCard(screen, 'T1', 'queued');

    const tasks = await taskList(project);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ id: 'T1', title: 'write the docs', lane: 'app', state: 'queued', assignee: null, priority: 2 });
  });

  it('a task added from the CLI while the board is open shows up within a couple of seconds, under its column headers', async () => {
    const project = await boardProject('board-poll', false);
    const screen = await dashboard(project);
    screen.write('t');
    await screen.waitForText('No tasks yet');

    await addTask(project, 'from the command line');
    // The dashboard checks the database once a second: a poll and a frame, with room to spare.
    await waitForCard(screen, 'T1', 'queued', 3_000);
    await screen.waitForText('T1 P2 from the command line');
    for (const column of BOARD_COLUMNS) await screen.waitForText(new RegExp(`(?<!\\S)${column} ${column === 'queued' ? 1 : 0}(?!\\d)`), { what: `the ${column} column header` });
    await screen.waitForText('lane app', { what: "the queued card's lane" });
  });

  it('a picks a worker for the selected queued card; the worker does the task on its branch and the card goes to done', async () => {
    const project = await boardProject('board-assign', false);
    const screen = await dashboard(project);
    await addTask(project, 'add the output file');
    screen.write('t');
    await waitForCard(screen, 'T1', 'queued');

    screen.write('a');
    await screen.waitForText('Assign T1 to…');
    await screen.waitForText(/› w1 +\(same lane · /, { what: 'w1 offered first' });
    await screen.waitForText(/ w2 +\(same lane · /, { what: 'w2 offered too' });
    screen.write(keys.enter);
    await screen.waitForNoText('Assign T1 to…');

    const done = await waitForTaskState(project, 'T1', 'done');
    expect(done.assignee).toBe('w1');
    await waitForCard(screen, 'T1', 'done', 5_000);

    const worktree = join(project.worktreeDir, 'w1');
    expect((await git(worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toMatch(/^task\/T1-/);
    expect(done.branch).toMatch(/^task\/T1-/);
    expect(await git(worktree, 'status', '--porcelain')).toBe('');
    const lastCommit = (await git(worktree, 'show', '--name-only', '--format=%s', 'HEAD')).split('\n').filter((line) => line !== '');
    expect(lastCommit).toEqual(['work on T1', 'out-T1.txt']);
    expect(await startsOf(project, 'w1')).toEqual(['', 'T1']);
    expect(await startsOf(project, 'w2')).toEqual(['']);
  });

  it('dispatch hands two tasks to two idle workers; P pauses it (a third stays queued), P again resumes', async () => {
    const project = await boardProject('board-dispatch', true);
    const screen = await dashboard(project);
    // Idle both, before any task: the one dispatcher tick that sees the two tasks hands one to each.
    await waitForPanel(screen, 'w1', '○ idle');
    await waitForPanel(screen, 'w2', '○ idle');
    screen.write('t');
    await screen.waitForText('No tasks yet');

    await Promise.all([addTask(project, 'first job'), addTask(project, 'second job')]);
    const [t1, t2] = await Promise.all([waitForTaskState(project, 'T1', 'done'), waitForTaskState(project, 'T2', 'done')]);
    expect([t1.assignee, t2.assignee].sort()).toEqual(['w1', 'w2']);
    const claims = boardEvents(project).filter((event) => event.action === 'claim');
    expect(claims.map((event) => [event.subject, event.actor.kind]).sort()).toEqual([
      ['T1', 'dispatcher'],
      ['T2', 'dispatcher'],
    ]);
    await waitForCard(screen, 'T1', 'done', 5_000);
    await waitForCard(screen, 'T2', 'done', 5_000);

    screen.write('P');
    await waitForScreen(screen, () => header(screen).includes('tasks 0 active, 0 queued · dispatch paused'), 'the header to say dispatch is paused');
    // Idle again after their tasks, so nothing but the pause keeps the next task from them.
    await waitFor(() => /\*\*w1\*\* \(app\) idle/.test(handoff(project)) && /\*\*w2\*\* \(app\) idle/.test(handoff(project)), { what: 'both workers idle in HANDOFF_LIVE.md', timeoutMs: 10_000 });

    await addTask(project, 'third job');
    await waitForCard(screen, 'T3', 'queued', 3_000);
    await waitForScreen(screen, () => header(screen).includes('tasks 0 active, 1 queued · dispatch paused'), 'the header to count the queued task');
    // The dispatcher writes HANDOFF_LIVE.md in the same tick, right after the step that hands tasks
    // out: T3 listed there as queued while both workers are idle is a tick that chose not to dispatch.
    await waitFor(() => /## Queue\n1\. \*\*T3\*\*/.test(handoff(project)) && /\*\*w1\*\* \(app\) idle/.test(handoff(project)) && /\*\*w2\*\* \(app\) idle/.test(handoff(project)), {
      what: 'a dispatcher tick that saw T3 queued and both workers idle',
      timeoutMs: 5_000,
    });
    // Three more ticks (one a second) on top, bounded: the pause holds, not just one lucky tick.
    await staysFor(3_000, async () => (await taskList(project)).find((task) => task.id === 'T3')?.state === 'queued', 'T3 to stay queued while dispatch is paused');
    const history = boardEvents(project);
    expect(history).toContainEqual(expect.objectContaining({ kind: 'board', subject: 'dispatch', action: 'pause', actor: { kind: 'person', name: 'dashboard' } }));
    expect(history.filter((event) => event.subject === 'T3' && event.action === 'claim')).toEqual([]);

    screen.write('P');
    await waitForScreen(screen, () => !header(screen).includes('dispatch paused'), 'the header to drop "dispatch paused"');
    expect((await waitForTaskState(project, 'T3', 'done')).assignee).toMatch(/^w[12]$/);
    await waitForCard(screen, 'T3', 'done', 5_000);
    expect(boardEvents(project)).toContainEqual(expect.objectContaining({ kind: 'board', subject: 'dispatch', action: 'resume' }));
  });

  it('r on a worker whose task is done says it comes back idle, and y restarts it without running the task again', async () => {
    const project = await projectWithDoneTask('board-restart');
    const screen = await dashboard(project);

    screen.write('r');
    await screen.waitForText('Restart w1?');
    await screen.waitForText('Decision: idle');
    await screen.waitForText('· the task is done: it is never run again; the worker comes back idle');
    screen.write('y');
    await screen.waitForNoText('Restart w1?');
    await screen.waitForText('w1: restarted idle');

    await waitFor(async () => (await startsOf(project, 'w1')).length === 3, { what: 'w1 to start a third time', timeoutMs: 10_000 });
    await waitForPanel(screen, 'w1', 'ready-w1');
    expect(await startsOf(project, 'w1')).toEqual(['', 'T1', '']);
    expect((await taskList(project)).find((task) => task.id === 'T1')).toMatchObject({ state: 'done', assignee: 'w1' });
  });

  it('e on a worker shows what happened to it: the claim and the finish of its task; Esc closes', async () => {
    const project = await projectWithDoneTask('board-events');
    const screen = await dashboard(project);

    screen.write('e');
    await screen.waitForText('What happened to w1');
    await screen.waitForText(/\d\d:\d\d:\d\d T1 \[w1\] claim queued → claimed \(person cli\)/);
    await screen.waitForText(/\d\d:\d\d:\d\d T1 \[w1\] finish running → done \(worker w1\)/);
    screen.write(keys.escape);
    await screen.waitForNoText('What happened to w1');
    await waitForPanel(screen, 'w1', /^w1 · app /);
  });
});

/** A project whose w1 did T1 (assigned from the CLI, finished from inside) before any dashboard opens. */
async function projectWithDoneTask(label: string): Promise<TestProject> {
  const project = await boardProject(label, false);
  await addTask(project, 'the only job');
  const assigned = await muxctl(project, ['task', 'assign', 'T1', 'w1']);
  expect(assigned.exitCode, `task assign failed:\n${assigned.stdout}\n${assigned.stderr}`).toBe(0);
  await waitForTaskState(project, 'T1', 'done');
  return project;
}

/** The dashboard's HANDOFF_LIVE.md as it is now ('' before the first write). */
function handoff(project: TestProject): string {
  try {
    return readFileSync(join(project.repo.path, '.muxctl', 'HANDOFF_LIVE.md'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * Polls `holds` for `ms` and fails at once if it stops holding: a bounded check that nothing happens,
 * the one kind of waiting that cannot end on a condition.
 */
async function staysFor(ms: number, holds: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await holds())) throw new Error(`Expected ${what} for ${ms} ms: it changed after ${ms - (until - Date.now())} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
