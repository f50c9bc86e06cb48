/**
 * Component tests: the App rendered with ink-testing-library from a store filled by hand. The commands
 * are recorded, not run: what they do to tmux is the integration and end-to-end tests' business.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { newTask } from '../../src/core/rules/tasks.js';
import { createActions, type Commands } from '../../src/state/actions.js';
import type { LogLine } from '../../src/core/views/logView.js';
import { createDashboardStore, selectedWorker, type DashboardStore } from '../../src/state/store.js';
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

const threeWorkers = (): WorkerSnapshot[] => [worker('app-1', 'app', 'running'), worker('app-2', 'app', 'crashed'), worker('infra-1', 'infra', 'missing')];

function setup(columns = 100, rows = 30, workers: WorkerSnapshot[] = threeWorkers()) {
  const calls: string[] = [];
  const commands: Commands = {
    start: async (n) => (calls.push(`start ${n}`), `${n}: started`),
    bringBack: async () => (calls.push('bringBack'), 'all: brought back'),
    stop: async (n) => (calls.push(`stop ${n}`), `${n}: stopped`),
    checkWorker: (input) => (input.lane === 'nope' ? 'lane: expected one of the lanes app, infra; got "nope"' : null),
    addWorker: async (input) => (calls.push(`addWorker ${input.name} ${input.lane} ${input.agent || input.command}`), `${input.name}: started`),
    toggleContinue: (n) => (calls.push(`toggleContinue ${n}`), `${n}: continue cancelled (c sets it again)`),
    send: async (target, text) => (calls.push(`send ${target.kind === 'worker' ? target.name : target.kind === 'lane' ? `lane ${target.lane}` : 'all'}: ${text}`), 'sent'),
    restartDecision: async () => ({ action: 'idle', reasons: ['the worker has no task; the worker comes back idle'], backupRef: false }),
    restartGuarded: async (n) => (calls.push(`restart ${n}`), `${n}: restarted`),
    assign: async (id, n) => (calls.push(`assign ${id} ${n}`), `${id} → ${n}`),
    accept: async (id) => (calls.push(`accept ${id}`), `${id} accepted`),
    reassign: async (id, n) => (calls.push(`reassign ${id} ${n}`), { message: `${id} moved to ${n}` }),
    addTask: (input) => (calls.push(`add ${input.title}`), input.title === '' ? 'a task needs a title' : null),
    eventLines: (about) => [`events of ${about}`],
    setDispatchPaused: (paused) => void calls.push(`paused ${paused}`),
    land: async () => (calls.push('land'), 'T1 landed at abc1234'),
    doctorFindings: async () => [{ text: 'T1 is done but not landed', fix: { label: 'land it' } }],
    fixFinding: async (index) => (calls.push(`fix ${index}`), 'T1 landed'),
    readQuestion: async (n) => (calls.push(`readQuestion ${n}`), null),
    answerQuestion: async (n, _asked, key) => (calls.push(`answer ${n} ${key}`), `${n}: sent ${key}`),
    attach: (n) => void calls.push(`attach ${n}`),
    watchDetail: (r) => void calls.push(r ? `detail ${r.mode} ${r.worker}` : 'detail closed'),
    quit: () => void calls.push('quit'),
  };
  const store = createDashboardStore({ project: 'demo', socket: 'muxctl-demo', configFile: '/r/sessions.json', size: { columns, rows }, now });
  store.setState({ ready: true, workers });
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

  it('says the tmux server is gone when every session is, and which key brings them back', () => {
    const { ui } = setup(160, 30, [worker('app-1', 'app', 'missing'), worker('app-2', 'app', 'missing')]);
    cleanup = ui.unmount;
    expect(frame(ui)).toContain('tmux server gone: U brings them back');
    // One missing among live ones is that worker's trouble, not the server's.
    const some = setup(160, 30);
    expect(frame(some.ui)).not.toContain('tmux server gone');
    some.ui.unmount();
    // A new project, nothing ever started: not the server gone, and U starts them.
    const fresh = (name: string) => worker(name, 'app', 'missing', { health: { state: 'missing', badge: 'missing', evidence: 'not started yet · u starts it', since: null, neverStarted: true } });
    const first = setup(160, 30, [fresh('app-1'), fresh('app-2')]);
    expect(frame(first.ui)).toContain('nothing started yet: U starts every worker');
    expect(frame(first.ui)).not.toContain('tmux server gone');
    first.ui.unmount();
  });

  it('draws no line wider than the terminal, at 80 and at 160 columns', () => {
    for (const columns of [80, 160]) {
      const { ui } = setup(columns, 24);
      for (const line of frame(ui).split('\n')) expect(line.length, line).toBeLessThanOrEqual(columns);
      ui.unmount();
    }
  });

  it('counts letters that arrive in one read as that many presses (a held key, send-keys j j j)', async () => {
    // One panel a row, so j and k move down and up.
    const { ui, store } = setup(40, 40);
    cleanup = ui.unmount;
    ui.stdin.write('jj');
    await waitFor(() => store.getState().selected === 2, { what: 'two moves down from one read of "jj"' });
    ui.stdin.write('kjk');
    await waitFor(() => store.getState().selected === 1, { what: '"kjk" ends one up' });
  });

  it('moves the selection with the arrows and attaches to the selected worker', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('\x1b[C');
    await waitFor(() => store.getState().selected === 1, { what: 'selection moved right' });
    ui.stdin.write('\x1b[C');
    await waitFor(() => store.getState().selected === 2, { what: 'selection moved right again' });
    ui.stdin.write('\x1b[D');
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

  it('a limited worker: its own badge, the header counts it apart with its reset, and c cancels its continue', async () => {
    const reset = now + 3 * 3_600_000;
    const limited = worker('app-2', 'app', 'limited', { health: { state: 'limited', badge: 'limited', evidence: 'usage limit · resets 17:02 · continues at 17:03 (c cancels) · 5-hour limit reached', since: now - 60_000, until: reset } });
    const { ui, store, calls } = setup(160, 30, [worker('app-1', 'app', 'running'), limited]);
    cleanup = ui.unmount;
    const text = frame(ui);
    expect(text).toMatch(/◷ limited/);
    expect(text).toContain(`· 1 limited until ${new Date(reset).toTimeString().slice(0, 5)}`);
    // Limited is not "needs you": the person cannot lift a limit.
    expect(text).not.toContain('need');
    expect(text).toContain('continues at 17:03 (c cancels)');
    await settle();
    ui.stdin.write('c');
    await settle();
    expect(calls.filter((c) => c.startsWith('toggleContinue'))).toEqual([]);
    expect(frame(ui)).toContain('the worker is not limited');
    store.setState({ selected: 1 });
    await settle();
    ui.stdin.write('c');
    await waitFor(() => calls.includes('toggleContinue app-2'), { what: 'toggleContinue called' });
    await waitFor(() => frame(ui).includes('app-2: continue cancelled (c sets it again)'), { what: 'its outcome shown' });
  });

  it('shows the tokens always, and a cost the log did not give as an estimate', () => {
    const summary = { prompt: 'Fix the login redirect', tool: null, outcome: null, message: null, tokens: { input: 12_000, output: 800 }, costUsd: null, estimate: { usd: 1.234, partial: false }, errors: 0, lastError: null, malformed: 0, lastActiveAt: now - 60_000, checkpoint: null, status: null };
    const { ui } = setup(160, 30, [worker('app-1', 'app', 'running', { summary }), worker('app-2', 'app', 'running', { summary: { ...summary, costUsd: 0.5 } })]);
    cleanup = ui.unmount;
    const text = frame(ui);
    expect(text).toContain('13k tok · ≈$1.23 est. · active 1m ago');
    // The log's own figure is shown as it is, never marked as an estimate.
    expect(text).toContain('13k tok · $0.50 · active 1m ago');
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

  it('m types a message to the selected worker; M to a lane after a yes, naming who gets it', async () => {
    const { ui, calls } = setup(120, 30);
    cleanup = ui.unmount;
    await settle();
    ui.stdin.write('m');
    await waitFor(() => frame(ui).includes('Message to app-1'), { what: 'the message form' });
    ui.stdin.write('rebase on main');
    await settle();
    ui.stdin.write('\r');
    await waitFor(() => calls.includes('send app-1: rebase on main'), { what: 'the send' });

    ui.stdin.write('M');
    await waitFor(() => frame(ui).includes('Message to many workers'), { what: 'the many form' });
    // "to" is the selected worker's lane already: the message field next.
    ui.stdin.write('\t');
    await settle();
    ui.stdin.write('tests are red on main');
    await settle();
    ui.stdin.write('\r');
    await waitFor(() => frame(ui).includes('Send to 2 workers?'), { what: 'the confirmation' });
    expect(frame(ui)).toContain('To lane app: app-1, app-2');
    expect(calls.some((c) => c.startsWith('send lane'))).toBe(false);
    ui.stdin.write('y');
    await waitFor(() => calls.includes('send lane app: tests are red on main'), { what: 'the send to the lane' });
  });

  it('W adds a worker from a form: a wrong field is named and the form stays; fixed, it is added', async () => {
    const { ui, calls } = setup(120, 30);
    cleanup = ui.unmount;
    await settle();
    ui.stdin.write('W');
    await waitFor(() => frame(ui).includes('New worker'), { what: 'the form' });
    ui.stdin.write('app-3');
    await settle();
    ui.stdin.write('\t');
    await settle();
    // The lane field starts as the selected worker's: replace it with a wrong one.
    for (let i = 0; i < 3; i += 1) ui.stdin.write('\x7f');
    ui.stdin.write('nope');
    await settle();
    ui.stdin.write('\t');
    await settle();
    ui.stdin.write('codex');
    await settle();
    ui.stdin.write('\r');
    await waitFor(() => frame(ui).includes('lane: expected one of the lanes app, infra; got "nope"'), { what: 'the problem named' });
    expect(calls.some((c) => c.startsWith('addWorker'))).toBe(false);
    ui.stdin.write('\x1b[Z');
    await settle();
    for (let i = 0; i < 4; i += 1) ui.stdin.write('\x7f');
    ui.stdin.write('app');
    await settle();
    ui.stdin.write('\r');
    await waitFor(() => calls.includes('addWorker app-3 app codex'), { what: 'the worker added' });
  });

  it('while a dialog is open the hints bar offers none of the screen keys under it', async () => {
    const { ui } = setup(120, 30);
    cleanup = ui.unmount;
    const bar = () => frame(ui).trimEnd().split('\n').at(-1) ?? '';
    await waitFor(() => bar().includes('q/Ctrl-C quit'), { what: 'the grid hints' });
    ui.stdin.write('W');
    await waitFor(() => frame(ui).includes('New worker'), { what: 'the form' });
    expect(frame(ui)).not.toContain('q/Ctrl-C quit');
    expect(frame(ui)).toContain('Esc cancel');
    ui.stdin.write('\x1b');
    await waitFor(() => bar().includes('q/Ctrl-C quit'), { what: 'the grid hints back' });
  });

  it('the header counts a worker\'s proposals; a clean worker shows no +0 −0, one with work shows its figure', async () => {
    const { ui, store } = setup(120, 30);
    cleanup = ui.unmount;
    const proposal = { ...newTask({ id: 'T9', title: 'pin the CI image', lane: 'infra', proposed: true }, now) };
    store.setState({ tasks: [proposal], diffFigures: { 'app-1': { added: 0, removed: 0 }, 'app-2': { added: 12, removed: 3 } } });
    await waitFor(() => frame(ui).includes('tasks 0 active, 0 queued, 1 proposed'), { what: 'the proposal counted' });
    expect(frame(ui)).toContain('+12 −3');
    expect(frame(ui)).not.toContain('+0 −0');
  });

  it('a worker with messages waiting for its prompt says how many on its panel', async () => {
    const { ui, store } = setup(120, 30);
    cleanup = ui.unmount;
    store.setState({ messagesWaiting: { 'app-2': 2 } });
    await waitFor(() => frame(ui).includes('✉ 2 messages waiting'), { what: 'the waiting line' });
    expect(frame(ui).split('\n').filter((line) => line.includes('✉'))).toHaveLength(1);
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

/** What the dashboard's feed does when a detail view opens: fills `detail` for the worker it names. */
function feed(store: DashboardStore, fill: { events?: LogLine[]; screen?: string[] }): void {
  const detail = store.getState().detail;
  if (detail === null) throw new Error('no detail view is open');
  store.setState({ detail: { ...detail, ...fill } });
}

