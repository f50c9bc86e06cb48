/**
 * Wires the dashboard: the store, the observation loop, the board feed, the config watcher, the keys'
 * commands, and the hand-over of the terminal for attach. Ink is unmounted while attached and mounted
 * again after, so tmux gets a clean terminal and the dashboard comes back fully redrawn.
 */
import { render, type Instance } from 'ink';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename } from 'node:path';
import { attachInPty } from '../adapters/attach.js';
import { watchConfig } from '../adapters/configFile.js';
import { runHook } from '../adapters/hooks.js';
import { mark, writeTimeline } from '../adapters/timeline.js';
import { desktopSender } from '../adapters/notify.js';
import { BoardFeed } from '../control/boardFeed.js';
import { DetailFeed } from '../control/detailFeed.js';
import { LogMonitor, watchedWorkers } from '../control/logMonitor.js';
import { Notifications } from '../control/notifications.js';
import { ControlPaneObserver } from '../control/paneObserver.js';
import { ObservationLoop, type StateChange } from '../control/loop.js';
import type { ProjectConfig } from '../core/config/config.js';
import { workerChanges } from '../core/config/configChange.js';
import { minuteOf } from '../core/rules/health.js';
import { createRedactor } from '../core/rules/redact.js';
import { CONFIG_EDIT } from '../core/rules/tasks.js';
import { createActions } from '../state/actions.js';
import { confirmDialog } from '../state/dialogs.js';
import { createDashboardStore, screenLinesShown, type DashboardStore } from '../state/store.js';
import { App } from '../../components/App.js';
import { dashboardCommands } from './dashboardCommands.js';
import { dashboardDiffs } from './dashboardDiffs.js';
import type { Services } from './services.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const TICK_MS = 1000;
const BOARD_POLL_MS = 1000;
/** Lines from many workers arriving together cost one render; well under the 250 ms a person notices. */
const LOG_SETTLE_MS = 80;
/** How long the first frame waits for the first look at tmux before it shows "looking…" instead. */
const FIRST_FRAME_WAIT_MS = 300;

export interface DashboardOptions {
  /** False for --no-redact: show secrets as written. */
  redact: boolean;
}

/** How long the dashboard's look waits for a host's panes: about a round trip over a shared connection. */
const HOST_WAIT_MS = 250;

