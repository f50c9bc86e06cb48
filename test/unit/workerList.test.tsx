/**
 * Component tests of the list view: the App from a store filled by hand with 100 workers, at 80×24 and
 * at 160×45. ink-testing-library's terminal is always 100 columns wide and Ink lays out to it, so this
 * file renders into a terminal of the width asked for, the way that library does it.
 */
import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { newTask } from '../../src/core/rules/tasks.js';
import { createActions, type Commands } from '../../src/state/actions.js';
import { createDashboardStore, screenLinesShown } from '../../src/state/store.js';
import { waitFor } from '../helpers/waitFor.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);

class FakeStdout extends EventEmitter {
  frame = '';
  constructor(readonly columns: number, readonly rows: number) {
    super();
  }
  write = (frame: string): void => void (this.frame = frame);
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

function renderAt(tree: ReactElement, columns: number, rows: number) {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = inkRender(tree, { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: new FakeStdout(columns, rows) as unknown as NodeJS.WriteStream, debug: true, exitOnCtrlC: false, patchConsole: false });
  return { stdin, frame: () => stdout.frame, unmount: () => instance.unmount() };
}

/** w1…w100; every seventh crashed, every fifth with logs that count tokens. */
function worker(i: number): WorkerSnapshot {
  const crashed = i % 7 === 0;
  return {
    name: `w${i}`,
    lane: i % 4 === 0 ? 'infra' : 'app',
    health: crashed ? { state: 'crashed', badge: 'exited 3', evidence: 'exit 3 at 13:58', since: now - 240_000 } : { state: 'running', badge: 'running', evidence: 'process alive (sleep) since 13:58', since: now - 240_000 },
    upSince: crashed ? null : now - 240_000,
    screen: [`w${i} screen first`, `w${i} screen last`],
    worktree: `/w/w${i}`,
    command: 'sleep',
    restarts: null,
    summary:
      i % 5 === 0
        ? { prompt: null, tool: null, outcome: null, message: null, tokens: { input: 12_000, output: 400 }, costUsd: 0.31, errors: 0, lastError: null, malformed: 0, lastActiveAt: now - 4_000, checkpoint: null, status: null }
        : null,
  };
}

function setup(columns: number, rows: number, count = 100) {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]): Promise<string> => {
      calls.push(`${name} ${args.filter((a) => typeof a === 'string').join(' ')}`.trim());
      return Promise.resolve(`${name}: done`);
    };
  const commands = new Proxy({} as Commands, {
    get: (_target, name: string) => {
      if (name === 'restartDecision') return async () => ({ action: 'idle', reasons: ['the worker has no task'], backupRef: false });
      if (name === 'attach' || name === 'watchDetail' || name === 'quit') return (arg: unknown) => void calls.push(`${name} ${arg === null ? 'closed' : typeof arg === 'string' ? arg : JSON.stringify(arg)}`);
      return record(name);
    },
  });
  const store = createDashboardStore({ project: 'demo', socket: 'muxctl-demo', configFile: '/r/sessions.json', size: { columns, rows }, now });
  const task = { ...newTask({ id: 'T3', title: 'fix the login form', lane: 'app' }, now), state: 'running' as const, assignee: 'w2', branch: 'task/T3-fix-login' };
  store.setState({ ready: true, workers: Array.from({ length: count }, (_, i) => worker(i + 1)), tasks: [task], diffFigures: { w3: { added: 12, removed: 3 } } });
  const ui = renderAt(<App store={store} actions={createActions(store, commands)} />, columns, rows);
  cleanup = ui.unmount;
  return { store, calls, ui, lines: () => ui.frame().split('\n') };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** The list's line of a worker, by its name in the worker column. */
const rowOf = (lines: string[], name: string): string | undefined => lines.find((l) => new RegExp(`^[ ›]\\S+ \\S+(?: \\d+)?\\s+${name}\\s`).test(l));
const selectedRow = (lines: string[]): string | undefined => lines.find((l) => l.startsWith('›'));