const logLine = (i: number, level: LogLine['level'], text: string, extra: Partial<LogLine> = {}): LogLine => ({ at: now - (100 - i) * 1000, source: 'log', kind: 'message', level, text, ...extra });

/** 40 lines: a tool call, its end, messages; a warning at 30 and an error at 35. */
const logLines = (): LogLine[] =>
  Array.from({ length: 40 }, (_, i) => {
    if (i === 30) return logLine(i, 'warn', 'retrying the fetch (429)');
    if (i === 35) return logLine(i, 'error', 'auth failed: token expired', { kind: 'error' });
    if (i === 10) return logLine(i, 'info', 'npm test', { kind: 'tool_start', tool: 'Bash' });
    return logLine(i, 'info', `message number ${i}`);
  });

const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

describe('the log view (l)', () => {
  it('opens the selected worker\'s log, shows its lines newest last, and Esc goes back to the grid', async () => {
    const { ui, store, calls } = setup(100, 30);
    cleanup = ui.unmount;
    ui.stdin.write('\x1b[C');
    await waitFor(() => store.getState().selected === 1, { what: 'app-2 selected' });
    ui.stdin.write('l');
    await waitFor(() => calls.includes('detail log app-2'), { what: 'watchDetail called for the log' });
    await waitFor(() => frame(ui).includes('app-2 · ✖ exited 3 · log · 0 lines'), { what: 'the empty log view' });
    expect(frame(ui)).toContain('no log lines from app-2 yet');
    feed(store, { events: logLines() });
    await waitFor(() => frame(ui).includes('40 lines · following'), { what: 'the fed lines' });
    const text = frame(ui);
    expect(text).toContain('message number 39');
    expect(text).toContain('✖ auth failed: token expired');
    expect(text).not.toContain('message number 5 ');
    expect(text).not.toContain('app-1 · app');
    ui.stdin.write('\x1b');
    await waitFor(() => calls.includes('detail closed'), { what: 'watchDetail(null)' });
    await waitFor(() => frame(ui).includes('app-1 · app'), { what: 'the grid again' });
    expect(store.getState().detail).toBeNull();
  });

  it('q goes back from the log view instead of quitting; Ctrl-C still quits', async () => {
    const { ui, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('l');
    await waitFor(() => frame(ui).includes('app-1 · ● running · log'), { what: 'log view' });
    ui.stdin.write('q');
    await waitFor(() => calls.includes('detail closed'), { what: 'back to the grid' });
    expect(calls).not.toContain('quit');
    ui.stdin.write('l');
    await waitFor(() => frame(ui).includes('· log ·'), { what: 'log view again' });
    ui.stdin.write('\x03');
    await waitFor(() => calls.includes('quit'), { what: 'quit on Ctrl-C' });
  });

  it('the level filter hides info lines, and says so in the header', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail !== null, { what: 'log view' });
    feed(store, { events: logLines() });
    await waitFor(() => frame(ui).includes('message number 39'), { what: 'lines' });
    ui.stdin.write('e');
    await waitFor(() => frame(ui).includes('level ≥ info'), { what: 'level info' });
    ui.stdin.write('e');
    await waitFor(() => frame(ui).includes('level ≥ warn · 2 lines'), { what: 'level warn' });
    expect(frame(ui)).toContain('retrying the fetch (429)');
    expect(frame(ui)).toContain('auth failed');
    expect(frame(ui)).not.toContain('message number');
    ui.stdin.write('e');
    ui.stdin.write('e');
    await waitFor(() => frame(ui).includes('40 lines'), { what: 'back to all levels' });
  });

  it('/ searches: typed text shows as it is typed, Enter filters, an empty search clears it', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail !== null, { what: 'log view' });
    feed(store, { events: logLines() });
    ui.stdin.write('/');
    await waitFor(() => frame(ui).includes('log · search:'), { what: 'search prompt' });
    // Keys that mean something in the log view are text while a search is typed: q must not go back.
    for (const key of ['a', 'u', 't', 'q']) ui.stdin.write(key);
    await waitFor(() => frame(ui).includes('search: autq'), { what: 'typed text' });
    ui.stdin.write('\x7f');
    ui.stdin.write('h');
    await waitFor(() => frame(ui).includes('search: auth'), { what: 'erased and retyped' });
    ui.stdin.write('\r');
    await waitFor(() => frame(ui).includes('search "auth" · 1 line · following'), { what: 'search applied' });
    expect(frame(ui)).toContain('auth failed: token expired');
    expect(frame(ui)).not.toContain('message number');
    expect(calls).not.toContain('detail closed');
    ui.stdin.write('/');
    await waitFor(() => frame(ui).includes('log · search:'), { what: 'search prompt again' });
    ui.stdin.write('\r');
    await waitFor(() => frame(ui).includes('40 lines'), { what: 'search cleared' });
  });

  it('scrolling moves the window and stops following; G follows the tail again', async () => {
    const { ui, store } = setup(100, 16);
    cleanup = ui.unmount;
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail !== null, { what: 'log view' });
    feed(store, { events: logLines() });
    await waitFor(() => frame(ui).includes('message number 39'), { what: 'the tail' });
    ui.stdin.write('k');
    await waitFor(() => frame(ui).includes('G follows'), { what: 'following stopped' });
    expect(frame(ui)).not.toContain('message number 39');
    ui.stdin.write('g');
    await waitFor(() => frame(ui).includes('message number 0'), { what: 'the oldest line' });
    expect(frame(ui)).toContain('log · 40 lines · 1–12 · G follows');
    // New lines do not move a window the person scrolled.
    feed(store, { events: [...logLines(), logLine(41, 'info', 'message number 41')] });
    await waitFor(() => frame(ui).includes('41 lines'), { what: 'a new line counted' });
    expect(frame(ui)).toContain('message number 0');
    ui.stdin.write('\x1b[6~');
    await waitFor(() => frame(ui).includes('12–23'), { what: 'a page down (one line of overlap)' });
    ui.stdin.write('G');
    await waitFor(() => frame(ui).includes('41 lines · following'), { what: 'following again' });
    expect(frame(ui)).toContain('message number 41');
  });

  it('draws one line per event: time, source, kind marker, tool, text', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail !== null, { what: 'log view' });
    feed(store, { events: [logLine(10, 'info', 'npm test', { kind: 'tool_start', tool: 'Bash' }), logLine(11, 'info', 'hello', { source: 'events' })] });
    await waitFor(() => frame(ui).includes('npm test'), { what: 'the tool line' });
    expect(frame(ui)).toMatch(/\d\d:\d\d:\d\d log ▸ Bash npm test/);
    expect(frame(ui)).toMatch(/\d\d:\d\d:\d\d evt “ hello/);
  });
});