export async function runDashboard(services: Services, options: DashboardOptions): Promise<number> {
  mark('dashboard loaded');
  const { runtime, observer } = services;
  const config = services.config;
  const stdout = process.stdout;
  const start = config();
  const store = createDashboardStore({
    project: start.project,
    socket: start.tmuxSocket,
    configFile: start.file,
    size: { columns: stdout.columns || 80, rows: stdout.rows || 24 },
    now: minuteOf(Date.now()),
  });
  const notify = (text: string, level: 'info' | 'error' = 'info'): void => store.setState({ notice: { level, text } });
  const role = runtime.claimLeadership();
  /** A follower takes over when the leading dashboard is gone (its pid file names a dead process). */
  const isLeader = (): boolean => {
    if (role.leader) return true;
    const again = runtime.claimLeadership();
    if (!again.leader) return false;
    role.leader = true;
    role.otherPid = null;
    store.setState({ follower: null });
    notify('the other dashboard is gone: this one now acts on its own');
    return true;
  };
  const panes = new ControlPaneObserver(services.tmux);
  // This machine's panes over the control client, each host's over its ssh connection; a slow host
  // is answered from what it said last, so it never holds up the grid or the keys.
  services.fleet.answerWithin(HOST_WAIT_MS);
  observer.usePaneSource(services.fleet.panes(panes));
  if (!role.leader) store.setState({ follower: { leaderPid: role.otherPid } });

  let instance: Instance | null = null;
  let attached = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  const bell = (): void => {
    if (config().alerts.bell && !attached) stdout.write('\x07');
  };

  const redact = createRedactor({ enabled: options.redact });
  // eslint-disable-next-line prefer-const -- the monitor's callback needs the loop, made just below.
  let loop: ObservationLoop;
  const logs = new LogMonitor({
    stateDir: runtime.dir,
    home: homedir(),
    env: process.env,
    redact,
    ringSize: start.logs.ringSize,
    hostLogs: (host) => services.fleet.logReader(host),
    onChange: (worker) => {
      loop.logsChanged();
      detail.logsChanged(worker);
    },
    now: Date.now,
  });
  const watchLogs = (): Promise<void> => {
    const now = config();
    return logs.sync(watchedWorkers(now, services.workers.records())).catch((error: unknown) => {
      notify(`following logs failed: ${(error as Error).message}`, 'error');
    });
  };
  const diffs = dashboardDiffs(store, { config, redact, now: Date.now });
  const detail = new DetailFeed({
    logs,
    panes,
    redact,
    rows: () => store.getState().size.rows,
    logSettleMs: LOG_SETTLE_MS,
    onOpen: (request) => store.setState({ detail: request === null ? null : { ...request, events: [], screen: [] } }),
    onLog: (worker, events) => {
      const open = store.getState().detail;
      if (open?.worker === worker) store.setState({ detail: { ...open, events } });
    },
    onScreen: (worker, screen) => {
      const open = store.getState().detail;
      if (open?.worker === worker) store.setState({ detail: { ...open, screen } });
    },
  });

  // The terminal's escape (where no notifier program fits) is dropped while tmux has the terminal.
  const writeTerminal = (text: string): void => {
    if (!attached) stdout.write(text);
  };
  const desktop = desktopSender({ platform: process.platform, env: process.env, writeTerminal, onError: (text) => notify(text, 'error') });
  const notifications = new Notifications({ config, leader: () => role.leader, send: desktop.send, now: Date.now });
  const onAlert = (change: StateChange): void => {
    bell();
    notifications.alert(change);
    const hook = config().hooks.onStateChange;
    if (hook && role.leader) {
      const env = { MUXCTL_WORKER: change.worker, MUXCTL_OLD_STATE: change.from, MUXCTL_NEW_STATE: change.to, MUXCTL_EVIDENCE: change.evidence, MUXCTL_PROJECT: config().project };
      runHook(hook, env, config().repo, (text) => notify(text, 'error'));
    }
  };

  const board = new BoardFeed({
    store: services.store,
    tree: services.tree,
    now: Date.now,
    shown: () => store.getState().tasks,
    onBoard: ({ tasks, lastEvents, messagesWaiting }) => {
      mark('board read');
      notifications.board(tasks);
      store.setState({ tasks, lastEvents, messagesWaiting, dispatchPaused: services.dispatcher.paused() });
    },
    onDrift: (drift) => store.setState({ drift }),
    onNeedsPerson: (task) => {
      bell();
      notify(`${task.id} ${task.state}: needs you (t shows the board, e the reasons)`, 'error');
    },
  });
  services.listeners.afterLanding = () => board.refresh();
  services.listeners.autoLanded = (result) => {
    if (!result.ok) notify(`landing failed: ${result.text}`, 'error');
    else if (result.text !== 'nothing to land') notify(`landed: ${result.text}`);
  };
  const boardTimer = setInterval(() => board.refresh(), BOARD_POLL_MS);
  board.refresh();
  // A host worker's own `muxctl task done` (or emit) comes here to be run; the board shows what it moved.
  services.listeners.hostRequestRun = (worker, argv, exitCode) => {
    board.refresh();
    notify(`${worker} on its host: \`muxctl ${argv.slice(0, 2).join(' ')}\` → ${exitCode === 0 ? 'ok' : `refused (exit ${exitCode})`}`, exitCode === 0 ? 'info' : 'error');
  };
  services.hostRequests.sync();

  const logsReady = watchLogs().then(() => mark('logs read'));
  let followedConversations = '';
  loop = new ObservationLoop(observer, {
    leaderActions: async (workers) => {
      // A Codex conversation is found in its own files after it starts: its rollout becomes the worker's log.
      await services.workers.locateConversations();
      const results = await services.dispatcher.tick(workers);
      return [...results, ...(await services.afterLimit.tick(workers)), ...(await services.messenger.tick(workers))];
    },
    logsReady,
    intervalMs: TICK_MS,
    logSettleMs: LOG_SETTLE_MS,
    logs: (name) => logs.state(name),
    onAlert,
    leader: isLeader,
    now: Date.now,
    // As many as a panel shows, or in the list as the selected worker's detail pane has room for.
    screenLines: () => screenLinesShown(store.getState(), config().workers.length),
    onSnapshot: (workers, now) => {
      mark('first snapshot');
      // A conversation's file found since the logs were last set up (by this dashboard or the leader): follow it.
      const found = workers.flatMap((w) => (w.conversation?.log === undefined ? [] : [`${w.name}=${w.conversation.log}`])).join('\n');
      if (found !== followedConversations) {
        followedConversations = found;
        void watchLogs();
      }
      store.setState((s) => ({ workers, now, ready: true, selected: Math.min(s.selected, Math.max(0, workers.length - 1)) }));
      diffs.observe(workers);
    },
    onActions: (results) => {
      board.refresh();
      notify(results.map((r) => `${r.worker}: ${r.outcome}`).join(' · '), results.every((r) => r.ok) ? 'info' : 'error');
    },
    onError: (error) => notify(`observing failed: ${error instanceof Error ? error.message : String(error)}`, 'error'),
  });

  const commands = dashboardCommands(services, store, {
    refresh: () => {
      board.refresh();
      loop.refresh();
    },
    attach: (name) => void attach(name),
    watchDetail: (request) => {
      detail.watch(request);
      diffs.watch(request);
    },
    quit: () => finish(0),
  });
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
      await attachInPty({ ...services.fleet.attachCommand(name), stdin: process.stdin, stdout });
      notify(`back from ${name}`);
    } catch (error) {
      notify(`attach to ${name} failed: ${(error as Error).message}`, 'error');
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

  const watcher = watchConfig(start.file, (result) => {
    if (!result.ok) {
      // The field and what it expects first: on a narrow terminal the end of the line is cut.
      const problem = result.problems[0];
      const where = problem ? `${basename(problem.file)}${problem.line !== undefined ? `:${problem.line}:${problem.column ?? 1}` : ''}` : '';
      const first = problem ? `${problem.path} (${where}): ${problem.message}` : 'unreadable';
      store.setState({ configError: `${first}${result.problems.length > 1 ? ` (+${result.problems.length - 1} more: muxctl status lists them)` : ''}` });
      return;
    }
    applyConfig(services, store, result.config, role.leader, () => loop.refresh());
    void watchLogs();
    services.hostRequests.sync();
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
  mark('dashboard wired');
  loop.start();
  await firstLook;
  mark('first look');
  mount();
  mark('first render');
  // Ink writes the frame to the terminal before render() returns; the marks are complete.
  writeTimeline();
  const code = await done;

  unmount();
  detail.close();
  diffs.close();
  await loop.stop();
  clearInterval(boardTimer);
  // For `npm run bench`: how many lines each worker's event log gave, to show none were lost.
  const statsFile = process.env.MUXCTL_STATS_FILE;
  if (statsFile) {
    const linesRead = Object.fromEntries(config().workers.map((w) => [w.name, logs.state(w.name).linesBySource.events]));
    writeFileSync(statsFile, JSON.stringify({ linesRead }));
  }
  await logs.close();
  await services.hostRequests.close();
  await watcher.close();
  stdout.off('resize', onResize);
  runtime.releaseLeadership();
  stdout.write(LEAVE_ALT_SCREEN);
  process.stdout.write(`muxctl: the workers keep running. Reopen the dashboard with: muxctl --config ${start.file}\n`);
  return code;
}

/**
 * A good edit of the config while the dashboard runs: every part reads it from now on. New workers
 * start (by the leader), removed ones are stopped only after the person confirms (their worktrees are
 * kept), changed ones apply at their next restart. A broken edit never gets here.
 */
function applyConfig(services: Services, store: DashboardStore, next: ProjectConfig, leader: boolean, refresh: () => void): void {
  const changes = workerChanges(services.config(), next);
  const { added, changed } = changes;
  // One stopped before it left the file (`muxctl worker remove` stops it and removes its worktree first) has nothing to stop.
  const records = services.workers.records();
  const removed = changes.removed.filter((w) => records[w.name]?.desired !== 'stopped');
  const gone = changes.removed.filter((w) => !removed.includes(w)).map((w) => w.name);
  services.reload(next);
  const notes: string[] = ['config reloaded'];
  if (changed.length > 0) notes.push(`${changed.join(', ')} changed: applies at the next restart`);
  if (gone.length > 0) notes.push(`${gone.join(', ')} removed (stopped already)`);
  store.setState({ configError: null, notice: { level: 'info', text: notes.join(' · ') } });

  if (leader && added.length > 0) {
    services.workers.up(added, CONFIG_EDIT, 'added to the config file').then(
      (results) => {
        store.setState({ notice: { level: 'info', text: results.map((r) => `${r.worker}: ${r.outcome} (added to config)`).join(' · ') } });
        refresh();
      },
      (error: unknown) => store.setState({ notice: { level: 'error', text: `starting added workers failed: ${(error as Error).message}` } }),
    );
  }
  if (removed.length > 0 && !leader) {
    store.setState({ notice: { level: 'info', text: `${removed.map((w) => w.name).join(', ')} removed from the config: the other dashboard asks whether to stop them` } });
  } else if (removed.length > 0) {
    const names = removed.map((w) => w.name).join(', ');
    store.setState({
      overlay: confirmDialog({
        title: `Stop ${names}? (removed from ${next.file})`,
        lines: [
          `${removed.length === 1 ? 'This worker is' : 'These workers are'} no longer in the config.`,
          'Yes stops them gracefully; their worktrees and branches are kept.',
          'No leaves them running in tmux, no longer shown here.',
        ],
        onYes: async () => {
          const results = [];
          for (const w of removed) results.push(await services.workers.stopWorker(w, CONFIG_EDIT, 'removed from the config file; stop confirmed'));
          store.setState({ notice: { level: 'info', text: results.map((r) => `${r.worker}: ${r.outcome}`).join(' · ') } });
          refresh();
        },
      }),
    });
  }
  refresh();
}
