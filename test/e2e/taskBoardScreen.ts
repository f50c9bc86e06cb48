/**
 * Shared by the end-to-end tests of the task board (board.test.ts, landing.test.ts): projects whose
 * workers take tasks, the CLI and the board's database asked directly, and the board read off the
 * screen. The workers are shell commands with `env` delivery that, given a task, write a file, commit
 * it on the task branch and say `muxctl task done` from inside; every start is written to a runs log
 * outside the worktree, so a test knows whether a task was run again.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { RuntimeDir } from '../../src/adapters/runtime.js';
import type { BoardEvent } from '../../src/core/rules/events.js';
import type { Task } from '../../src/core/rules/tasks.js';
import { projectsCleanedUpAfterEach, startWorkers } from '../helpers/cli.js';
import type { TestProject, WorkerJson } from '../helpers/project.js';
import { disposeAllPtys, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { openDashboard, waitForPanel, waitForScreen } from './dashboardScreen.js';

/** Wide enough for the board's split layout, where claimed and running have a column each. */
const COLS = 140;
const ROWS = 40;

// ── Projects whose workers take tasks ───────────────────────────────────────────────────────────────

/** Outside the worktree (so never uncommitted work): the scratch directory beside the repository. */
const RUNS_LOG = '"$MUXCTL_REPO/../scratch/runs-$MUXCTL_WORKER.log"';

/** git inside a worker: an identity of its own, no signing, no hooks, whatever the machine says. */
const WORKER_GIT = 'git -c user.name=worker -c user.email=worker@muxctl.invalid -c commit.gpgsign=false -c core.hooksPath=/dev/null';

/** Each task writes a file of its own: tasks that never touch the same lines. */
export const OWN_FILE = 'echo "$MUXCTL_TASK_ID" > "out-$MUXCTL_TASK_ID.txt"';

/**
 * A quiet worker counts as idle after a second (the default is 30 s) and shows it at once, so the
 * dispatcher finds idle workers within the test's time.
 */
const QUICK_IDLE = { idleAfterSeconds: 1, settleMs: 0 };

/**
 * Every start leaves a `start task=<id or nothing>` line in the runs log; a task is written by `write`,
 * committed and done from inside, then the worker rests. Started again on a task whose work is already
 * committed, the commit finds nothing new and the worker rests without saying done.
 */
function taskWorker(name: string, write: string): WorkerJson {
  const doTask = [write, `${WORKER_GIT} add -A`, `${WORKER_GIT} commit -qm "work on $MUXCTL_TASK_ID"`, `muxctl task done >> ${RUNS_LOG} 2>&1`].join(' && ');
  const command = [
    `echo "start task=\${MUXCTL_TASK_ID:-}" >> ${RUNS_LOG}`,
    `if [ -n "\${MUXCTL_TASK_ID:-}" ]; then ${doTask}; echo "finished-$MUXCTL_TASK_ID"; else echo "ready-$MUXCTL_WORKER"; fi`,
    'exec sleep 1000',
  ].join('; ');
  return { name, lane: 'app', command, task: { delivery: 'env' } };
}

export interface TaskProjectOptions {
  /** Whether the dispatcher hands queued tasks to idle workers; without it a task waits to be assigned. */
  autoDispatch: boolean;
  /** What each task writes before it commits. @default OWN_FILE */
  write?: string;
  /** More of the config, beside `tasks` and `health` (e.g. `land`). */
  config?: Record<string, unknown>;
  /** Runs on the new project before `muxctl up`: what every worktree should start from. */
  prepare?: (project: TestProject) => Promise<void>;
}

/**
 * Call once at the top of a test file: returns `taskProject`, and registers an afterEach that disposes
 * every pty and cleans up each project the test made. A task project has two task workers, w1 and w2
 * in lane app, already started by `muxctl up`.
 */
export function useTaskProjects(): (label: string, options: TaskProjectOptions) => Promise<TestProject> {
  const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });
  return async (label, options) => {
    const write = options.write ?? OWN_FILE;
    const extra = { tasks: { autoDispatch: options.autoDispatch }, health: QUICK_IDLE, ...options.config };
    const project = await cleanedProject(label, [taskWorker('w1', write), taskWorker('w2', write)], extra);
    await options.prepare?.(project);
    await startWorkers(project, AS_THE_PERSON);
    return project;
  };
}

/** The dashboard, once it shows both workers. */
export async function dashboard(project: TestProject): Promise<PtyScreen> {
  const screen = openDashboard(project, COLS, ROWS);
  await waitForPanel(screen, 'w1', /^w1 · app /);
  await waitForPanel(screen, 'w2', /^w2 · app /);
  return screen;
}

// ── The world, asked directly ───────────────────────────────────────────────────────────────────────

/** The environment of the person at the board, even when these tests themselves run inside a muxctl worker. */
const AS_THE_PERSON = { MUXCTL_WORKER: '' };

/** The CLI as the person at the board. */
export function muxctl(project: TestProject, args: string[]) {
  return project.run(args, AS_THE_PERSON);
}

export async function addTask(project: TestProject, title: string): Promise<void> {
  const added = await muxctl(project, ['task', 'add', title, '--lane', 'app']);
  expect(added.exitCode, `task add failed:\n${added.stdout}\n${added.stderr}`).toBe(0);
}