describe('the preview (p)', () => {
  it('shows the worker\'s screen under a header; Enter attaches; Esc goes back', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('p');
    await waitFor(() => calls.includes('detail preview app-1'), { what: 'watchDetail called for the preview' });
    await waitFor(() => frame(ui).includes("reading app-1's screen"), { what: 'the preview before the first read' });
    feed(store, { screen: ['$ npm run build', 'built in 1.2s', '> waiting for changes', '', ''] });
    await waitFor(() => frame(ui).includes('> waiting for changes'), { what: 'the screen' });
    expect(frame(ui)).toContain('app-1 · ● running · live screen · ⏎ attaches · Esc back');
    expect(frame(ui)).toContain('$ npm run build');
    ui.stdin.write('\r');
    await waitFor(() => calls.includes('attach app-1'), { what: 'attach from the preview' });
    ui.stdin.write('\x1b');
    await waitFor(() => calls.includes('detail closed'), { what: 'Esc goes back' });
    await waitFor(() => frame(ui).includes('app-1 · app'), { what: 'the grid' });
    ui.stdin.write('p');
    await waitFor(() => frame(ui).includes('live screen'), { what: 'the preview again' });
    ui.stdin.write('q');
    await waitFor(() => calls.filter((c) => c === 'detail closed').length === 2, { what: 'q goes back' });
    expect(calls).not.toContain('quit');
    ui.stdin.write('p');
    await waitFor(() => frame(ui).includes('live screen'), { what: 'the preview once more' });
    ui.stdin.write('l');
    await waitFor(() => calls.includes('detail log app-1'), { what: 'l switches the preview to the log' });
    await waitFor(() => frame(ui).includes('app-1 · ● running · log'), { what: 'the log view' });
  });
});

