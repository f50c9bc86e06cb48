/**
 * Wires the dashboard: the store, the observation loop, the config watcher, the keys' commands, and
 * the hand-over of the terminal for attach. Ink is unmounted while attached and mounted again after,
 * so tmux gets a clean terminal and the dashboard comes back fully redrawn.
 */
import { render, type Instance } from 'ink';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename } from 'node:path';
import { attachInPty } from '../adapters/attach.js';
import { watchConfig } from '../adapters/configFile.js';
import { runHook } from '../adapters/hooks.js';
import { LogMonitor } from '../control/logMonitor.js';
import { ControlPaneObserver } from '../control/paneObserver.js';
import { ObservationLoop, type StateChange } from '../control/loop.js';
import { workerPath } from '../core/config.js';
import { minuteOf } from '../core/health.js';
import { createRedactor } from '../core/redact.js';
import type { ProjectConfig } from '../core/config.js';
import { computeGrid } from '../core/layout.js';
import { createActions, type Commands } from '../state/actions.js';
import { createDashboardStore, selectedIndex, shownWorkers, type DashboardStore } from '../state/store.js';
import { App } from '../../components/App.js';
import type { Context } from './context.js';
import { createDashboardTasks } from './dashboardTasks.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const TICK_MS = 1000;
/** Lines from many workers arriving together cost one render; well under the 250 ms a person notices. */
const LOG_SETTLE_MS = 80;
/** How long the first frame waits for the first look at tmux before it shows "looking…" instead. */
const FIRST_FRAME_WAIT_MS = 300;

export interface DashboardOptions {
  /** False for --no-redact: show secrets as written. */
  redact: boolean;
}