describe.each([
  [80, 24, 12],
  [160, 45, 41],
])('the list at %i×%i', (columns, rows, visible) => {
  it('is chosen by itself for 100 workers, says so in the header, and draws a line a worker', () => {
    const { lines } = setup(columns, rows);
    const frame = lines();
    expect(frame[0]).toMatch(columns >= 160 ? /· list: 100 workers do not fit as panels · v grid/ : /· list/);
    expect(frame[1]).toMatch(/^ state\s+worker\s/);
    for (let i = 1; i <= visible; i++) expect(rowOf(frame, `w${i}`), `w${i}`).toBeDefined();
    expect(rowOf(frame, `w${visible + 1}`)).toBeUndefined();
    expect(selectedRow(frame)).toMatch(/^›● running\s+w1\s/);
    expect(frame.join('\n')).toContain(`1–${visible} of 100 listed`);
    expect(frame.at(-1)).toContain('v grid');
    for (const line of frame) expect(line.length, line).toBeLessThanOrEqual(columns);
    expect(frame).toHaveLength(rows);
  });

  it('moves the selection with j/k and the arrows, scrolls to keep it in view, and details the selected worker', async () => {
    const { ui, lines, store } = setup(columns, rows);
    ui.stdin.write('j');
    await waitFor(() => selectedRow(lines())?.includes(' w2 '), { what: 'w2 selected', detail: () => ui.frame() });
    // The detail pane names it and shows its task, branch and screen.
    const frame = lines().join('\n');
    expect(frame).toMatch(/w2 · app/);
    expect(frame).toContain('◆ T3 running · fix the login form');
    expect(frame).toContain('branch task/T3-fix-login');
    expect(frame).toContain('w2 screen last');
    // Past the bottom line the list scrolls by one: w1 leaves, the next one arrives.
    for (let i = 2; i <= visible; i++) ui.stdin.write('\x1b[B');
    await waitFor(() => selectedRow(lines())?.includes(` w${visible + 1} `), { what: `w${visible + 1} selected`, detail: () => ui.frame() });
    expect(rowOf(lines(), 'w1')).toBeUndefined();
    expect(rowOf(lines(), 'w2')).toBeDefined();
    expect(store.getState().listFirst).toBe(1);
    // Back up: the highlight moves, the window stays.
    ui.stdin.write('k');
    await waitFor(() => selectedRow(lines())?.includes(` w${visible} `), { what: `w${visible} selected`, detail: () => ui.frame() });
    expect(rowOf(lines(), 'w1')).toBeUndefined();
    // G to the last, g to the first, a page down.
    ui.stdin.write('G');
    await waitFor(() => selectedRow(lines())?.includes(' w100 '), { what: 'w100 selected', detail: () => ui.frame() });
    expect(lines().join('\n')).toContain(`${101 - visible}–100 of 100 listed`);
    ui.stdin.write('g');
    await waitFor(() => selectedRow(lines())?.includes(' w1 '), { what: 'w1 selected again', detail: () => ui.frame() });
    ui.stdin.write('\x1b[6~');
    await waitFor(() => selectedRow(lines())?.includes(` w${visible} `), { what: 'a page down', detail: () => ui.frame() });
  });

  it('acts on the selected line with every per-worker key, as the grid does on its panel', async () => {
    const { ui, lines, calls } = setup(columns, rows);
    ui.stdin.write('jjjj');
    await waitFor(() => selectedRow(lines())?.includes(' w5 '), { what: 'w5 selected', detail: () => ui.frame() });
    ui.stdin.write('\r');
    await waitFor(() => calls.includes('attach w5'), { what: 'attach w5', detail: () => calls.join('\n') });
    ui.stdin.write('r');
    await waitFor(() => ui.frame().includes('Restart w5?'), { what: 'the restart dialog for w5', detail: () => ui.frame() });
    ui.stdin.write('n');
    await waitFor(() => !ui.frame().includes('Restart w5?'), { what: 'dialog closed' });
    ui.stdin.write('l');
    await waitFor(() => calls.some((c) => c.startsWith('watchDetail') && c.includes('"worker":"w5"') && c.includes('"log"')), { what: 'the log of w5', detail: () => calls.join('\n') });
    ui.stdin.write('\x1b');
    // Back from the log view: to the list it came from, w5 still selected.
    await waitFor(() => selectedRow(lines())?.includes(' w5 '), { what: 'back in the list on w5', detail: () => ui.frame() });
  });

  it('shows the grid anyway on v, says how many panels fit, and comes back to the list on v', async () => {
    const { ui, lines } = setup(columns, rows);
    ui.stdin.write('jj');
    await waitFor(() => selectedRow(lines())?.includes(' w3 '), { what: 'w3 selected', detail: () => ui.frame() });
    ui.stdin.write('v');
    await waitFor(() => lines().some((l) => /w3 · app/.test(l) && l.includes('║')), { what: 'the grid, w3 selected (double border)', detail: () => ui.frame() });
    const fit = columns >= 160 ? 32 : 8;
    expect(lines()[0]).toContain(columns >= 160 ? `grid: ${fit} of 100 panels fit · v list` : 'grid');
    expect(lines().join('\n')).toContain(`1–${fit} of 100 on screen`);
    expect(lines().at(-1)).toContain('v list');
    ui.stdin.write('v');
    await waitFor(() => selectedRow(lines())?.includes(' w3 '), { what: 'the list again, w3 selected', detail: () => ui.frame() });
    // Chosen by the person now: no reason given (at 80 columns the header keeps only "list").
    expect(lines()[0]).toMatch(columns >= 160 ? /· list · v grid/ : /· list\b/);
    expect(lines()[0]).not.toContain('do not fit');
  });
});

