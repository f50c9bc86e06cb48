/**
 * The dialogs own their keys: each answers to the keys the keymap binds in its view (pressed here as
 * the bytes a terminal sends for them), ignores the screen's, and shows a hint line made from the
 * same table. Overlays are opened the way the dashboard opens them, through state/dialogs.ts.
 */
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { KeyRouter } from '../../components/KeyRouter.js';
import { useBindings } from '../../components/useBindings.js';
import { bindingsFor, dialogHintText, type Action, type DialogView, type KeySpec } from '../../src/core/views/keymap.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { createActions, type Commands } from '../../src/state/actions.js';
import { confirmDialog, eventsDialog, formDialog, helpDialog, pickDialog } from '../../src/state/dialogs.js';
import { createDashboardStore, type DashboardStore, type FormOverlay, type PickOverlay } from '../../src/state/store.js';
import { waitFor } from '../helpers/waitFor.js';
import { quietCommands } from '../helpers/commands.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);

const NAMED: Record<Extract<KeySpec, { kind: 'named' }>['name'], string> = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  home: '\x1b[H',
  end: '\x1b[F',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  shiftTab: '\x1b[Z',
  backspace: '\x7f',
};

/** The bytes a terminal sends for a key of the table. */
function bytes(spec: KeySpec): string {
  if (spec.kind === 'char') return spec.char;
  if (spec.kind === 'ctrl') return String.fromCharCode(spec.char.charCodeAt(0) - 96);
  return NAMED[spec.name];
}

/** Every key the table binds to `action` in a dialog view, as bytes: what these tests press. */
function keysOf(view: DialogView, action: Action): string[] {
  const keys = bindingsFor(view)
    .filter((b) => b.action === action)
    .flatMap((b) => b.keys.map(bytes));
  expect(keys.length, `${action} in ${view}`).toBeGreaterThan(0);
  return keys;
}

function worker(name: string): WorkerSnapshot {
  return {
    name,
    lane: 'app',
    health: { state: 'running', badge: 'running', evidence: 'running evidence', since: now - 65_000 },
    screen: [`${name} last line`],
    worktree: `/w/${name}`,
    command: 'node',
    restarts: null,
    summary: null,
    upSince: now - 65_000,
  };
}