export async function assign(project: TestProject, id: string, worker: string): Promise<void> {
  const assigned = await muxctl(project, ['task', 'assign', id, worker]);
  expect(assigned.exitCode, `task assign ${id} ${worker} failed:\n${assigned.stdout}\n${assigned.stderr}`).toBe(0);
}

export async function taskList(project: TestProject): Promise<Task[]> {
  const listed = await muxctl(project, ['task', 'list', '--json']);
  expect(listed.exitCode, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Task[];
}

export async function taskOf(project: TestProject, id: string): Promise<Task> {
  const task = (await taskList(project)).find((t) => t.id === id);
  if (task === undefined) throw new Error(`no task ${id} in muxctl task list --json`);
  return task;
}

/** The task once it is in `state` (or in any of the states given). */
export async function waitForTaskState(project: TestProject, id: string, state: Task['state'] | readonly Task['state'][], timeoutMs = 15_000): Promise<Task> {
  const states: readonly Task['state'][] = typeof state === 'string' ? [state] : state;
  return waitFor(async () => (await taskList(project)).find((task) => task.id === id && states.includes(task.state)), {
    what: `${id} to be ${states.join(' or ')}`,
    timeoutMs,
    intervalMs: 200,
  });
}

/** The board's event history, read with a connection of its own, closed at once. */
export function boardEvents(project: TestProject): BoardEvent[] {
  const runtime = new RuntimeDir(project.repo.path);
  try {
    return runtime.store().events();
  } finally {
    runtime.close();
  }
}

/** The board's event history as `muxctl events --json` prints it: one JSON object a line. */
export async function cliEvents(project: TestProject): Promise<BoardEvent[]> {
  const listed = await muxctl(project, ['events', '--json']);
  expect(listed.exitCode, listed.stderr).toBe(0);
  return listed.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BoardEvent);
}

/** The task ids of the worker's starts, oldest first ('' for a start without a task). */
export async function startsOf(project: TestProject, worker: string): Promise<string[]> {
  const text = await readFile(join(project.repo.scratch, `runs-${worker}.log`), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.startsWith('start '))
    .map((line) => /task=(\S*)/.exec(line)?.[1] ?? '');
}

/** The dashboard's HANDOFF_LIVE.md as it is now ('' before the first write). */
export function handoff(project: TestProject): string {
  try {
    return readFileSync(join(project.repo.path, '.muxctl', 'HANDOFF_LIVE.md'), 'utf8');
  } catch {
    return '';
  }
}

// ── The board, read off the screen ──────────────────────────────────────────────────────────────────

/** At 140 columns claimed and running have a column each (boardView's split layout). */
export const BOARD_COLUMNS = ['queued', 'claimed', 'running', 'done', 'needs you'] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

export interface CardOnScreen {
  column: BoardColumn;
  /** The card's second line (state word, who, commits), cut to its column. */
  detail: string;
}

/**
 * Where a card's title line ("T1 P2 …") is: under which column header, and its detail line below it;
 * null when the card is not on the screen. The header row is the one that starts with "queued <count>".
 */
export function cardOf(lines: readonly string[], id: string): CardOnScreen | null {
  const headerRow = lines.findIndex((line) => /^queued \d+/.test(line));
  const header = lines[headerRow];
  if (header === undefined) return null;
  const starts = BOARD_COLUMNS.map((label) => ({ label, at: header.search(new RegExp(`(?<!\\S)${label} \\d+`)) })).filter((c) => c.at >= 0);
  const title = new RegExp(`(?<!\\S)${id} P\\d `);
  for (let row = headerRow + 1; row < lines.length; row++) {
    const at = (lines[row] ?? '').search(title);
    if (at < 0) continue;
    const index = starts.findLastIndex((c) => c.at <= at);
    const column = starts[index];
    if (column === undefined) return null;
    const end = starts[index + 1]?.at ?? undefined;
    return { column: column.label, detail: (lines[row + 1] ?? '').slice(column.at, end).trim() };
  }
  return null;
}

/** The column a card's title line starts under, or null when the card is not on the screen. */
export function columnOf(lines: readonly string[], id: string): BoardColumn | null {
  return cardOf(lines, id)?.column ?? null;
}

export async function waitForCard(screen: PtyScreen, id: string, column: BoardColumn, timeoutMs = 10_000): Promise<void> {
  await waitForScreen(screen, () => columnOf(screen.lines(), id) === column, `card ${id} in the ${column} column`, timeoutMs);
}

/** Opens the task board (t) of a project with no tasks yet, once the board says so. */
export async function openEmptyBoard(screen: PtyScreen): Promise<void> {
  screen.write('t');
  await screen.waitForText('No tasks yet');
}

/** The top row: the project, how many workers, and the board's task counts ("dispatch paused" while it is). */
export function header(screen: PtyScreen): string {
  return screen.lines()[0] ?? '';
}

/** The status row, second from the bottom: the notice of the last action. */
export function statusRow(screen: PtyScreen): string {
  return screen.lines().at(-2) ?? '';
}

/** The bottom row: the keys of the view on show. */
export function hintsBar(screen: PtyScreen): string {
  return screen.lines().at(-1) ?? '';
}

/** The status row once it matches `text`. */
export async function waitForNotice(screen: PtyScreen, text: RegExp, timeoutMs = 15_000): Promise<string> {
  await waitForScreen(screen, () => text.test(statusRow(screen)), `the notice to match ${String(text)}`, timeoutMs);
  return statusRow(screen);
}
