/**
 * Component tests: the App rendered with ink-testing-library from a store filled by hand. The commands
 * are recorded, not run: what they do to tmux is the integration and end-to-end tests' business.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { WorkerSnapshot } from '../../src/core/snapshot.js';
import { createActions, type Commands } from '../../src/state/actions.js';
import { createDashboardStore } from '../../src/state/store.js';
import { waitFor } from '../helpers/waitFor.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);

function worker(name: string, lane: string, state: WorkerSnapshot['health']['state'], extra: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  const badges: Record<string, string> = { running: 'running', crashed: 'exited 3', missing: 'missing', stopped: 'stopped', starting: 'starting', exited: 'exited 0' };
  return {
    name,
    lane,
    health: { state, badge: badges[state] ?? state, evidence: `${state} evidence`, since: now - 65_000 },
    screen: [`${name} line one`, `${name} last line`],
    worktree: `/w/${name}`,
    command: 'node',
    restarts: null,
    summary: null,
    upSince: state === 'running' ? now - 65_000 : null,
    ...extra,
  };
}

function setup(columns = 100, rows = 30) {
  const calls: string[] = [];
  const commands: Commands = {
    start: async (n) => (calls.push(`start ${n}`), `${n}: started`),
    stop: async (n) => (calls.push(`stop ${n}`), `${n}: stopped`),
    restart: async (n) => (calls.push(`restart ${n}`), `${n}: restarted`),
    attach: (n) => void calls.push(`attach ${n}`),
    watchDetail: (r) => void calls.push(r ? `detail ${r.mode} ${r.worker}` : 'detail closed'),
    quit: () => void calls.push('quit'),
  };
  const store = createDashboardStore({ project: 'demo', socket: 'muxctl-demo', configFile: '/r/sessions.json', size: { columns, rows }, now });
  store.setState({
    ready: true,
    workers: [worker('app-1', 'app', 'running'), worker('app-2', 'app', 'crashed'), worker('infra-1', 'infra', 'missing')],
  });
  const actions = createActions(store, commands);
  const ui = render(<App store={store} actions={actions} />);
  return { store, calls, ui };
}

const frame = (ui: ReturnType<typeof render>): string => ui.lastFrame() ?? '';
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('App', () => {
  it('shows every panel with name, lane, badge, evidence, age and screen lines', () => {
    const { ui } = setup();
    cleanup = ui.unmount;
    const text = frame(ui);
    expect(text).toContain('muxctl · demo · 3 workers');
    expect(text).toContain('app-1 · app');
    expect(text).toMatch(/● running/);
    expect(text).toMatch(/✖ exited 3/);
    expect(text).toMatch(/\? missing/);
    expect(text).toContain('up 1m');
    expect(text).toContain('app-2 last line');
    expect(text).toContain('2 need you');
  });

  it('draws no line wider than the terminal, at 80 and at 160 columns', () => {
    for (const columns of [80, 160]) {
      const { ui } = setup(columns, 24);
      for (const line of frame(ui).split('\n')) expect(line.length, line).toBeLessThanOrEqual(columns);
      ui.unmount();
    }
  });

  it('moves the selection with arrows and hjkl and attaches to the selected worker', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('l');
    await waitFor(() => store.getState().selected === 1, { what: 'selection moved right' });
    ui.stdin.write('\x1b[C');
    await waitFor(() => store.getState().selected === 2, { what: 'selection moved right again' });
    ui.stdin.write('h');
    await waitFor(() => store.getState().selected === 1, { what: 'selection moved left' });
    ui.stdin.write('\r');
    await waitFor(() => calls.includes('attach app-2'), { what: 'attach called' });
  });

  it('asks before restarting, shows the facts, and restarts only on y', async () => {
    const { ui, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('r');
    await waitFor(() => frame(ui).includes('Restart app-1?'), { what: 'confirm dialog' });
    expect(frame(ui)).toContain('worktree (/w/app-1) is kept');
    ui.stdin.write('n');
    await waitFor(() => !frame(ui).includes('Restart app-1?'), { what: 'dialog closed' });
    expect(calls).not.toContain('restart app-1');
    ui.stdin.write('r');
    await waitFor(() => frame(ui).includes('Restart app-1?'), { what: 'confirm dialog again' });
    ui.stdin.write('y');
    await waitFor(() => calls.includes('restart app-1'), { what: 'restart called' });
    await waitFor(() => frame(ui).includes('app-1: restarted'), { what: 'outcome shown' });
  });

  it('refuses attach on a missing worker and says how to start it', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    store.setState({ selected: 2 });
    await settle();
    ui.stdin.write('\r');
    await waitFor(() => frame(ui).includes('press u to start it'), { what: 'disabled reason shown' });
    expect(calls.filter((c) => c.startsWith('attach'))).toEqual([]);
    ui.stdin.write('u');
    await waitFor(() => calls.includes('start infra-1'), { what: 'start called' });
  });

  it('opens and closes the help overlay made from the keymap', async () => {
    const { ui } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('?');
    await waitFor(() => frame(ui).includes('Keys'), { what: 'help shown' });
    expect(frame(ui)).toContain('restart the worker');
    expect(frame(ui)).toContain('(asks first)');
    ui.stdin.write('?');
    await waitFor(() => !frame(ui).includes('show or hide this help'), { what: 'help closed' });
  });

  it('shows a broken config edit as an error line', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    store.setState({ configError: 'sessions.json:3:5: workers[0].lane: expected one of the lanes app' });
    await waitFor(() => frame(ui).includes('config not applied'), { what: 'config error shown' });
    expect(frame(ui)).toContain('workers[0].lane');
  });

  it('quits on q and on Ctrl-C', async () => {
    const { ui, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('q');
    await waitFor(() => calls.filter((c) => c === 'quit').length === 1, { what: 'quit on q' });
    ui.stdin.write('\x03');
    await waitFor(() => calls.filter((c) => c === 'quit').length === 2, { what: 'quit on Ctrl-C' });
  });
});