function setup() {
  const calls: string[] = [];
  const commands: Commands = quietCommands({
    restartGuarded: async (n, o) => (calls.push(`restart ${n}${o.destructive ? ' reset' : ''}`), `${n}: restarted`),
    attach: (n) => void calls.push(`attach ${n}`),
    watchDetail: (r) => void calls.push(r ? `detail ${r.mode} ${r.worker}` : 'detail closed'),
    quit: () => void calls.push('quit'),
  });
  const store = createDashboardStore({ project: 'demo', socket: 'muxctl-demo', configFile: '/r/sessions.json', size: { columns: 100, rows: 30 }, now });
  store.setState({ ready: true, workers: [worker('app-1'), worker('app-2')] });
  const actions = createActions(store, commands);
  const ui = render(<App store={store} actions={actions} />);
  cleanup = ui.unmount;
  return { store, actions, calls, ui, frame: () => ui.lastFrame() ?? '' };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const closed = (store: DashboardStore) => () => store.getState().overlay === null;

describe('the confirm dialog', () => {
  it('shows its facts and the hint line the table makes, with the extra answer in its own words', async () => {
    const { store, frame } = setup();
    store.setState({ overlay: confirmDialog({ title: 'Restart app-1?', lines: ['Decision: idle'], onYes: () => {}, extra: { label: 'reset to the base instead', onKey: () => {} } }) });
    await waitFor(() => frame().includes('Restart app-1?'), { what: 'the dialog' });
    expect(frame()).toContain('Decision: idle');
    expect(frame()).toContain(dialogHintText('confirm', { confirmExtra: 'reset to the base instead' }));
    expect(frame()).toContain('y yes · n/Esc no · x reset to the base instead');
  });

  it.each(['confirmYes', 'confirmNo'] as const)('answers %s on each of its keys', async (action) => {
    const { store, ui, frame } = setup();
    for (const key of keysOf('confirm', action)) {
      const answers: string[] = [];
      store.setState({ overlay: confirmDialog({ title: 'Stop app-2?', lines: [], onYes: () => void answers.push('yes') }) });
      await waitFor(() => frame().includes('Stop app-2?'), { what: 'the dialog' });
      // No extra answer: its key is not offered.
      expect(frame()).toContain('y yes · n/Esc no');
      expect(frame()).not.toContain('other answer');
      ui.stdin.write(key);
      await waitFor(closed(store), { what: `the dialog closed by ${JSON.stringify(key)}` });
      expect(answers, JSON.stringify(key)).toEqual(action === 'confirmYes' ? ['yes'] : []);
      await waitFor(() => !frame().includes('Stop app-2?'), { what: 'the dialog gone' });
    }
  });

  it('takes the extra answer on its key only when the dialog offers one', async () => {
    const { store, ui, frame } = setup();
    const [key] = keysOf('confirm', 'confirmExtra');
    store.setState({ overlay: confirmDialog({ title: 'Stop app-2?', lines: [], onYes: () => {} }) });
    await waitFor(() => frame().includes('Stop app-2?'), { what: 'the dialog without an extra answer' });
    ui.stdin.write(key ?? '');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.getState().overlay?.kind).toBe('confirm');
    const extra: string[] = [];
    store.setState({ overlay: confirmDialog({ title: 'Restart app-1?', lines: [], onYes: () => {}, extra: { label: 'reset instead', onKey: () => void extra.push('x') } }) });
    await waitFor(() => frame().includes('x reset instead'), { what: 'the dialog with an extra answer' });
    ui.stdin.write(key ?? '');
    await waitFor(closed(store), { what: 'closed by the extra answer' });
    expect(extra).toEqual(['x']);
  });

  it('r → x → a typed name: the restart dialog reaches the reset through the table keys', async () => {
    const { ui, calls, frame } = setup();
    ui.stdin.write('r');
    await waitFor(() => frame().includes('Restart app-1?'), { what: 'the restart dialog' });
    ui.stdin.write(keysOf('confirm', 'confirmExtra')[0] ?? '');
    // The dialog asks again, now for the reset; it offers no second extra answer.
    await waitFor(() => frame().includes('Restart app-1?') && !frame().includes('reset to the base instead'), { what: 'the reset dialog' });
    ui.stdin.write('y');
    await waitFor(() => calls.includes('restart app-1 reset'), { what: 'the reset restart' });
  });

  it('quits on Ctrl-C, like everywhere else', async () => {
    const { store, ui, calls, frame } = setup();
    store.setState({ overlay: confirmDialog({ title: 'Stop app-2?', lines: [], onYes: () => {} }) });
    await waitFor(() => frame().includes('Stop app-2?'), { what: 'the dialog' });
    for (const key of keysOf('confirm', 'quit')) ui.stdin.write(key);
    await waitFor(() => calls.includes('quit'), { what: 'quit' });
  });
});

const options = [
  { label: 'T1 first', value: 'T1' },
  { label: 'T2 second', value: 'T2' },
  { label: 'T3 third', value: 'T3' },
];

describe('the pick dialog', () => {
  it('moves on each of its up and down keys, picks on its choose key, and shows the hints the table makes', async () => {
    const { store, ui, frame } = setup();
    const picked: string[] = [];
    store.setState({ overlay: pickDialog({ title: 'Assign to app-1…', lines: ['app-1 · lane app'], options, onPick: (v) => void picked.push(v) }) });
    await waitFor(() => frame().includes('Assign to app-1…'), { what: 'the dialog' });
    expect(frame()).toContain(dialogHintText('pick'));
    expect(frame()).toContain('↑↓ choose · ⏎ pick · Esc/q cancel');
    expect(frame()).toMatch(/› T1 first/);
    const index = () => (store.getState().overlay as PickOverlay).index;
    for (const key of keysOf('pick', 'pickDown')) {
      ui.stdin.write(key);
      await waitFor(() => index() === 1, { what: `down on ${JSON.stringify(key)}` });
      ui.stdin.write(keysOf('pick', 'pickUp')[0] ?? '');
      await waitFor(() => index() === 0, { what: 'up again' });
    }
    for (const key of keysOf('pick', 'pickUp')) {
      ui.stdin.write('j');
      await waitFor(() => index() === 1, { what: 'down' });
      ui.stdin.write(key);
      await waitFor(() => index() === 0, { what: `up on ${JSON.stringify(key)}` });
    }
    // The screen's keys do nothing while the list is open: j moved the list, not the grid.
    expect(store.getState().selected).toBe(0);
    ui.stdin.write('j');
    await waitFor(() => frame().includes('› T2 second'), { what: 'T2 highlighted' });
    ui.stdin.write(keysOf('pick', 'pickChoose')[0] ?? '');
    await waitFor(closed(store), { what: 'picked' });
    expect(picked).toEqual(['T2']);
  });

  it('closes on each of its cancel keys without picking', async () => {
    const { store, ui, frame } = setup();
    for (const key of keysOf('pick', 'close')) {
      const picked: string[] = [];
      store.setState({ overlay: pickDialog({ title: 'Move T1 to…', lines: [], options, onPick: (v) => void picked.push(v) }) });
      await waitFor(() => frame().includes('Move T1 to…'), { what: 'the dialog' });
      ui.stdin.write(key);
      await waitFor(closed(store), { what: `closed by ${JSON.stringify(key)}` });
      expect(picked).toEqual([]);
      await waitFor(() => !frame().includes('Move T1 to…'), { what: 'the dialog gone' });
    }
  });
});

