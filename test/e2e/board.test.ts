/**
 * End-to-end: the task board of the BUILT dashboard (issue 4) in a real pty, against a real tmux server
 * and a real git repository. The workers are shell commands with `env` delivery that, given a task,
 * commit a file on the task branch and say `muxctl task done` from inside; every start is written to a
 * runs log outside the worktree, so a test knows whether a task was run again. What the screen says is
 * checked against the world: `muxctl task list --json`, the board's events, the worktrees' git history.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/gitRepo.js';
import type { TestProject } from '../helpers/project.js';
import { keys } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { waitForPanel, waitForScreen } from './dashboardScreen.js';
import {
  addTask,
  assign,
  BOARD_COLUMNS,
  boardEvents,
  dashboard,
  handoff,
  header,
  hintsBar,
  openEmptyBoard,
  startsOf,
  taskList,
  useTaskProjects,
  waitForCard,
  waitForTaskState,
} from './taskBoardScreen.js';

const taskProject = useTaskProjects();

// ── The tests ───────────────────────────────────────────────────────────────────────────────────────

describe('the task board, built, in a pseudo-terminal', () => {
  it('t opens the board (empty: says how to add a task; the hints say so too); Esc comes back to the grid', async () => {
    const project = await taskProject('board-open', { autoDispatch: false });
    const screen = await dashboard(project);

    screen.write('t');
    await screen.waitForText('No tasks yet — press n to add one, or drop a .md file in .muxctl/inbox/');
    await waitForScreen(screen, () => /n new task.*Esc\/q back/.test(hintsBar(screen)), "the board's hints: n new task … Esc/q back");
    expect(screen.text()).not.toContain('w1 · app');

    screen.write(keys.escape);
    await screen.waitForNoText('No tasks yet');
    await waitForPanel(screen, 'w1', /^w1 · app /);
    // The grid's own hints (at this width `t tasks` gives way to `v list`, which the bar keeps early).
    await waitForScreen(screen, () => /⏎ attach.*q\/Ctrl-C quit/.test(hintsBar(screen)), "the grid's hints again");
  });

  it('n adds a task from a form: a wrong lane is named and the form stays; fixed, the card is queued', async () => {
    const project = await taskProject('board-new', { autoDispatch: false });
    const screen = await dashboard(project);
    await openEmptyBoard(screen);

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
    const project = await taskProject('board-poll', { autoDispatch: false });
    const screen = await dashboard(project);
    await openEmptyBoard(screen);

    await addTask(project, 'from the command line');
    // The dashboard checks the database once a second: a poll and a frame, with room to spare.
    await waitForCard(screen, 'T1', 'queued', 3_000);
    await screen.waitForText('T1 P2 from the command line');
    for (const column of BOARD_COLUMNS) await screen.waitForText(new RegExp(`(?<!\\S)${column} ${column === 'queued' ? 1 : 0}(?!\\d)`), { what: `the ${column} column header` });
    await screen.waitForText('lane app', { what: "the queued card's lane" });
  });

  it('a picks a worker for the selected queued card; the worker does the task on its branch and the card goes to done', async () => {
    const project = await taskProject('board-assign', { autoDispatch: false });
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

  // Three dispatches, a pause of three dispatcher ticks and a resume: more than the default 30 s on a busy machine.
  it('dispatch hands two tasks to two idle workers; P pauses it (a third stays queued), P again resumes', { timeout: 90_000 }, async () => {
    const project = await taskProject('board-dispatch', { autoDispatch: true });
    const screen = await dashboard(project);
    // Idle both, before any task: the one dispatcher tick that sees the two tasks hands one to each.
    await waitForPanel(screen, 'w1', '○ idle');
    await waitForPanel(screen, 'w2', '○ idle');
    await openEmptyBoard(screen);

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
  const project = await taskProject(label, { autoDispatch: false });
  await addTask(project, 'the only job');
  await assign(project, 'T1', 'w1');
  await waitForTaskState(project, 'T1', 'done');
  return project;
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