export async function runDashboard(ctx: Context, options: DashboardOptions): Promise<number> {
  const { supervisor, runtime } = ctx;
  const stdout = process.stdout;
  const store = createDashboardStore({
    project: ctx.config.project,
    socket: ctx.config.tmuxSocket,
    configFile: ctx.config.file,
    size: { columns: stdout.columns || 80, rows: stdout.rows || 24 },
    now: minuteOf(Date.now()),
  });
  const role = runtime.claimLeadership();
  /** A follower takes over when the leading dashboard is gone (its pid file names a dead process). */
  const isLeader = (): boolean => {
    if (role.leader) return true;
    const again = runtime.claimLeadership();
    if (!again.leader) return false;
    role.leader = true;
    role.otherPid = null;
    store.setState({ follower: null, notice: { level: 'info', text: 'the other dashboard is gone: this one now acts on its own' } });
    return true;
  };
  const panes = new ControlPaneObserver(ctx.tmux);
  supervisor.usePaneSource(panes);
  if (!role.leader) store.setState({ follower: { leaderPid: role.otherPid } });

  let instance: Instance | null = null;
  let attached = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));

  // eslint-disable-next-line prefer-const -- the monitor's callback needs the loop, made just below.
  let loop: ObservationLoop;
  const logs = new LogMonitor({
    stateDir: runtime.dir,
    home: homedir(),
    redact: createRedactor({ enabled: options.redact }),
    ringSize: ctx.config.logs.ringSize,
    onChange: (worker) => {
      loop.logsChanged();
      detailFeed.logsChanged(worker);
    },
    now: Date.now,
  });
  const watchLogs = (): Promise<void> =>
    logs.sync(supervisor.project.workers.map((config) => ({ config, worktree: workerPath(supervisor.project, config.name) }))).catch((error: unknown) => {
      store.setState({ notice: { level: 'error', text: `following logs failed: ${(error as Error).message}` } });
    });

  const onAlert = (change: StateChange): void => {
    if (supervisor.project.alerts.bell && !attached) stdout.write('\x07');
    const hook = supervisor.project.hooks.onStateChange;
    if (hook && role.leader) {
      const env = { MUXCTL_WORKER: change.worker, MUXCTL_OLD_STATE: change.from, MUXCTL_NEW_STATE: change.to, MUXCTL_EVIDENCE: change.evidence, MUXCTL_PROJECT: supervisor.project.project };
      runHook(hook, env, supervisor.project.repo, (text) => store.setState({ notice: { level: 'error', text } }));
    }
  };

  const logsReady = watchLogs();
  const tasks = createDashboardTasks(
    ctx,
    store,
    () => loop.refresh(),
    (task) => {
      if (supervisor.project.alerts.bell && !attached) stdout.write('\x07');
      store.setState({ notice: { level: 'error', text: `${task.id} ${task.state}: needs you (t shows the board, e the reasons)` } });
    },
  );
  loop = new ObservationLoop(supervisor, {
    leaderActions: (workers) => tasks.dispatcher.tick(workers),
    logsReady,
    intervalMs: TICK_MS,
    logSettleMs: LOG_SETTLE_MS,
    logs: (name) => logs.state(name),
    onAlert,
    leader: isLeader,
    now: Date.now,
    screenLines: () => {
      // Sized like the panels on screen: a filter that shows fewer panels makes each taller.
      const s = store.getState();
      const shown = shownWorkers(s);
      const panels = shown.length || supervisor.project.workers.length;
      return computeGrid({ panels, columns: s.size.columns, rows: s.size.rows, chromeRows: 3, selected: selectedIndex(s, shown) }).bodyLines;
    },
    onSnapshot: (workers, now) =>
      store.setState((s) => ({ workers, now, ready: true, selected: Math.min(s.selected, Math.max(0, workers.length - 1)) })),
    onActions: (results) => {
      tasks.refresh();
      store.setState({ notice: { level: results.every((r) => r.ok) ? 'info' : 'error', text: results.map((r) => `${r.worker}: ${r.outcome}`).join(' · ') } });
    },
    onError: (error) => store.setState({ notice: { level: 'error', text: `observing failed: ${error instanceof Error ? error.message : String(error)}` } }),
  });

  const commands: Commands = {
    start: async (name) => after(await supervisor.up([name], 'person', 'started from the dashboard (u)')),
    stop: async (name) => after([await supervisor.stop(name, 'person', 'stopped from the dashboard (s)')]),
    ...tasks.commands,
    attach: (name) => void attach(name),
    watchDetail: (request) => detailFeed.watch(request),
    quit: () => finish(0),
  };
  // The detail views: the log of one worker, fed as its lines arrive; or its screen, read a few times a second.
  const detailFeed = createDetailFeed(store, logs, panes, createRedactor({ enabled: options.redact }));
  const after = (results: { worker: string; outcome: string }[]): string => {
    loop.refresh();
    return results.map((r) => `${r.worker}: ${r.outcome}`).join(' · ');
  };
  const actions = createActions(store, commands);

  const mount = (): void => {
    stdout.write(ENTER_ALT_SCREEN);
    instance = render(<App store={store} actions={actions} />, { exitOnCtrlC: false, patchConsole: false, maxFps: 8, incrementalRendering: true });
  };
  const unmount = (): void => {
    instance?.unmount();
    instance = null;
  };

  const attach = async (name: string): Promise<void> => {
    if (attached) return;
    attached = true;
    unmount();
    try {
      await attachInPty({ argv: ctx.tmux.attachArgs(name), stdin: process.stdin, stdout, detach: (tty) => ctx.tmux.detachClient(tty) });
      store.setState({ notice: { level: 'info', text: `back from ${name}` } });
    } catch (error) {
      store.setState({ notice: { level: 'error', text: `attach to ${name} failed: ${(error as Error).message}` } });
    } finally {
      attached = false;
      store.setState({ size: { columns: stdout.columns || 80, rows: stdout.rows || 24 } });
      mount();
      loop.refresh();
    }
  };

  const onResize = (): void => {
    // Clear first: Ink redraws from where it thinks the frame is, and a narrower frame leaves debris.
    if (!attached) stdout.write('\x1b[H\x1b[2J');
    store.setState({ size: { columns: stdout.columns || 80, rows: stdout.rows || 24 } });
  };
  stdout.on('resize', onResize);

  const watcher = watchConfig(ctx.config.file, (result) => {
    if (!result.ok) {
      // The field and what it expects first: on a narrow terminal the end of the line is cut.
      const problem = result.problems[0];
      const where = problem ? `${basename(problem.file)}${problem.line !== undefined ? `:${problem.line}:${problem.column ?? 1}` : ''}` : '';
      const first = problem ? `${problem.path} (${where}): ${problem.message}` : 'unreadable';
      store.setState({ configError: `${first}${result.problems.length > 1 ? ` (+${result.problems.length - 1} more: muxctl status lists them)` : ''}` });
      return;
    }
    applyConfig(ctx, store, result.config, role.leader, loop);
    void watchLogs();
  });

  const onSignal = (): void => finish(0);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  // The first frame is the grid itself, logs read: look at tmux and the logs first and draw when the
  // answer is in (or after a moment, showing that muxctl is looking), rather than drawing twice.
  const firstLook = new Promise<void>((resolve) => {
    const unsubscribe = store.subscribe((state) => {
      if (state.ready) {
        unsubscribe();
        resolve();
      }
    });
    setTimeout(resolve, FIRST_FRAME_WAIT_MS);
  });
  loop.start();
  await firstLook;
  mount();
  const code = await done;

  unmount();
  detailFeed.watch(null);
  await loop.stop();
  tasks.stop();
  // For `npm run bench`: how many lines each worker's event log gave, to show none were lost.
  const statsFile = process.env.MUXCTL_STATS_FILE;
  if (statsFile) {
    const linesRead = Object.fromEntries(supervisor.project.workers.map((w) => [w.name, logs.state(w.name).linesBySource.events]));
    writeFileSync(statsFile, JSON.stringify({ linesRead }));
  }
  await logs.close();
  await watcher.close();
  stdout.off('resize', onResize);
  runtime.releaseLeadership();
  stdout.write(LEAVE_ALT_SCREEN);
  process.stdout.write(`muxctl: the workers keep running. Reopen the dashboard with: muxctl --config ${ctx.config.file}\n`);
  return code;
}