function openForm(store: DashboardStore, submitted: Array<Record<string, string>>) {
  store.setState({
    overlay: formDialog({
      title: 'New task',
      lines: [],
      fields: [
        { name: 'title', label: 'title', value: '' },
        { name: 'lane', label: 'lane', value: '' },
      ],
      onSubmit: (values) => {
        submitted.push(values);
        return values['title'] === '' ? 'a task needs a title' : null;
      },
    }),
  });
}

describe('the form dialog', () => {
  it('types every other key as text, moves between fields on its keys, erases, submits, and shows its hints', async () => {
    const { store, ui, frame } = setup();
    const submitted: Array<Record<string, string>> = [];
    openForm(store, submitted);
    await waitFor(() => frame().includes('New task'), { what: 'the form' });
    expect(frame()).toContain(dialogHintText('form'));
    expect(frame()).toContain('Tab/↓ next field · Shift-Tab/↑ previous · ⏎ submit · Esc cancel');
    const form = () => store.getState().overlay as FormOverlay;
    // Keys that mean something on a screen or in another dialog are text here.
    for (const key of ['q', 'j', 'e', '?', 'y']) ui.stdin.write(key);
    await waitFor(() => form().fields[0]?.value === 'qje?y', { what: 'the typed text' });
    for (const key of keysOf('form', 'erase')) ui.stdin.write(key);
    await waitFor(() => form().fields[0]?.value === 'qje?', { what: 'erased by the erase key' });
    // Backspace reaches a terminal as DEL or as ^H: both erase.
    ui.stdin.write('\b');
    await waitFor(() => form().fields[0]?.value === 'qje', { what: 'erased by ^H' });
    for (const key of keysOf('form', 'formNext')) {
      ui.stdin.write(key);
      await waitFor(() => form().index === 1, { what: `next field on ${JSON.stringify(key)}` });
      ui.stdin.write(keysOf('form', 'formPrevious')[0] ?? '');
      await waitFor(() => form().index === 0, { what: 'back' });
    }
    for (const key of keysOf('form', 'formPrevious')) {
      ui.stdin.write('\t');
      await waitFor(() => form().index === 1, { what: 'next field' });
      ui.stdin.write(key);
      await waitFor(() => form().index === 0, { what: `previous field on ${JSON.stringify(key)}` });
    }
    ui.stdin.write(keysOf('form', 'formSubmit')[0] ?? '');
    await waitFor(closed(store), { what: 'submitted' });
    expect(submitted).toEqual([{ title: 'qje', lane: '' }]);
  });

  it('keeps the form open with the problem named, and does each control key inside a chunk typed fast', async () => {
    const { store, ui, frame } = setup();
    const submitted: Array<Record<string, string>> = [];
    openForm(store, submitted);
    await waitFor(() => frame().includes('New task'), { what: 'the form' });
    ui.stdin.write('\r');
    await waitFor(() => frame().includes('a task needs a title'), { what: 'the problem' });
    expect(store.getState().overlay?.kind).toBe('form');
    ui.stdin.write('write the docz\x7fs\tapp\rleft over');
    await waitFor(closed(store), { what: 'submitted from the chunk' });
    expect(submitted.at(-1)).toEqual({ title: 'write the docs', lane: 'app' });
    // What followed the submit was typed into nothing: not into a screen key either.
    expect(store.getState().overlay).toBeNull();
    expect(store.getState().board).toBe(false);
  });

  it('closes on its cancel key without submitting', async () => {
    const { store, ui, frame } = setup();
    const submitted: Array<Record<string, string>> = [];
    openForm(store, submitted);
    await waitFor(() => frame().includes('New task'), { what: 'the form' });
    ui.stdin.write('abc');
    for (const key of keysOf('form', 'close')) ui.stdin.write(key);
    await waitFor(closed(store), { what: 'closed' });
    expect(submitted).toEqual([]);
  });
});

