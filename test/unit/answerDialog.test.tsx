/**
 * The answer dialog: y on a waiting worker reads its question (through the Commands port, which reads
 * the screen), shows it with the keys of each choice, and sends the one whose key is pressed; any
 * other key says so and sends nothing; Esc cancels. The keys are pressed as a terminal sends them.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { readQuestion, type Question } from '../../src/core/rules/answers.js';
import { dialogHintText } from '../../src/core/views/keymap.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { createActions, type Commands } from '../../src/state/actions.js';
import { createDashboardStore } from '../../src/state/store.js';
import { waitFor } from '../helpers/waitFor.js';
import { quietCommands } from '../helpers/commands.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);

/** Claude Code v2.1.12's command approval, captured from the real CLI (alfredjeanlab/claudeless, fixtures/tui/v2.1.12/permission_bash_command.txt). */
const CLAUDE_SCREEN = [
  ' Bash command',
  '',
  '   cat /etc/passwd | head -5',
  '   Display first 5 lines of /etc/passwd',
  '',
  ' Do you want to proceed?',
  ' ❯ 1. Yes',
  '   2. Yes, allow reading from etc/ from this project',
  '   3. No',
  '',
  ' Esc to cancel · Tab to add additional instructions',
];

function worker(name: string, state: WorkerSnapshot['health']['state']): WorkerSnapshot {
  return {
    name,
    lane: 'app',
    health: { state, badge: state, evidence: state === 'waiting' ? 'asks: Do you want to proceed?' : `${state} evidence`, since: now - 65_000 },
    screen: [`${name} last line`],
    worktree: `/w/${name}`,
    command: 'claude',
    restarts: null,
    summary: null,
    upSince: now - 65_000,
  };
}

function setup(screens: Record<string, string[]>, states: Record<string, WorkerSnapshot['health']['state']> = { 'app-1': 'waiting', 'app-2': 'working' }) {
  const calls: string[] = [];
  const answered: Array<{ worker: string; asked: Question; key: string }> = [];
  const commands: Commands = quietCommands({
    readQuestion: async (n) => (calls.push(`read ${n}`), screens[n] === undefined ? null : readQuestion(screens[n])),
    answerQuestion: async (n, asked, key) => (answered.push({ worker: n, asked, key }), `${n}: sent ${key}`),
    restartGuarded: async (n) => (calls.push(`restart ${n}`), `${n}: restarted`),
    attach: (n) => void calls.push(`attach ${n}`),
    quit: () => void calls.push('quit'),
  });
  const store = createDashboardStore({ project: 'demo', socket: 'muxctl-demo', configFile: '/r/sessions.json', size: { columns: 100, rows: 24 }, now });
  store.setState({ ready: true, workers: Object.entries(states).map(([name, state]) => worker(name, state)) });
  const ui = render(<App store={store} actions={createActions(store, commands)} />);
  cleanup = ui.unmount;
  return { store, ui, calls, answered, frame: () => ui.lastFrame() ?? '' };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('the answer dialog', () => {
  it('y on a waiting worker shows its question, what it is about and each choice with its keys', async () => {
    const { ui, frame, calls } = setup({ 'app-1': CLAUDE_SCREEN });
    ui.stdin.write('y');
    await waitFor(() => frame().includes('app-1 asks'), { what: 'the answer dialog', detail: frame });
    expect(calls).toEqual(['read app-1']);
    const text = frame();
    expect(text).toContain('cat /etc/passwd | head -5');
    expect(text).toContain('Do you want to proceed?');
    expect(text).toMatch(/1 ⏎ {2}Yes/);
    expect(text).toMatch(/2 {4}Yes, allow reading from etc\/ from this project/);
    expect(text).toMatch(/3 {4}No/);
    expect(text).toContain('a key is sent alone, as pressed (⏎ as Enter)');
    expect(text).toContain(dialogHintText('answer'));
    if (process.env['MUXCTL_PRINT_FRAMES']) console.info(text);
  });

  it('sends the choice whose key is pressed, with the question the person saw, and closes', async () => {
    for (const [key, sent] of [['2', '2'], ['\r', 'enter']] as const) {
      const { ui, frame, store, answered } = setup({ 'app-1': CLAUDE_SCREEN });
      ui.stdin.write('y');
      await waitFor(() => frame().includes('app-1 asks'), { what: 'the answer dialog' });
      ui.stdin.write(key);
      await waitFor(() => answered.length === 1, { what: `the answer on ${JSON.stringify(key)}` });
      expect(answered[0]).toEqual({ worker: 'app-1', asked: readQuestion(CLAUDE_SCREEN), key: sent });
      await waitFor(() => store.getState().notice?.text === `app-1: sent ${sent}`, { what: 'the outcome on the status line' });
      expect(store.getState().overlay).toBeNull();
      cleanup?.();
    }
  });

  it('a key that is no choice sends nothing and says so; the screen keys are dead while it is open; Esc cancels', async () => {
    const { ui, frame, store, answered, calls } = setup({ 'app-1': CLAUDE_SCREEN });
    ui.stdin.write('y');
    await waitFor(() => frame().includes('app-1 asks'), { what: 'the answer dialog' });
    // Claude Code's menu takes digits: y is not one of its keys.
    ui.stdin.write('y');
    await waitFor(() => frame().includes('y is not one of the choices: nothing sent'), { what: 'the refusal', detail: frame });
    ui.stdin.write('r');
    await waitFor(() => frame().includes('r is not one of the choices'), { what: 'r is a key of the dialog, not restart' });
    expect(calls).not.toContain('restart app-1');
    ui.stdin.write('\x1b');
    await waitFor(() => store.getState().overlay === null, { what: 'Esc to close it' });
    expect(answered).toEqual([]);
  });

  it('answers a [y/n] prompt with y', async () => {
    const { ui, frame, answered } = setup({ 'app-1': ['some output', 'Proceed? [y/n] '] });
    ui.stdin.write('y');
    await waitFor(() => frame().includes('Proceed? [y/n]'), { what: 'the answer dialog' });
    expect(frame()).toMatch(/y {2}yes/);
    expect(frame()).toContain('the letter is typed, then Enter');
    // No default: ⏎ is not offered.
    expect(frame()).toContain(dialogHintText('answer', { answerEnter: null }));
    ui.stdin.write('y');
    await waitFor(() => answered[0]?.key === 'y', { what: 'y sent' });
  });

  it('does not open on a worker that is not waiting, nor when its screen asks nothing muxctl can read', async () => {
    const { ui, store, calls, frame } = setup({}, { 'app-1': 'working' });
    ui.stdin.write('y');
    await waitFor(() => store.getState().notice?.text === 'y: the worker is not asking anything', { what: 'the disabled reason' });
    expect(calls).toEqual([]);
    cleanup?.();
    const waiting = setup({});
    waiting.ui.stdin.write('y');
    await waitFor(() => waiting.store.getState().notice?.text === "app-1: the worker is not asking anything muxctl can read: ⏎ attaches", { what: 'nothing readable', detail: frame });
    expect(waiting.store.getState().overlay).toBeNull();
  });
});