describe('grid filter (f) and sort (o)', () => {
  it('f shows only the workers that need you, says how many, then the others in turn', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter: needs you · 2 of 3 shown'), { what: 'needs-you filter' });
    expect(frame(ui)).toContain('app-2 · app');
    expect(frame(ui)).toContain('infra-1 · infra');
    expect(frame(ui)).not.toContain('app-1 · app');
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter: working · 1 of 3 shown'), { what: 'working filter' });
    expect(frame(ui)).toContain('app-1 · app');
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('no worker is idle or done'), { what: 'empty idle filter' });
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter: lane app · 2 of 3 shown'), { what: 'lane app' });
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter: lane infra · 1 of 3 shown'), { what: 'lane infra' });
    ui.stdin.write('f');
    await waitFor(() => !frame(ui).includes('filter:'), { what: 'all again' });
    expect(store.getState().gridView.filter).toEqual({ kind: 'all' });
  });

  it('says so when no worker needs you, never a blank grid', async () => {
    const { ui } = setup(100, 30, [worker('a', 'app', 'running'), worker('b', 'app', 'exited')]);
    cleanup = ui.unmount;
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('no worker needs you'), { what: 'empty message' });
    expect(frame(ui)).toContain('filter: needs you · 0 of 2 shown');
  });

  it('o sorts by urgency and the selection stays on the same worker', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    expect(selectedWorker(store.getState())?.name).toBe('app-1');
    ui.stdin.write('o');
    await waitFor(() => frame(ui).includes('sort: needs you first'), { what: 'urgency sort' });
    const text = frame(ui);
    expect(text.indexOf('app-2 · app')).toBeLessThan(text.indexOf('app-1 · app'));
    expect(text.indexOf('infra-1 · infra')).toBeLessThan(text.indexOf('app-1 · app'));
    expect(selectedWorker(store.getState())?.name).toBe('app-1');
    // A new snapshot that re-orders the grid keeps the selection on its worker too.
    store.setState({ workers: [worker('app-1', 'app', 'crashed'), worker('app-2', 'app', 'running'), worker('infra-1', 'infra', 'missing')] });
    await waitFor(() => frame(ui).indexOf('app-1 · app') < frame(ui).indexOf('app-2 · app'), { what: 'reordered' });
    expect(selectedWorker(store.getState())?.name).toBe('app-1');
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail?.worker === 'app-1', { what: 'l opens the selected worker' });
  });

  it('a filter keeps the selection on its worker while it is shown, and on a shown neighbour when not', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('\x1b[C');
    ui.stdin.write('\x1b[C');
    await waitFor(() => selectedWorker(store.getState())?.name === 'infra-1', { what: 'infra-1 selected' });
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter: needs you'), { what: 'needs-you filter' });
    // infra-1 is now the second panel of two, and still the selected one.
    expect(selectedWorker(store.getState())?.name).toBe('infra-1');
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter: working'), { what: 'working filter' });
    expect(selectedWorker(store.getState())?.name).toBe('app-1');
    // The keys act on the worker shown selected, not on the one the filter hid.
    ui.stdin.write('\r');
    await waitFor(() => calls.includes('attach app-1'), { what: 'attach to the shown selection' });
  });
});

