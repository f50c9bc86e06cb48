/**
 * End-to-end: the merge queue and the drift doctor (issue 5) in the BUILT dashboard, in a real pty,
 * against a real tmux server and a real git repository. The workers are shell commands with `env`
 * delivery that, given a task, write a file, commit it on the task branch and say `muxctl task done`
 * from inside. What the screen says is checked against the world: the base branch and the main
 * checkout, `muxctl task list --json`, `muxctl events --json`, the worktrees' git state.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/gitRepo.js';
import type { TestProject } from '../helpers/project.js';
import { keys, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { waitForPanel, waitForScreen } from './dashboardScreen.js';
import {
  addTask,
  assign,
  cardOf,
  cliEvents,
  columnOf,
  dashboard,
  openEmptyBoard,
  OWN_FILE,
  startsOf,
  taskOf,
  useTaskProjects,
  waitForCard,
  waitForNotice,
  waitForTaskState,
} from './taskBoardScreen.js';

/** A test here starts a project, runs one or two tasks and lands them: more than vitest's 30 s default allows on a slow machine. */
const TEST_TIMEOUT_MS = 45_000;

// ── Projects whose workers take tasks ───────────────────────────────────────────────────────────────

/** Every task rewrites the one line of shared.txt: any two of them conflict. */
const SHARED_LINE = 'echo "$MUXCTL_TASK_ID" > shared.txt';

const taskProject = useTaskProjects();

interface ProjectOptions {
  /** What each task writes before it commits. @default OWN_FILE */
  write?: string;
  /** The `land` section of the config. */
  land?: Record<string, unknown>;
  /** Committed on main before the workers start, so every worktree has them. */
  files?: Record<string, string>;
}

/**
 * Two task workers, started by `muxctl up`, no automatic dispatch: a task goes to a worker only when
 * a test assigns it. The test harness's sessions.json sits in the repository; it is excluded from git
 * (as `muxctl demo` does) so that "the main checkout is clean" means clean of everything else.
 */
async function landingProject(label: string, options: ProjectOptions = {}): Promise<TestProject> {
  return taskProject(label, {
    autoDispatch: false,
    write: options.write ?? OWN_FILE,
    config: options.land === undefined ? {} : { land: options.land },
    prepare: async (project) => {
      const exclude = (await git(project.repo.path, 'rev-parse', '--git-path', 'info/exclude')).trim();
      await appendFile(join(project.repo.path, exclude), '/sessions.json\n');
      for (const [file, content] of Object.entries(options.files ?? {})) await project.repo.commit(file, content, `add ${file}`);
    },
  });
}

/** The dashboard on its task board, once it shows the card of every task in `ids`. */
async function board(project: TestProject, ids: readonly string[]): Promise<PtyScreen> {
  const screen = await dashboard(project);
  screen.write('t');
  await screen.waitForText(/^queued \d+/m, { what: "the board's column headers" });
  for (const id of ids) await waitForScreen(screen, () => columnOf(screen.lines(), id) !== null, `the card of ${id}`);
  return screen;
}

// ── The world, asked directly ───────────────────────────────────────────────────────────────────────

/** The subjects of the commits on `ref`, newest first. */
async function subjects(project: TestProject, ref: string): Promise<string[]> {
  return (await git(project.repo.path, 'log', '--format=%s', ref)).split('\n').filter((line) => line !== '');
}

async function mainCheckoutStatus(project: TestProject): Promise<string> {
  return git(project.repo.path, 'status', '--porcelain=v1', '--untracked-files=all');
}

// ── The tests ───────────────────────────────────────────────────────────────────────────────────────