describe('the events dialog', () => {
  it('closes on each of its keys and shows its hint', async () => {
    const { store, ui, frame } = setup();
    for (const key of keysOf('events', 'close')) {
      store.setState({ overlay: eventsDialog({ title: 'What happened to app-1', lines: [] }) });
      await waitFor(() => frame().includes('What happened to app-1'), { what: 'the dialog' });
      expect(frame()).toContain('nothing recorded yet');
      expect(frame()).toContain(dialogHintText('events'));
      expect(frame()).toContain('Esc/q/e close');
      ui.stdin.write(key);
      await waitFor(closed(store), { what: `closed by ${JSON.stringify(key)}` });
      await waitFor(() => !frame().includes('What happened to app-1'), { what: 'gone' });
    }
  });
});

describe('the help overlay', () => {
  it('closes on each of its keys, shows its hint, and keeps the screen keys from acting under it', async () => {
    const { store, ui, calls, frame } = setup();
    for (const key of keysOf('help', 'close')) {
      ui.stdin.write('?');
      await waitFor(() => frame().includes('show or hide this help'), { what: 'the help' });
      expect(frame()).toContain(dialogHintText('help'));
      expect(frame()).toContain('Esc/?/q close');
      // Under the help the grid's keys are dead: no log opens, no filter changes.
      ui.stdin.write('l');
      ui.stdin.write('f');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(calls).toEqual([]);
      expect(store.getState().gridView.filter).toEqual({ kind: 'all' });
      ui.stdin.write(key);
      await waitFor(closed(store), { what: `closed by ${JSON.stringify(key)}` });
      await waitFor(() => !frame().includes('show or hide this help'), { what: 'gone' });
    }
    // q closed the help, and did not quit.
    expect(calls).toEqual([]);
    store.setState({ overlay: helpDialog() });
    await waitFor(() => frame().includes('show or hide this help'), { what: 'the help from its builder' });
  });
});

describe('the log search', () => {
  it('applies and cancels on its keys, shows its hints, and takes the keys after / as text, / itself not', async () => {
    const { store, ui, frame } = setup();
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail !== null, { what: 'the log view' });
    await waitFor(() => frame().includes('· log ·'), { what: 'the log view drawn' });
    // In one burst: the / that starts the search is not typed into it.
    ui.stdin.write('/');
    ui.stdin.write('auth');
    await waitFor(() => frame().includes('search: auth'), { what: 'the draft' });
    expect(store.getState().logView.draft).toBe('auth');
    expect(frame()).toContain(dialogHintText('search'));
    expect(frame()).toContain('⏎ apply · Esc cancel');
    for (const key of keysOf('search', 'searchApply')) ui.stdin.write(key);
    await waitFor(() => store.getState().logView.draft === null, { what: 'applied' });
    expect(store.getState().logView.search).toBe('auth');
    ui.stdin.write('/');
    ui.stdin.write('other');
    for (const key of keysOf('search', 'searchCancel')) ui.stdin.write(key);
    await waitFor(() => store.getState().logView.draft === null, { what: 'canceled' });
    expect(store.getState().logView.search).toBe('auth');
    expect(store.getState().detail).not.toBeNull();
  });
});

describe('useBindings', () => {
  it('gives each key to exactly one owner, and none to an inactive one', async () => {
    const pressed: string[] = [];
    function Owner({ name, isActive }: { name: string; isActive: boolean }) {
      useBindings('events', { close: () => void pressed.push(name) }, isActive);
      return <Text>{name}</Text>;
    }
    const ui = render(
      <KeyRouter>
        <Owner name="below" isActive />
        <Owner name="asleep" isActive={false} />
      </KeyRouter>,
    );
    cleanup = ui.unmount;
    await new Promise((resolve) => setTimeout(resolve, 20));
    ui.stdin.write('e');
    await waitFor(() => pressed.length > 0, { what: 'a press' });
    expect(pressed).toEqual(['below']);
  });

  it('an inactive dialog ignores its keys', async () => {
    const store = createDashboardStore({ project: 'demo', socket: 's', configFile: '/c', size: { columns: 80, rows: 20 }, now });
    const actions = createActions(store, {} as Commands);
    const overlay = confirmDialog({ title: 'Stop?', lines: [], onYes: () => {} });
    store.setState({ overlay });
    const ui = render(
      <KeyRouter>
        <ConfirmDialog overlay={overlay} actions={actions} width={80} height={10} isActive={false} />
      </KeyRouter>,
    );
    cleanup = ui.unmount;
    await waitFor(() => (ui.lastFrame() ?? '').includes('Stop?'), { what: 'the dialog' });
    ui.stdin.write('n');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.getState().overlay).toBe(overlay);
  });
});