/**
 * A good edit of the config while the dashboard runs: new workers start (by the leader), removed ones
 * are stopped only after the person confirms (their worktrees are kept), changed ones apply at their
 * next restart. A broken edit never gets here: the running set stays as it was.
 */
function applyConfig(ctx: Context, store: DashboardStore, next: ProjectConfig, leader: boolean, loop: ObservationLoop): void {
  const before = ctx.supervisor.project;
  const oldNames = new Set(before.workers.map((w) => w.name));
  const newNames = new Set(next.workers.map((w) => w.name));
  const added = next.workers.filter((w) => !oldNames.has(w.name)).map((w) => w.name);
  const removed = before.workers.filter((w) => !newNames.has(w.name));
  const changed = next.workers.filter((w) => {
    const old = before.workers.find((o) => o.name === w.name);
    return old !== undefined && JSON.stringify(old) !== JSON.stringify(w);
  });
  ctx.supervisor.setConfig(next);
  const notes: string[] = ['config reloaded'];
  if (changed.length > 0) notes.push(`${changed.map((w) => w.name).join(', ')} changed: applies at the next restart`);
  store.setState({ configError: null, notice: { level: 'info', text: notes.join(' · ') } });

  if (leader && added.length > 0) {
    ctx.supervisor.up(added, 'config', 'added to the config file').then(
      (results) => {
        store.setState({ notice: { level: 'info', text: results.map((r) => `${r.worker}: ${r.outcome} (added to config)`).join(' · ') } });
        loop.refresh();
      },
      (error: unknown) => store.setState({ notice: { level: 'error', text: `starting added workers failed: ${(error as Error).message}` } }),
    );
  }
  if (removed.length > 0 && !leader) {
    store.setState({ notice: { level: 'info', text: `${removed.map((w) => w.name).join(', ')} removed from the config: the other dashboard asks whether to stop them` } });
  } else if (removed.length > 0) {
    const names = removed.map((w) => w.name).join(', ');
    store.setState({
      overlay: {
        kind: 'confirm',
        title: `Stop ${names}? (removed from ${ctx.config.file})`,
        lines: [
          `${removed.length === 1 ? 'This worker is' : 'These workers are'} no longer in the config.`,
          'y stops them gracefully; their worktrees and branches are kept.',
          'n leaves them running in tmux, no longer shown here.',
        ],
        onYes: async () => {
          const results = [];
          for (const w of removed) results.push(await ctx.supervisor.stopWorker(w, 'config', 'removed from the config file; stop confirmed'));
          store.setState({ notice: { level: 'info', text: results.map((r) => `${r.worker}: ${r.outcome}`).join(' · ') } });
          loop.refresh();
        },
      },
    });
  }
  loop.refresh();
}

/** How often an open preview re-reads the worker's screen: live to the eye, one tmux call each. */
const PREVIEW_MS = 250;

function createDetailFeed(store: DashboardStore, logs: LogMonitor, tmux: ControlPaneObserver, redact: (text: string) => string) {
  let timer: NodeJS.Timeout | undefined;
  let logTimer: NodeJS.Timeout | undefined;
  const current = (): { worker: string; mode: 'log' | 'preview' } | null => store.getState().detail;
  const feedLog = (worker: string): void => {
    const detail = store.getState().detail;
    if (detail?.worker === worker && detail.mode === 'log') store.setState({ detail: { ...detail, events: logs.state(worker).recent } });
  };
  const feedScreen = async (worker: string): Promise<void> => {
    const rows = Math.max(10, store.getState().size.rows);
    const screen = ((await tmux.capturePanes([worker], rows).catch(() => new Map<string, string[]>())).get(worker) ?? ['(no tmux session)']).map(redact);
    const detail = store.getState().detail;
    if (detail?.worker === worker && detail.mode === 'preview') store.setState({ detail: { ...detail, screen } });
  };
  return {
    watch(request: { worker: string; mode: 'log' | 'preview' } | null): void {
      clearInterval(timer);
      timer = undefined;
      if (request === null) {
        store.setState({ detail: null });
        return;
      }
      store.setState({ detail: { ...request, events: [], screen: [] } });
      if (request.mode === 'log') feedLog(request.worker);
      else {
        void feedScreen(request.worker);
        timer = setInterval(() => void feedScreen(request.worker), PREVIEW_MS);
      }
    },
    /** New lines for `worker`: the open log view shows them within a frame or two, however fast they come. */
    logsChanged(worker: string): void {
      const detail = current();
      if (detail?.worker !== worker || detail.mode !== 'log' || logTimer !== undefined) return;
      logTimer = setTimeout(() => {
        logTimer = undefined;
        feedLog(worker);
      }, LOG_SETTLE_MS);
    },
  };
}