describe('the list and the grid', () => {
  it('keeps the grid when the panels fit, and lists them when the person asks', async () => {
    const { ui, lines } = setup(160, 45, 6);
    expect(lines()[0]).not.toMatch(/list|grid/);
    expect(lines().some((l) => l.includes('w6 · app'))).toBe(true);
    ui.stdin.write('v');
    await waitFor(() => rowOf(lines(), 'w6') !== undefined, { what: 'the list of six', detail: () => ui.frame() });
    expect(lines()[0]).toContain('· list · v grid');
  });

  it('filters and orders the list as the grid: f shows only the ones that need the person', async () => {
    const { ui, lines } = setup(80, 24);
    ui.stdin.write('f');
    await waitFor(() => lines().join('\n').includes('filter: needs you · 14 of 100 shown'), { what: 'the filter applied', detail: () => ui.frame() });
    const listed = lines().filter((l) => /^[ ›][●✖]/.test(l));
    expect(listed).toHaveLength(12);
    expect(listed.every((l) => l.includes('exited 3'))).toBe(true);
    expect(rowOf(lines(), 'w7')).toBeDefined();
  });

  it('orders the list as the grid: o puts the ones that need the person first', async () => {
    const { ui, lines } = setup(80, 24);
    ui.stdin.write('o');
    await waitFor(() => lines().join('\n').includes('sort: needs you first'), { what: 'sorted by urgency', detail: () => ui.frame() });
    const listed = lines().filter((l) => /^[ ›][●✖]/.test(l));
    // The selection stays on the worker it was on, w1, now after the 14 crashed: the list scrolls to it.
    expect(listed.map((l) => /\b(w\d+)\b/.exec(l)?.[1])).toEqual(['w28', 'w35', 'w42', 'w49', 'w56', 'w63', 'w70', 'w77', 'w84', 'w91', 'w98', 'w1']);
    expect(selectedRow(lines())).toMatch(/ w1 /);
    ui.stdin.write('g');
    await waitFor(() => selectedRow(lines())?.includes(' w7 '), { what: 'the first, w7, selected', detail: () => ui.frame() });
  });

  it('goes back to the grid by itself when a filter leaves few enough workers for panels', async () => {
    const { ui, lines } = setup(160, 45);
    ui.stdin.write('f');
    // Fourteen panels fit at 160×45.
    await waitFor(() => lines().some((l) => l.includes('w7 · app')), { what: 'the grid of the 14 crashed', detail: () => ui.frame() });
    expect(lines()[0]).not.toMatch(/· (list|grid)/);
  });

  it('asks the observer for as many screen lines as the detail pane has, not a panel', () => {
    const { store } = setup(160, 45);
    expect(screenLinesShown(store.getState(), 100)).toBe(40);
    store.setState({ size: { columns: 80, rows: 24 } });
    expect(screenLinesShown(store.getState(), 100)).toBe(7);
    store.setState({ layout: 'grid' });
    expect(screenLinesShown(store.getState(), 100)).toBe(1);
    // Before the first snapshot the configured workers count: 100 of them make the list.
    store.setState({ layout: null, workers: [] });
    expect(screenLinesShown(store.getState(), 100)).toBe(7);
    expect(screenLinesShown(store.getState(), 4)).toBeGreaterThan(1);
  });
});