describe('no line wider than the terminal', () => {
  it.each([80, 120])('in every view at %i columns', async (columns) => {
    const long = 'x'.repeat(300);
    const { ui, store } = setup(columns, 24, [worker('app-1', 'app', 'running', { screen: [long] }), worker('app-2', 'app', 'crashed')]);
    cleanup = ui.unmount;
    expect(widest(frame(ui))).toBeLessThanOrEqual(columns);
    ui.stdin.write('f');
    await waitFor(() => frame(ui).includes('filter:'), { what: 'filtered grid' });
    expect(widest(frame(ui))).toBeLessThanOrEqual(columns);
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail !== null, { what: 'log view' });
    feed(store, { events: [...logLines(), logLine(50, 'warn', long, { tool: 'Bash', kind: 'tool_start' })] });
    await waitFor(() => frame(ui).includes('41 lines'), { what: 'lines' });
    expect(widest(frame(ui))).toBeLessThanOrEqual(columns);
    expect(frame(ui).split('\n').length).toBeLessThanOrEqual(24);
    ui.stdin.write('/');
    ui.stdin.write(long.slice(0, 120));
    await waitFor(() => frame(ui).includes('search: xxx'), { what: 'a long search typed' });
    expect(widest(frame(ui))).toBeLessThanOrEqual(columns);
    ui.stdin.write('\r');
    ui.stdin.write('?');
    await waitFor(() => frame(ui).includes('Keys in the log view'), { what: 'log view help' });
    expect(widest(frame(ui))).toBeLessThanOrEqual(columns);
    expect(frame(ui).split('\n').length).toBeLessThanOrEqual(24);
    ui.stdin.write('?');
    ui.stdin.write('p');
    await waitFor(() => frame(ui).includes('live screen'), { what: 'preview' });
    feed(store, { screen: Array.from({ length: 60 }, (_, i) => `${i} ${long}`) });
    await waitFor(() => frame(ui).includes('59 xxx'), { what: 'screen lines' });
    expect(widest(frame(ui))).toBeLessThanOrEqual(columns);
    expect(frame(ui).split('\n').length).toBeLessThanOrEqual(24);
  });
});