describe('landing and the drift doctor, built, in a pseudo-terminal', () => {
  it('L on the board lands a done task: the notice and the card say landed, main has its file, the main checkout is clean', { timeout: TEST_TIMEOUT_MS }, async () => {
    const project = await landingProject('land-key');
    await addTask(project, 'write the output');
    await assign(project, 'T1', 'w1');
    const done = await waitForTaskState(project, 'T1', ['done']);
    const screen = await board(project, ['T1']);
    await waitForCard(screen, 'T1', 'done');

    screen.write('L');
    const notice = await waitForNotice(screen, /T1 landed at [0-9a-f]{7}/);
    expect(notice).not.toMatch(/conflict|refused|failed/);
    await waitForScreen(screen, () => /^landed\b/.test(cardOf(screen.lines(), 'T1')?.detail ?? ''), "T1's card to say landed");
    expect(cardOf(screen.lines(), 'T1')?.column).toBe('done');

    expect(await taskOf(project, 'T1')).toMatchObject({ state: 'landed', assignee: 'w1' });
    expect(await git(project.repo.path, 'show', 'main:out-T1.txt')).toBe('T1');
    expect(await subjects(project, 'main')).toContain('work on T1');
    // The base moved where it is checked out, files and all: nothing left over, nothing half-merged.
    expect(await mainCheckoutStatus(project)).toBe('');
    expect(await readFile(join(project.repo.path, 'out-T1.txt'), 'utf8')).toBe('T1\n');
    // The task branch is gone once main holds it; w1 let go of it for its own branch.
    expect(done.branch).toMatch(/^task\/T1-/);
    expect(await git(project.repo.path, 'branch', '--list', done.branch ?? '')).toBe('');
    expect((await git(join(project.worktreeDir, 'w1'), 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toBe('muxctl/w1');
  });

  it('two tasks that change the same line: L lands the first; the second bounces to its worker with the file named, and main keeps the first', { timeout: TEST_TIMEOUT_MS }, async () => {
    const project = await landingProject('land-conflict', { write: SHARED_LINE, files: { 'shared.txt': 'base\n' } });
    const mainBefore = (await git(project.repo.path, 'rev-parse', 'main')).trim();
    await addTask(project, 'edit a');
    await addTask(project, 'edit b');
    await Promise.all([assign(project, 'T1', 'w1'), assign(project, 'T2', 'w2')]);
    await Promise.all([waitForTaskState(project, 'T1', ['done']), waitForTaskState(project, 'T2', ['done'])]);
    const screen = await board(project, ['T1', 'T2']);

    screen.write('L');
    const notice = await waitForNotice(screen, /T\d landed at [0-9a-f]{7}.* · T\d conflict: /);
    // Whichever was done first lands first; the other meets its change on main.
    const first = /(T\d) landed/.exec(notice)?.[1] ?? '';
    const second = first === 'T1' ? 'T2' : 'T1';
    const secondWorker = second === 'T1' ? 'w1' : 'w2';
    expect(notice).toMatch(new RegExp(`${second} conflict: task/${second}-\\S+ conflicts with main in shared\\.txt`));

    const bounced = await waitForTaskState(project, second, ['claimed', 'running', 'blocked'], 5_000);
    expect(bounced.assignee).toBe(secondWorker);
    expect(await taskOf(project, first)).toMatchObject({ state: 'landed' });
    await waitForScreen(screen, () => /^landed\b/.test(cardOf(screen.lines(), first)?.detail ?? ''), `${first}'s card to say landed`);
    await waitForScreen(screen, () => ['claimed', 'running', 'needs you'].includes(columnOf(screen.lines(), second) ?? ''), `${second}'s card back with its worker (claimed, running or needs you)`);
    // Sent back in resume mode: its worker is started again on it.
    await waitFor(async () => (await startsOf(project, secondWorker)).filter((id) => id === second).length === 2, { what: `${secondWorker} to start ${second} a second time`, timeoutMs: 10_000 });

    const bounces = (await cliEvents(project)).filter((event) => event.action === 'bounce');
    expect(bounces).toHaveLength(1);
    expect(bounces[0]).toMatchObject({ kind: 'task', subject: second, from: 'done' });
    expect(bounces[0]?.reasons.join('\n')).toContain('shared.txt');

    // main moved by the first alone: its line, its commit, one merge past where it was.
    expect(await git(project.repo.path, 'show', 'main:shared.txt')).toBe(first);
    const onMain = await subjects(project, 'main');
    expect(onMain).toContain(`work on ${first}`);
    expect(onMain).not.toContain(`work on ${second}`);
    expect((await git(project.repo.path, 'rev-list', '--count', `${mainBefore}..main`)).trim()).toBe('2');
    expect(await mainCheckoutStatus(project)).toBe('');
  });

  it('with land.auto a done task lands with no key pressed, and main has it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const project = await landingProject('land-auto', { land: { auto: true } });
    // The leading dashboard is the one that lands: it is open, and nobody touches it.
    const screen = await dashboard(project);
    await addTask(project, 'write the output');
    await assign(project, 'T1', 'w1');

    const landed = await waitForTaskState(project, 'T1', ['landed'], 20_000);
    expect(landed.assignee).toBe('w1');
    expect(await git(project.repo.path, 'show', 'main:out-T1.txt')).toBe('T1');
    expect(await subjects(project, 'main')).toContain('work on T1');
    expect(await mainCheckoutStatus(project)).toBe('');
    await waitForNotice(screen, /landed: T1 landed at [0-9a-f]{7}/, 5_000);
    expect((await cliEvents(project)).filter((event) => event.subject === 'T1' && event.action === 'land')).toHaveLength(1);
  });

  it('D finds uncommitted work in an idle worktree that holds no task; Enter and y commit it on a muxctl/wip branch; D again finds no drift', { timeout: TEST_TIMEOUT_MS }, async () => {
    const project = await landingProject('doctor-wip');
    const screen = await dashboard(project);
    await waitForPanel(screen, 'w1', '○ idle');
    const worktree = join(project.worktreeDir, 'w1');
    await writeFile(join(worktree, 'notes.txt'), 'left behind\n');
    await openEmptyBoard(screen);

    screen.write('D');
    await screen.waitForText('Drift doctor: 1 finding');
    await screen.waitForText(/› w1's worktree has 1 uncommitted file \(notes\.txt\) and w1 holds no task/, { what: 'the finding, selected' });
    // The finding names the worker, not its worktree's path, so its fix shows whole beside it.
    await screen.waitForText(/ holds no task {2}\(fix: commit it to a new branch muxctl\/wip\/w1\/<time>\)/, { what: "the finding's fix" });

    screen.write(keys.enter);
    await screen.waitForText('Fix: commit it to a new branch muxctl/wip/w1/<time>?');
    screen.write('y');
    await screen.waitForNoText('Fix: commit it');
    const notice = await waitForNotice(screen, /1 file committed on muxctl\/wip\/w1\/\S+ at [0-9a-f]{7}; w1's worktree is back on muxctl\/w1, clean/);
    const branch = /committed on (muxctl\/wip\/w1\/\S+) at/.exec(notice)?.[1] ?? '';

    expect(await git(project.repo.path, 'log', '--all', '--format=%D')).toContain(branch);
    expect(await git(project.repo.path, 'show', `${branch}:notes.txt`)).toBe('left behind');
    expect(await subjects(project, branch)).toContain("WIP: uncommitted work found in w1's worktree (muxctl doctor)");
    expect(await git(worktree, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
    expect((await git(worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toBe('muxctl/w1');
    expect((await cliEvents(project)).filter((event) => event.action === 'doctor-fix' && event.subject === 'w1')).toHaveLength(1);

    screen.write('D');
    await waitForNotice(screen, /no drift: the board and the world agree/);
    expect(screen.text()).not.toContain('Drift doctor:');
  });
});
