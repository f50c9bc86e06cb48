/**
 * End-to-end: the demo scenario after a crash. The BUILT `muxctl demo` in a pty (its demo directory a
 * private temp dir through MUXCTL_DEMO_DIR, so its tmux socket is private too), real tmux, real git.
 * Once the demo's workers run its tasks, the tmux server is killed and then the dashboard (SIGKILL), as
 * a crash or a reboot would; `muxctl demo` is started again. Well inside the demo's lease (120 s):
 *
 *  - every task is queued, finished, or held by a worker whose CURRENT process was given it (its record's
 *    delivery is this process's epoch) and whose own tmux screen names it; none is left running on a
 *    worker whose process never got it;
 *  - a task queued before the crash is handed out after it;
 *  - no panel says "working" for a worker whose own screen says it waits for a task.
 *
 * Set MUXCTL_E2E_TIMINGS=1 to print how long each phase took.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openProject, type Services } from '../../src/app/services.js';
import type { WorkerRecord } from '../../src/adapters/runtime.js';
import type { Task } from '../../src/core/rules/tasks.js';
import { tmux } from '../helpers/cli.js';
import { demoSocket, killDemoServer } from '../helpers/demo.js';
import { MUXCTL_BIN } from '../helpers/project.js';
import { disposeAllPtys, spawnInPty, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { badgeOf, timingLog } from './dashboardScreen.js';

const COLS = 160;
const ROWS = 50;
/** Well under the demo's lease (sessions.example.json: tasks.leaseSeconds 120): an expired lease must not be what fixes things. */
const RECOVERY_DEADLINE_MS = 60_000;
const SAMPLE_MS = 300;

/** The demo agent's own words (src/demo/agent.ts): its header, and the two lines it waits for a task on. */
const HEADER = /^muxctl-demo-agent · profile \w+ · seed \d+(?: · task (\S+))?$/;
const NO_TASK_YET = 'no task yet; waiting for one from the board';
const FINISHED_WAITING = /^task \S+ finished; waiting for the next one$/;
/** The flaky demo worker crash-loops on its task until the guard escalates it to the person (src/cli/demo.ts). */
const FLAKY = /--profile flaky\b/;

const timings = timingLog();
afterAll(() => timings.print('demo recovery e2e'));

// ---------------------------------------------------------------- the private demo, cleaned up after each test

let demoRoot: string | null = null;
const opened: Services[] = [];

afterEach(async () => {
  disposeAllPtys();
  for (const services of opened.splice(0)) services.runtime.close();
  const root = demoRoot;
  demoRoot = null;
  if (root === null) return;
  await killDemoServer(root);
  // The killed server's panes may still be flushing their screen logs into .muxctl/logs: retry
  // (Node retries ENOTEMPTY and EBUSY) rather than fail the test on its cleanup.
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

function openDemo(root: string): PtyScreen {
  return spawnInPty('node', [MUXCTL_BIN, 'demo'], { cols: COLS, rows: ROWS, cwd: root, env: { MUXCTL_DEMO_DIR: root } });
}

// ---------------------------------------------------------------- what each worker's own tmux pane says

interface PaneLook {
  dead: boolean;
  /** The task named in the header of the pane's last run (the current process), or null when it has none. */
  task: string | null;
  /** The current run's last line says it waits for a task. */
  waiting: boolean;
  /** The whole pane, history and screen: unchanged text means a quiet worker. */
  text: string;
}

async function lookAtPanes(socket: string): Promise<Map<string, PaneLook>> {
  const looks = new Map<string, PaneLook>();
  const listed = await tmux(socket, 'list-panes', '-a', '-F', '#{session_name}\t#{pane_dead}');
  if (listed.exitCode !== 0) return looks;
  for (const line of listed.stdout.split('\n').filter(Boolean)) {
    const [name = '', dead] = line.split('\t');
    if (name.startsWith('_')) continue; // the dashboard's own control-mode session
    const text = (await tmux(socket, 'capture-pane', '-p', '-J', '-S', '-', '-t', `=${name}:`)).stdout;
    // respawn-pane keeps the history: the current process's output starts at its header, the last one.
    const lines = text.split('\n').map((l) => l.trimEnd());
    let at = -1;
    for (let i = lines.length - 1; i >= 0 && at === -1; i--) if (HEADER.test(lines[i] ?? '')) at = i;
    const header = at === -1 ? null : (lines[at] ?? '').match(HEADER);
    const after = lines.slice(at + 1).filter((l) => l !== '' && !l.startsWith('Pane is dead'));
    const last = after.at(-1) ?? '';
    looks.set(name, {
      dead: dead === '1',
      task: header?.[1] ?? null,
      waiting: dead !== '1' && header !== null && (last === NO_TASK_YET || FINISHED_WAITING.test(last)),
      text,
    });
  }
  return looks;
}

// ---------------------------------------------------------------- the board's truth against the workers'

const HELD: readonly Task['state'][] = ['claimed', 'running'];
const FINISHED: readonly Task['state'][] = ['done', 'landed'];

function has(record: WorkerRecord | undefined, taskId: string): boolean {
  return record?.delivered?.task === taskId && record.delivered.epoch === record.startedAt && record.startedAt !== null;
}

/** Every way the board and the workers disagree; [] when each task is queued, finished, or held by a process that has it. */
function disagreements(tasks: readonly Task[], records: Record<string, WorkerRecord>, panes: Map<string, PaneLook>, flaky: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const task of tasks) {
    if (task.state === 'queued' || FINISHED.includes(task.state)) continue;
    const worker = task.assignee ?? '(nobody)';
    const pane = panes.get(worker);
    if (task.state === 'escalated' && flaky.has(worker)) continue; // the demo's designed crash loop, handed to the person
    if (!HELD.includes(task.state)) {
      problems.push(`${task.id} is ${task.state} on ${worker}`);
      continue;
    }
    const record = records[worker];
    if (task.lease?.holder !== task.assignee) problems.push(`${task.id} is ${task.state} on ${worker} but its lease is ${task.lease?.holder ?? 'nobody'}'s`);
    if (!has(record, task.id)) {
      problems.push(`${task.id} is ${task.state} on ${worker}, whose current process was not given it (delivered ${JSON.stringify(record?.delivered)}, startedAt ${record?.startedAt})`);
    }
    if (pane === undefined) problems.push(`${task.id} is ${task.state} on ${worker}, which has no tmux pane`);
    else if (pane.task !== task.id) problems.push(`${task.id} is ${task.state} on ${worker}, whose screen shows ${pane.task === null ? 'no task' : `task ${pane.task}`}`);
    else if (pane.waiting) problems.push(`${task.id} is ${task.state} on ${worker}, whose screen says it waits for a task`);
  }
  return problems;
}

interface BoardLook {
  tasks: Task[];
  records: Record<string, WorkerRecord>;
  panes: Map<string, PaneLook>;
}

async function lookAtBoard(services: Services, socket: string): Promise<BoardLook> {
  const tasks = services.store.list({});
  const records = services.workers.records();
  return { tasks, records, panes: await lookAtPanes(socket) };
}

function describeBoard(look: BoardLook | null): string {
  if (look === null) return '(nothing looked at yet)';
  const tasks = look.tasks.map((t) => `${t.id} ${t.state} ${t.assignee ?? '-'}`).join(' · ');
  const workers = Object.entries(look.records)
    .map(([name, r]) => {
      const pane = look.panes.get(name);
      const shown = pane === undefined ? 'no pane' : `${pane.dead ? 'dead' : 'alive'}, screen task ${pane.task ?? '-'}${pane.waiting ? ', waiting for a task' : ''}`;
      return `  ${name}: startedAt ${r.startedAt} delivered ${JSON.stringify(r.delivered)} · ${shown}`;
    })
    .join('\n');
  return `tasks: ${tasks}\n${workers}`;
}

// ---------------------------------------------------------------- panels against the workers' own screens

interface PanelWatch {
  /** Samples in which a worker, its screen saying for long enough that it waits for a task, had its panel drawn. */
  judged: number;
  violations: string[];
  stop(): Promise<void>;
}

/**
 * Samples the dashboard and the panes until stopped. A worker that just went quiet is "working" by
 * design until idleAfterSeconds of quiet have passed and the settled state is shown; so a panel is
 * judged only once its worker's pane has said it waits for a task, unchanged, for `quietMs`.
 */
function watchPanels(dash: PtyScreen, socket: string, quietMs: number): PanelWatch {
  const quietSince = new Map<string, { text: string; since: number }>();
  let running = true;
  const watch: PanelWatch = {
    judged: 0,
    violations: [],
    stop: async () => {
      running = false;
      await loop;
    },
  };
  const loop = (async () => {
    while (running) {
      const lines = dash.lines();
      const badges = new Map<string, string | null>();
      const panes = await lookAtPanes(socket);
      const now = Date.now();
      for (const [name, pane] of panes) {
        const was = quietSince.get(name);
        if (was === undefined || was.text !== pane.text) quietSince.set(name, { text: pane.text, since: now });
        const since = quietSince.get(name)?.since ?? now;
        if (!pane.waiting || now - since < quietMs) continue;
        if (!badges.has(name)) badges.set(name, badgeOfLines(lines, name));
        const badge = badges.get(name) ?? null;
        if (badge === null) continue; // not drawn in this read (mid-redraw)
        watch.judged += 1;
        if (/working/.test(badge)) {
          const last = pane.text.split('\n').filter((l) => l.trim() !== '').at(-1);
          watch.violations.push(`${name}'s panel says "${badge}" while its screen has said "${last}" for ${Math.round((now - since) / 1000)} s\n${lines.join('\n')}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return watch;
}

/** badgeOf, for one read of the screen shared by every worker judged in a sample. */
function badgeOfLines(lines: string[], name: string): string | null {
  return badgeOf({ lines: () => lines } as PtyScreen, name);
}

// ---------------------------------------------------------------- the scenario

describe('muxctl demo, crashed and started again', () => {
  it('gives every held task to its worker’s new process, hands out the queue, and shows no waiting worker as working', async () => {
    demoRoot = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-demo-e2e-')));
    const root = demoRoot;
    const configFile = join(root, 'repo', 'sessions.json');
    const started = Date.now();

    // 1. The demo, as a person opens it: a scratch repo, its workers, its tasks, the dashboard.
    const first = openDemo(root);
    await first.waitForText(/muxctl · demo · 5 workers/, { timeoutMs: 30_000, what: 'the demo dashboard' });
    const socket = demoSocket(root);
    expect(socket, `muxctl demo wrote no private socket into ${configFile}`).not.toBeNull();
    if (socket === null) return;
    const services = await openProject(configFile);
    opened.push(services);
    const demoWorkers = services.config().workers.map((w) => w.name);
    const flaky = new Set(services.config().workers.filter((w) => FLAKY.test([w.command].flat().join(' '))).map((w) => w.name));
    expect([...flaky]).toEqual(['infra-1']);

    // 2. Its tasks running on its workers, each delivered to the process that runs it.
    let before: BoardLook | null = null;
    await waitFor(
      async () => {
        before = await lookAtBoard(services, socket);
        const { tasks, records } = before;
        return tasks.length >= 4 && tasks.every((t) => t.state === 'running' && has(records[t.assignee ?? ''], t.id));
      },
      { what: "the demo's four tasks running, each on a worker that has it", timeoutMs: 45_000, detail: () => describeBoard(before) },
    );
    // One more for infra, whose two workers are both busy: it waits in the queue through the crash.
    const added = await execa('node', [MUXCTL_BIN, '--config', configFile, 'task', 'add', 'Lint the CI workflow files', '--lane', 'infra'], { reject: false, stdin: 'ignore', cwd: root, env: { TMUX: undefined, TMUX_PANE: undefined } });
    expect(added.exitCode, `${added.stdout}\n${added.stderr}`).toBe(0);
    const queuedBefore = services.store.list({ states: ['queued'] }).map((t) => t.id);
    expect(queuedBefore.length, 'a task waits in the queue when the crash comes').toBeGreaterThan(0);
    timings.note('demo up, tasks running', Date.now() - started);

    // 3. The crash: the tmux server with every worker in it, then the dashboard, killed outright.
    expect((await tmux(socket, 'kill-server')).exitCode).toBe(0);
    first.kill('SIGKILL');
    expect((await first.waitForExit(5_000)).signal).toBeDefined();
    expect((await tmux(socket, 'list-sessions')).exitCode, 'the tmux server is gone').not.toBe(0);
    const heldBefore = services.store.list({ states: [...HELD] }).map((t) => `${t.id}@${t.assignee}`);
    // The check below sees the crash for what it is: every held task is on a worker with no process.
    const crashed = await lookAtBoard(services, socket);
    const lost = disagreements(crashed.tasks, crashed.records, crashed.panes, flaky);
    expect(lost.length, lost.join('\n')).toBeGreaterThanOrEqual(heldBefore.length);
    expect(heldBefore.length).toBeGreaterThan(0);

    // 4. The demo again.
    const restartedAt = Date.now();
    const second = openDemo(root);
    await second.waitForText(/muxctl · demo · 5 workers/, { timeoutMs: 30_000, what: 'the demo dashboard, reopened' });
    const health = services.config().health;
    // Quiet this long is past idle (idleAfterSeconds), its settling (settleMs), a tick, and room for a loaded machine.
    const watch = watchPanels(second, socket, health.idleAfterSeconds * 1000 + health.settleMs + 4_000);

    // 5. Well inside the lease: the board and the workers agree, and the queue moves.
    const deadline = restartedAt + RECOVERY_DEADLINE_MS;
    let after: BoardLook | null = null;
    let problems: string[] = [];
    let agreedAt: number | undefined;
    try {
      await waitFor(
        async () => {
          after = await lookAtBoard(services, socket);
          problems = disagreements(after.tasks, after.records, after.panes, flaky);
          if (problems.length === 0) agreedAt ??= Date.now();
          const queued = after.tasks.filter((t) => t.state === 'queued');
          const handedOut = queuedBefore.some((id) => {
            const task = after?.tasks.find((t) => t.id === id);
            return task !== undefined && ['running', ...FINISHED].includes(task.state);
          });
          if (!handedOut && queued.length > 0) problems.push(`none of ${queuedBefore.join(', ')} (queued before the crash) is running or done; queued now: ${queued.map((t) => t.id).join(', ')}`);
          const missing = demoWorkers.filter((name) => !after?.panes.has(name));
          if (missing.length > 0) problems.push(`no tmux pane for ${missing.join(', ')}`);
          return problems.length === 0;
        },
        {
          what: 'every task queued, finished, or held by a worker whose current process has it, and the queue handed out',
          timeoutMs: Math.max(0, deadline - Date.now()),
          intervalMs: 250,
          detail: () => `held before the crash: ${heldBefore.join(', ')}\nproblems:\n  ${problems.join('\n  ')}\n${describeBoard(after)}\n--- dashboard ---\n${second.text()}`,
        },
      );
      timings.note('restart → board and workers first agree', (agreedAt ?? Date.now()) - restartedAt);
      timings.note('restart → agree and the queue handed out', Date.now() - restartedAt);
      // Long enough for a waiting worker's panel to have settled, and judged at least once.
      await waitFor(() => watch.judged > 0 || watch.violations.length > 0, {
        what: 'a worker whose screen waits for a task, with its panel drawn',
        timeoutMs: Math.max(1_000, deadline - Date.now()),
        detail: () => `${describeBoard(after)}\n--- dashboard ---\n${second.text()}`,
      });
    } finally {
      await watch.stop();
    }
    expect(watch.violations, watch.violations.join('\n\n')).toEqual([]);
    expect(watch.judged).toBeGreaterThan(0);
    timings.note('whole test', Date.now() - started);
  }, 120_000);
});
